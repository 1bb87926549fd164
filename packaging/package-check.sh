#!/usr/bin/env bash
# Builds the Debian package and proves it: its files validate (lintian, desktop-file-validate,
# appstreamcli), it installs with apt-get, the installed /usr/bin/stampede runs (version, presets
# and lessons compiled in, a headless run, an offscreen screenshot), and it removes cleanly.
#
# Usage: packaging/package-check.sh [--no-build]
#   --no-build   check build/release/stampede_*.deb as it is (default: packaging/setup.sh package
#                builds it first)
# Installs and removes the package `stampede` on this machine (through sudo when not root), so it
# refuses to start when a stampede package is already installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
build=1
case "${1:-}" in
"") ;;
--no-build) build=0 ;;
-h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "package-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
fail() { echo "package-check: $*" >&2; exit 1; }
step() { echo "package-check: $*"; }

if dpkg-query -W -f='${Status}' stampede 2>/dev/null | grep -q "install ok installed"; then
    fail "the package stampede is installed already; remove it first (apt-get remove stampede)"
fi

start=$(date +%s)
if [ $build -eq 1 ]; then
    packaging/setup.sh package
    step "package built in $(( $(date +%s) - start )) s"
fi
checks=$(date +%s)
for tool in dpkg-deb file lintian desktop-file-validate appstreamcli apt-get; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (packaging/setup.sh package installs the tools)"
done

shopt -s nullglob
debs=(build/release/stampede_*.deb)
shopt -u nullglob
[ ${#debs[@]} -eq 1 ] || fail "expected one build/release/stampede_*.deb, found ${#debs[@]} (run packaging/setup.sh package)"
deb=${debs[0]}

tmp=$(mktemp -d)
installed=0
cleanup() {
    if [ $installed -eq 1 ]; then
        echo "package-check: removing the package after a failure" >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq stampede >/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- The package's files ----
root=$tmp/root
dpkg-deb -x "$deb" "$root"
version=$(dpkg-deb -f "$deb" Version)
upstream=${version%-*}
id=io.github.stampede_lab.stampede
for f in usr/bin/stampede "usr/share/applications/$id.desktop" "usr/share/metainfo/$id.metainfo.xml" \
         "usr/share/icons/hicolor/scalable/apps/$id.svg" usr/share/man/man1/stampede.1.gz \
         usr/share/doc/stampede/copyright usr/share/doc/stampede/changelog.Debian.gz; do
    [ -s "$root/$f" ] || fail "$deb: /$f is missing or empty"
done
for side in 48 128 256; do
    png=$root/usr/share/icons/hicolor/${side}x${side}/apps/$id.png
    [ -f "$png" ] || fail "$deb: no ${side}x${side} icon"
    file -b "$png" | grep -q "^PNG image data, $side x $side," || fail "$png: $(file -b "$png"), not a ${side} px PNG"
done
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libqt6core6 libqt6widgets6; do
    grep -q "\b$lib\b" <<<"$depends" || fail "Depends lacks $lib (dpkg-shlibdeps): $depends"
done
step "$deb: version $version, Depends: $depends"

out=$(desktop-file-validate "$root/usr/share/applications/$id.desktop" 2>&1) \
    || fail "desktop-file-validate: $out"
[ -z "$out" ] || fail "desktop-file-validate has remarks: $out"
step "desktop-file-validate: clean"

# validate-tree checks the metainfo and that its desktop entry and icons are where it says;
# --strict fails on warnings too; infos and pedantic remarks are shown, and there are none today.
appstreamcli validate-tree --no-net --pedantic --strict "$root" || fail "appstreamcli validate-tree failed"

# Errors and warnings fail; overrides live in packaging/lintian-overrides, each with its reason.
# Infos and pedantic remarks are shown but pass.
status=0
out=$(lintian --fail-on error,warning --info --display-info --pedantic "$deb" 2>&1) || status=$?
grep -v '^running with root privileges is not recommended!$' <<<"$out" || true
[ $status -eq 0 ] || fail "lintian reports errors or warnings (above)"
step "lintian: no errors, no warnings"

# ---- Installed ----
step "installing $deb"
installed=1
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "./$deb" >/dev/null
[ -x /usr/bin/stampede ] || fail "/usr/bin/stampede is not there after installing"
dpkg -L stampede | grep -qx "/usr/share/applications/$id.desktop" || fail "the desktop entry is not installed"

# Run from an empty directory, so that nothing in the source tree can stand in for the package.
run=$tmp/run
mkdir "$run"
cd "$run"
[ "$(/usr/bin/stampede --version)" = "stampede $upstream" ] \
    || fail "--version: $(/usr/bin/stampede --version), expected stampede $upstream"
presets=$(/usr/bin/stampede --list-presets)
grep -q '^black-friday-naive ' <<<"$presets" || fail "--list-presets lacks black-friday-naive: $presets"
[ "$(grep -c . <<<"$presets")" -eq "$(find "$here/resources/presets" -name '*.json' | wc -l)" ] \
    || fail "--list-presets does not list every preset of resources/presets: $presets"
lessons=$(/usr/bin/stampede --list-lessons)
[ "$(grep -c . <<<"$lessons")" -eq "$(find "$here/resources/lessons" -name '*.json' | wc -l)" ] \
    || fail "--list-lessons does not list every lesson of resources/lessons: $lessons"
summary=$(/usr/bin/stampede --headless --preset black-friday-naive --duration 2) \
    || fail "the headless run failed: $summary"
grep -q '^scenario *black-friday-naive ' <<<"$summary" && grep -q '^attempts *[1-9]' <<<"$summary" \
    || fail "the headless run's summary has no attempts: $summary"
QT_QPA_PLATFORM=offscreen /usr/bin/stampede --preset black-friday-naive --screenshot "$run/x.png" --after 1 \
    || fail "the offscreen screenshot failed"
[ -s "$run/x.png" ] || fail "the screenshot $run/x.png is missing or empty"
file -b "$run/x.png" | grep -q '^PNG image data' || fail "the screenshot is not a PNG: $(file -b "$run/x.png")"
step "installed /usr/bin/stampede: version, $(grep -c . <<<"$presets") presets, $(grep -c . <<<"$lessons") lessons," \
    "a headless run and a $(file -b "$run/x.png" | cut -d, -f2 | tr -d ' ') screenshot"
cd "$here"

DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq stampede >/dev/null
installed=0
[ ! -e /usr/bin/stampede ] || fail "/usr/bin/stampede is still there after apt-get remove"
step "removed; checks took $(( $(date +%s) - checks )) s, $(( $(date +%s) - start )) s in all"
