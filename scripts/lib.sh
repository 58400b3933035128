# Shared helpers for scripts/*.sh: repo root, RT_HOME resolution, banners. Sourced, not run.
# shellcheck shell=bash

RT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

rt_log()  { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
rt_warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
rt_die()  { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Stops the given processes: TERM to each, then up to 10 s for each to end, then KILL.
rt_stop_pids() {
    local p
    for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "$@"; do
        for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
}

# Makes a relative RT_HOME absolute (relative to the repo root).
rt_abs_home() {
    local h="${RT_HOME:-.rt/demo}"
    case "$h" in /*) ;; *) h="$RT_ROOT/$h" ;; esac
    printf '%s\n' "$h"
}

# True when the postgres OS user can reach (search) every directory down to $1.
rt_postgres_can_traverse() {
    local d="$1"
    runuser -u postgres -- test -x "$d" 2>/dev/null
}

# Resolves the effective state folder. PostgreSQL runs as `postgres`, which must traverse every
# directory above its data dir; a clone under a 700 home cannot give that, so the state then
# lives under /var/tmp/roundtable-<hash of the requested path> instead (said once on stderr).
rt_state_home() {
    local want parent hash alt
    want="$(rt_abs_home)"
    parent="$want"
    while [ ! -d "$parent" ]; do parent="$(dirname "$parent")"; done
    if rt_postgres_can_traverse "$parent"; then
        printf '%s\n' "$want"
        return
    fi
    hash="$(printf '%s' "$want" | sha256sum | cut -c1-12)"
    alt="/var/tmp/roundtable-$hash"
    if [ ! -e "$alt/.announced" ]; then
        mkdir -p "$alt"
        rt_warn "the postgres OS user cannot traverse $parent; keeping state for $want in $alt"
        : >"$alt/.announced"
    fi
    printf '%s\n' "$alt"
}

# Exports the KEY=value lines of an env file (the seed document's .env: TELEGRAM_BOT_TOKEN,
# OPENAI_API_KEY, MAX_ROUNDS, PAYMENT_URL, ...) that the environment does not set already. The
# file is read, never sourced: no command in it runs. Blank lines and # comments are skipped,
# one pair of surrounding quotes is removed; a line that is not KEY=value is reported by number.
rt_load_env_file() {
    local file="$1" line key value n=0
    [ -f "$file" ] || return 0
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        line="${line%$'\r'}"
        [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
        if [[ ! "$line" =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
            rt_warn "$file:$n is not KEY=value; skipped"
            continue
        fi
        key="${BASH_REMATCH[2]}"
        value="${BASH_REMATCH[3]}"
        if [[ "$value" =~ ^\"(.*)\"$ ]] || [[ "$value" =~ ^\'(.*)\'$ ]]; then value="${BASH_REMATCH[1]}"; fi
        if [ -z "${!key+x}" ]; then export "$key=$value"; fi
    done <"$file"
}
