-- admins: create_admin validation, admin_login, admin_get, require_role with rt.actor
BEGIN;
SELECT plan(24);

SELECT ok(rt.create_admin('tap_owner', 'owner-password-1', 'owner') ->> 'role' = 'owner', 'create an owner');
SELECT ok(rt.create_admin('tap_viewer', 'viewer-password', 'viewer') ->> 'login' = 'tap_viewer', 'create a viewer');
SELECT ok((SELECT password_hash ~ '^\$2a\$10\$' FROM rt.admins WHERE login = 'tap_owner'), 'password stored as bcrypt cost 10');
SELECT throws_ok($$SELECT rt.create_admin('tap_x', 'short', 'admin')$$, '22023', 'field "password" must be 8 to 72 bytes long',
                 'short password');
SELECT throws_ok($$SELECT rt.create_admin('tap_x', 'long enough', 'root')$$, '22023',
                 'field "role" must be one of owner, admin, moderator, viewer', 'unknown role');
SELECT throws_ok($$SELECT rt.create_admin('', 'long enough', 'admin')$$, '22023',
                 'field "login" must be 1 to 100 characters without spaces', 'empty login');
SELECT throws_ok($$SELECT rt.create_admin('tap_owner', 'long enough', 'admin')$$, '23505', 'admin login "tap_owner" already exists',
                 'duplicate login');

-- login
SELECT is(rt.admin_login('tap_owner', 'owner-password-1') - 'id', '{"login":"tap_owner","role":"owner","session_epoch":0}', 'login ok (with the session epoch, 0 for a new admin)');
SELECT is((rt.admin_login('tap_owner', 'owner-password-1') ->> 'id')::bigint, (SELECT id FROM rt.admins WHERE login = 'tap_owner'),
          'login returns the admin id');
SELECT throws_ok($$SELECT rt.admin_login('tap_owner', 'wrong password')$$, '28P01', 'invalid login or password', 'wrong password');
SELECT throws_ok($$SELECT rt.admin_login('tap_nobody', 'whatever1')$$, '28P01', 'invalid login or password', 'unknown login');
SELECT throws_ok($$SELECT rt.admin_login('tap_owner', NULL)$$, '28P01', 'invalid login or password', 'null password');
UPDATE rt.admins SET disabled_at = now() WHERE login = 'tap_viewer';
SELECT throws_ok($$SELECT rt.admin_login('tap_viewer', 'viewer-password')$$, '28P01', 'invalid login or password', 'disabled admin');
SELECT ok((SELECT count(*) FROM rt.audit_log WHERE action = 'admin.login'
             AND target = 'admin:' || (SELECT id FROM rt.admins WHERE login = 'tap_owner')) >= 2, 'logins are audited');

-- admin_get
SELECT is(rt.admin_get((SELECT id FROM rt.admins WHERE login = 'tap_owner')) ->> 'login', 'tap_owner', 'admin_get');
SELECT throws_ok(format('SELECT rt.admin_get(%s)', (SELECT id FROM rt.admins WHERE login = 'tap_viewer')), 'P0002', NULL,
                 'admin_get of a disabled admin');
SELECT throws_ok($$SELECT rt.admin_get(-1)$$, 'P0002', 'admin -1 not found', 'admin_get of a missing admin');

-- require_role with rt.actor
SELECT is(rt.require_role('owner'), 'db:' || session_user, 'no rt.actor: the DBA door');
UPDATE rt.admins SET disabled_at = NULL WHERE login = 'tap_viewer';
SELECT set_config('rt.actor', 'admin:' || (SELECT id FROM rt.admins WHERE login = 'tap_viewer'), true);
SELECT is(rt.require_role('viewer'), 'admin:' || (SELECT id FROM rt.admins WHERE login = 'tap_viewer'), 'viewer may view');
SELECT throws_ok($$SELECT rt.require_role('admin')$$, '42501', 'role admin required', 'viewer may not act as admin');
SELECT throws_ok($$SELECT rt.create_admin('tap_y', 'long enough', 'viewer')$$, '42501', 'role owner required',
                 'only an owner creates admins');
SELECT throws_ok($$SELECT rt.ingest('[]')$$, '42501', 'role admin required', 'a viewer may not ingest');
SELECT set_config('rt.actor', 'admin:999999999999', true);
SELECT throws_ok($$SELECT rt.list_chats(NULL, NULL, 1)$$, '42501', 'actor is not an enabled admin', 'unknown actor');
SELECT set_config('rt.actor', 'root', true);
SELECT throws_ok($$SELECT rt.list_messages('{}')$$, '42501', 'invalid actor', 'malformed actor');
SELECT set_config('rt.actor', '', true);

SELECT * FROM finish();
ROLLBACK;
