-- rt.event_messages turns an rt_events payload (a journal row, 87_journal) into WebSocket events. NOTIFY itself is delivered
-- only at commit, so its delivery and payload are checked by the integration suite, not here.
BEGIN;
SELECT plan(11);

SELECT is(rt.ingest($$[
  {"update_id": 750000000001, "message": {"message_id": 1, "date": 1700000000,
    "chat": {"id": -7501, "type": "group", "title": "Events"}, "from": {"id": 7500000001, "first_name": "Eve"}, "text": "a"}},
  {"update_id": 750000000002, "message": {"message_id": 2, "date": 1700000001,
    "chat": {"id": -7501, "type": "group", "title": "Events"}, "from": {"id": 7500000001, "first_name": "Eve"}, "text": "b"}}
]$$) -> 'stored', '2', 'two messages');
SELECT is(rt.ingest($$[{"update_id": 750000000003, "edited_message": {"message_id": 1, "date": 1700000000, "edit_date": 1700000100,
    "chat": {"id": -7501, "type": "group", "title": "Events"}, "from": {"id": 7500000001, "first_name": "Eve"}, "text": "a2"}}]$$)
          -> 'edited', '1', 'one edit');

CREATE TEMP TABLE ev AS
SELECT row_number() OVER () AS n, e
FROM rt.event_messages(jsonb_build_object('type', 'messages',
        'new', jsonb_build_array(jsonb_build_array(
            (SELECT min(id) FROM rt.messages WHERE chat_id = -7501), (SELECT max(id) FROM rt.messages WHERE chat_id = -7501))),
        'edited', jsonb_build_array((SELECT id FROM rt.messages WHERE chat_id = -7501 AND message_id = 1)),
        'chats', jsonb_build_array(-7501))) AS e;

SELECT is(ARRAY(SELECT e ->> 'type' FROM ev ORDER BY n), ARRAY['message.created', 'message.created', 'chat.updated'],
          'new messages, then chats; an id both new and edited is sent once as created');
SELECT is(ARRAY(SELECT e #>> '{data,text}' FROM ev WHERE e ->> 'type' = 'message.created' ORDER BY n), ARRAY['a2', 'b'],
          'created events carry the current message');
SELECT is((SELECT ARRAY(SELECT jsonb_object_keys(e -> 'data') ORDER BY 1) FROM ev WHERE n = 1),
          ARRAY['author_type', 'chat_id', 'created_at', 'direction', 'edit_history', 'edited_at', 'error', 'id', 'in_reply_to', 'kind',
                'labels', 'llm', 'message_id', 'moderation', 'received_at', 'reply_markup', 'round', 'sender', 'sent_at', 'session_id',
                'speaker', 'status', 'text', 'update_id', 'user_id'],
          'data is a Message');
SELECT is((SELECT e -> 'data' FROM ev WHERE e ->> 'type' = 'chat.updated'),
          jsonb_build_object('id', -7501, 'type', 'group', 'title', 'Events', 'username', NULL, 'autoreply', false,
                             'reply_on_mention', true, 'takeover_until', NULL, 'last_message_at', '2023-11-14T22:13:21+00:00', 'last_message_text', 'b',
                             'provider_id', NULL, 'session_id', NULL),
          'chat.updated data is a Chat');
SELECT is((SELECT e #> '{data,edit_history}' FROM ev WHERE e #>> '{data,message_id}' = '1'),
          '[{"text": "a", "edited_at": "2023-11-14T22:13:20+00:00"}]', 'edit history in the Message');

SELECT is(ARRAY(SELECT e ->> 'type' FROM rt.event_messages(jsonb_build_object('type', 'messages', 'new', '[]'::jsonb,
            'edited', jsonb_build_array((SELECT id FROM rt.messages WHERE chat_id = -7501 AND message_id = 1)),
            'chats', '[]'::jsonb)) e),
          ARRAY['message.updated'], 'edited ids give message.updated');
-- degraded payload: no chats list, edited as ranges
SELECT is(ARRAY(SELECT e ->> 'type' FROM rt.event_messages(jsonb_build_object('type', 'messages', 'new', '[]'::jsonb,
            'edited', jsonb_build_array(jsonb_build_array(
                (SELECT id FROM rt.messages WHERE chat_id = -7501 AND message_id = 1),
                (SELECT id FROM rt.messages WHERE chat_id = -7501 AND message_id = 2))))) e),
          ARRAY['message.updated', 'chat.updated'], 'degraded payload: edited ranges, chats derived');
SELECT throws_ok($$SELECT * FROM rt.event_messages('{"type": "other"}')$$, '22023', NULL, 'wrong payload type');
SELECT throws_ok($$SELECT * FROM rt.event_messages('{"type": "messages", "new": 5}')$$, '22023', NULL, 'new must be an array');

SELECT * FROM finish();
ROLLBACK;
