-- issue 7: a session made before its admin's password, role or access changed is refused even
-- when no edge acted on the admin.changed journal row (every edge was down). The session carries
-- the epoch rt.admin_login returned; the edge sets it as rt.actor_epoch with rt.actor.
BEGIN;
SELECT plan(17);

CREATE TEMP TABLE a AS SELECT (rt.create_admin('t88-admin', 'admin-password-88', 'admin') ->> 'id')::bigint AS id;
CREATE FUNCTION pg_temp.as_session(epoch bigint) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', 'admin:' || (SELECT id FROM a), true),
           set_config('rt.actor_epoch', epoch::text, true);
$$;
CREATE FUNCTION pg_temp.epoch() RETURNS bigint LANGUAGE sql AS $$
    SELECT session_epoch FROM rt.admins WHERE id = (SELECT id FROM a)
$$;

SELECT is((rt.admin_login('t88-admin', 'admin-password-88') ->> 'session_epoch')::bigint, 0::bigint, 'a new admin logs in at epoch 0');
SELECT pg_temp.as_session(0);
SELECT lives_ok($$SELECT rt.list_presets('{}')$$, 'a current session works');
SELECT lives_ok($$SELECT rt.admin_get((SELECT id FROM a))$$, 'and reads itself (GET /api/auth/me)');

-- the attack: a DBA sets a new password while no edge runs; the old session's cookie comes back
RESET rt.actor; RESET rt.actor_epoch;
UPDATE rt.admins SET password_hash = rt._crypt('new-password-88', rt._bcrypt_salt()) WHERE id = (SELECT id FROM a);
SELECT is(pg_temp.epoch(), 1::bigint, 'a new password raises the epoch');
SELECT pg_temp.as_session(0);
SELECT throws_ok($$SELECT rt.list_presets('{}')$$, '28000', NULL, 'a session from before the new password is refused (28000) by rt.require_role');
SELECT throws_ok(format('SELECT rt.admin_get(%s)', (SELECT id FROM a)), '28000', NULL, 'and by rt.admin_get (me)');
SELECT is((rt.admin_login('t88-admin', 'new-password-88') ->> 'session_epoch')::bigint, 1::bigint, 'the new login carries epoch 1');
SELECT pg_temp.as_session(1);
SELECT lives_ok($$SELECT rt.list_presets('{}')$$, 'and its session works');

RESET rt.actor; RESET rt.actor_epoch;
UPDATE rt.admins SET login = 't88-renamed' WHERE id = (SELECT id FROM a);
SELECT is(pg_temp.epoch(), 1::bigint, 'a rename keeps the epoch');
UPDATE rt.admins SET role = 'viewer' WHERE id = (SELECT id FROM a);
SELECT is(pg_temp.epoch(), 2::bigint, 'a demotion raises it');
UPDATE rt.admins SET disabled_at = now() WHERE id = (SELECT id FROM a);
SELECT pg_temp.as_session(2);
SELECT throws_ok($$SELECT rt.list_presets('{}')$$, '28000', NULL, 'a session from before a disable gets 28000 (401), not 42501');
RESET rt.actor; RESET rt.actor_epoch;
UPDATE rt.admins SET disabled_at = NULL WHERE id = (SELECT id FROM a);
UPDATE rt.admins SET session_epoch = session_epoch + 1 WHERE id = (SELECT id FROM a);
SELECT is(pg_temp.epoch(), 5::bigint, 'enabling raises it, and a DBA may raise it alone (ending every session)');
SELECT pg_temp.as_session(5);
SELECT set_config('rt.actor_epoch', 'x1', true);
SELECT throws_ok($$SELECT rt.list_presets('{}')$$, '42501', 'invalid actor epoch', 'an epoch that is not a number is refused');
RESET rt.actor; RESET rt.actor_epoch;
SELECT lives_ok($$SELECT rt.list_presets('{}')$$, 'calls without rt.actor_epoch (the DB door here) are not affected');

SELECT is(rt.admin_session_epochs() -> (SELECT id FROM a)::text, '5'::jsonb, 'rt.admin_session_epochs names each admin''s epoch (for the WebSocket upgrade)');
UPDATE rt.admins SET disabled_at = now() WHERE id = (SELECT id FROM a);
SELECT is(rt.admin_session_epochs() -> (SELECT id FROM a)::text, 'null'::jsonb, 'and null for a disabled admin');
SET LOCAL ROLE rt_analyst;
SELECT throws_ok($$SELECT rt.admin_session_epochs()$$, '42501', NULL, 'an analyst may not call it');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
