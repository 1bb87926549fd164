#!/bin/sh
# Renders every preset at 1366x768 and 1920x1080, normal and projector mode, into a directory
# (default /tmp/stampede-shots), to look at as a room would. Needs xvfb-run and a dev build.
#   tests/ui/render_all.sh [OUT_DIR] [AFTER_SECONDS]
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${STAMPEDE:-$here/build/dev/app/stampede}
out=${1:-/tmp/stampede-shots}
after=${2:-8}
mkdir -p "$out"
for preset in $("$bin" --list-presets | awk '{print $1}'); do
  for size in 1366x768 1920x1080; do
    for mode in normal projector; do
      flag=""
      [ "$mode" = projector ] && flag="--projector"
      file="$out/$preset-$size-$mode.png"
      xvfb-run -a -s "-screen 0 ${size}x24" "$bin" --preset "$preset" --size "$size" $flag \
        --screenshot "$file" --after "$after"
      echo "$file"
    done
  done
done
