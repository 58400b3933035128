-- privileges: each console role's allowed and denied calls of the common, notification,
-- audit, admin and settings functions (rt.actor door), the database roles of sql/roles.sql
-- (rt_edge, rt_analyst, PUBLIC), and a COMMENT on every rt object. Logins tap90_*.
BEGIN;
SELECT plan(38);

SELECT count(rt.create_admin('tap90_' || r, 'password-' || r, r)) FROM unnest(ARRAY['viewer', 'moderator', 'admin', 'owner']) r \gset _
SELECT rt._notify_admins('error', NULL, NULL, '{}', false) AS note \gset
CREATE FUNCTION pg_temp.as_role(r text) RETURNS text LANGUAGE sql AS $$
    SELECT set_config('rt.actor', 'admin:' || (SELECT id FROM rt.admins WHERE login = 'tap90_' || r), true) $$;

SELECT pg_temp.as_role('viewer') \gset _
SELECT lives_ok($$SELECT rt.list_audit('{}')$$, 'viewer: list_audit');
SELECT throws_ok($$SELECT rt.list_admins()$$, '42501', 'role owner required', 'viewer: no admin list (owner only)');
SELECT lives_ok($$SELECT rt.list_settings()$$, 'viewer: list_settings');
SELECT lives_ok($$SELECT rt.list_notifications('{}')$$, 'viewer: list_notifications');
SELECT lives_ok($$SELECT rt.event_messages('{"type": "changed", "entity": "preset", "ids": []}')$$, 'viewer: event_messages');
SELECT throws_ok(format('SELECT rt.ack_notification(%s)', :note), '42501', 'role moderator required', 'viewer: no ack');
SELECT throws_ok($$SELECT rt.ack_all_notifications()$$, '42501', 'role moderator required', 'viewer: no ack all');
SELECT throws_ok($$SELECT rt.update_setting('takeover.minutes', '{"value": 5}')$$, '42501', 'role admin required', 'viewer: no settings');
SELECT throws_ok($$SELECT rt.create_admin_api('{"login": "tap90_x", "password": "password-x", "role": "viewer"}')$$, '42501',
                 'role owner required', 'viewer: no admins');

SELECT pg_temp.as_role('moderator') \gset _
SELECT lives_ok(format('SELECT rt.ack_notification(%s)', :note), 'moderator: ack');
SELECT lives_ok($$SELECT rt.ack_all_notifications()$$, 'moderator: ack all');
SELECT throws_ok($$SELECT rt.update_setting('takeover.minutes', '{"value": 5}')$$, '42501', 'role admin required', 'moderator: no settings');
SELECT throws_ok(format($$SELECT rt.update_admin(%s, '{"role": "admin"}')$$, (SELECT id FROM rt.admins WHERE login = 'tap90_viewer')),
                 '42501', 'role owner required', 'moderator: no admins');

SELECT pg_temp.as_role('admin') \gset _
SELECT lives_ok($$SELECT rt.update_setting('takeover.minutes', '{"value": 5}')$$, 'admin: settings');
SELECT throws_ok(format($$SELECT rt.update_admin(%s, '{"role": "admin"}')$$, (SELECT id FROM rt.admins WHERE login = 'tap90_viewer')),
                 '42501', 'role owner required', 'admin: no admins');
SELECT throws_ok($$SELECT rt.create_admin_api('{"login": "tap90_x", "password": "password-x", "role": "viewer"}')$$, '42501',
                 'role owner required', 'admin: no new admins');

SELECT pg_temp.as_role('owner') \gset _
SELECT lives_ok($$SELECT rt.create_admin_api('{"login": "tap90_x", "password": "password-x", "role": "viewer"}')$$, 'owner: create admin');
SELECT lives_ok($$SELECT rt.list_admins()$$, 'owner: list admins');
SELECT lives_ok(format($$SELECT rt.update_admin(%s, '{"role": "admin"}')$$, (SELECT id FROM rt.admins WHERE login = 'tap90_viewer')),
                'owner: change role');
SELECT lives_ok($$SELECT rt.update_setting('context.messages', '{"value": 10}')$$, 'owner: settings');

-- a disabled admin can do nothing
UPDATE rt.admins SET disabled_at = now() WHERE login = 'tap90_admin';
SELECT pg_temp.as_role('admin') \gset _
SELECT throws_ok($$SELECT rt.list_audit('{}')$$, '42501', 'actor is not an enabled admin', 'disabled admin: not even reading');
SELECT set_config('rt.actor', '', true) \gset _

-- ---- database roles (sql/roles.sql) ------------------------------------------------------------
SELECT ok(has_function_privilege('rt_edge', f, 'execute'), 'rt_edge may execute ' || f)
FROM unnest(ARRAY['rt.list_audit(jsonb)', 'rt.list_admins()', 'rt.create_admin_api(jsonb)', 'rt.update_admin(bigint,jsonb)',
                  'rt.list_settings()', 'rt.update_setting(text,jsonb)', 'rt.list_notifications(jsonb)',
                  'rt.ack_notification(bigint)', 'rt.ack_all_notifications()']) f;
SELECT ok(NOT has_function_privilege('rt_edge', f, 'execute'), 'rt_edge may not execute ' || f)
FROM unnest(ARRAY['rt.audit(text,text,jsonb,jsonb)', 'rt._notify_admins(text,bigint,bigint,jsonb,boolean)',
                  'rt._decide_moderation(bigint,timestamptz,bigint,bigint,text,jsonb)']) f;
SELECT ok(has_table_privilege('rt_analyst', 'rt.v_audit_log', 'select') AND has_table_privilege('rt_analyst', 'rt.v_notifications', 'select')
          AND has_table_privilege('rt_analyst', 'rt.v_admins', 'select'), 'rt_analyst reads the new views');
SELECT ok(NOT has_table_privilege('rt_analyst', 'rt.audit_log', 'select') AND NOT has_table_privilege('rt_analyst', 'rt.notifications', 'select')
          AND NOT has_table_privilege('rt_analyst', 'rt.admins', 'select'), 'rt_analyst reads no tables');
SELECT is((SELECT count(*) FROM information_schema.columns WHERE table_schema = 'rt' AND table_name LIKE 'v\_%'
           AND column_name ~ '(password|hash|_enc$|secret|raw)'), 0::bigint, 'no view shows a hash, key or raw payload');
SELECT is((SELECT count(*) FROM pg_proc WHERE pronamespace = 'rt'::regnamespace AND has_function_privilege('public', oid, 'execute')),
          0::bigint, 'PUBLIC executes no rt function');
SELECT is((SELECT string_agg(o, ', ') FROM (
              SELECT p.oid::regprocedure::text AS o FROM pg_proc p WHERE p.pronamespace = 'rt'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL
              UNION ALL
              SELECT c.oid::regclass::text FROM pg_class c WHERE c.relnamespace = 'rt'::regnamespace AND c.relkind IN ('r', 'p', 'v')
                AND obj_description(c.oid, 'pg_class') IS NULL AND NOT c.relispartition) x),
          NULL, 'every rt function, table and view has a COMMENT');

SELECT * FROM finish();
ROLLBACK;
