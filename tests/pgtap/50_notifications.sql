-- notifications: _notify_admins, list (filters, cursor, unacked count), ack, ack all (audited),
-- notification.created through rt.event_messages. Chat ids -88500xxx; everything rolls back.
BEGIN;
SELECT plan(20);

-- start from a clean slate inside the transaction (the database may hold real ones)
UPDATE rt.notifications SET acked_at = now(), acked_by = 'tap' WHERE acked_at IS NULL;

SELECT ok(rt._notify_admins('mention', -88500001, NULL, '{"text": "one"}', false) > 0, '_notify_admins returns the id');
SELECT rt._notify_admins('error', NULL, NULL, '{"error": "two"}', false) AS second \gset
SELECT rt._notify_admins('moderation', -88500001, NULL, '{"labels": ["spam"]}', false) AS third \gset
SELECT throws_ok($$SELECT rt._notify_admins('weird', NULL, NULL, '{}', false)$$, '23514', NULL, 'kind is checked');

SELECT is(jsonb_array_length(rt.list_notifications('{"unacked": true}') -> 'items'), 3, 'three unacked');
SELECT is((rt.list_notifications('{"unacked": true}') -> 'unacked_count')::int, 3, 'unacked_count');
SELECT is(rt.list_notifications('{"unacked": true}') -> 'items' -> 0 ->> 'kind', 'moderation', 'newest first');
SELECT is(jsonb_array_length(rt.list_notifications('{"unacked": true, "kind": "error"}') -> 'items'), 1, 'kind filter');
SELECT is(jsonb_array_length(rt.list_notifications('{"unacked": "true", "limit": "2"}') -> 'items'), 2, 'string booleans and limits (query strings)');
SELECT is(jsonb_array_length(rt.list_notifications(jsonb_build_object('unacked', true, 'limit', 2,
              'cursor', rt.list_notifications('{"unacked": true, "limit": 2}') ->> 'next_cursor')) -> 'items'), 1, 'second page');
SELECT ok((SELECT bool_and(n ? 'acked_by' AND n ? 'payload' AND n ? 'chat_id' AND n ? 'message_pk')
           FROM jsonb_array_elements(rt.list_notifications('{}') -> 'items') n), 'Notification shape');
SELECT throws_ok($$SELECT rt.list_notifications('{"kind": "nope"}')$$, '22023',
                 'filter field "kind" must be one of mention, error, delivery_failed, moderation', 'bad kind');
SELECT throws_ok($$SELECT rt.list_notifications('{"unacked": 1}')$$, '22023', 'filter field "unacked" must be a boolean', 'bad unacked');
SELECT throws_ok($$SELECT rt.list_notifications('{"x": 1}')$$, '22023', 'unknown filter field "x"', 'unknown filter');

-- ack
SELECT is(rt.ack_notification(:second) ->> 'acked_by', 'db:' || session_user, 'ack records who');
SELECT ok((SELECT count(*) = 1 FROM rt.audit_log WHERE action = 'notification.ack' AND target = 'notification:' || :second), 'ack is audited');
SELECT lives_ok(format('SELECT rt.ack_notification(%s)', :second), 'a second ack is fine');
SELECT is((SELECT count(*) FROM rt.audit_log WHERE target = 'notification:' || :second), 1::bigint, 'and writes no second audit entry');
SELECT throws_ok($$SELECT rt.ack_notification(-1)$$, 'P0002', 'notification -1 not found', 'unknown id');
SELECT is(rt.ack_all_notifications(), '{"acked": 2}'::jsonb, 'ack all acknowledges the rest');
SELECT is((rt.list_notifications('{"unacked": true}') -> 'unacked_count')::int, 0, 'none left');

-- the doorbell: notification ids in an rt_events "messages" payload
SELECT is((SELECT e ->> 'type' FROM rt.event_messages(jsonb_build_object('type', 'messages', 'new', '[]'::jsonb, 'edited', '[]'::jsonb,
              'chats', '[]'::jsonb, 'notifications', jsonb_build_array(:third))) e), 'notification.created',
          'event_messages turns notification ids into notification.created');

SELECT * FROM finish();
ROLLBACK;
