#!/usr/bin/env bash
# Runs the libFuzzer harnesses of tests/fuzz (decision 012): builds them, replays each
# harness's regressions/ (kept crash inputs: each must pass), then fuzzes each for FUZZ_SECONDS
# on a copy of its seed corpus. Prints executions/s and coverage per harness; a crash fails the
# run and its input is left under $FUZZ_OUT/<name>/ (to be fixed and then kept in regressions/).
#   scripts/fuzz.sh [name ...]          default: every harness
#   FUZZ_SECONDS=30                     time per harness (make test); 600+ for a real hunt
#   FUZZ_RSS_MB=2048 FUZZ_TIMEOUT=10    memory limit, seconds per input
#   FUZZ_OUT=.rt/fuzz-out               work copies of the corpora and crash artifacts
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$RT_ROOT"

FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
FUZZ_RSS_MB="${FUZZ_RSS_MB:-2048}"
FUZZ_TIMEOUT="${FUZZ_TIMEOUT:-10}"
FUZZ_OUT="${FUZZ_OUT:-$RT_ROOT/.rt/fuzz-out}"
case "$FUZZ_OUT" in /*) ;; *) FUZZ_OUT="$RT_ROOT/$FUZZ_OUT" ;; esac
ALL=(http_router http_headers json_body sse normalize matcher static_files)
if [ "$#" -gt 0 ]; then names=("$@"); else names=("${ALL[@]}"); fi

command -v clang >/dev/null || rt_die "clang is not installed (scripts/deps.sh installs it)"
make -s -C tests/fuzz all

# libFuzzer's own leak check stays on; the sanitizers abort on the first report
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

pass=0; fail=0; summary=()
for name in "${names[@]}"; do
    bin="tests/fuzz/build/fuzz_$name"
    dir="tests/fuzz/$name"
    [ -x "$bin" ] || rt_die "no harness $name (known: ${ALL[*]})"
    out="$FUZZ_OUT/$name"
    rm -rf "$out"; mkdir -p "$out/corpus" "$out/artifacts"
    log="$out/fuzz.log"

    # 1. every kept crash input, once each
    mapfile -t regs < <(find "$dir/regressions" -type f ! -name '.*' 2>/dev/null | sort)
    if [ "${#regs[@]}" -gt 0 ]; then
        rt_log "$name: replaying ${#regs[@]} regression input(s)"
        if ! "$bin" -rss_limit_mb="$FUZZ_RSS_MB" -timeout="$FUZZ_TIMEOUT" "${regs[@]}" >"$out/regressions.log" 2>&1; then
            tail -40 "$out/regressions.log"
            summary+=("$(printf 'FAIL  %-12s a regression input crashes again (log %s)' "$name" "${out#"$RT_ROOT"/}/regressions.log")")
            fail=$((fail + 1)); continue
        fi
    fi

    # 2. fuzz on a copy of the seed corpus
    cp "$dir"/corpus/* "$out/corpus/"
    rt_log "$name: fuzzing for ${FUZZ_SECONDS}s (seed corpus: $(ls "$dir/corpus" | wc -l) inputs)"
    set +e
    "$bin" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb="$FUZZ_RSS_MB" -timeout="$FUZZ_TIMEOUT" \
        -max_len="${FUZZ_MAX_LEN:-8192}" -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
        "$out/corpus" >"$log" 2>&1
    rc=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE ' cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
    ft=$(grep -oE ' ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
    pcs=$(sed -n 's/^INFO: Loaded 1 PC tables (\([0-9]*\) PCs).*/\1/p' "$log" | head -1)
    corpus=$(find "$out/corpus" -type f | wc -l)
    line=$(printf '%-12s %9s runs %7s exec/s  cov %5s of %5s PCs  ft %5s  corpus %4s' \
        "$name" "${runs:-?}" "${eps:-?}" "${cov:-?}" "${pcs:-?}" "${ft:-?}" "$corpus")
    if [ "$rc" = 0 ]; then
        summary+=("PASS  $line"); pass=$((pass + 1))
    else
        grep -E -A30 'ERROR: |invariant failed|runtime error:|pg_shim:' "$log" | head -60 || tail -40 "$log"
        summary+=("FAIL  $line  (exit $rc; input: $(ls "$out"/artifacts/* 2>/dev/null | head -1 | sed "s|^$RT_ROOT/||"))")
        fail=$((fail + 1))
        rt_warn "$name: fix it, then keep the input: cp $out/artifacts/<file> $dir/regressions/"
    fi
done

echo
echo "fuzzing summary (${FUZZ_SECONDS}s per harness):"
for s in "${summary[@]}"; do echo "  $s"; done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
