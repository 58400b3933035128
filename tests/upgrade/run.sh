#!/usr/bin/env bash
# Upgrade test: a database upgraded from any earlier release must end in the very same catalog
# as a fresh install of the current version (docs/decisions/005-extension-sql-layout.md).
#
#   PGHOST=/socket/dir PGPORT=54330 PGUSER=postgres tests/upgrade/run.sh
#
# For each FROM in FROM_VERSIONS (default "0.1.0 0.2.0 0.3.0 0.4.0"; 0.1.0 walks every release to 0.5.0):
# A: CREATE EXTENSION roundtable VERSION 'FROM' CASCADE; ALTER EXTENSION roundtable UPDATE
# B: CREATE EXTENSION roundtable CASCADE (once)
# then compares, normalised: (1) pg_dump --schema-only, (2) the same with --binary-upgrade,
# which also dumps every extension member (tables, functions, triggers, comments, grants) — a
# plain dump leaves those out, (3) the extension's version, its pg_dump-registered tables, its
# required extensions and its members.
# The dumps cover the whole database (the extensions roundtable requires too), not only
# --schema=rt. Then 0.1.0 is installed WITH DATA (tests/upgrade/data-0.1.0.sql), upgraded, and
# its rows and the current API on them are checked, pg_dump --schema=rt of it included: that
# crashed pg_dump 15 (SIGSEGV) until 0.5.0 made rt.messages' partitions ordinary tables instead
# of extension configuration tables (pg_extension/sql/history/0.5.0/80_backup.sql). Prints
# "N passed, N failed" and exits non-zero with a diff on any difference. The roundtable
# extension must be installed on the server (make -C pg_extension install).
set -uo pipefail

FROM_VERSIONS=${FROM_VERSIONS:-${FROM_VERSION:-0.1.0 0.2.0 0.3.0 0.4.0}}
DB_A=${UPGRADE_DB_A:-rt_upgrade_a}
DB_B=${UPGRADE_DB_B:-rt_upgrade_b}
work=$(mktemp -d)
# shellcheck disable=SC2154  # db is the loop variable inside the trap string
trap 'rm -rf "$work"; for db in "$DB_A" "$DB_B" "${DB_A}_data" "${DB_A}_data_restored"; do dropdb --if-exists "$db" >/dev/null 2>&1; done' EXIT
passed=0
failed=0

check() { # name file_a file_b
    if diff -u "$2" "$3" > "$work/$1.diff"; then
        echo "ok - $1"
        passed=$((passed + 1))
    else
        echo "not ok - $1"
        sed 's/^/    /' "$work/$1.diff" | head -200
        failed=$((failed + 1))
    fi
}

setup() { # db statements
    dropdb --if-exists "$1" >/dev/null 2>&1
    createdb "$1" || return 1
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>"$work/$1.err" || { cat "$work/$1.err"; return 1; }
}

if ! setup "$DB_B" "CREATE EXTENSION roundtable CASCADE;"; then
    echo "not ok - fresh install"; echo "0 passed, 1 failed"; exit 1
fi
to_version=$(psql -X -At -d "$DB_B" -c "SELECT extversion FROM pg_extension WHERE extname = 'roundtable'")

# OIDs, xids, restrict keys, the database name and the order pg_depend lists required
# extensions in (compared sorted below) are the only legitimate differences; so are the "missing
# values" (pg_attribute.attmissingval) an ALTER TABLE ADD COLUMN ... DEFAULT leaves for the rows
# that predate it: the fresh install creates each table with its final columns (sql/base,
# decision 016), an upgraded database added them later; the default itself is compared
normalise() {
    sed -E -e '/binary_upgrade_set_next_/d' \
           -e '/binary_upgrade_set_missing_value/d' -e '/^-- set missing value\.$/d' \
           -e '/^-- Dumped (from|by)/d' \
           -e '/^\\(un)?restrict /d' \
           -e "s/^(SET relfrozenxid = ).*/\1XID/" \
           -e "s/^(WHERE oid = )'[0-9]+';/\1OID;/" \
           -e "s/'[{][0-9,]+[}]'/'{OIDS}'/" \
           -e "s/ARRAY[[][^]]*[]]::pg_catalog.text[[][]]/ARRAY[REQUIRES]/" \
           -e "s/$DB_A|$DB_B/DB/g" \
           -e 's/[0-9]+::pg_catalog\.oid/OID::pg_catalog.oid/g' \
           -e '/^$/d'
}

snapshot() { # db
    set -e
    pg_dump --schema-only -d "$1" | normalise > "$work/$1.plain"
    pg_dump --schema-only --binary-upgrade -d "$1" | normalise > "$work/$1.members"
    psql -X -At -d "$1" > "$work/$1.extension" <<'SQL'
SELECT 'version ' || extversion FROM pg_extension WHERE extname = 'roundtable';
SELECT 'config ' || c::regclass FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'roundtable' ORDER BY 1;
SELECT 'requires ' || r.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.objid
JOIN pg_extension r ON r.oid = d.refobjid WHERE e.extname = 'roundtable' AND d.deptype = 'n' ORDER BY 1;
SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid) FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid WHERE e.extname = 'roundtable' AND d.deptype = 'e' ORDER BY 1;
SQL
    set +e
}

snapshot "$DB_B"
for from in $FROM_VERSIONS; do
    if ! setup "$DB_A" "CREATE EXTENSION roundtable VERSION '$from' CASCADE; ALTER EXTENSION roundtable UPDATE;"; then
        echo "not ok - install $from and update"; failed=$((failed + 1)); continue
    fi
    snapshot "$DB_A"
    check "$from -> $to_version: pg_dump --schema-only" "$work/$DB_A.plain" "$work/$DB_B.plain"
    check "$from -> $to_version: pg_dump --schema-only --binary-upgrade (extension members)" "$work/$DB_A.members" "$work/$DB_B.members"
    check "$from -> $to_version: extension version, pg_dump config tables, requirements and members" "$work/$DB_A.extension" "$work/$DB_B.extension"
done

# A DBA's pg_dump restores whole: rows the extension script itself inserted (or that its
# triggers wrote while it ran) would come back twice, once from CREATE EXTENSION and once from
# the COPY of the dumped configuration table, and that COPY would fail and lose the table's rows.
# The restore runs as sql/README.md says, with session_replication_role=replica, so the audit and
# journal triggers do not write rows for the COPY of the tables they watch (the dump has them).
DB_R="${DB_B}_restored"
counts() { # db
    psql -X -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT 'personalities ' || string_agg(title, ',' ORDER BY title) FROM rt.personalities;
SELECT 'audit ' || count(*) FROM rt.audit_log;
SELECT 'events ' || count(*) FROM rt.events;
SELECT 'settings ' || string_agg(key, ',' ORDER BY key) FROM rt.settings;
SQL
}
if psql -X -q -v ON_ERROR_STOP=1 -d "$DB_B" -c "SELECT rt.ensure_default_providers('{}'); SELECT rt.create_personality('{\"title\": \"Restored\"}');" >"$work/seed.out" 2>&1 \
   && pg_dump -Fc -d "$DB_B" -f "$work/b.dump" && dropdb --if-exists "$DB_R" >/dev/null 2>&1 && createdb "$DB_R" \
   && PGOPTIONS='-c session_replication_role=replica' pg_restore --exit-on-error -d "$DB_R" "$work/b.dump" 2>"$work/restore.err"; then
    counts "$DB_B" > "$work/b.counts"
    counts "$DB_R" > "$work/r.counts"
    check "pg_dump of $to_version with seeded and created rows restores whole (pg_restore --exit-on-error)" "$work/b.counts" "$work/r.counts"
else
    echo "not ok - pg_dump of $to_version restores whole"
    sed 's/^/    /' "$work/seed.out" "$work/restore.err" 2>/dev/null | head -20
    failed=$((failed + 1))
fi
dropdb --if-exists "$DB_R" >/dev/null 2>&1

# An installation of the first release WITH DATA, upgraded to the current version: its rows
# survive unchanged (same ids, texts, edits, partitions), and the current API works on them
# (history, a new update ingested, the chat list, presets resolved for an old chat, an old
# admin's login), its partitions are ordinary tables, and pg_dump --schema=rt of it, which
# crashed pg_dump 15 (SIGSEGV) while partitions were extension config tables, works.
DB_D="${DB_A}_data"
sql_check() { # name db sql: passes when the query prints t
    local out
    out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$2" -c "$3" 2>&1)
    if [ "$out" = t ]; then echo "ok - $1"; passed=$((passed + 1))
    else echo "not ok - $1"; echo "$out" | sed 's/^/    /' | head -20; failed=$((failed + 1)); fi
}
data_snapshot() { # db
    psql -X -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SET TimeZone = 'UTC';
SELECT 'message ' || concat_ws('|', id, chat_id, message_id, user_id, update_id, direction, author_type, kind, text,
       edited_at, edit_history, raw, created_at, received_at, tableoid::regclass) FROM rt.messages ORDER BY id;
SELECT 'chat ' || concat_ws('|', id, type, title, username, autoreply, reply_on_mention, last_message_at, last_message_id) FROM rt.chats ORDER BY id;
SELECT 'user ' || concat_ws('|', id, is_bot, first_name, last_name, username, language_code) FROM rt.users ORDER BY id;
SELECT 'admin ' || concat_ws('|', id, login, role, password_hash) FROM rt.admins ORDER BY id;
SELECT 'keys ' || (SELECT count(*) FROM rt.update_keys) || ' ' || (SELECT count(*) FROM rt.message_keys);
SELECT 'rejects ' || count(*) FROM rt.ingest_rejects;
SELECT 'sequence ' || last_value FROM rt.messages_id_seq;
SQL
}
if setup "$DB_D" "CREATE EXTENSION roundtable VERSION '0.1.0' CASCADE;" \
   && psql -X -q -v ON_ERROR_STOP=1 -d "$DB_D" -f "$(dirname "$0")/data-0.1.0.sql" >"$work/data.out" 2>&1; then
    data_snapshot "$DB_D" > "$work/data.before"
    if psql -X -q -v ON_ERROR_STOP=1 -d "$DB_D" -c "ALTER EXTENSION roundtable UPDATE" >"$work/data.out" 2>&1; then
        echo "ok - 0.1.0 with data -> $to_version: ALTER EXTENSION roundtable UPDATE"; passed=$((passed + 1))
        data_snapshot "$DB_D" > "$work/data.after"
        check "0.1.0 with data -> $to_version: every message (ids, texts, edits, raw, partition), chat, user, admin, key and reject unchanged" \
            "$work/data.before" "$work/data.after"
        sql_check "0.1.0 with data -> $to_version: extension version" "$DB_D" \
            "SELECT extversion = '$to_version' FROM pg_extension WHERE extname = 'roundtable'"
        sql_check "0.1.0 with data -> $to_version: an admin of 0.1.0 logs in with the current rt.admin_login" "$DB_D" \
            "SELECT (rt.admin_login('dba', 'upgrade-secret-1') ->> 'login') = 'dba'"
        sql_check "0.1.0 with data -> $to_version: rt.list_messages serves the old history, newest first, the edit kept" "$DB_D" \
            "SELECT array_agg(i ->> 'text' ORDER BY n) = ARRAY['upgrade: typo here', 'upgrade: hello from 0.1.0']
                    AND bool_or(i ->> 'edited_at' IS NOT NULL)
             FROM jsonb_array_elements(rt.list_messages('{\"chat_id\": 4242}') -> 'items') WITH ORDINALITY AS x(i, n)"
        sql_check "0.1.0 with data -> $to_version: rt.ingest stores a new update in the current month's partition, after the old rows" "$DB_D" \
            "CREATE TEMP TABLE r AS SELECT rt.ingest(jsonb_build_array(jsonb_build_object('update_id', 5000100, 'message', jsonb_build_object(
                 'message_id', 3, 'date', extract(epoch FROM now())::bigint,
                 'chat', jsonb_build_object('id', 4242, 'type', 'private', 'first_name', 'Ada'),
                 'from', jsonb_build_object('id', 4242, 'first_name', 'Ada'), 'text', 'upgrade: after the update')))) AS r;
             SELECT (SELECT r ->> 'stored' FROM r) = '1'
                AND (SELECT tableoid::regclass::text = 'rt.messages_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')
                            AND id > (SELECT max(id) FROM rt.messages WHERE text LIKE 'upgrade: %' AND text <> 'upgrade: after the update')
                     FROM rt.messages WHERE text = 'upgrade: after the update')
                AND (rt.list_messages('{\"chat_id\": 4242}') -> 'items' -> 0 ->> 'text') = 'upgrade: after the update'"
        sql_check "0.1.0 with data -> $to_version: rt.ingest of an update 0.1.0 stored already is a duplicate" "$DB_D" \
            "SELECT (rt.ingest(jsonb_build_array(jsonb_build_object('update_id', 5000001, 'message', jsonb_build_object(
                 'message_id', 1, 'date', extract(epoch FROM now())::bigint,
                 'chat', jsonb_build_object('id', 4242, 'type', 'private'), 'text', 'again')))) ->> 'duplicates') = '1'"
        sql_check "0.1.0 with data -> $to_version: rt.list_chats lists both old chats with their unread counts" "$DB_D" \
            "SELECT array_agg((c ->> 'id')::bigint ORDER BY (c ->> 'id')::bigint) = ARRAY[-100777, 4242]::bigint[]
                    AND bool_and((c ->> 'unread_count')::int > 0)
             FROM jsonb_array_elements(rt.list_chats('{}'::jsonb) -> 'items') c"
        sql_check "0.1.0 with data -> $to_version: a preset bound to an old chat resolves (rt.explain_params, rt.resolve_params)" "$DB_D" \
            "CREATE TEMP TABLE b AS SELECT rt.create_binding(jsonb_build_object('scope', 'chat', 'chat_id', 4242,
                    'preset_id', (rt.create_preset('{\"name\": \"upgrade-preset\", \"temperature\": 0.2}') ->> 'id')::bigint));
             SELECT (rt.explain_params(jsonb_build_object('chat_id', 4242, 'user_id', 4242)) #>> '{params,temperature}')::numeric = 0.2
                    AND (rt.resolve_params(4242, 4242, now(), '{}') ->> 'temperature')::numeric = 0.2"
        sql_check "0.1.0 with data -> $to_version: partitions (install-time and later) are ordinary tables, rt.messages has no partitioned index" "$DB_D" \
            "SELECT NOT EXISTS (SELECT FROM pg_inherits i JOIN pg_depend d ON d.objid = i.inhrelid AND d.deptype = 'e'
                               WHERE i.inhparent = 'rt.messages'::regclass)
                    AND NOT EXISTS (SELECT FROM pg_index WHERE indrelid = 'rt.messages'::regclass)
                    AND (SELECT count(*) FROM pg_inherits WHERE inhparent = 'rt.messages'::regclass) >= 7"
        if pg_dump --schema=rt -d "$DB_D" -f "$work/data-schema-rt.sql" 2>"$work/data-dump.err"; then
            echo "ok - 0.1.0 with data -> $to_version: pg_dump --schema=rt works"; passed=$((passed + 1))
        else
            echo "not ok - 0.1.0 with data -> $to_version: pg_dump --schema=rt works (exit $?)"; sed 's/^/    /' "$work/data-dump.err" | head; failed=$((failed + 1))
        fi
        DB_DR="${DB_D}_restored"
        if pg_dump -Fc -d "$DB_D" -f "$work/d.dump" && dropdb --if-exists "$DB_DR" >/dev/null 2>&1 && createdb "$DB_DR" \
           && PGOPTIONS='-c session_replication_role=replica' pg_restore --exit-on-error -d "$DB_DR" "$work/d.dump" 2>"$work/d-restore.err"; then
            data_snapshot "$DB_D" > "$work/d.counts"
            data_snapshot "$DB_DR" > "$work/dr.counts"
            check "0.1.0 with data -> $to_version: pg_dump -Fc of the upgraded database restores whole" "$work/d.counts" "$work/dr.counts"
        else
            echo "not ok - 0.1.0 with data -> $to_version: pg_dump -Fc of the upgraded database restores"
            sed 's/^/    /' "$work/d-restore.err" | head -20; failed=$((failed + 1))
        fi
        dropdb --if-exists "$DB_DR" >/dev/null 2>&1
    else
        echo "not ok - 0.1.0 with data -> $to_version: ALTER EXTENSION roundtable UPDATE"; sed 's/^/    /' "$work/data.out" | head -20
        failed=$((failed + 1))
    fi
else
    echo "not ok - 0.1.0 with data: install and load tests/upgrade/data-0.1.0.sql"; sed 's/^/    /' "$work/data.out" 2>/dev/null | head -20
    failed=$((failed + 1))
fi
dropdb --if-exists "$DB_D" >/dev/null 2>&1

echo "upgrade ${FROM_VERSIONS// /, } -> $to_version: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
