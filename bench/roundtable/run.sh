#!/usr/bin/env bash
# bench/roundtable: the round-table state machine under load. SESSIONS (default 10,000) console
# sessions run at once against an instant fake provider: CLIENTS parallel pgbench clients each
# loop over claim -> rt.job_begin -> rt.session_record_turn with a canned reply (turn.sql) for
# DURATION seconds. Prints turns per second and the PostgreSQL time per turn (pgbench's
# per-statement latencies of job_begin + record_turn, and wall time x clients / turns).
#   PGHOST=/socket/dir PGPORT=5432 PGUSER=postgres bench/roundtable/run.sh
# Uses (and drops first) the database $BENCH_DB (default rt_bench_roundtable); the roundtable
# extension must be installed (make -C pg_extension install). ROUNDS (default 100) is each
# session's max_rounds, high enough that no session ends during the run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
DB=${BENCH_DB:-rt_bench_roundtable}
SESSIONS=${SESSIONS:-10000}
CLIENTS=${CLIENTS:-4}
DURATION=${DURATION:-60}
ROUNDS=${ROUNDS:-100}
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

dropdb --if-exists "$DB" >/dev/null
createdb "$DB"
psql_db -c 'CREATE EXTENSION roundtable CASCADE' 2>/dev/null
echo "creating $SESSIONS running sessions (max_rounds $ROUNDS)..."
psql_db -v sessions="$SESSIONS" -v rounds="$ROUNDS" -v roles="$here/../../sql/roles.sql" -f "$here/setup.sql"

before=$(psql_db -Atc "SELECT count(*) FROM rt.messages WHERE session_id IS NOT NULL")
echo "running $CLIENTS clients for $DURATION s..."
start=$(date +%s.%N)
pgbench -n -r -c "$CLIENTS" -j "$CLIENTS" -T "$DURATION" -f "$here/turn.sql" "$DB" > "${TMPDIR:-/tmp}/rt_bench_roundtable.$$" 2>&1 \
    || { cat "${TMPDIR:-/tmp}/rt_bench_roundtable.$$"; exit 1; }
end=$(date +%s.%N)
after=$(psql_db -Atc "SELECT count(*) FROM rt.messages WHERE session_id IS NOT NULL")
out=$(cat "${TMPDIR:-/tmp}/rt_bench_roundtable.$$"); rm -f "${TMPDIR:-/tmp}/rt_bench_roundtable.$$"
echo "$out" | grep -E 'failed|latency average|job_begin|session_record_turn|bench_claim' || true

turns=$((after - before))
psql_db -Atc "SELECT count(*) FILTER (WHERE status = 'running') || ' sessions still running, '
                     || count(*) FILTER (WHERE status <> 'running') || ' ended; turns per session: '
                     || round(avg(turns), 1) || ' avg, ' || max(turns) || ' max' FROM rt.sessions"
awk -v t="$turns" -v s="$start" -v e="$end" -v c="$CLIENTS" -v out="$out" 'BEGIN {
    el = e - s; if (t == 0) { print "no turns recorded"; exit 1 }
    n = split(out, L, "\n"); b = 0; r = 0; cl = 0;
    for (i = 1; i <= n; i++) {
        if (L[i] ~ /rt\.job_begin/) { split(L[i], f, " "); b = f[1] }
        if (L[i] ~ /rt\.session_record_turn/) { split(L[i], f, " "); r = f[1] }
        if (L[i] ~ /bench_claim/) { split(L[i], f, " "); cl = f[1] }
    }
    printf "turns: %d in %.1f s with %d clients = %.0f turns/s\n", t, el, c, t / el
    printf "PG time per turn (statement latencies): claim %.2f + job_begin %.2f + record_turn %.2f = %.2f ms\n", cl, b, r, cl + b + r
    printf "PG time per turn (wall x clients / turns): %.2f ms\n", 1000 * el * c / t
}'
