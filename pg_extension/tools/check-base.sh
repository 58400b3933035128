#!/usr/bin/env bash
# The base (pg_extension/sql/base/*.sql) defines every object once, in its current form
# (docs/decisions/016-folded-base.md):
#   1. no ALTER TABLE, DROP, ALTER FUNCTION or CREATE OR REPLACE in the base: a change is made in
#      place, in the object's one definition (the upgrade script of the release carries the ALTER);
#   2. no table, view, index, trigger or type is created twice;
#   3. no function signature is defined twice: for each function name, the base has no more
#      CREATE FUNCTION statements than a fresh install has overloads of that name (a second
#      definition of one signature would have to be CREATE OR REPLACE, and would fail 1 anyway;
#      this also catches a name defined twice by overloads that collapse into one).
# Check 3 needs the server with the extension installed (make -C pg_extension install):
#
#   PGHOST=/socket/dir PGPORT=54330 PGUSER=postgres pg_extension/tools/check-base.sh
#
# Prints "ok"/"not ok" lines and exits non-zero on any failure.
set -uo pipefail
base=$(cd "$(dirname "$0")/../sql/base" && pwd)
db=${CHECK_BASE_DB:-rt_check_base}
failed=0
fail() { echo "not ok - $*"; failed=$((failed + 1)); }

# statements at the start of a line (bodies are indented, DO blocks build their SQL in strings)
found=$(grep -nE '^(ALTER TABLE|DROP |ALTER FUNCTION|CREATE OR REPLACE)' "$base"/*.sql)
if [ -n "$found" ]; then
    fail "base redefines or alters objects (edit the one definition instead):"
    echo "$found" | sed 's/^/    /'
else
    echo "ok - base has no ALTER TABLE, DROP, ALTER FUNCTION or CREATE OR REPLACE"
fi

dups=$(grep -hoiE '^CREATE (UNIQUE INDEX|INDEX|TABLE|VIEW|TYPE|SEQUENCE|TRIGGER|CONSTRAINT TRIGGER) [a-z0-9_.]+( ON [a-z0-9_.]+)?' "$base"/*.sql \
       | sed -E 's/^CREATE (UNIQUE INDEX|INDEX)/CREATE INDEX/I' | sort | uniq -d)
if [ -n "$dups" ]; then
    fail "objects created more than once in base:"
    echo "$dups" | sed 's/^/    /'
else
    echo "ok - every table, view, index, trigger, type and sequence is created once"
fi

dropdb --if-exists "$db" >/dev/null 2>&1
if ! createdb "$db" || ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION roundtable CASCADE' >/dev/null 2>&1; then
    fail "fresh install into $db"
else
    grep -hoE '^CREATE FUNCTION rt\.[a-z0-9_]+' "$base"/*.sql | sed 's/^CREATE FUNCTION rt\.//' | sort | uniq -c \
        | awk '{print $2, $1}' > "${TMPDIR:-/tmp}/check-base.$$.src"
    psql -X -At -F ' ' -d "$db" -c "SELECT proname, count(*) FROM pg_catalog.pg_proc
        WHERE pronamespace = 'rt'::regnamespace GROUP BY 1 ORDER BY 1" > "${TMPDIR:-/tmp}/check-base.$$.db"
    twice=$(join -a 1 -e 0 -o 0,1.2,2.2 "${TMPDIR:-/tmp}/check-base.$$.src" "${TMPDIR:-/tmp}/check-base.$$.db" | awk '$2 > $3')
    rm -f "${TMPDIR:-/tmp}/check-base.$$".*
    if [ -n "$twice" ]; then
        fail "functions defined more than once in base (name, definitions in base, overloads installed):"
        echo "$twice" | sed 's/^/    /'
    else
        echo "ok - every function of base is defined once"
    fi
fi
dropdb --if-exists "$db" >/dev/null 2>&1

[ "$failed" -eq 0 ]
