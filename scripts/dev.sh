#!/usr/bin/env bash
# make dev: the demo stack (own PostgreSQL + Redis under RT_HOME, default .rt/demo, so the demo's
# data is there), rt-edge in the background, and the Vite dev server of frontend/ with hot module
# replacement in the foreground. Open the Vite URL (http://127.0.0.1:5173/): Vite serves the SPA
# from frontend/src and forwards /api, /ws (WebSocket), /healthz and /readyz to rt-edge
# (frontend/vite.config.ts, RT_EDGE_URL), so the session cookie and the CSRF/Origin checks work
# as on one origin. Edit a file under frontend/src and the page updates.
# Ctrl-C / SIGTERM stops Vite, rt-edge, Redis and PostgreSQL.
# Settings: as make demo (environment, ./.env), plus RT_VITE_PORT (5173); RT_DEV_SKIP_BUILD=1
# skips deps and the build of the extension and rt-edge; RT_EDGE_BIN (edge/build/rt-edge).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$RT_ROOT"

rt_load_env_file "${RT_ENV_FILE:-.env}"

export RT_HOME="${RT_HOME:-.rt/demo}"
export RT_HTTP_PORT="${RT_HTTP_PORT:-8080}"
export RT_PG_PORT="${RT_PG_PORT:-54320}"
export RT_REDIS_PORT="${RT_REDIS_PORT:-63790}"
RT_VITE_PORT="${RT_VITE_PORT:-5173}"
edge_bin="${RT_EDGE_BIN:-edge/build/rt-edge}"

if [ "${RT_DEV_SKIP_BUILD:-0}" != 1 ]; then
    scripts/deps.sh
    rt_log "build: pg_extension and rt-edge (the SPA is served by Vite)"
    make -s -j"$(nproc 2>/dev/null || echo 2)" -C pg_extension
    make -s -j"$(nproc 2>/dev/null || echo 2)" -C edge
fi
[ -x "$edge_bin" ] || rt_die "$edge_bin was not built"

edge_pid=""
vite_pid=""
stack_started=0
cleanup() {
    trap - EXIT INT TERM
    # shellcheck disable=SC2086  # empty until started
    rt_stop_pids $vite_pid $edge_pid
    if [ "$stack_started" = 1 ]; then scripts/stack.sh stop; fi
}
trap cleanup EXIT
trap 'exit 0' INT TERM

stack_started=1
scripts/stack.sh start
eval "$(scripts/stack.sh env)"
export TELEGRAM_BOT_TOKEN="${TELEGRAM_BOT_TOKEN:-}"
export TELEGRAM_API_BASE="${TELEGRAM_API_BASE:-https://api.telegram.org}"

mkdir -p "$RT_HOME/log"
rt_log "rt-edge on http://127.0.0.1:$RT_HTTP_PORT (log: $RT_HOME/log/edge-dev.log)"
"$edge_bin" >>"$RT_HOME/log/edge-dev.log" 2>&1 &
edge_pid=$!
for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$RT_HTTP_PORT/healthz" 2>/dev/null; then break; fi
    kill -0 "$edge_pid" 2>/dev/null || { tail -20 "$RT_HOME/log/edge-dev.log" >&2; rt_die "rt-edge exited"; }
    sleep 0.2
done

cat >&2 <<MSG

  roundtable dev server:  http://127.0.0.1:$RT_VITE_PORT/   (Vite, hot reload; API: rt-edge :$RT_HTTP_PORT)
  login:     ${ADMIN_LOGIN:-admin}
  password:  ${ADMIN_PASSWORD}
  Ctrl-C stops Vite, rt-edge, Redis and PostgreSQL.

MSG

(cd frontend && npm run --silent gen:api >/dev/null)
(cd frontend && RT_EDGE_URL="http://127.0.0.1:$RT_HTTP_PORT" exec ./node_modules/.bin/vite --host 127.0.0.1 \
    --port "$RT_VITE_PORT" --strictPort) &
vite_pid=$!
# whichever ends first ends the session
wait -n "$edge_pid" "$vite_pid" || true
if ! kill -0 "$edge_pid" 2>/dev/null; then rt_warn "rt-edge exited; see $RT_HOME/log/edge-dev.log"; fi
