-- 0.5.0 part 55: the chat list's filters and badges. Read marks are per admin (one admin's
-- mark never changes another's count), a new user message counts again, admin messages never
-- count, mention_count counts only unacked mentions, the filters (type, autoreply, unread,
-- mentions, flagged, roundtable) combine, bad values are 22023 naming the field, and
-- rt.mark_chat_read refuses unknown chats (P0002) and the DB door (22023). rt.list_users chat_id
-- keeps only the users who wrote in that chat. Chats -9601.., users 960000xxxx; everything rolls back.
BEGIN;
SELECT plan(41);

SELECT rt.create_admin('tap96_a', 'viewer-password-a', 'viewer') \gset
SELECT rt.create_admin('tap96_b', 'viewer-password-b', 'viewer') \gset
SELECT set_config('tap.a', (SELECT id::text FROM rt.admins WHERE login = 'tap96_a'), true) \gset _
SELECT set_config('tap.b', (SELECT id::text FROM rt.admins WHERE login = 'tap96_b'), true) \gset _

-- a group with three user messages from two users, a private chat with two, a supergroup with one
SELECT is(rt.ingest((SELECT jsonb_agg(u ORDER BY n) FROM (
    SELECT g AS n, jsonb_build_object('update_id', 960000000000 + g, 'message', jsonb_build_object(
        'message_id', g, 'date', 1700000000 + g,
        'chat', CASE WHEN g <= 3 THEN '{"id": -9601, "type": "group", "title": "Zq96 Group"}'::jsonb
                     WHEN g <= 5 THEN '{"id": 9600000002, "type": "private", "first_name": "Zq96 Private"}'::jsonb
                     ELSE '{"id": -1009603, "type": "supergroup", "title": "Zq96 Super"}'::jsonb END,
        'from', jsonb_build_object('id', CASE WHEN g <= 3 THEN 9600000000 + g % 2 WHEN g <= 5 THEN 9600000002 ELSE 9600000003 END,
                                   'first_name', 'U' || g),
        'text', 'hello ' || g)) AS u
    FROM generate_series(1, 6) g) x)) -> 'stored', '6', 'six messages in three chats');
UPDATE rt.chats SET autoreply = (id = 9600000002) WHERE id IN (-9601, 9600000002, -1009603);
UPDATE rt.messages SET moderation = 'flagged' WHERE chat_id = -1009603;
UPDATE rt.chats SET session_id = 424242 WHERE id = -1009603;
INSERT INTO rt.notifications (kind, chat_id) VALUES ('mention', -9601), ('mention', -9601);
INSERT INTO rt.notifications (kind, chat_id, acked_at) VALUES ('mention', 9600000002, now());
INSERT INTO rt.notifications (kind, chat_id) VALUES ('error', 9600000002);

CREATE FUNCTION pg_temp.page(f jsonb) RETURNS jsonb LANGUAGE sql AS
$$ SELECT rt.list_chats(jsonb_build_object('q', 'zq96') || f) $$;
CREATE FUNCTION pg_temp.ids(f jsonb) RETURNS bigint[] LANGUAGE sql AS
$$ SELECT ARRAY(SELECT (e ->> 'id')::bigint FROM jsonb_array_elements(pg_temp.page(f) -> 'items') e) $$;
CREATE FUNCTION pg_temp.count_of(chat bigint, field text) RETURNS int LANGUAGE sql AS
$$ SELECT (e ->> field)::int FROM jsonb_array_elements(pg_temp.page('{}') -> 'items') e WHERE (e ->> 'id')::bigint = chat $$;

SELECT set_config('rt.actor', 'admin:' || current_setting('tap.a'), true) \gset _
SELECT is(pg_temp.ids('{}'), '{-1009603,9600000002,-9601}', 'most recently active first');
SELECT ok((SELECT bool_and(e ?& ARRAY['unread_count', 'mention_count', 'flagged_count'])
           FROM jsonb_array_elements(pg_temp.page('{}') -> 'items') e), 'every item carries the three counts');
SELECT is(pg_temp.count_of(-9601, 'unread_count'), 3, 'never read: every user message is unread');
SELECT is(pg_temp.count_of(9600000002, 'unread_count'), 2, 'private chat: two unread');
SELECT is(pg_temp.count_of(-9601, 'mention_count'), 2, 'two unacked mentions');
SELECT is(pg_temp.count_of(9600000002, 'mention_count'), 0, 'an acked mention and an error do not count');
SELECT is(pg_temp.count_of(-1009603, 'flagged_count'), 1, 'one flagged message');
SELECT is(pg_temp.count_of(-9601, 'flagged_count'), 0, 'no flagged message');

-- read marks are per admin
SELECT lives_ok($$SELECT rt.mark_chat_read(-9601)$$, 'a viewer marks a chat read');
SELECT is(pg_temp.count_of(-9601, 'unread_count'), 0, 'read: no unread for this admin');
SELECT is(pg_temp.count_of(9600000002, 'unread_count'), 2, 'another chat keeps its count');
SELECT set_config('rt.actor', 'admin:' || current_setting('tap.b'), true) \gset _
SELECT is(pg_temp.count_of(-9601, 'unread_count'), 3, 'another admin keeps its unread count');
SELECT is(pg_temp.ids('{"unread": true}'), '{-1009603,9600000002,-9601}', 'unread filter for the other admin');
SELECT set_config('rt.actor', 'admin:' || current_setting('tap.a'), true) \gset _
SELECT is(pg_temp.ids('{"unread": true}'), '{-1009603,9600000002}', 'unread filter leaves out the read chat');
SELECT is(pg_temp.ids('{"unread": false}'), '{-9601}', 'unread false: the read chat only');

-- a new user message is unread again; an admin's message is not (rt.ingest is a worker's call)
SELECT set_config('rt.actor', '', true) \gset _
SELECT is(rt.ingest($$[{"update_id": 960000000100, "message": {"message_id": 100, "date": 1700000100,
    "chat": {"id": -9601, "type": "group", "title": "Zq96 Group"}, "from": {"id": 9600000000, "first_name": "U0"},
    "text": "one more"}}]$$) -> 'stored', '1', 'a new message in the read chat');
SELECT set_config('rt.actor', 'admin:' || current_setting('tap.a'), true) \gset _
SELECT is(pg_temp.count_of(-9601, 'unread_count'), 1, 'the new user message is unread');
INSERT INTO rt.messages (chat_id, direction, author_type, kind, text, created_at, status)
VALUES (-9601, 'out', 'admin', 'text', 'from the console', now(), 'sent');
SELECT is(pg_temp.count_of(-9601, 'unread_count'), 1, 'an admin message does not count');
SELECT is(pg_temp.ids('{}'), '{-9601,-1009603,9600000002}', 'the chat with the newest message moves first');
SELECT lives_ok($$SELECT rt.mark_chat_read(-9601)$$, 'read again');
SELECT is(pg_temp.count_of(-9601, 'unread_count'), 0, 'read up to the admin message');
SELECT is((SELECT last_read_pk FROM rt.chat_reads WHERE admin_id = current_setting('tap.a')::bigint AND chat_id = -9601),
          (SELECT max(id) FROM rt.messages WHERE chat_id = -9601), 'the mark is the newest message of the chat');
UPDATE rt.chat_reads SET last_read_pk = last_read_pk + 1000000 WHERE chat_id = -9601;
SELECT lives_ok($$SELECT rt.mark_chat_read(-9601)$$, 'read once more');
SELECT is((SELECT last_read_pk FROM rt.chat_reads WHERE admin_id = current_setting('tap.a')::bigint AND chat_id = -9601),
          (SELECT max(id) FROM rt.messages WHERE chat_id = -9601) + 1000000, 'a read mark never moves backwards');

-- filters
SELECT is(pg_temp.ids('{"type": "private"}'), '{9600000002}', 'type private');
SELECT is(pg_temp.ids('{"type": "group"}'), '{-9601,-1009603}', 'type group takes supergroups too');
SELECT is(pg_temp.ids('{"autoreply": true}'), '{9600000002}', 'autoreply true');
SELECT is(pg_temp.ids('{"autoreply": "false"}'), '{-9601,-1009603}', 'autoreply false (as the edge may send a string)');
SELECT is(pg_temp.ids('{"mentions": true}'), '{-9601}', 'mentions: only unacked ones');
SELECT is(pg_temp.ids('{"flagged": true}'), '{-1009603}', 'flagged');
SELECT is(pg_temp.ids('{"roundtable": true}'), '{-1009603}', 'roundtable');
SELECT is(pg_temp.ids('{"type": "group", "unread": true}'), '{-1009603}', 'filters combine');
SELECT is(pg_temp.ids('{"type": "group", "limit": 1, "cursor": null}'), '{-9601}', 'limit with a filter');
SELECT is(pg_temp.ids(jsonb_build_object('type', 'group', 'limit', 1,
          'cursor', pg_temp.page('{"type": "group", "limit": 1}') -> 'next_cursor')), '{-1009603}', 'the cursor pages a filtered list');

-- bad input
SELECT throws_ok($$SELECT rt.list_chats('{"type": "channel"}'::jsonb)$$, '22023', 'field "type" must be private or group', 'bad type');
SELECT throws_ok($$SELECT rt.list_chats('{"unread": "yes"}'::jsonb)$$, '22023', 'field "unread" must be true or false', 'bad boolean');
SELECT throws_ok($$SELECT rt.list_chats('{"sort": "title"}'::jsonb)$$, '22023', 'unknown filter field "sort"', 'unknown field');
SELECT throws_ok($$SELECT rt.mark_chat_read(-9609)$$, 'P0002', 'chat -9609 does not exist', 'unknown chat');
SELECT set_config('rt.actor', '', true) \gset _
SELECT throws_ok($$SELECT rt.mark_chat_read(-9601)$$, '22023', 'only a console admin has read marks', 'the DB door has no read mark');

-- the history's user filter, scoped to one chat
SELECT is(ARRAY(SELECT (e ->> 'id')::bigint FROM jsonb_array_elements(rt.list_users('{"chat_id": -9601}') -> 'items') e ORDER BY 1),
          '{9600000000,9600000001}', 'users of one chat only');

SELECT * FROM finish();
ROLLBACK;
