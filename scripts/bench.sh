#!/usr/bin/env bash
# make bench: builds, starts the test stack (.rt/test, ports 54330/63800) and runs bench/ingest,
# which starts its own rt-edge (normal build). Stops the stack afterwards. Not part of make test.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$RT_ROOT"
export RT_HOME="${RT_HOME:-.rt/test}" RT_HTTP_PORT="${RT_HTTP_PORT:-18080}"
export RT_PG_PORT="${RT_PG_PORT:-54330}" RT_REDIS_PORT="${RT_REDIS_PORT:-63800}"
scripts/deps.sh
scripts/build.sh
trap 'scripts/stack.sh stop' EXIT
scripts/stack.sh start
eval "$(scripts/stack.sh env)"
node bench/ingest/ingest.mjs "$@"
