#!/usr/bin/env bash
# make bench: builds, then runs the benchmarks. Not part of make test; they print figures and
# never assert timing.
#   ingest    starts the test stack (.rt/test, ports 54330/63800) and runs bench/ingest, which
#             starts its own rt-edge (normal build); stops the stack afterwards. Arguments of
#             this script go to bench/ingest/ingest.mjs.
#   delivery  bench/delivery/run.sh: its own stack (.rt/bench-delivery, ports 54380/63850) and
#             the four delivery benchmarks of issue 6 (~5 minutes on 2 cores).
#   bundle    bench/bundle/run.sh: the SPA's initial JS, gzip and brotli (issue 9, < 200 KB gzip).
# RT_BENCH selects: all (default: ingest, delivery, then bundle) | ingest | delivery | bundle.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$RT_ROOT"
RT_BENCH="${RT_BENCH:-all}"
case "$RT_BENCH" in all|ingest|delivery|bundle) ;; *) rt_die "RT_BENCH must be all, ingest, delivery or bundle (got '$RT_BENCH')" ;; esac
scripts/deps.sh
scripts/build.sh

if [ "$RT_BENCH" = all ] || [ "$RT_BENCH" = ingest ]; then
    (
        export RT_HOME="${RT_HOME:-.rt/test}" RT_HTTP_PORT="${RT_HTTP_PORT:-18080}"
        export RT_PG_PORT="${RT_PG_PORT:-54330}" RT_REDIS_PORT="${RT_REDIS_PORT:-63800}"
        trap 'scripts/stack.sh stop' EXIT
        scripts/stack.sh start
        eval "$(scripts/stack.sh env)"
        node bench/ingest/ingest.mjs "$@"
    )
fi

if [ "$RT_BENCH" = all ] || [ "$RT_BENCH" = delivery ]; then
    bench/delivery/run.sh
fi

if [ "$RT_BENCH" = all ] || [ "$RT_BENCH" = bundle ]; then
    bench/bundle/run.sh
fi
