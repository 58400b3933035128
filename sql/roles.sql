-- Deployment roles and grants for roundtable. Run as a superuser in the roundtable database,
-- after CREATE EXTENSION roundtable CASCADE. Idempotent: safe to run on every deploy.
--
--   psql -v ON_ERROR_STOP=1 -v rt_edge_password="$PASSWORD" -d roundtable -f sql/roles.sql
--
-- rt_edge    LOGIN; the daemon. May only EXECUTE the API functions, no table privileges.
-- rt_admin   NOLOGIN group for DBAs: executes every rt function, reads every table (no hashes).
-- rt_analyst NOLOGIN, read-only: SELECT on the rt.v_* views (messages, chats, users,
--            notifications, audit log, admins without hashes, providers without keys, prices).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'rt_edge') THEN
        CREATE ROLE rt_edge LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'rt_admin') THEN
        CREATE ROLE rt_admin NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'rt_analyst') THEN
        CREATE ROLE rt_analyst NOLOGIN;
    END IF;
END
$$;

ALTER ROLE rt_edge LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE rt_admin NOLOGIN NOSUPERUSER;
ALTER ROLE rt_analyst NOLOGIN NOSUPERUSER;
COMMENT ON ROLE rt_edge IS 'roundtable edge daemon: executes rt API functions only';
COMMENT ON ROLE rt_admin IS 'roundtable DBA group: executes every rt function';
COMMENT ON ROLE rt_analyst IS 'roundtable analysts: read-only views rt.v_*';

-- the password comes from the set-up script (never from this file): -v rt_edge_password=...
\if :{?rt_edge_password}
ALTER ROLE rt_edge PASSWORD :'rt_edge_password';
\endif

-- nothing for PUBLIC
REVOKE ALL ON SCHEMA rt FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA rt FROM PUBLIC, rt_edge, rt_analyst;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA rt FROM PUBLIC, rt_edge, rt_analyst;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rt FROM PUBLIC, rt_analyst;
GRANT USAGE ON SCHEMA rt TO rt_edge, rt_admin, rt_analyst;

-- rt_edge: the API functions of docs/design/contract.md and contract-behaviour.md, nothing
-- else. An API function is one without a leading underscore that is not a trigger function
-- and not on the internal list below; granting by that rule keeps this file right as parts
-- add functions.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rt FROM rt_edge;
DO $$
DECLARE
    internal constant text[] := ARRAY[
        'audit',             -- writes arbitrary audit entries: only SQL functions call it
        'setting',           -- raw settings; the API is list_settings
        'current_actor',
        'detect_mention',    -- test helper
        'resolve_params',    -- hot-path helper of rt.ingest; the API is explain_params
        'collect_change', 'notify_change', 'audit_row'];
    f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
        WHERE p.pronamespace = 'rt'::regnamespace
          AND p.proname !~ '^_'
          AND p.prorettype <> 'pg_catalog.trigger'::regtype
          AND NOT p.proname = ANY (internal)
        ORDER BY 1
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO rt_edge', f);
    END LOOP;
END
$$;

-- rt_admin: every function, every table to read, but never the password hashes nor the
-- encrypted provider keys (0.3.0)
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA rt TO rt_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA rt TO rt_admin;
REVOKE SELECT ON rt.admins FROM rt_admin;
GRANT SELECT (id, login, role, created_at, disabled_at) ON rt.admins TO rt_admin;
DO $$
DECLARE
    cols text;
BEGIN
    IF to_regclass('rt.providers') IS NOT NULL THEN
        REVOKE SELECT ON rt.providers FROM rt_admin;
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
        FROM pg_catalog.pg_attribute
        WHERE attrelid = 'rt.providers'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'api_key_enc';
        EXECUTE format('GRANT SELECT (%s) ON rt.providers TO rt_admin', cols);
    END IF;
END
$$;

-- rt_analyst: the views only (0.1.0 has the first three; the rest come with 0.2.0, 0.3.0 and 0.5.0)
GRANT SELECT ON rt.v_messages, rt.v_chats, rt.v_users TO rt_analyst;
DO $$
DECLARE
    v text;
BEGIN
    FOREACH v IN ARRAY ARRAY['rt.v_notifications', 'rt.v_audit_log', 'rt.v_admins',
                             'rt.v_providers', 'rt.v_provider_prices',
                             'rt.v_sessions', 'rt.v_session_turns', 'rt.v_personalities'] LOOP
        IF to_regclass(v) IS NOT NULL THEN
            EXECUTE format('GRANT SELECT ON %s TO rt_analyst', v);
        END IF;
    END LOOP;
END
$$;

-- the database itself: no CONNECT or TEMP for PUBLIC, so a login that is none of these roles
-- cannot even connect (issue 7: any role that could connect could NOTIFY rt_events). Logins
-- of people are members of rt_admin or rt_analyst and connect through that membership.
DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO rt_edge, rt_admin, rt_analyst', current_database());
END
$$;
