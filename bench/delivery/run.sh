#!/usr/bin/env bash
# Delivery benchmarks (issue 6) on a stack of their own: builds rt-edge (normal build) and the
# extension, starts PostgreSQL + Redis fresh under $RT_HOME (default .rt/bench-delivery, ports
# 54380 / 63850, HTTP 18130), then runs, each with its own rt-edge and fakes:
#   1+2 latency.mjs      reply latency as a user feels it; edge overhead per LLM call
#   3   concurrency.mjs  streaming calls held open at once, rt-edge VmRSS
#   4   sender.mjs       sender throughput and relay end to end
# and prints a summary with the targets. Stops the stack afterwards. Not part of make test;
# nothing here asserts timing. ~5 minutes on 2 cores.
#   bench/delivery/run.sh [latency|concurrency|sender ...]     (default: all four)
# Environment: RT_BENCH_DELIVERY_HOME, RT_BENCH_DELIVERY_PG_PORT, _REDIS_PORT, _HTTP_PORT override
# the stack; RT_BENCH_KEEP_STACK=1 leaves it running.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$RT_ROOT"

# Our own stack, whatever the caller exported (scripts/bench.sh exports the test stack's).
export RT_HOME="${RT_BENCH_DELIVERY_HOME:-.rt/bench-delivery}"
export RT_PG_PORT="${RT_BENCH_DELIVERY_PG_PORT:-54380}"
export RT_REDIS_PORT="${RT_BENCH_DELIVERY_REDIS_PORT:-63850}"
export RT_HTTP_PORT="${RT_BENCH_DELIVERY_HTTP_PORT:-18130}"
unset POSTGRES_PASSWORD RT_PG_SOCKET_DIR REDIS_URL RT_REDIS_PASSWORD SECRETS_KEY ADMIN_PASSWORD ADMIN_LOGIN RT_EDGE_BIN

benches=("$@")
[ "${#benches[@]}" -gt 0 ] || benches=(latency concurrency sender)

rt_log "delivery bench: build rt-edge (normal build) and the extension"
make -s -C edge >/dev/null
make -s -C pg_extension install >/dev/null

# The ports lie inside Linux's ephemeral range: a client socket may hold one for a moment
# (TIME-WAIT), so a failed start is retried.
started=0
for attempt in 1 2 3 4 5 6; do
    if scripts/stack.sh start --fresh; then started=1; break; fi
    rt_warn "stack did not start (attempt $attempt); retrying in 10 s"
    sleep 10
done
[ "$started" = 1 ] || rt_die "the bench stack did not start"
[ "${RT_BENCH_KEEP_STACK:-0}" = 1 ] || trap 'scripts/stack.sh stop' EXIT
eval "$(scripts/stack.sh env)"

# PostgreSQL time per plpgsql function, read by each bench (pg_stat_user_functions).
scripts/stack.sh psql -c "ALTER DATABASE roundtable SET track_functions = 'pl'" >/dev/null

# A copy of the binary: others may rebuild edge/build while the benches run.
mkdir -p "$RT_HOME/bin"
cp edge/build/rt-edge "$RT_HOME/bin/rt-edge"
export RT_EDGE_BIN="$RT_ROOT/$RT_HOME/bin/rt-edge"
case "$RT_HOME" in /*) RT_EDGE_BIN="$RT_HOME/bin/rt-edge" ;; esac

# Thousands of sockets in rt-edge and in the fakes' process (bench 3).
hard="$(ulimit -Hn)"
if [ "$hard" = unlimited ] || [ "$hard" -ge 65536 ]; then ulimit -n 65536; else ulimit -n "$hard"; fi
[ "$(ulimit -n)" -ge 12000 ] || rt_warn "ulimit -n is $(ulimit -n): bench 3's 5,000 level needs ~12,000"

rm -rf "$RT_HOME/bench-results"
printf 'machine: %s cores, load average %s; rt-edge %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$RT_EDGE_BIN"
for b in "${benches[@]}"; do
    case "$b" in
        latency) node bench/delivery/latency.mjs ${RT_BENCH_LATENCY_ARGS:-} ;;
        concurrency) node bench/delivery/concurrency.mjs ${RT_BENCH_CONCURRENCY_ARGS:-} ;;
        sender) node bench/delivery/sender.mjs ${RT_BENCH_SENDER_ARGS:-} ;;
        *) rt_die "unknown delivery bench '$b' (latency, concurrency, sender)" ;;
    esac
done
node bench/delivery/summary.mjs "$RT_HOME/bench-results"
