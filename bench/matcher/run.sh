#!/usr/bin/env bash
# bench/matcher: the C matcher's MB/s per core on 1 KB messages at 10,000 and 1,000 rules, and the
# ratio to the same 1,000 rules as ILIKE / ~* in plain SQL. Uses libpq's PGHOST/PGPORT/PGUSER;
# the database (default rt_bench_matcher) is created with the extension when missing and its
# moderation rules are REPLACED.
#   PGHOST=/tmp/rtm PGPORT=54480 PGUSER=postgres bench/matcher/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
db="${RT_BENCH_DB:-rt_bench_matcher}"
if ! psql -Atqd postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    createdb "$db"
    psql -qd "$db" -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION roundtable CASCADE'
fi
psql -qd "$db" -v ON_ERROR_STOP=1 -f "$here/setup.sql"
psql -d "$db" -v ON_ERROR_STOP=1 -f "$here/run.sql"
