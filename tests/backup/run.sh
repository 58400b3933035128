#!/usr/bin/env bash
# Backup test (stage `backup`, docs/operations/backup.md): a populated database is dumped with
# pg_dump -Fc, restored into a FRESH PostgreSQL cluster exactly as the operations guide says, and
# the restored system is proven to work.
#
#   eval "$(scripts/stack.sh env)"; RT_EDGE_BIN=edge/build-asan/rt-edge tests/backup/run.sh
#
# 1. source: database rt_backup_src in the test stack's cluster, filled through the real path by
#    a real rt-edge (tests/backup/edge-steps.mjs populate) on a Redis of its own: simulated user
#    messages in a private chat and a group, an auto-reply of the demo provider, an admin's
#    message, a preset, a moderation rule, a provider, and updates XADDed to {rt}:in dated 2023
#    (default partition) and two months ahead (another monthly partition);
# 2. pg_dump --schema=rt and -t 'rt.messages_*' must work (pg_dump 15 crashed with SIGSEGV on
#    both while partitions were extension configuration tables), then pg_dump -Fc of the database;
# 3. a fresh cluster (initdb in a temporary folder, its own port), the roles the dump grants to
#    (rt_edge, rt_admin, rt_analyst) created first, pg_restore --exit-on-error with
#    session_replication_role=replica, then sql/roles.sql (grants, rt_edge's password);
# 4. every table's row count, the messages' contents and partitions, the sequences and the
#    extension version equal the source's; the partitions are ordinary tables again;
# 5. a new rt-edge on the restored database and a fresh Redis (edge-steps.mjs verify) serves the
#    old history over REST, ingests a new update into the current month's partition, lists the
#    chats, and the chat's auto-reply (demo provider) answers it;
# 6. point-in-time recovery as the guide does it: WAL archive, pg_basebackup, recovery.signal with
#    restore_command and recovery_target_time; the rows before the moment are back, not after.
# Prints "N passed, N failed"; removes its cluster, Redis servers, database and files on exit.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
if [ -z "${POSTGRES_PASSWORD:-}" ] || [ -z "${RT_PG_SOCKET_DIR:-}" ]; then
    eval "$(scripts/stack.sh env)"
fi
export RT_EDGE_BIN="${RT_EDGE_BIN:-$ROOT/edge/build-asan/rt-edge}"
PG_BIN="${PG_BIN:-$(pg_config --bindir)}"
SRC_DB=rt_backup_src
export PGTZ=UTC
passed=0
failed=0

work=$(mktemp -d /tmp/rt-backup.XXXXXX)
chmod 755 "$work"
NEW_PG="$work/pg"
NEW_RUN="$work/run"

src_psql() { psql -X -q -v ON_ERROR_STOP=1 -h "$RT_PG_SOCKET_DIR" -p "$RT_PG_PORT" -U postgres "$@"; }
new_psql() { psql -X -q -v ON_ERROR_STOP=1 -h "$NEW_RUN" -p "$NEW_PORT" -U postgres "$@"; }

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    set +e
    # start_redis runs in $(...), a subshell, so its servers are known by their pid files
    for f in "$work"/redis-*/pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
    for d in "$NEW_PG" "$work/pitr/pg"; do
        [ -f "$d/postmaster.pid" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1
    done
    src_psql -d postgres -c "DROP DATABASE IF EXISTS $SRC_DB WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; shift; for f in "$@"; do [ -f "$f" ] && sed 's/^/    /' "$f" | head -40; done; failed=$((failed + 1)); }
finish() { echo "backup: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

free_port() {
    local p
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 9000))
        ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
    done
    return 1
}

start_redis() { # name -> echoes the URL; the server runs until cleanup
    local port dir
    port=$(free_port) || return 1
    dir="$work/redis-$1"
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
        --logfile "$dir/redis.log" >/dev/null 2>&1 &
    echo $! > "$dir/pid"
    for _ in $(seq 50); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && { echo "redis://127.0.0.1:$port/0"; return; }
        sleep 0.1
    done
    return 1
}

[ -x "$RT_EDGE_BIN" ] || { not_ok "rt-edge binary $RT_EDGE_BIN (build it: make -C edge asan)"; finish; }

# ---- 1. the source database, filled through a real rt-edge --------------------------------------
src_psql -d postgres -c "DROP DATABASE IF EXISTS $SRC_DB WITH (FORCE)" >/dev/null 2>&1
if src_psql -d postgres -c "CREATE DATABASE $SRC_DB" >"$work/src.err" 2>&1 \
   && src_psql -d "$SRC_DB" -c "CREATE EXTENSION roundtable CASCADE" >>"$work/src.err" 2>&1 \
   && src_psql -d "$SRC_DB" -f sql/roles.sql >>"$work/src.err" 2>&1 \
   && ADMIN_PASSWORD="$ADMIN_PASSWORD" src_psql -d "$SRC_DB" >>"$work/src.err" 2>&1 <<SQL
\getenv admin_password ADMIN_PASSWORD
SELECT rt.create_admin('${ADMIN_LOGIN:-admin}', :'admin_password', 'owner');
SQL
then
    ok "source database $SRC_DB with the extension, roles.sql and an owner"
else
    not_ok "source database $SRC_DB" "$work/src.err"; finish
fi

redis_src=$(start_redis src) || { not_ok "a Redis for the source edge"; finish; }
state="$work/state.json"
if BACKUP_STATE="$state" BACKUP_EDGE_ENV="{\"POSTGRES_DB\":\"$SRC_DB\",\"REDIS_URL\":\"$redis_src\"}" \
   node tests/backup/edge-steps.mjs populate >"$work/populate.out" 2>&1; then
    cat "$work/populate.out"; ok "source populated through rt-edge (REST, simulator, {rt}:in, demo auto-reply)"
else
    not_ok "source populated through rt-edge" "$work/populate.out"; finish
fi
passed=$((passed + $(grep -c '^ok - ' "$work/populate.out") ))

src_q() { src_psql -d "$SRC_DB" -At -c "$1"; }
parts=$(src_q "SELECT count(DISTINCT tableoid) FROM rt.messages")
if [ "${parts:-0}" -ge 3 ]; then ok "source messages lie in $parts partitions"; else not_ok "source messages lie in 3+ partitions (got $parts)"; fi

# ---- 2. pg_dump ---------------------------------------------------------------------------------
dump_check() { # name args...
    local name="$1"; shift
    pg_dump -h "$RT_PG_SOCKET_DIR" -p "$RT_PG_PORT" -U postgres -d "$SRC_DB" "$@" >"$work/dump.out" 2>"$work/dump.err"
    local rc=$?
    if [ "$rc" -eq 0 ]; then ok "$name exits 0"; else echo "exit $rc" >>"$work/dump.err"; not_ok "$name exits 0" "$work/dump.err"; fi
}
dump_check "pg_dump --schema=rt" --schema=rt
if grep -q '^COPY rt.messages_default ' "$work/dump.out"; then ok "pg_dump --schema=rt holds the rows of the partitions"
else not_ok "pg_dump --schema=rt holds the rows of the partitions"; fi
dump_check "pg_dump -t 'rt.messages_*'" -t 'rt.messages_*'
dump_check "pg_dump -Fc of the whole database" -Fc -f "$work/roundtable.dump"

# ---- 3. a fresh cluster, the roles, pg_restore --------------------------------------------------
NEW_PORT=$(free_port) || { not_ok "a free port"; finish; }
mkdir -p "$NEW_RUN"
chown postgres:postgres "$work" "$NEW_RUN"
if (cd / && runuser -u postgres -- "$PG_BIN/initdb" -D "$NEW_PG" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256) >"$work/initdb.log" 2>&1 \
   && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$NEW_PG" -w -l "$work/pg.log" \
        -o "-c port=$NEW_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$NEW_RUN -c fsync=off" start >"$work/pgctl.log" 2>&1; then
    ok "fresh PostgreSQL cluster on port $NEW_PORT"
else
    not_ok "fresh PostgreSQL cluster" "$work/initdb.log" "$work/pgctl.log" "$work/pg.log"; finish
fi

# The dump names these roles in its GRANTs; pg_restore --exit-on-error stops at the first one
# missing. Owner of every object is the superuser that ran CREATE EXTENSION (postgres here).
if new_psql -d postgres -c "CREATE ROLE rt_edge LOGIN; CREATE ROLE rt_admin NOLOGIN; CREATE ROLE rt_analyst NOLOGIN;" >"$work/roles.err" 2>&1 \
   && new_psql -d postgres -c "CREATE DATABASE roundtable" >>"$work/roles.err" 2>&1; then
    ok "roles rt_edge, rt_admin, rt_analyst and database created before the restore"
else
    not_ok "roles before the restore" "$work/roles.err"; finish
fi
if PGOPTIONS='-c session_replication_role=replica' pg_restore --exit-on-error -h "$NEW_RUN" -p "$NEW_PORT" -U postgres \
        -d roundtable "$work/roundtable.dump" >"$work/restore.err" 2>&1 \
   && RT_EDGE_DB_PASSWORD="$POSTGRES_PASSWORD" new_psql -d roundtable >>"$work/restore.err" 2>&1 <<SQL
\getenv rt_edge_password RT_EDGE_DB_PASSWORD
\i $ROOT/sql/roles.sql
SQL
then
    ok "pg_restore --exit-on-error into the fresh cluster, then sql/roles.sql"
else
    not_ok "pg_restore --exit-on-error into the fresh cluster" "$work/restore.err"; finish
fi

# ---- 4. the restored data equals the source -----------------------------------------------------
snapshot() { # psql-function db out
    "$1" -d "$2" -At >"$3" <<'SQL'
SELECT 'version ' || extversion FROM pg_extension WHERE extname = 'roundtable';
SELECT format('rows %s %s', c.oid::regclass, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM ONLY %s', c.oid::regclass), false, true, '')))[1]::text)
FROM pg_class c WHERE c.relnamespace = 'rt'::regnamespace AND c.relkind = 'r' ORDER BY 1;
SELECT 'messages ' || md5(string_agg(m::text, E'\n' ORDER BY m.id)) FROM rt.messages m;
SELECT 'partition ' || id || ' ' || tableoid::regclass FROM rt.messages ORDER BY id;
SELECT format('sequence %s %s', c.oid::regclass, pg_sequence_last_value(c.oid)) FROM pg_class c
WHERE c.relnamespace = 'rt'::regnamespace AND c.relkind = 'S' ORDER BY 1;
SQL
}
snapshot src_psql "$SRC_DB" "$work/src.snap"
snapshot new_psql roundtable "$work/new.snap"
if diff -u "$work/src.snap" "$work/new.snap" >"$work/snap.diff"; then
    ok "restored = source: extension version, rows of all $(grep -c '^rows ' "$work/src.snap") tables, messages' contents, partitions, sequences"
else
    not_ok "restored = source" "$work/snap.diff"
fi
members=$(new_psql -d roundtable -At -c "SELECT count(*) FROM pg_inherits i JOIN pg_depend d ON d.objid = i.inhrelid AND d.deptype = 'e'
    WHERE i.inhparent = 'rt.messages'::regclass")
if [ "$members" = 0 ]; then ok "restored partitions are ordinary tables (no extension member)"; else not_ok "restored partitions are ordinary tables ($members members)"; fi

# ---- 5. the restored system runs ----------------------------------------------------------------
redis_new=$(start_redis restored) || { not_ok "a fresh Redis for the restored edge"; finish; }
if BACKUP_STATE="$state" BACKUP_EDGE_ENV="{\"POSTGRES_HOST\":\"127.0.0.1\",\"POSTGRES_PORT\":\"$NEW_PORT\",\"POSTGRES_DB\":\"roundtable\",\"REDIS_URL\":\"$redis_new\"}" \
   node tests/backup/edge-steps.mjs verify >"$work/verify.out" 2>&1; then
    cat "$work/verify.out"; ok "rt-edge on the restored database and a fresh Redis"
else
    not_ok "rt-edge on the restored database and a fresh Redis" "$work/verify.out"
fi
passed=$((passed + $(grep -c '^ok - ' "$work/verify.out") ))
failed=$((failed + $(grep -c '^not ok - ' "$work/verify.out") ))
want="rt.messages_$(date -u +%Y_%m)"
got=$(new_psql -d roundtable -At -c "SELECT tableoid::regclass FROM rt.messages WHERE text = 'backup: after the restore'")
if [ "$got" = "$want" ]; then ok "the update ingested after the restore is stored in $want"; else not_ok "the update ingested after the restore is stored in $want (got '$got')"; fi

# ---- 6. point-in-time recovery, as docs/operations/backup.md does it ---------------------------
# A cluster archiving WAL (archive_command), a base backup (pg_basebackup -Ft -z -X stream), one
# message before and one after a moment; then the base backup restored with recovery.signal,
# restore_command and recovery_target_time: the first message is back, the second is not, and
# the promoted server ingests again.
PITR="$work/pitr"
pitr_psql() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$PITR/run" -p "$PITR_PORT" -U postgres -d postgres "$@"; }
pitr_msg() { # text update_id -> "1" once rt.ingest stored it in chat 4343
    pitr_psql -c "SELECT rt.ingest(jsonb_build_array(jsonb_build_object('update_id', $2, 'message', jsonb_build_object(
        'message_id', $2, 'date', extract(epoch FROM now())::bigint, 'chat', jsonb_build_object('id', 4343, 'type', 'private'),
        'text', '$1')))) ->> 'stored'"
}
pitr_step() { # what cmd... -> fails the PITR check naming the step
    if ! "${@:2}" >>"$PITR/steps.log" 2>&1; then echo "step failed: $1" >>"$PITR/steps.log"; return 1; fi
}
pitr_run() {
    PITR_PORT=$(free_port) || return 1
    mkdir -p "$PITR/wal" "$PITR/run" && chown -R postgres:postgres "$PITR" || return 1
    pitr_step initdb runuser -u postgres -- "$PG_BIN/initdb" -D "$PITR/pg" -U postgres --auth-local=trust || return 1
    printf '%s\n' "port = $PITR_PORT" "listen_addresses = ''" "unix_socket_directories = '$PITR/run'" "fsync = off" \
        "wal_level = replica" "archive_mode = on" "archive_command = 'test ! -f $PITR/wal/%f && cp %p $PITR/wal/%f'" \
        "archive_timeout = 60" >>"$PITR/pg/postgresql.conf"
    pitr_step start runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PITR/pg" -w -l "$PITR/pg.log" start || return 1
    pitr_step "create extension" pitr_psql -c "CREATE EXTENSION roundtable CASCADE" || return 1
    [ "$(pitr_msg 'pitr: in the base backup' 1)" = 1 ] || { echo "step failed: first message" >>"$PITR/steps.log"; return 1; }
    pitr_step pg_basebackup runuser -u postgres -- "$PG_BIN/pg_basebackup" -h "$PITR/run" -p "$PITR_PORT" -U postgres \
        -D "$PITR/base" -Ft -z -X stream -c fast || return 1
    [ "$(pitr_msg 'pitr: before the mistake' 2)" = 1 ] || return 1
    target=$(pitr_psql -c "SELECT now()") || return 1
    sleep 1.1
    [ "$(pitr_msg 'pitr: the mistake' 3)" = 1 ] || return 1
    pitr_step "switch wal" pitr_psql -c "SELECT pg_switch_wal()" || return 1
    for _ in $(seq 100); do
        [ "$(pitr_psql -c "SELECT last_archived_wal >= pg_walfile_name(pg_current_wal_lsn() - 1) FROM pg_stat_archiver")" = t ] && break
        sleep 0.1
    done
    pitr_step stop runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PITR/pg" -w stop || return 1
    mv "$PITR/pg" "$PITR/pg.broken" && mkdir -m 700 "$PITR/pg" \
        && tar -xzf "$PITR/base/base.tar.gz" -C "$PITR/pg" && tar -xzf "$PITR/base/pg_wal.tar.gz" -C "$PITR/pg/pg_wal" || return 1
    printf '%s\n' "restore_command = 'cp $PITR/wal/%f %p'" "recovery_target_time = '$target'" \
        "recovery_target_action = 'promote'" >>"$PITR/pg/postgresql.conf"
    touch "$PITR/pg/recovery.signal" && chown -R postgres:postgres "$PITR/pg" || return 1
    pitr_step "start the recovery" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PITR/pg" -w -t 60 -l "$PITR/pg2.log" start || return 1
    for _ in $(seq 100); do [ "$(pitr_psql -c "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ] && break; sleep 0.1; done
}
if pitr_run; then
    got=$(pitr_psql -c "SELECT string_agg(text, ' / ' ORDER BY id) FROM rt.messages" 2>&1)
    if [ "$got" = "pitr: in the base backup / pitr: before the mistake" ] && grep -q 'recovery stopping before commit' "$PITR/pg2.log" \
       && [ "$(pitr_psql -c "SELECT pg_is_in_recovery()")" = f ]; then
        ok "point-in-time recovery (pg_basebackup + archived WAL + recovery_target_time): the rows before the moment are back, the one after is not"
    else
        echo "messages after the recovery: $got" >"$PITR/result"
        not_ok "point-in-time recovery to recovery_target_time" "$PITR/result" "$PITR/pg2.log"
    fi
    if [ "$(pitr_msg 'pitr: after the recovery' 4 2>&1)" = 1 ]; then ok "the recovered, promoted cluster ingests again"
    else not_ok "the recovered, promoted cluster ingests again" "$PITR/pg2.log"; fi
else
    not_ok "point-in-time recovery: WAL archive, base backup, recovery" "$PITR/steps.log" "$PITR/pg.log" "$PITR/pg2.log"
fi

finish
