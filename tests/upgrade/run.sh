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
# The dumps cover the whole (otherwise empty) database rather than --schema=rt: pg_dump 15.20
# crashes (SIGSEGV) with --schema/-t when an extension registered partitions of a partitioned
# table with pg_extension_config_dump, as 0.1.0 does for rt.messages_*. Prints "N passed, N failed" and
# exits non-zero with a diff on any difference. The roundtable extension must be installed
# on the server (make -C pg_extension install).
set -uo pipefail

FROM_VERSIONS=${FROM_VERSIONS:-${FROM_VERSION:-0.1.0 0.2.0 0.3.0 0.4.0}}
DB_A=${UPGRADE_DB_A:-rt_upgrade_a}
DB_B=${UPGRADE_DB_B:-rt_upgrade_b}
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$DB_A" >/dev/null 2>&1; dropdb --if-exists "$DB_B" >/dev/null 2>&1' EXIT
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

echo "upgrade ${FROM_VERSIONS// /, } -> $to_version: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
