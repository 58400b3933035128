-- moderation: rule CRUD, validation, roles, audit, rt.moderation_verdict (strongest action,
-- labels, scope), and manual flag / unflag / delete with the outbox
BEGIN;
SELECT plan(40);

SELECT rt.create_admin('tap40_viewer', 'viewer-password', 'viewer') IS NOT NULL;
SELECT rt.create_admin('tap40_moderator', 'moderator-password', 'moderator') IS NOT NULL;
SELECT rt.create_admin('tap40_admin', 'admin-password', 'admin') IS NOT NULL;
CREATE FUNCTION pg_temp.act(login text) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce('admin:' || (SELECT id FROM rt.admins a WHERE a.login = act.login), ''), true)
$$;
CREATE FUNCTION pg_temp.actor(login text) RETURNS text LANGUAGE sql AS $$
    SELECT 'admin:' || id FROM rt.admins a WHERE a.login = actor.login
$$;
CREATE FUNCTION pg_temp.rule(name text) RETURNS bigint LANGUAGE sql AS $$
    SELECT id FROM rt.moderation_rules r WHERE r.name = rule.name
$$;
CREATE FUNCTION pg_temp.verdict(chat bigint, t text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT rt.moderation_verdict(chat, t) - 'rule_ids'
$$;

-- messages to moderate (ids in the 74e10 range never meet real data), stored before any rule
SELECT is(rt.ingest(jsonb_build_array(
    jsonb_build_object('update_id', 740000000001, 'message', jsonb_build_object('message_id', 1, 'date', 1700000001,
        'chat', jsonb_build_object('id', -7401, 'type', 'group', 'title', 'pgTAP moderation'), 'text', 'первое')),
    jsonb_build_object('update_id', 740000000002, 'message', jsonb_build_object('message_id', 2, 'date', 1700000002,
        'chat', jsonb_build_object('id', -7401, 'type', 'group', 'title', 'pgTAP moderation'), 'text', 'второе')))) -> 'stored',
    '2', 'two messages stored');
CREATE FUNCTION pg_temp.msg(mid bigint) RETURNS bigint LANGUAGE sql AS $$
    SELECT id FROM rt.messages WHERE chat_id = -7401 AND message_id = mid
$$;

-- CRUD
SELECT pg_temp.act('tap40_admin');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(rt.create_moderation_rule(
              '{"name": "tap40 spam", "pattern": "спам", "label": "spam", "action": "flag"}')) k),
          ARRAY['action', 'chat_ids', 'created_at', 'enabled', 'evasion', 'id', 'label', 'name', 'pattern', 'pattern_kind',
                'updated_at', 'version'], 'create_moderation_rule returns every column');
SELECT is(rt.get_moderation_rule(pg_temp.rule('tap40 spam')) - 'id' - 'created_at' - 'updated_at',
          '{"name": "tap40 spam", "label": "spam", "action": "flag", "enabled": true, "evasion": true, "pattern": "спам",
            "version": 1, "chat_ids": null, "pattern_kind": "word"}', 'defaults: enabled, word kind, evasion on, every chat');
SELECT lives_ok($$SELECT rt.create_moderation_rule('{"name": "tap40 casino", "pattern": "казино", "label": "gambling", "action": "hide"}')$$,
                'hide rule');
SELECT lives_ok($$SELECT rt.create_moderation_rule('{"name": "tap40 scam", "pattern": "развод", "label": "spam", "action": "delete", "chat_ids": [-7402]}')$$,
                'scoped delete rule');
SELECT lives_ok($$SELECT rt.create_moderation_rule('{"name": "tap40 links", "pattern": "t\\.me/", "pattern_kind": "regex", "label": "links", "action": "flag"}')$$,
                'regex rule');

-- verdicts: strongest action, labels once each in rule order, scope
SELECT is(pg_temp.verdict(-7401, 'спам'), '{"action": "flag", "labels": ["spam"]}', 'one flag');
SELECT is(pg_temp.verdict(-7401, 'сп@м и к@зин0 t.me/x'), '{"action": "hide", "labels": ["spam", "gambling", "links"]}',
          'hide beats flag; evasions count');
SELECT is(pg_temp.verdict(-7402, 'спам казино развод'), '{"action": "delete", "labels": ["spam", "gambling"]}',
          'delete beats hide; a label appears once');
SELECT is(pg_temp.verdict(-7401, 'развод'), '{"action": null, "labels": []}', 'a scoped rule stays out of other chats');
SELECT is(rt.moderation_verdict(-7401, 'спам') -> 'rule_ids', jsonb_build_array(pg_temp.rule('tap40 spam')), 'rule ids');
SELECT is(pg_temp.verdict(-7401, 'ничего такого'), '{"action": null, "labels": []}', 'clean text');

-- update, versions, delete
SELECT is(rt.update_moderation_rule(pg_temp.rule('tap40 spam'), '{"action": "delete", "version": 1}') ->> 'action', 'delete', 'update');
SELECT is(pg_temp.verdict(-7401, 'спам') ->> 'action', 'delete', 'the verdict follows the update at once');
SELECT throws_ok(format($$SELECT rt.update_moderation_rule(%s, '{"label": "x", "version": 1}')$$, pg_temp.rule('tap40 spam')), '40001', NULL,
                 'a stale version is refused');
SELECT is(rt.update_moderation_rule(pg_temp.rule('tap40 spam'), '{"evasion": false}') ->> 'version', '3', 'versions count');
SELECT is(pg_temp.verdict(-7401, 'сп@м'), '{"action": null, "labels": []}', 'evasion off: the evasion no longer matches');
SELECT throws_ok($$SELECT rt.update_moderation_rule(-1, '{}')$$, 'P0002', 'moderation rule -1 does not exist', 'unknown rule');
SELECT lives_ok(format('SELECT rt.delete_moderation_rule(%s)', pg_temp.rule('tap40 links')), 'delete');
SELECT throws_ok($$SELECT rt.delete_moderation_rule(-1)$$, 'P0002', 'moderation rule -1 does not exist', 'delete of an unknown rule');
SELECT is(pg_temp.verdict(-7401, 't.me/x'), '{"action": null, "labels": []}', 'a deleted rule no longer matches');

-- validation
SELECT throws_ok($$SELECT rt.create_moderation_rule('{"name": "tap40 x", "pattern": "x", "action": "flag"}')$$, '22023',
                 'field "label" must be a string of 1 to 64 characters', 'label required');
SELECT throws_ok($$SELECT rt.create_moderation_rule('{"name": "tap40 x", "pattern": "x", "label": "x", "action": "ban"}')$$, '22023',
                 'field "action" must be one of flag, hide, delete', 'unknown action');
SELECT throws_ok($$SELECT rt.create_moderation_rule('{"name": "tap40 x", "pattern": "[", "pattern_kind": "regex", "label": "x"}')$$, '22023',
                 'field "pattern" is not a valid regular expression: invalid regular expression: brackets [] not balanced', 'invalid regex');
SELECT throws_ok($$SELECT rt.create_moderation_rule('{"name": "tap40 x", "pattern": "x", "label": "x", "evasion": "yes"}')$$, '22023',
                 'field "evasion" must be true or false', 'evasion must be boolean');
SELECT ok(EXISTS (SELECT FROM rt.audit_log WHERE action = 'moderation_rule.update' AND target = 'moderation_rule:' || pg_temp.rule('tap40 spam')),
          'rule changes are audited');

-- roles for rules
SELECT pg_temp.act('tap40_moderator');
SELECT throws_ok($$SELECT rt.create_moderation_rule('{"name": "tap40 m", "pattern": "x", "label": "x"}')$$, '42501', 'role admin required',
                 'a moderator may not create rules');
SELECT pg_temp.act('tap40_viewer');
SELECT ok(jsonb_array_length(rt.list_moderation_rules('{"q": "tap40"}') -> 'items') = 3, 'a viewer lists rules');

-- manual moderation: a viewer may not, a moderator may
SELECT throws_ok(format($$SELECT rt.flag_message(%s, '{"label": "spam"}')$$, pg_temp.msg(1)), '42501', 'role moderator required',
                 'a viewer may not flag');
SELECT pg_temp.act('tap40_moderator');
SELECT is(rt.flag_message(pg_temp.msg(1), '{"label": "spam"}') - 'edit_history' - 'sender' - 'created_at' - 'received_at' - 'id' - 'update_id'
          - 'chat_id' - 'user_id' - 'message_id' - 'direction' - 'author_type' - 'kind' - 'edited_at' - 'status'
          - 'llm' - 'error' - 'sent_at' - 'in_reply_to' - 'session_id' - 'speaker' - 'round' - 'reply_markup',
          '{"text": "первое", "labels": ["spam"], "moderation": "flagged"}', 'flag: label and state');
SELECT is((SELECT moderated_by FROM rt.messages WHERE id = pg_temp.msg(1)), pg_temp.actor('tap40_moderator'), 'moderated_by is the actor');
SELECT is(rt.flag_message(pg_temp.msg(1), '{"label": "spam"}') -> 'labels', '["spam"]', 'the same label twice is kept once');
SELECT ok(EXISTS (SELECT FROM rt.audit_log WHERE action = 'message.flag' AND target = 'message:' || pg_temp.msg(1)
                  AND actor = pg_temp.actor('tap40_moderator')), 'flags are audited');
SELECT is(rt.unflag_message(pg_temp.msg(1)) - 'edit_history' - 'sender' - 'created_at' - 'received_at' - 'id' - 'update_id'
          - 'chat_id' - 'user_id' - 'message_id' - 'direction' - 'author_type' - 'kind' - 'edited_at' - 'status' - 'text'
          - 'llm' - 'error' - 'sent_at' - 'in_reply_to' - 'session_id' - 'speaker' - 'round' - 'reply_markup',
          '{"labels": [], "moderation": null}', 'unflag clears labels and state');

SELECT is(rt.delete_message(pg_temp.msg(2)) ->> 'moderation', 'deleted', 'delete');
SELECT is((SELECT payload FROM rt.outbox WHERE kind = 'telegram.delete' AND payload ->> 'message_pk' = pg_temp.msg(2)::text),
          jsonb_build_object('chat_id', -7401, 'message_id', 2, 'message_pk', pg_temp.msg(2)), 'delete queues telegram.delete');
SELECT lives_ok(format('SELECT rt.delete_message(%s)', pg_temp.msg(2)), 'a second delete is harmless');
SELECT is((SELECT count(*) FROM rt.outbox WHERE kind = 'telegram.delete' AND payload ->> 'message_pk' = pg_temp.msg(2)::text),
          1::bigint, '... and queues nothing more');
SELECT throws_ok(format('SELECT rt.unflag_message(%s)', pg_temp.msg(2)), '22023', NULL, 'a deleted message cannot be unflagged');
SELECT throws_ok($$SELECT rt.flag_message(-1)$$, 'P0002', 'message -1 does not exist', 'unknown message');
SELECT set_config('rt.actor', '', true);

SELECT * FROM finish();
ROLLBACK;
