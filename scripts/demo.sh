#!/usr/bin/env bash
# make demo: installs what is missing, builds everything, starts the own PostgreSQL + Redis under
# .rt/demo and runs rt-edge in the foreground. Ctrl-C / SIGTERM stops the edge, Redis and
# PostgreSQL it started. Overrides: RT_HTTP_PORT, RT_PG_PORT, RT_REDIS_PORT, RT_HOME,
# TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE, ADMIN_PASSWORD.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$RT_ROOT"

export RT_HOME="${RT_HOME:-.rt/demo}"
export RT_HTTP_PORT="${RT_HTTP_PORT:-8080}"
export RT_PG_PORT="${RT_PG_PORT:-54320}"
export RT_REDIS_PORT="${RT_REDIS_PORT:-63790}"

scripts/deps.sh
scripts/build.sh
[ -x edge/build/rt-edge ] || rt_die "edge/build/rt-edge was not built"

edge_pid=""
stack_started=0
cleanup() {
    trap - EXIT INT TERM
    if [ -n "$edge_pid" ] && kill -0 "$edge_pid" 2>/dev/null; then
        rt_log "stopping rt-edge"
        kill -TERM "$edge_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$edge_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$edge_pid" 2>/dev/null || true
    fi
    if [ "$stack_started" = 1 ]; then scripts/stack.sh stop; fi
}
trap cleanup EXIT
trap 'exit 0' INT TERM

stack_started=1
scripts/stack.sh start
eval "$(scripts/stack.sh env)"
export TELEGRAM_BOT_TOKEN="${TELEGRAM_BOT_TOKEN:-}"
export TELEGRAM_API_BASE="${TELEGRAM_API_BASE:-https://api.telegram.org}"

url="http://127.0.0.1:$RT_HTTP_PORT/"
cat >&2 <<MSG

  roundtable is starting at  $url
  login:     admin
  password:  ${ADMIN_PASSWORD}   (ADMIN_PASSWORD, or generated once and kept in $RT_HOME/secrets.env)
MSG
if [ -z "$TELEGRAM_BOT_TOKEN" ]; then
    cat >&2 <<'MSG'
  Telegram:  no TELEGRAM_BOT_TOKEN set, so the poller is off and the SPA's chat SIMULATOR is the
             input: write messages there and watch them arrive like real Telegram updates.
MSG
else
    echo "  Telegram:  polling $TELEGRAM_API_BASE with the configured bot token" >&2
fi
echo "  logs:      JSON lines below; Ctrl-C stops rt-edge, Redis and PostgreSQL." >&2
echo >&2

# In the background + wait, so this shell can act on Ctrl-C/SIGTERM and clean up.
edge/build/rt-edge &
edge_pid=$!
set +e
wait "$edge_pid"
rc=$?
set -e
[ "$rc" -ge 128 ] || rt_warn "rt-edge exited with status $rc"
exit "$rc"
