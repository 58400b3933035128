-- grants from sql/roles.sql: rt_edge executes functions only, rt_analyst reads the views only
BEGIN;
SELECT plan(14);

-- runs sql as role r and returns 'ok' or the SQLSTATE it failed with
CREATE FUNCTION pg_temp.try_as(r text, sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    EXECUTE sql;
    RESET ROLE;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;

SELECT has_role('rt_edge');
SELECT has_role('rt_admin');
SELECT has_role('rt_analyst');
SELECT ok((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'rt_edge') AND
          NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'rt_analyst') AND
          NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'rt_admin'), 'only rt_edge logs in');

SELECT is(pg_temp.try_as('rt_edge', 'SELECT 1 FROM rt.messages LIMIT 1'), '42501', 'rt_edge cannot read rt.messages');
SELECT is(pg_temp.try_as('rt_edge', 'SELECT 1 FROM rt.admins LIMIT 1'), '42501', 'rt_edge cannot read rt.admins');
SELECT is(pg_temp.try_as('rt_edge', 'SELECT rt.list_messages(''{"limit": 1}'')'), '42501', 'rt_edge calls rt.list_messages only for an admin (rt.actor; 85_actor)');
SELECT is(pg_temp.try_as('rt_edge', 'SELECT rt.ingest(''[]'')'), 'ok', 'rt_edge calls rt.ingest');
SELECT is(pg_temp.try_as('rt_edge', 'SELECT rt._crypt(''a'', ''b'')'), '42501', 'rt_edge cannot call internal helpers');
SELECT ok(NOT has_table_privilege('rt_edge', 'rt.' || t, 'SELECT,INSERT,UPDATE,DELETE'), 'rt_edge has no privilege on rt.' || t)
FROM unnest(ARRAY['users']) t;

SELECT is(pg_temp.try_as('rt_analyst', 'SELECT 1 FROM rt.v_messages, rt.v_chats, rt.v_users LIMIT 1'), 'ok',
          'rt_analyst reads the views');
SELECT is(pg_temp.try_as('rt_analyst', 'SELECT 1 FROM rt.admins LIMIT 1'), '42501', 'rt_analyst cannot read rt.admins');
SELECT is(pg_temp.try_as('rt_analyst', 'SELECT rt.ingest(''[]'')'), '42501', 'rt_analyst cannot ingest');
SELECT is(pg_temp.try_as('rt_admin', 'SELECT password_hash FROM rt.admins LIMIT 1'), '42501',
          'rt_admin cannot read password hashes');

SELECT * FROM finish();
ROLLBACK;
