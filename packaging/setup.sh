#!/usr/bin/env bash
# One entry point for a fresh Debian 12 / Ubuntu machine:
#   packaging/setup.sh run    install what is missing, build, start Stampede
#   packaging/setup.sh test   install what is missing, build the asan preset (AddressSanitizer,
#                             LeakSanitizer, UBSan; halt on the first error) and run the whole
#                             test suite under it
#   packaging/setup.sh tsan   build the ThreadSanitizer preset and run the engine and CLI tests
#   packaging/setup.sh fuzz [SECONDS]  also install clang and libFuzzer, build the fuzz preset and
#                             run each fuzzer SECONDS (default 60; packaging/fuzz.sh)
#   packaging/setup.sh soak [SECONDS]  build the release preset's stampede-soak and drive the window
#                             offscreen with random actions for SECONDS (default 120; tests/soak)
#   packaging/setup.sh deps   install, configure, and check that the list below holds every
#                             Debian package the configured builds used (packaging/check-deps.sh)
#   packaging/setup.sh package  also install the packaging tools below, build the release preset
#                             and make the Debian package build/release/stampede_<version>_<arch>.deb
#                             (packaging/package-check.sh validates, installs and runs it)
# Extra arguments after `run` go to the program (e.g. --headless --preset black-friday-atomic).
set -euo pipefail

mode=${1:-run}
shift || true
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

# Installed with --no-install-recommends: every package a build step needs is named here, or is a
# hard dependency of one that is (packaging/check-deps.sh proves it for each configured build).
# libqt6opengl6-dev: Qt6Charts' CMake package requires Qt6OpenGL's, which nothing else pulls in.
# Only real packages belong here: a virtual name (libqt6svg6-dev is one, provided by qt6-svg-dev)
# never shows as installed, so it would send every run to apt-get.
# libpq-dev: the engine's PostgreSQL client (store.backend postgres); postgresql-15: the server
# binaries that tests/engine/backends (and `--backend postgres`) start privately on loopback.
packages=(cmake g++ make pkg-config qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev
          qt6-qpa-plugins libgl-dev libboost-dev libpq-dev postgresql-15 xvfb xauth fonts-dejavu-core)

# `package` mode only (the build and the tests need none of them), installed the same way:
# dpkg-dev: dpkg-shlibdeps computes the package's Depends; file: CPack finds the ELF files with it;
# lintian, desktop-file-utils (desktop-file-validate) and appstream (appstreamcli validate): the
# checks of packaging/package-check.sh.
package_tools=(dpkg-dev file lintian desktop-file-utils appstream)

# `fuzz` mode only: clang, and libclang-rt-14-dev for libFuzzer's and the sanitizers' runtimes (only
# a Recommends of clang, so --no-install-recommends would leave it out).
fuzz_tools=(clang libclang-rt-14-dev)

install_missing() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "setup: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

configure() {
    cmake --preset "$1" >/dev/null
}

build() {
    local preset=$1
    configure "$preset"
    cmake --build --preset "$preset" -j "$(nproc)"
}

install_missing "${packages[@]}"
if [ "$mode" = package ]; then install_missing "${package_tools[@]}"; fi
if [ "$mode" = fuzz ]; then install_missing "${fuzz_tools[@]}"; fi
case "$mode" in
run)
    build dev
    if [ $# -eq 0 ]; then
        set -- --preset black-friday-naive
        if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
            cat >&2 <<'TXT'
setup: there is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set), so instead of the
       window this runs the black-friday-naive lesson headless for 10 s and prints its summary.
       For the window: run the same command from a desktop session, or over ssh -X; for a picture
       of it without a screen: xvfb-run -a build/dev/app/stampede --preset black-friday-naive \
       --screenshot /tmp/stampede.png --after 5
TXT
            set -- --headless --preset black-friday-naive --duration 10
        fi
    fi
    exec build/dev/app/stampede "$@"
    ;;
test)
    # The suite under ASan + UBSan + LeakSanitizer: a test that passes but leaks or reads freed
    # memory fails here (the sanitizer options are the asan test preset's).
    build asan
    # Two at a time on two cores: the tests assert counts and ratios, never absolute times.
    QT_QPA_PLATFORM=offscreen ctest --preset asan -j "$(nproc)"
    ;;
deps)
    configure dev
    configure asan
    configure tsan
    packaging/check-deps.sh
    ;;
tsan)
    build tsan
    # ASLR with high entropy breaks TSan on newer kernels; setarch disables it for the run.
    setarch "$(uname -m)" -R ctest --preset tsan -L 'engine|cli'
    ;;
fuzz)
    exec packaging/fuzz.sh "$@"
    ;;
soak)
    # Release, as a user runs it: the soak judges responsiveness, which a Debug build's slower
    # engine construction would blur. Reuses the package's configuration when there is one.
    [ -f build/release/CMakeCache.txt ] || configure release
    cmake --build build/release -j "$(nproc)" --target stampede-soak
    seconds=${1:-120}
    shift || true
    mkdir -p build/soak
    exec build/release/tests/soak/stampede-soak --duration "$seconds" \
        --report build/soak/soak.json --log build/soak/soak.log "$@"
    ;;
package)
    # The release preset with the package's files (STAMPEDE_PACKAGE: icons, man page, CPack) and
    # only the targets the package holds, not the tests; CMAKE_SKIP_INSTALL_ALL_DEPENDENCY keeps
    # CPack's install step from building everything else first.
    cmake --preset release -DSTAMPEDE_PACKAGE=ON -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
    cmake --build --preset release -j "$(nproc)" --target stampede stampede_package_files
    rm -f build/release/stampede_*.deb
    (cd build/release && cpack -G DEB)
    ;;
*)
    echo "usage: packaging/setup.sh run|test|tsan|deps|package|fuzz [SECONDS]|soak [SECONDS] [program arguments]" >&2
    exit 2
    ;;
esac
