-- rt.ingest: idempotency, edits, channel posts, captions, service and unsupported updates,
-- bad updates next to good ones, and rt.reject_update for bodies that are not jsonb
BEGIN;
SELECT plan(45);

-- a text message in group chat `chat` (ids in the 71e11 range never meet real data)
CREATE FUNCTION pg_temp.msg(uid bigint, chat bigint, mid bigint, txt text, kind text DEFAULT 'message',
                            edit_date bigint DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('update_id', 710000000000 + uid, kind, jsonb_strip_nulls(jsonb_build_object(
        'message_id', mid, 'date', 1700000000 + mid, 'edit_date', edit_date,
        'chat', jsonb_build_object('id', chat, 'type', 'group', 'title', 'pgTAP ingest group'),
        'from', jsonb_build_object('id', 7100000001, 'is_bot', false, 'first_name', 'Tap', 'username', 'tap_user'),
        'text', txt)))
$$;
CREATE FUNCTION pg_temp.stored(chat bigint) RETURNS bigint LANGUAGE sql AS
$$ SELECT count(*) FROM rt.messages WHERE chat_id = chat $$;

-- idempotency: the same update_id twice, the same (chat, message) twice, in and across batches
SELECT is(rt.ingest(jsonb_build_array(pg_temp.msg(1, -7101, 1, 'one'), pg_temp.msg(1, -7101, 1, 'one'))),
          '{"stored":1,"duplicates":1,"edited":0,"rejected":0,"errors":[]}',
          'same update_id twice in one batch: one row');
SELECT is(rt.ingest(jsonb_build_array(pg_temp.msg(1, -7101, 1, 'one'))) -> 'duplicates', '1',
          'same update_id in a later batch: duplicate');
SELECT is(rt.ingest(jsonb_build_array(pg_temp.msg(2, -7101, 1, 'one'), pg_temp.msg(3, -7101, 1, 'one'))) -> 'duplicates', '2',
          'same (chat_id, message_id) under new update_ids: duplicates');
SELECT is(pg_temp.stored(-7101), 1::bigint, 'one message row for chat -7101');
SELECT is((SELECT count(*) FROM rt.update_keys WHERE update_id BETWEEN 710000000001 AND 710000000003), 3::bigint,
          'every new update_id is remembered');
SELECT is((SELECT jsonb_build_object('type', type, 'title', title) FROM rt.chats WHERE id = -7101),
          '{"type":"group","title":"pgTAP ingest group"}', 'chat upserted');
SELECT is((SELECT username FROM rt.users WHERE id = 7100000001), 'tap_user', 'sender upserted');

-- edits keep the previous text
SELECT is(rt.ingest(jsonb_build_array(pg_temp.msg(10, -7101, 1, 'one, edited', 'edited_message', 1700009000))) -> 'edited', '1',
          'edit of a known message counts as edited');
SELECT is((SELECT text FROM rt.messages WHERE chat_id = -7101 AND message_id = 1), 'one, edited', 'text replaced');
SELECT is((SELECT edited_at FROM rt.messages WHERE chat_id = -7101 AND message_id = 1), to_timestamp(1700009000),
          'edited_at is the edit_date');
SELECT is((SELECT edit_history -> 0 ->> 'text' FROM rt.messages WHERE chat_id = -7101 AND message_id = 1), 'one',
          'previous text kept in edit_history');
SELECT is((SELECT (edit_history -> 0 ->> 'edited_at')::timestamptz FROM rt.messages WHERE chat_id = -7101 AND message_id = 1),
          to_timestamp(1700000001), 'previous version dated by its creation');
SELECT is(rt.ingest(jsonb_build_array(pg_temp.msg(11, -7101, 1, 'one, edited', 'edited_message', 1700009000))) -> 'duplicates', '1',
          'the same edit again is a duplicate');
SELECT is(rt.ingest(jsonb_build_array(pg_temp.msg(12, -7101, 1, 'one, again', 'edited_message', 1700009100))) -> 'edited', '1',
          'a second edit');
SELECT is((SELECT jsonb_array_length(edit_history) FROM rt.messages WHERE chat_id = -7101 AND message_id = 1), 2,
          'two previous versions');
SELECT is(rt.ingest(jsonb_build_array(pg_temp.msg(13, -7101, 50, 'edited first', 'edited_message', 1700009200))) -> 'stored', '1',
          'edit of an unknown message is stored as a new row');
SELECT is((SELECT edited_at IS NOT NULL AND edit_history = '[]' FROM rt.messages WHERE chat_id = -7101 AND message_id = 50), true,
          'that row is marked edited with an empty history');

-- channel posts
SELECT is(rt.ingest($$[{"update_id": 710000000020, "channel_post": {"message_id": 1, "date": 1700000000,
    "chat": {"id": -7102, "type": "channel", "title": "pgTAP channel", "username": "tapchan"},
    "sender_chat": {"id": -7102, "type": "channel"}, "text": "post"}},
  {"update_id": 710000000021, "edited_channel_post": {"message_id": 1, "date": 1700000000, "edit_date": 1700000100,
    "chat": {"id": -7102, "type": "channel", "title": "pgTAP channel"}, "text": "post, edited"}}]$$),
  '{"stored":1,"duplicates":0,"edited":1,"rejected":0,"errors":[]}', 'channel post and its edit');
SELECT is((SELECT jsonb_build_object('text', text, 'user_id', user_id, 'kind', kind) FROM rt.messages WHERE chat_id = -7102),
          '{"text":"post, edited","user_id":null,"kind":"text"}', 'channel post stored without a user');

-- captions, service messages, media without caption
SELECT is(rt.ingest($$[
  {"update_id": 710000000030, "message": {"message_id": 1, "date": 1700000000, "chat": {"id": -7103, "type": "supergroup", "title": "S"},
    "from": {"id": 7100000002, "first_name": "Alice"}, "photo": [{"file_id": "p"}], "caption": "look"}},
  {"update_id": 710000000031, "message": {"message_id": 2, "date": 1700000001, "chat": {"id": -7103, "type": "supergroup", "title": "S"},
    "from": {"id": 7100000002, "first_name": "Alice"}, "new_chat_members": [{"id": 7100000002, "first_name": "Alice"}]}},
  {"update_id": 710000000032, "message": {"message_id": 3, "date": 1700000002, "chat": {"id": -7103, "type": "supergroup", "title": "S"},
    "from": {"id": 7100000003, "first_name": "Bob", "last_name": "B"}, "left_chat_member": {"id": 7100000003, "first_name": "Bob", "last_name": "B"}}},
  {"update_id": 710000000033, "message": {"message_id": 4, "date": 1700000003, "chat": {"id": -7103, "type": "supergroup", "title": "S2"},
    "from": {"id": 7100000002, "first_name": "Alice"}, "new_chat_title": "S2"}},
  {"update_id": 710000000034, "message": {"message_id": 5, "date": 1700000004, "chat": {"id": -7103, "type": "supergroup", "title": "S2"},
    "from": {"id": 7100000002, "first_name": "Alice"}, "pinned_message": {"message_id": 1, "date": 1700000000,
    "chat": {"id": -7103, "type": "supergroup"}, "caption": "look"}}},
  {"update_id": 710000000035, "message": {"message_id": 6, "date": 1700000005, "chat": {"id": -7103, "type": "supergroup", "title": "S2"},
    "from": {"id": 7100000002, "first_name": "Alice"}, "group_chat_created": true}},
  {"update_id": 710000000036, "message": {"message_id": 7, "date": 1700000006, "chat": {"id": -7103, "type": "supergroup", "title": "S2"},
    "from": {"id": 7100000002, "first_name": "Alice"}, "sticker": {"file_id": "s"}}}
]$$) -> 'stored', '7', 'caption, service and media messages stored');
SELECT is(ARRAY(SELECT kind || ': ' || text FROM rt.messages WHERE chat_id = -7103 ORDER BY message_id),
          ARRAY['caption: look', 'service: joined: Alice', 'service: left: Bob B', 'service: title changed: S2',
                'service: pinned: look', 'service: group created', 'unsupported: [sticker]'],
          'kinds and texts');
SELECT is((SELECT title FROM rt.chats WHERE id = -7103), 'S2', 'new chat title applied to the chat');
SELECT is((SELECT count(*) FROM rt.messages WHERE chat_id = -7103 AND kind = 'service' AND author_type = 'system'), 5::bigint,
          'service messages are authored by system');

-- unsupported update types are recorded, not stored, and never fail
SELECT is(rt.ingest($$[{"update_id": 710000000040, "callback_query": {"id": "1", "data": "x"}},
                       {"update_id": 710000000041, "my_chat_member": {"chat": {"id": -7104, "type": "group"}}}]$$),
          '{"stored":0,"duplicates":0,"edited":0,"rejected":2,"errors":[
             {"index":0,"update_id":710000000040,"error":"unsupported update type: callback_query"},
             {"index":1,"update_id":710000000041,"error":"unsupported update type: my_chat_member"}]}',
          'unsupported update types reported');
SELECT is((SELECT count(*) FROM rt.ingest_rejects WHERE update_id IN (710000000040, 710000000041)
             AND error LIKE 'unsupported update type: %'), 2::bigint, 'and kept in rt.ingest_rejects');
SELECT is(rt.ingest($$[{"update_id": 710000000040, "callback_query": {"id": "1", "data": "x"}}]$$) -> 'duplicates', '1',
          'an unsupported update redelivered is a duplicate');

-- bad updates: clear errors naming the field, and the good ones of the same batch are stored
SELECT is(rt.ingest(jsonb_build_array(
    pg_temp.msg(50, -7105, 1, 'good before'),
    '{"message": {"message_id": 2, "date": 1700000000, "chat": {"id": -7105, "type": "group"}, "text": "x"}}'::jsonb,
    '{"update_id": 710000000052, "message": {"message_id": 3, "date": 1700000000, "chat": "x", "text": "x"}}'::jsonb,
    '{"update_id": 710000000053, "message": {"message_id": 4, "date": 1700000000, "chat": {"type": "group"}, "text": "x"}}'::jsonb,
    '{"update_id": 710000000054, "message": {"message_id": "4", "date": 1700000000, "chat": {"id": -7105, "type": "group"}, "text": "x"}}'::jsonb,
    '{"update_id": "55", "message": {}}'::jsonb,
    jsonb_set(pg_temp.msg(56, -7105, 6, 'x'), '{message,text}', to_jsonb(repeat('x', 65537))),
    '[1, 2]'::jsonb,
    pg_temp.msg(58, -7105, 8, 'good after'))) - 'errors',
  '{"stored":2,"duplicates":0,"edited":0,"rejected":7}', 'bad updates rejected, good ones stored');
SELECT is(ARRAY(SELECT text FROM rt.messages WHERE chat_id = -7105 ORDER BY message_id), ARRAY['good before', 'good after'],
          'the good updates of the batch are stored');
SELECT is(ARRAY(SELECT error FROM rt.ingest_rejects
                WHERE update_id BETWEEN 710000000050 AND 710000000058 OR (update_id IS NULL AND raw LIKE '%-7105%')
                ORDER BY id),
          ARRAY['update at index 1: field "update_id" is required',
                'update 710000000052: field "message.chat" must be an object',
                'update 710000000053: field "message.chat.id" is required',
                'update 710000000054: field "message.message_id" must be an integer',
                'update 710000000056: field "message.text" is longer than 65536 bytes'],
          'errors name the field');
SELECT is((SELECT array_agg(e ->> 'error' ORDER BY (e ->> 'index')::int) FROM jsonb_array_elements(
             rt.ingest('[{"update_id": "55", "message": {}}, [1, 2], 7]') -> 'errors') e),
          ARRAY['update at index 0: field "update_id" must be an integer',
                'update at index 1: update must be a json object',
                'update at index 2: update must be a json object'],
          'wrong element types named');
SELECT is((SELECT e FROM jsonb_array_elements(rt.ingest(jsonb_build_array(
              '{"update_id": 710000000060, "message": {"message_id": 1, "date": 1700000000, "chat": {"id": -7105, "type": "group"}, "from": {"id": "x"}}}'::jsonb)) -> 'errors') e),
          '{"index":0,"update_id":710000000060,"error":"update 710000000060: field \"message.from.id\" must be an integer"}',
          'errors entry carries index and update_id');
SELECT is((SELECT sqlstate FROM rt.ingest_rejects WHERE update_id = 710000000056), '22001',
          'huge text rejected with 22001');
SET LOCAL roundtable.max_text_bytes = 4;
SELECT is(rt.ingest(jsonb_build_array(pg_temp.msg(61, -7105, 61, 'hello'))) #>> '{errors,0,error}',
          'update 710000000061: field "message.text" is longer than 4 bytes', 'roundtable.max_text_bytes applies');
RESET roundtable.max_text_bytes;

-- the argument must be an array
SELECT throws_ok($$SELECT rt.ingest('{"update_id": 1}')$$, '22023', 'updates must be a json array', 'object argument');
SELECT throws_ok($$SELECT rt.ingest('"x"')$$, '22023', 'updates must be a json array', 'scalar argument');
SELECT throws_ok($$SELECT rt.ingest(NULL)$$, '22023', 'updates must be a json array', 'null argument');
SELECT is(rt.ingest('[]'), '{"stored":0,"duplicates":0,"edited":0,"rejected":0,"errors":[]}', 'empty batch');

-- chats remember their newest message
SELECT is((SELECT m.text FROM rt.chats c JOIN rt.messages m ON m.id = c.last_message_id WHERE c.id = -7105), 'good after',
          'chat.last_message_id points at the newest message');

-- bodies PostgreSQL cannot turn into jsonb: the edge stores them with rt.reject_update
SELECT throws_ok($$SELECT '{"update_id": 1, "message": {"text": "\u0000"}}'::jsonb$$, '22P05', NULL,
                 '\u0000 fails the jsonb cast');
SELECT throws_ok($$SELECT '{"update_id": 1, "message": {"text": "\ud800"}}'::jsonb$$, '22P02', NULL,
                 'a lone surrogate fails the jsonb cast');
SELECT throws_ok($$SELECT convert_from('\x7b22e2'::bytea, 'UTF8')::jsonb$$, '22021', NULL,
                 'invalid UTF-8 fails before jsonb');
SELECT ok(rt.reject_update('{"update_id": 710000000070, "message": {"text": "\u0000"}}',
                           'unsupported Unicode escape sequence') > 0, 'reject_update returns the reject id');
SELECT is((SELECT jsonb_build_object('raw', raw, 'error', error) FROM rt.ingest_rejects WHERE update_id = 710000000070),
          jsonb_build_object('raw', '{"update_id": 710000000070, "message": {"text": "\u0000"}}',
                             'error', 'unsupported Unicode escape sequence'),
          'reject_update keeps the raw text and names the update_id it could find');
SELECT ok(rt.reject_update('not json at all {', 'invalid input syntax for type json') > 0, 'text that is not JSON is kept');
SELECT throws_ok($$SELECT rt.reject_update('x', '')$$, '22023', 'error must not be empty', 'reject_update needs an error');

SELECT * FROM finish();
ROLLBACK;
