-- common machinery: rt.audit_row (both doors, changed keys only, never a password hash),
-- change events (payload and id collection; NOTIFY delivery itself is checked by the
-- integration suite: it happens at commit), rt.audit, rt.list_audit, admins and settings API.
-- Ids 88000xxx, logins tap00_*; everything rolls back.
BEGIN;
SELECT plan(67);

-- ---- audit from the SQL door (no rt.actor) --------------------------------------------------
SELECT rt.create_admin('tap00_owner', 'owner-password-1', 'owner') \gset o_
SELECT set_config('tap.owner', (SELECT id::text FROM rt.admins WHERE login = 'tap00_owner'), true) \gset _
SELECT is((SELECT actor FROM rt.audit_log WHERE action = 'admin.insert' AND target = 'admin:' || current_setting('tap.owner')),
          'db:' || session_user, 'SQL door: actor is db:<session user>');
SELECT ok((SELECT before IS NULL AND after ->> 'login' = 'tap00_owner' AND after ->> 'role' = 'owner'
           FROM rt.audit_log WHERE action = 'admin.insert' AND target = 'admin:' || current_setting('tap.owner')),
          'insert: before null, after the row');
SELECT ok((SELECT NOT after ? 'password_hash' FROM rt.audit_log WHERE action = 'admin.insert'
             AND target = 'admin:' || current_setting('tap.owner')), 'insert: no password hash in the audit row');
SELECT is((SELECT count(*) FROM rt.audit_log WHERE action = 'admin.create' AND target = 'admin:' || current_setting('tap.owner')),
          0::bigint, 'create_admin writes no second (admin.create) entry');

-- changed keys only
UPDATE rt.admins SET role = 'admin' WHERE id = current_setting('tap.owner')::bigint;
SELECT is((SELECT before FROM rt.audit_log WHERE action = 'admin.update' AND target = 'admin:' || current_setting('tap.owner') ORDER BY id DESC LIMIT 1),
          '{"role": "owner"}'::jsonb, 'update: before holds only the changed key');
SELECT is((SELECT after FROM rt.audit_log WHERE action = 'admin.update' AND target = 'admin:' || current_setting('tap.owner') ORDER BY id DESC LIMIT 1),
          '{"role": "admin"}'::jsonb, 'update: after holds only the changed key');
UPDATE rt.admins SET role = 'owner' WHERE id = current_setting('tap.owner')::bigint;
SELECT is((SELECT count(*) FROM rt.audit_log WHERE target = 'admin:' || current_setting('tap.owner')), 3::bigint, 'one row per change');
UPDATE rt.admins SET role = 'owner' WHERE id = current_setting('tap.owner')::bigint;
SELECT is((SELECT count(*) FROM rt.audit_log WHERE target = 'admin:' || current_setting('tap.owner')), 3::bigint,
          'an update that changes nothing writes nothing');

-- ---- audit with rt.actor (the REST door) ---------------------------------------------------
SELECT set_config('rt.actor', 'admin:' || current_setting('tap.owner'), true) \gset _
SELECT rt.create_admin_api('{"login": "tap00_mod", "password": "moderator-pw", "role": "moderator"}') \gset m_
SELECT set_config('tap.mod', (SELECT id::text FROM rt.admins WHERE login = 'tap00_mod'), true) \gset _
SELECT is((SELECT actor FROM rt.audit_log WHERE action = 'admin.insert' AND target = 'admin:' || current_setting('tap.mod')),
          'admin:' || current_setting('tap.owner'), 'REST door: actor is admin:<id>');
SELECT lives_ok(format($$SELECT rt.update_admin(%s, '{"password": "a-new-password"}')$$, current_setting('tap.mod')), 'password reset');
SELECT is((SELECT after FROM rt.audit_log WHERE action = 'admin.update' AND target = 'admin:' || current_setting('tap.mod') ORDER BY id DESC LIMIT 1),
          '{"password_changed": true}'::jsonb, 'a password change is recorded as password_changed');
SELECT is((SELECT before FROM rt.audit_log WHERE action = 'admin.update' AND target = 'admin:' || current_setting('tap.mod') ORDER BY id DESC LIMIT 1),
          NULL, 'and nothing before');
SELECT is((SELECT count(*) FROM rt.audit_log WHERE before::text ~ '\$2[aby]\$' OR after::text ~ '\$2[aby]\$'), 0::bigint,
          'no bcrypt hash anywhere in the audit log');
SELECT ok(rt.admin_login('tap00_mod', 'a-new-password') ->> 'login' = 'tap00_mod', 'the new password works');

-- ---- chats and users: switches only; ingest's own writes are not audited -------------------
SELECT rt.ingest('[{"update_id": 88000001, "message": {"message_id": 1, "date": 1763700000,
  "chat": {"id": -88000001, "type": "supergroup", "title": "tap00 group"},
  "from": {"id": 88000001, "first_name": "Tap"}, "text": "hello"}}]') \gset i_
SELECT rt.ingest('[{"update_id": 88000002, "message": {"message_id": 2, "date": 1763700001,
  "chat": {"id": -88000001, "type": "supergroup", "title": "tap00 group renamed"},
  "from": {"id": 88000001, "first_name": "Tapper"}, "text": "hello again"}}]') \gset i_
SELECT is((SELECT count(*) FROM rt.audit_log WHERE target IN ('chat:-88000001', 'user:88000001')), 0::bigint,
          'ingest (new chat, title, last message, user profile) writes no audit');
UPDATE rt.chats SET autoreply = true, title = 'changed by hand' WHERE id = -88000001;
SELECT is((SELECT before || jsonb_build_object('after', after) FROM rt.audit_log WHERE target = 'chat:-88000001'),
          '{"autoreply": false, "after": {"autoreply": true}}'::jsonb, 'chat.update records only the switch columns');
SELECT is((SELECT action || ' ' || actor FROM rt.audit_log WHERE target = 'chat:-88000001'),
          'chat.update admin:' || current_setting('tap.owner'), 'chat switch audited with the acting admin');
UPDATE rt.users SET muted = true WHERE id = 88000001;
SELECT is((SELECT after FROM rt.audit_log WHERE target = 'user:88000001'), '{"muted": true}'::jsonb, 'user.update records the mute');
UPDATE rt.chats SET title = 'only the title' WHERE id = -88000001;
SELECT is((SELECT count(*) FROM rt.audit_log WHERE target = 'chat:-88000001'), 1::bigint, 'a title change is not audited');

-- ---- change events --------------------------------------------------------------------------
SELECT is(rt._changed_payload('preset', '[1, 2]')::jsonb, '{"type": "changed", "entity": "preset", "ids": [1, 2]}'::jsonb,
          'change payload shape');
SELECT ok(octet_length(rt._changed_payload('chat', (SELECT jsonb_agg(-1000000000000 - g) FROM generate_series(1, 2000) g))) < 7000,
          'a change payload for 2000 ids stays under 7000 bytes');
SELECT is(rt._changed_payload('chat', (SELECT jsonb_agg(-1000000000000 - g) FROM generate_series(1, 2000) g))::jsonb -> 'truncated',
          'true'::jsonb, 'and says it was truncated');
SELECT is(coalesce(current_setting('rt.changed_chat', true), ''), '', 'collected chat ids are cleared by the statement trigger');
SELECT is((SELECT count(*) FROM pg_trigger WHERE tgrelid = 'rt.admins'::regclass AND NOT tgisinternal), 7::bigint,
          'rt.admins: audit row trigger, three change-event statement triggers, and (0.4.0) the session epoch and two admin.changed journal triggers');
SELECT ok((SELECT bool_and(pg_get_triggerdef(oid) ~ 'FOR EACH STATEMENT') FROM pg_trigger
           WHERE tgrelid = 'rt.settings'::regclass AND tgname LIKE '%changed%'), 'change events fire per statement, not per row');
SELECT ok((SELECT pg_get_triggerdef(oid) ~ 'UPDATE OF autoreply, reply_on_mention, takeover_until' FROM pg_trigger
           WHERE tgrelid = 'rt.chats'::regclass AND tgname = 'chats_changed'), 'chat change events only for the switch columns');
SELECT is((SELECT e FROM rt.event_messages('{"type": "changed", "entity": "preset", "ids": [3]}') e),
          '{"type": "entity.changed", "data": {"entity": "preset", "ids": [3]}}'::jsonb, 'event_messages: entity.changed');
SELECT throws_ok($$SELECT rt.event_messages('{"type": "changed", "ids": [3]}')$$, '22023', NULL, 'changed payload without entity');
SELECT throws_ok($$SELECT rt.event_messages('{"type": "other"}')$$, '22023', NULL, 'unknown payload type');

-- ---- explicit audit entries -------------------------------------------------------------------
SELECT ok(rt.audit('message.send', 'message:88000001', NULL, '{"text": "hi"}') > 0, 'rt.audit returns the entry id');
SELECT is((SELECT actor || ' ' || action || ' ' || target FROM rt.audit_log WHERE target = 'message:88000001'),
          'admin:' || current_setting('tap.owner') || ' message.send message:88000001', 'rt.audit uses the current actor');

-- ---- rt.list_audit ------------------------------------------------------------------------------
SELECT is(jsonb_array_length(rt.list_audit(jsonb_build_object('target', 'admin:' || current_setting('tap.mod'))) -> 'items'), 3,
          'list_audit by target (insert, password reset, login)');
SELECT is((rt.list_audit(jsonb_build_object('target', 'admin:' || current_setting('tap.mod'))) -> 'items' -> 0 ->> 'action'),
          'admin.login', 'newest first');
SELECT is(jsonb_array_length(rt.list_audit(jsonb_build_object('actor', 'admin:' || current_setting('tap.owner'), 'action', 'chat')) -> 'items'), 1,
          'action without a dot matches the whole entity');
SELECT ok((SELECT bool_and(e ->> 'action' = 'admin.update') FROM jsonb_array_elements(rt.list_audit('{"action": "admin.update"}') -> 'items') e),
          'exact action');
SELECT is(jsonb_array_length(rt.list_audit(jsonb_build_object('actor', 'admin:' || current_setting('tap.owner'), 'limit', 2)) -> 'items'), 2, 'limit');
SELECT is((SELECT jsonb_array_length(rt.list_audit(jsonb_build_object('actor', 'admin:' || current_setting('tap.owner'), 'limit', 2,
               'cursor', rt.list_audit(jsonb_build_object('actor', 'admin:' || current_setting('tap.owner'), 'limit', 2)) ->> 'next_cursor')) -> 'items')),
          2, 'next page through the cursor');
SELECT is(jsonb_array_length(rt.list_audit(jsonb_build_object('target', 'admin:' || current_setting('tap.mod'), 'from', '2999-01-01')) -> 'items'), 0,
          'from filter');
SELECT throws_ok($$SELECT rt.list_audit('{"who": "x"}')$$, '22023', 'unknown filter field "who"', 'unknown filter');
SELECT throws_ok($$SELECT rt.list_audit('{"limit": 0}')$$, '22023', 'filter field "limit" must be between 1 and 200', 'limit range');
SELECT throws_ok($$SELECT rt.list_audit('{"cursor": "bm9wZQ"}')$$, '22023', 'invalid cursor', 'bad cursor');

-- ---- admins API -------------------------------------------------------------------------------
SELECT ok((SELECT bool_and(NOT a ? 'password_hash') AND bool_or(a ->> 'login' = 'tap00_mod')
           FROM jsonb_array_elements(rt.list_admins() -> 'items') a), 'list_admins: every admin, no hashes');
SELECT is(rt.list_admins() -> 'next_cursor', 'null'::jsonb, 'list_admins is one page');
SELECT throws_ok($$SELECT rt.create_admin_api('{"login": "tap00_x", "password": 12345678, "role": "viewer"}')$$, '22023',
                 'field "password" must be a string', 'create_admin_api: typed fields');
SELECT throws_ok($$SELECT rt.create_admin_api('{"login": "tap00_x", "password": "long enough", "role": "viewer", "x": 1}')$$, '22023',
                 'unknown field "x"', 'create_admin_api: unknown field');
SELECT throws_ok($$SELECT rt.create_admin_api('{"login": "tap00_mod", "password": "long enough", "role": "viewer"}')$$, '23505',
                 NULL, 'create_admin_api: duplicate login');
SELECT is(rt.update_admin(current_setting('tap.mod')::bigint, '{"role": "viewer", "disabled": true}') - 'created_at' - 'disabled_at' - 'id',
          '{"login": "tap00_mod", "role": "viewer", "disabled": true}'::jsonb, 'update_admin: role and disabled');
SELECT throws_ok(format($$SELECT rt.update_admin(%s, '{"role": "root"}')$$, current_setting('tap.mod')), '22023',
                 'field "role" must be one of owner, admin, moderator, viewer', 'update_admin: bad role');
SELECT throws_ok(format($$SELECT rt.update_admin(%s, '{"password": "short"}')$$, current_setting('tap.mod')), '22023',
                 'field "password" must be 8 to 72 bytes long', 'update_admin: short password');
SELECT throws_ok($$SELECT rt.update_admin(-1, '{"role": "viewer"}')$$, 'P0002', NULL, 'update_admin: unknown id');
-- the last enabled owner: every other owner disabled first
UPDATE rt.admins SET disabled_at = now() WHERE role = 'owner' AND id <> current_setting('tap.owner')::bigint;
SELECT throws_ok(format($$SELECT rt.update_admin(%s, '{"role": "admin"}')$$, current_setting('tap.owner')), '22023',
                 'cannot demote or disable the last enabled owner', 'the last owner cannot be demoted');
SELECT throws_ok(format($$SELECT rt.update_admin(%s, '{"disabled": true}')$$, current_setting('tap.owner')), '22023',
                 'cannot demote or disable the last enabled owner', 'the last owner cannot be disabled');
SELECT lives_ok(format($$SELECT rt.update_admin(%s, '{"role": "owner", "disabled": false}')$$, current_setting('tap.mod')),
                'another owner appears');
SELECT is(rt.update_admin(current_setting('tap.owner')::bigint, '{"role": "admin"}') ->> 'role', 'admin', 'now the first may step down');

-- ---- settings -----------------------------------------------------------------------------------
SELECT set_config('rt.actor', 'admin:' || current_setting('tap.mod'), true) \gset _
SELECT is((SELECT array_agg(s ->> 'key' ORDER BY s ->> 'key') FROM jsonb_array_elements(rt.list_settings() -> 'items') s),
          ARRAY['admin.signature', 'autoreply.provider', 'bot.id', 'bot.texts', 'bot.username', 'context.messages', 'payment.url',
                'preset.defaults', 'roundtable.context_token_limit', 'roundtable.max_cost', 'roundtable.max_rounds',
                'roundtable.max_tokens', 'roundtable.summary_provider', 'roundtable.turn_timeout_sec', 'takeover.minutes',
                'telegram.streaming'], 'list_settings: the API keys (the round table''s since 0.5.0), not matcher.version');
SELECT is(rt.update_setting('takeover.minutes', '{"value": 45}') -> 'value', '45'::jsonb, 'takeover.minutes');
SELECT is(rt.setting('takeover.minutes'), '45'::jsonb, 'stored');
SELECT is((SELECT after FROM rt.audit_log WHERE target = 'setting:takeover.minutes' ORDER BY id DESC LIMIT 1) -> 'value', '45'::jsonb,
          'settings are audited');
SELECT throws_ok($$SELECT rt.update_setting('takeover.minutes', '{"value": 0}')$$, '22023', 'field "value" must be an integer between 1 and 10080', 'takeover.minutes range');
SELECT throws_ok($$SELECT rt.update_setting('context.messages', '{"value": 101}')$$, '22023', 'field "value" must be an integer between 0 and 100', 'context.messages range');
SELECT throws_ok($$SELECT rt.update_setting('bot.username', '{"value": "@roundbot"}')$$, '22023', 'field "value" must be the username without "@"', 'bot.username without @');
SELECT is(rt.update_setting('bot.username', '{"value": null}') -> 'value', 'null'::jsonb, 'bot.username may be null');
SELECT throws_ok($$SELECT rt.update_setting('bot.id', '{"value": "42"}')$$, '22023', 'field "value" must be a positive integer or null', 'bot.id is a number');
SELECT throws_ok($$SELECT rt.update_setting('preset.defaults', '{"value": {"temperature": 3, "max_tokens": 1, "tone": "neutral", "verbosity": "short", "emotional_intensity": 1, "persona": ""}}')$$,
                 '22023', 'field "value.temperature" must be between 0 and 2', 'preset.defaults ranges');
SELECT throws_ok($$SELECT rt.update_setting('preset.defaults', '{"value": {"temperature": 1}}')$$, '22023', 'field "value.max_tokens" is required', 'preset.defaults needs all six');
SELECT throws_ok($$SELECT rt.update_setting('matcher.version', '{"value": 9}')$$, 'P0002', 'unknown setting "matcher.version"', 'matcher.version is internal');
SELECT throws_ok($$SELECT rt.update_setting('takeover.minutes', '{}')$$, '22023', 'field "value" is required', 'value is required');

SELECT * FROM finish();
ROLLBACK;
