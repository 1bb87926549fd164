#!/usr/bin/env bash
# Does packaging/setup.sh install everything a configured build used?
#
# For every CMake package directory a build used (the *_DIR:PATH entries of its CMakeCache.txt),
# find the Debian package that owns it (dpkg -S) and check that it is in setup.sh's `packages=(…)`
# list or in the hard-dependency closure of that list (Depends and Pre-Depends: setup.sh installs
# with --no-install-recommends, so Recommends never arrive on a fresh machine). A package that was
# installed by hand on a developer's machine would otherwise hide a missing install step until a
# new user's first command fails.
#
# Usage: packaging/check-deps.sh [--setup FILE] [CMAKECACHE ...]
#   --setup FILE   read the package list from FILE instead of packaging/setup.sh (used by CI to
#                  prove that the check fails when a needed package is left out)
#   CMAKECACHE     caches to check; default: every build/*/CMakeCache.txt
# Exit 0 when everything is covered, 1 naming each missing package, 2 when it cannot check.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
setup="$here/packaging/setup.sh"
caches=()
while [ $# -gt 0 ]; do
    case "$1" in
    --setup) setup=${2:?--setup needs a file}; shift 2 ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) caches+=("$1"); shift ;;
    esac
done
if [ ${#caches[@]} -eq 0 ]; then
    shopt -s nullglob
    caches=("$here"/build/*/CMakeCache.txt)
    shopt -u nullglob
fi
[ ${#caches[@]} -gt 0 ] || { echo "check-deps: no configured build under build/ (run cmake --preset dev first)" >&2; exit 2; }
[ -f "$setup" ] || { echo "check-deps: $setup: no such file" >&2; exit 2; }
command -v dpkg-query >/dev/null && command -v apt-cache >/dev/null \
    || { echo "check-deps: needs dpkg and apt-cache (Debian or Ubuntu)" >&2; exit 2; }

# The list between `packages=(` and the closing `)`, comments dropped.
mapfile -t listed < <(sed -n '/^packages=(/,/)/p' "$setup" | sed 's/#.*//; s/packages=//' | tr -d '()' \
                      | tr -s ' \t' '\n' | grep -v '^$')
[ ${#listed[@]} -gt 0 ] || { echo "check-deps: $setup: no packages=( … ) list" >&2; exit 2; }

# The hard-dependency closure, with the listed packages themselves.
closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
              --no-replaces --no-enhances "${listed[@]}" 2>/dev/null | grep -v '^ ' | sed 's/:.*//' | sort -u)
[ -n "$closure" ] || { echo "check-deps: apt-cache knows none of the listed packages (run apt-get update)" >&2; exit 2; }

status=0
for cache in "${caches[@]}"; do
    [ -f "$cache" ] || { echo "check-deps: $cache: no such file" >&2; exit 2; }
    missing=()
    while IFS= read -r dir; do
        [ -d "$dir" ] || continue
        file=$(find "$dir" -maxdepth 1 -name '*.cmake' -print -quit)
        [ -n "$file" ] || continue
        pkg=$(dpkg -S "$(readlink -f "$file")" 2>/dev/null | head -1 | cut -d: -f1) || true
        [ -n "$pkg" ] || pkg=$(dpkg -S "$file" 2>/dev/null | head -1 | cut -d: -f1) || true
        [ -n "$pkg" ] || continue   # not from a Debian package (e.g. built by hand): nothing to check
        grep -qx "$pkg" <<<"$closure" || missing+=("$pkg (for $(basename "$dir"))")
    done < <(grep -E '^[A-Za-z0-9_]+_DIR:PATH=/' "$cache" | sed 's/^[^=]*=//' | sort -u)
    if [ ${#missing[@]} -gt 0 ]; then
        status=1
        for m in "${missing[@]}"; do
            echo "check-deps: ${cache#"$here"/}: packaging/setup.sh does not install $m" >&2
        done
    fi
done
[ $status -eq 0 ] && echo "check-deps: setup.sh installs every package the build used (${#caches[@]} build(s), ${#listed[@]} listed)"
exit $status
