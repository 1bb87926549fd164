#!/usr/bin/env bash
# One entry point for a fresh Debian 12 / Ubuntu machine:
#   packaging/setup.sh run    install what is missing, build, start Stampede
#   packaging/setup.sh test   install what is missing, build, run the whole test suite
#   packaging/setup.sh tsan   build the ThreadSanitizer preset and run the engine and CLI tests
#   packaging/setup.sh deps   install, configure, and check that the list below holds every
#                             Debian package the configured builds used (packaging/check-deps.sh)
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
packages=(cmake g++ make pkg-config qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev
          qt6-qpa-plugins libgl-dev libboost-dev xvfb xauth fonts-dejavu-core)

install_missing() {
    local missing=()
    for p in "${packages[@]}"; do
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

install_missing
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
    build dev
    QT_QPA_PLATFORM=offscreen ctest --preset dev
    ;;
deps)
    configure dev
    configure tsan
    packaging/check-deps.sh
    ;;
tsan)
    build tsan
    # ASLR with high entropy breaks TSan on newer kernels; setarch disables it for the run.
    setarch "$(uname -m)" -R ctest --preset tsan -L 'engine|cli'
    ;;
*)
    echo "usage: packaging/setup.sh run|test|tsan|deps [program arguments]" >&2
    exit 2
    ;;
esac
