#!/usr/bin/env bash
# One entry point for a fresh Debian 12 / Ubuntu machine:
#   packaging/setup.sh run    install what is missing, build, start Stampede
#   packaging/setup.sh test   install what is missing, build, run the whole test suite
#   packaging/setup.sh tsan   build the ThreadSanitizer preset and run the engine and CLI tests
# Extra arguments after `run` go to the program (e.g. --headless --preset black-friday-atomic).
set -euo pipefail

mode=${1:-run}
shift || true
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

packages=(cmake g++ make pkg-config qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6svg6-dev qt6-qpa-plugins
          libgl-dev libboost-dev xvfb xauth fonts-dejavu-core)

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

build() {
    local preset=$1
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$(nproc)"
}

install_missing
case "$mode" in
run)
    build dev
    if [ $# -eq 0 ]; then
        set -- --preset black-friday-naive
        if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
            echo "setup: no display here, so the lesson runs headless for 10 s" \
                 "(use xvfb-run, or a desktop session, for the window)" >&2
            set -- --headless --preset black-friday-naive --duration 10
        fi
    fi
    exec build/dev/app/stampede "$@"
    ;;
test)
    build dev
    QT_QPA_PLATFORM=offscreen ctest --preset dev
    ;;
tsan)
    build tsan
    # ASLR with high entropy breaks TSan on newer kernels; setarch disables it for the run.
    setarch "$(uname -m)" -R ctest --preset tsan -L 'engine|cli'
    ;;
*)
    echo "usage: packaging/setup.sh run|test|tsan [program arguments]" >&2
    exit 2
    ;;
esac
