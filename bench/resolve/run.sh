#!/usr/bin/env bash
# bench/resolve: rt.resolve_params (C) against rt._resolve_params_plpgsql on ~1,000 presets and
# ~100,000 bindings. Uses libpq's PGHOST/PGPORT/PGUSER; the database (default rt_bench_resolve)
# is created with the extension when missing and its presets/bindings are REPLACED.
# Install the extension first (make -C pg_extension install): the bench calls whatever is installed.
#   PGHOST=/tmp/rtp PGPORT=54470 PGUSER=postgres bench/resolve/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
db="${RT_BENCH_DB:-rt_bench_resolve}"
if ! psql -Atqd postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    createdb "$db"
    psql -qd "$db" -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION roundtable CASCADE'
fi
psql -qd "$db" -v ON_ERROR_STOP=1 -f "$here/setup.sql"
psql -qd "$db" -v ON_ERROR_STOP=1 -f "$here/check.sql"
# a fresh session: the C caches start empty
psql -qd "$db" -v ON_ERROR_STOP=1 -f "$here/run.sql"
