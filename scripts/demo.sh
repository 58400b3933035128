#!/usr/bin/env bash
# make demo: installs what is missing, builds everything, starts the own PostgreSQL + Redis under
# .rt/demo and runs rt-edge in the foreground, supervised: when rt-edge dies (a crash, a SIGKILL:
# any exit but its clean shutdown with code 0, which ends the demo) it is restarted after 1 s,
# 2 s, 4 s ... (capped at RT_DEMO_BACKOFF_MAX), the delay going back to 1 s once an edge stayed
# up RT_DEMO_STABLE_SEC; each restart is announced on the terminal. Ctrl-C / SIGTERM stops the
# edge, Redis and PostgreSQL it started, whenever it arrives (also during a backoff wait or
# while the edge starts).
# Settings come from the environment and from ./.env (or RT_ENV_FILE), see .env.example.
# Overrides: RT_HTTP_PORT, RT_PG_PORT, RT_REDIS_PORT, RT_HOME, TELEGRAM_BOT_TOKEN,
# TELEGRAM_API_BASE, ADMIN_PASSWORD; RT_DEMO_BACKOFF_FIRST (1), RT_DEMO_BACKOFF_MAX (30),
# RT_DEMO_STABLE_SEC (60);
# RT_EDGE_BIN (edge/build/rt-edge) and RT_DEMO_SKIP_BUILD=1 (no deps/build step) for tests.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$RT_ROOT"

# the seed document's .env names work as-is (.env.example lists them); the environment wins
rt_load_env_file "${RT_ENV_FILE:-.env}"

export RT_HOME="${RT_HOME:-.rt/demo}"
export RT_HTTP_PORT="${RT_HTTP_PORT:-8080}"
export RT_PG_PORT="${RT_PG_PORT:-54320}"
export RT_REDIS_PORT="${RT_REDIS_PORT:-63790}"

RT_DEMO_BACKOFF_MAX="${RT_DEMO_BACKOFF_MAX:-30}"
RT_DEMO_STABLE_SEC="${RT_DEMO_STABLE_SEC:-60}"
RT_DEMO_BACKOFF_FIRST="${RT_DEMO_BACKOFF_FIRST:-1}"
edge_bin="${RT_EDGE_BIN:-edge/build/rt-edge}"

if [ "${RT_DEMO_SKIP_BUILD:-0}" != 1 ]; then
    scripts/deps.sh
    scripts/build.sh
fi
[ -x "$edge_bin" ] || rt_die "$edge_bin was not built"

edge_pid=""
stack_started=0
# Stops what this script started. Every child still running (the edge, a backoff sleep) is
# found through the job table, so a signal that lands between starting the edge and noting
# its pid still stops it.
cleanup() {
    trap - EXIT INT TERM
    [ -n "$edge_pid" ] && kill -0 "$edge_pid" 2>/dev/null && rt_log "stopping rt-edge (pid $edge_pid)"
    # shellcheck disable=SC2046,SC2086  # one pid per word; edge_pid is empty before the start
    rt_stop_pids $(jobs -p) $edge_pid
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
echo "             If rt-edge dies, it is restarted (with backoff) and the restart is said here." >&2
echo >&2

# How an exit status reads: "exit code 3" or "signal 9 (SIGKILL)".
describe_exit() {
    local rc="$1"
    if [ "$rc" -gt 128 ] && [ "$rc" -lt 192 ]; then
        printf 'signal %d (SIG%s)' "$((rc - 128))" "$(kill -l "$((rc - 128))" 2>/dev/null || echo '?')"
    else
        printf 'exit code %d' "$rc"
    fi
}

# Everything runs in the background + wait (the edge and the backoff sleep alike), so this
# shell acts on Ctrl-C/SIGTERM at once and cleans up.
delay="$RT_DEMO_BACKOFF_FIRST"
restarts=0
while :; do
    started_at=$(date +%s)
    "$edge_bin" &
    edge_pid=$!
    rt_log "rt-edge running (pid $edge_pid)"
    rc=0
    wait "$edge_pid" || rc=$?
    edge_pid=""
    up=$(( $(date +%s) - started_at ))
    # exit 0 is an orderly shutdown someone asked for (SIGTERM/SIGINT to the edge itself, e.g.
    # a Ctrl-C that reached it while this shell ignores SIGINT): the demo ends with it
    if [ "$rc" = 0 ]; then
        rt_log "rt-edge shut down cleanly (exit code 0); stopping the demo"
        exit 0
    fi
    # a run that stayed up long enough was healthy: the next failure starts the backoff again
    if [ "$up" -ge "$RT_DEMO_STABLE_SEC" ]; then delay="$RT_DEMO_BACKOFF_FIRST"; fi
    restarts=$((restarts + 1))
    rt_warn "rt-edge stopped after ${up}s with $(describe_exit "$rc"); restarting it in ${delay}s (restart $restarts; Ctrl-C stops the demo)"
    sleep "$delay" &
    wait $! || true
    delay=$((delay * 2))
    if [ "$delay" -gt "$RT_DEMO_BACKOFF_MAX" ]; then delay="$RT_DEMO_BACKOFF_MAX"; fi
    if [ "$delay" -lt 1 ]; then delay=1; fi
    rt_log "restarting rt-edge (restart $restarts)"
done
