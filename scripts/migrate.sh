#!/usr/bin/env bash
# Installs or upgrades the roundtable extension in a database and applies the deployment seeds,
# idempotently: safe to run on every deploy (compose's `migrate` service, Helm's pre-install /
# pre-upgrade Job, `make migrate`). In one transaction, under an advisory lock:
#   CREATE EXTENSION IF NOT EXISTS roundtable CASCADE; ALTER EXTENSION roundtable UPDATE
#   sql/roles.sql (roles rt_edge, rt_admin, rt_analyst and their grants)
#   rt_edge's password := POSTGRES_PASSWORD (only when it does not already match)
#   the first owner ADMIN_LOGIN / ADMIN_PASSWORD (only when ADMIN_PASSWORD is set and no owner exists)
# Prints the version before and after; on an error exits non-zero with PostgreSQL's SQLSTATE and
# message. Values reach SQL as psql variables (:'name'), never spliced into SQL text, and secrets
# travel in the environment, never on a command line.
#
#   scripts/migrate.sh            the database of POSTGRES_HOST/PORT/DB as POSTGRES_SUPERUSER
#   scripts/migrate.sh --stack    the local stack of scripts/stack.sh (RT_HOME, default .rt/demo)
#
# Environment (see .env.example): POSTGRES_HOST (127.0.0.1; a directory is a unix socket),
# POSTGRES_PORT (5432), POSTGRES_DB (roundtable), POSTGRES_SUPERUSER (postgres),
# POSTGRES_SUPERPASSWORD, POSTGRES_USER (rt_edge), POSTGRES_PASSWORD, ADMIN_LOGIN (admin),
# ADMIN_PASSWORD, MIGRATE_WAIT_SEC (60). RT_SQL_DIR: the seeds (default: sql/ beside scripts/).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf 'migrate: %s\n' "$*"; }
die() { printf 'migrate: error: %s\n' "$*" >&2; exit 1; }

if [ "${1:-}" = --stack ]; then
    # the stack's own values: superuser over its unix socket, rt_edge's generated password
    stack_env="$("$here/stack.sh" env)" || die "scripts/stack.sh env failed"
    eval "$stack_env"
    export POSTGRES_HOST="$RT_PG_SOCKET_DIR" POSTGRES_SUPERUSER=postgres POSTGRES_SUPERPASSWORD=''
    shift
fi
[ $# -eq 0 ] || die "usage: migrate.sh [--stack]"

export RT_SQL_DIR="${RT_SQL_DIR:-$here/../sql}"
RT_ROLES_SQL="$RT_SQL_DIR/roles.sql"
[ -f "$RT_ROLES_SQL" ] || die "$RT_ROLES_SQL not found (set RT_SQL_DIR)"
wait_sec="${MIGRATE_WAIT_SEC:-60}"
[[ "$wait_sec" =~ ^[0-9]+$ ]] || die "MIGRATE_WAIT_SEC must be a number of seconds"

# libpq reads these; the superuser's password never appears in argv
export PGHOST="${POSTGRES_HOST:-127.0.0.1}"
export PGPORT="${POSTGRES_PORT:-5432}"
export PGDATABASE="${POSTGRES_DB:-roundtable}"
export PGUSER="${POSTGRES_SUPERUSER:-postgres}"
export PGPASSWORD="${POSTGRES_SUPERPASSWORD:-}"
[ -n "$PGPASSWORD" ] || unset PGPASSWORD
export PGAPPNAME=rt-migrate PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }--client-min-messages=warning"
# read by the psql script through \getenv
export RT_ROLES_SQL
export RT_EDGE_USER="${POSTGRES_USER:-rt_edge}"
export RT_EDGE_PASSWORD="${POSTGRES_PASSWORD:-}"
export RT_ADMIN_LOGIN="${ADMIN_LOGIN:-admin}"
export RT_ADMIN_PASSWORD="${ADMIN_PASSWORD:-}"

target="$PGDATABASE on $PGHOST:$PGPORT as $PGUSER"

# A server that is starting (compose, a Kubernetes Job beside a new StatefulSet) gets
# MIGRATE_WAIT_SEC to accept connections; a refused login is not waited for.
deadline=$((SECONDS + wait_sec))
while :; do
    rc=0
    pg_isready -q -t 5 || rc=$?
    [ "$rc" -eq 0 ] && break
    [ "$rc" -eq 3 ] && die "cannot check $PGHOST:$PGPORT (bad connection parameters)"
    [ "$SECONDS" -lt "$deadline" ] || die "PostgreSQL at $PGHOST:$PGPORT did not accept connections within ${wait_sec}s"
    sleep 1
done

log "database $target"
rc=0
psql -X -q -v ON_ERROR_STOP=1 <<'SQL' || rc=$?
\getenv roles_sql RT_ROLES_SQL
\getenv edge_user RT_EDGE_USER
\getenv edge_password RT_EDGE_PASSWORD
\getenv admin_login RT_ADMIN_LOGIN
\getenv admin_password RT_ADMIN_PASSWORD
\set VERBOSITY verbose
SELECT coalesce((SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'roundtable'), 'none') AS version_before,
       coalesce((SELECT default_version FROM pg_catalog.pg_available_extensions WHERE name = 'roundtable'), 'none') AS version_available
\gset
\echo 'migrate: roundtable before:' :version_before '(default version of the installed files:' :version_available')'

BEGIN;
-- one migration at a time (two edges' Jobs, a retried hook)
SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('roundtable.migrate')) AS _locked \gset
CREATE EXTENSION IF NOT EXISTS roundtable CASCADE;
-- ALTER EXTENSION ... UPDATE does not install requirements a new version adds (0.2.0: pg_trgm)
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER EXTENSION roundtable UPDATE;

-- roles rt_edge, rt_admin, rt_analyst and their grants (without rt_edge_password: see below)
\i :roles_sql

-- rt_edge's password: set only when the stored SCRAM verifier does not match it already, so a
-- second run leaves pg_authid as it was (RFC 5802: StoredKey = H(HMAC(PBKDF2(password), "Client Key")))
SELECT :'edge_user' = 'rt_edge' AS edge_is_rt_edge, :'edge_password' <> '' AS edge_has_password \gset
\if :edge_is_rt_edge
\if :edge_has_password
SELECT pg_catalog.current_setting('search_path') AS saved_search_path \gset
SELECT pg_catalog.set_config('search_path', (SELECT extnamespace::regnamespace::text FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto') || ', pg_catalog', true) AS _search_path \gset
WITH RECURSIVE v AS (
    SELECT m[1]::int AS iter, decode(m[2], 'base64') AS salt, decode(m[3], 'base64') AS stored_key,
           convert_to(:'edge_password', 'UTF8') AS pw
    FROM pg_catalog.pg_authid a,
         regexp_match(a.rolpassword, '^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):') AS m
    WHERE a.rolname = 'rt_edge'
), u(i, block) AS (
    SELECT 1, hmac(v.salt || '\x00000001'::bytea, v.pw, 'sha256') FROM v
    UNION ALL
    SELECT u.i + 1, hmac(u.block, v.pw, 'sha256') FROM u, v WHERE u.i < v.iter
), salted AS (
    SELECT decode(string_agg(lpad(to_hex(x), 16, '0'), '' ORDER BY k), 'hex') AS key
    FROM (SELECT k, bit_xor(('x' || encode(substring(u.block FROM k * 8 + 1 FOR 8), 'hex'))::bit(64)::bigint) AS x
          FROM u, generate_series(0, 3) AS k GROUP BY k) AS chunks
)
SELECT coalesce((SELECT digest(hmac(convert_to('Client Key', 'UTF8'), salted.key, 'sha256'), 'sha256') = v.stored_key
                 FROM v, salted), false) AS edge_password_ok \gset
SELECT pg_catalog.set_config('search_path', :'saved_search_path', true) AS _search_path \gset
\if :edge_password_ok
\echo 'migrate: role rt_edge: password unchanged'
\else
ALTER ROLE rt_edge PASSWORD :'edge_password';
\echo 'migrate: role rt_edge: password set (POSTGRES_PASSWORD)'
\endif
\else
\warn 'migrate: warning: POSTGRES_PASSWORD is empty: the password of role rt_edge is left as it is'
\endif
\else
\warn 'migrate: warning: POSTGRES_USER is not rt_edge: its password is left alone; grant it the role rt_edge (GRANT rt_edge TO ...)'
\endif

-- the first owner of the console
SELECT NOT EXISTS (SELECT 1 FROM rt.admins WHERE role = 'owner') AS need_owner,
       :'admin_password' <> '' AS have_admin_password \gset
\if :need_owner
\if :have_admin_password
SELECT (rt.create_admin(:'admin_login', :'admin_password', 'owner')) ->> 'login' AS created_owner \gset
\echo 'migrate: created the owner' :'created_owner'
\else
\warn 'migrate: warning: no console owner exists and ADMIN_PASSWORD is empty: set ADMIN_PASSWORD and run the migration again to create one'
\endif
\else
\echo 'migrate: an owner exists: ADMIN_LOGIN / ADMIN_PASSWORD not used'
\endif
COMMIT;

SELECT extversion AS version_after FROM pg_catalog.pg_extension WHERE extname = 'roundtable' \gset
\echo 'migrate: roundtable after:' :version_after
SQL
if [ "$rc" -ne 0 ]; then
    printf 'migrate: error: migration of %s failed (psql exit %s); nothing was changed\n' "$target" "$rc" >&2
    exit "$rc"
fi
log "done"
