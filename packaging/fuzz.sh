#!/usr/bin/env bash
# packaging/fuzz.sh [SECONDS]   (default 60 per fuzzer)
# Builds the fuzz preset (clang, libFuzzer, ASan + UBSan), makes the seed corpora in build/fuzz,
# runs each fuzzer for SECONDS (both at once on a machine with 2 cores or more; FUZZ_PARALLEL=0 runs
# them one after the other) and prints one line per fuzzer. Exits non-zero on any crash, sanitizer
# report, timeout (an input slower than FUZZ_TIMEOUT seconds, default 10) or out-of-memory; the
# input is kept in build/fuzz/artifacts/<fuzzer>/ and belongs in tests/fuzz/regressions/ with an
# .expect file once fixed (tests/cli/tst_fuzzcases.cpp says how).
# Debian 12 packages beyond the usual build ones (packaging/setup.sh): clang libclang-rt-14-dev.
set -euo pipefail

seconds=${1:-60}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: packaging/fuzz.sh [SECONDS]   (whole seconds per fuzzer, default 60)" >&2
    exit 2
fi
timeout_s=${FUZZ_TIMEOUT:-10}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

# libclang-rt-14-dev is only a Recommends of clang, so --no-install-recommends leaves it out.
if ! command -v clang++ >/dev/null || [[ ! -f "$(clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]]; then
    echo "fuzz.sh: needs clang with libFuzzer: apt-get install --no-install-recommends clang libclang-rt-14-dev" >&2
    exit 2
fi

build=build/fuzz
jobs=${JOBS:-$(nproc)}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"
fuzzers="$build/tests/fuzz"

# ---- seed corpora and dictionaries, made afresh each run (the corpora libFuzzer grows stay) ----
seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds/scenario" "$seeds/cli" "$build/corpus/scenario" "$build/corpus/cli"
for f in resources/presets/*.json; do cp "$f" "$seeds/scenario/preset-$(basename "$f")"; done
for f in resources/lessons/*.json; do cp "$f" "$seeds/scenario/lesson-$(basename "$f")"; done
for f in tests/fuzz/regressions/scenario/* tests/fuzz/regressions/cli/*; do
    [[ $f == *.expect ]] || cp "$f" "$seeds/$(basename "$(dirname "$f")")/"
done
# The command line: one argument per line.
n=0
seed() { n=$((n + 1)); printf '%s\n' "$@" >"$seeds/cli/seed-$n.args"; }
seed --headless
seed --help
seed --version
seed --list-presets
seed --headless --strategy atomic --nodes 8 --rate 5000 --stock 100 --duration 5 --seed 7
seed --headless --rate max --threads 2 --report out.json --csv out.csv
seed --headless --read-ratio 100 --consumers 4 --strategy cache-queue
seed --headless --preset celebrity-hybrid --fanout-mode pull --fanout-threshold 10000
seed --headless --sweep nodes=1,2,4 --sweep-seconds 2 --sweep-warmup 1
seed --headless --preset scale-up-vs-scale-out --no-sweep --duration 10
seed --headless --compare strategy=naive,atomic
seed --headless --compare nodes.count=1,4 --coordination hot-row
seed --preset black-friday-naive --screenshot shot.png --after 3 --projector --theme dark --size 1366x768
seed --headless --lesson flash-sale-oversell --handout h.pdf
seed --headless --scenario resources/presets/black-friday-naive.json --strategy row-lock
for p in resources/presets/*.json; do seed --headless --preset "$(basename "$p" .json)"; done
for l in resources/lessons/*.json; do seed --headless --lesson "$(basename "$l" .json)"; done
# Dictionaries from the sources, so that they follow new options and keys.
grep -o 'QCommandLineOption [a-zA-Z]*(\s*u"[a-z-]*"_s' app/cli.cpp | sed 's/.*u"\(.*\)"_s/"--\1"/' |
    sort -u >"$build/cli.dict"
printf '"%s"\n' help version max light dark naive row-lock atomic sharded cache-queue push pull hybrid \
    none hot-row serial exchange nodes=1,2 strategy=naive,atomic 1366x768 .json >>"$build/cli.dict"
grep -oh 'u"[a-z_]*"_s' app/scenario.cpp app/lesson.cpp app/sweep.cpp |
    sed 's/u"\(.*\)"_s/"\\"\1\\""/' | sort -u >"$build/scenario.dict"

# ---- run ----
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
run() {
    local name=$1 max_len=$2
    local art=$build/artifacts/$name/
    rm -rf "$art" && mkdir -p "$art"
    # stdin from /dev/null: a fuzzed "--scenario /dev/stdin" must read nothing, not wait.
    "$fuzzers/fuzz_$name" -max_total_time="$seconds" -timeout="$timeout_s" -rss_limit_mb=2048 \
        -max_len="$max_len" -dict="$build/$name.dict" -artifact_prefix="$art" -print_final_stats=1 \
        "$build/corpus/$name" "$seeds/$name" </dev/null >"$build/fuzz_$name.log" 2>&1
}
summary() {
    local name=$1 rc=$2 log=$build/fuzz_$1.log
    local last execs rate crashes
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    crashes=$(find "$build/artifacts/$name" -type f | wc -l)
    printf 'fuzz_%s: %s s, %s execs, %s exec/s, cov %s, ft %s, corpus %s, crashes %s%s\n' "$name" "$seconds" \
        "${execs:-?}" "${rate:-?}" "$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")" \
        "$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")" "$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$last")" \
        "$crashes" "$([[ $rc -ne 0 ]] && echo "  FAILED (exit $rc, see $log)")"
}

names=(scenario cli)
max_lens=(16384 2048)
declare -A rcs
if [[ ${FUZZ_PARALLEL:-1} != 0 && $(nproc) -ge 2 ]]; then
    declare -A pids
    for i in "${!names[@]}"; do
        run "${names[$i]}" "${max_lens[$i]}" &
        pids[${names[$i]}]=$!
    done
    for name in "${names[@]}"; do
        rc=0
        wait "${pids[$name]}" || rc=$?
        rcs[$name]=$rc
    done
else
    for i in "${!names[@]}"; do
        rc=0
        run "${names[$i]}" "${max_lens[$i]}" || rc=$?
        rcs[${names[$i]}]=$rc
    done
fi

status=0
for name in "${names[@]}"; do
    summary "$name" "${rcs[$name]}"
    if [[ ${rcs[$name]} -ne 0 || -n $(find "$build/artifacts/$name" -type f) ]]; then
        status=1
        grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz [a-z]|.*runtime error)' "$build/fuzz_$name.log" | head -n 5 >&2 || true
    fi
done
exit "$status"
