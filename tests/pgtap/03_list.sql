-- rt.list_messages (every filter, keyset pagination, after_id backfill, bad filters) and
-- rt.list_chats (search, pagination, bad cursor)
BEGIN;
SELECT plan(47);

SELECT is(rt.ingest((SELECT jsonb_agg(jsonb_build_object('update_id', 720000000000 + g,
    'message', jsonb_build_object('message_id', g, 'date', 1700000000 + g * 3600,
        'chat', jsonb_build_object('id', -7201, 'type', 'group', 'title', 'Zq9tap Alpha'),
        'from', jsonb_build_object('id', 7200000000 + g % 2, 'first_name', 'U' || g % 2),
        'text', CASE WHEN g IN (2, 4) THEN 'Needle zq9' ELSE 'hay ' || g END)) ORDER BY g)
    FROM generate_series(1, 5) g)) -> 'stored', '5', 'five messages in chat -7201');
SELECT is(rt.ingest($$[{"update_id": 720000000100, "message": {"message_id": 1, "date": 1700000000,
    "chat": {"id": -7202, "type": "group", "title": "zq9TAP Beta"}, "text": "other chat"}}]$$) -> 'stored', '1',
    'one message in chat -7202');

CREATE TEMP TABLE ids AS SELECT message_id AS n, id FROM rt.messages WHERE chat_id = -7201;
CREATE FUNCTION pg_temp.id(n int) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM ids WHERE ids.n = $1 $$;
CREATE FUNCTION pg_temp.mids(page jsonb) RETURNS bigint[] LANGUAGE sql AS
$$ SELECT ARRAY(SELECT (e ->> 'message_id')::bigint FROM jsonb_array_elements(page -> 'items') e) $$;

-- filters
SELECT is(pg_temp.mids(rt.list_messages('{"chat_id": -7201}')), '{5,4,3,2,1}', 'chat_id: newest first');
SELECT is(pg_temp.mids(rt.list_messages('{"chat_id": "-7201"}')), '{5,4,3,2,1}', 'chat_id as a digit string');
SELECT is(pg_temp.mids(rt.list_messages('{"chat_id": -7201, "user_id": 7200000001}')), '{5,3,1}', 'user_id');
SELECT is(pg_temp.mids(rt.list_messages('{"user_id": 7200000000}')), '{4,2}', 'user_id alone');
SELECT is(pg_temp.mids(rt.list_messages(jsonb_build_object('chat_id', -7201,
          'from', to_char(to_timestamp(1700000000 + 2 * 3600) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))),
          '{5,4,3,2}', 'from is inclusive');
SELECT is(pg_temp.mids(rt.list_messages(jsonb_build_object('chat_id', -7201,
          'to', to_char(to_timestamp(1700000000 + 2 * 3600) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))),
          '{1}', 'to is exclusive');
SELECT is(pg_temp.mids(rt.list_messages(jsonb_build_object('chat_id', -7201,
          'from', to_char(to_timestamp(1700000000 + 2 * 3600) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS+00:00'),
          'to', to_char(to_timestamp(1700000000 + 4 * 3600) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS+00:00')))),
          '{3,2}', 'from and to with an offset');
SELECT is(pg_temp.mids(rt.list_messages('{"q": "NEEDLE ZQ9"}')), '{4,2}', 'q is a case-insensitive substring');
SELECT is(pg_temp.mids(rt.list_messages('{"q": "zq9%"}')), '{}', 'q treats % literally');
SELECT is(pg_temp.mids(rt.list_messages('{"chat_id": -7201, "q": ""}')), '{5,4,3,2,1}', 'empty q matches everything');
SELECT is(pg_temp.mids(rt.list_messages('{"chat_id": -7201, "limit": 2}')), '{5,4}', 'limit');
SELECT is(jsonb_array_length(rt.list_messages('{"chat_id": -7201, "limit": 500}') -> 'items'), 5, 'limit 500 is allowed');
SELECT is(rt.list_messages('{"chat_id": -7201}') -> 'next_cursor', 'null', 'no next_cursor on the last page');
SELECT is(pg_temp.mids(rt.list_messages('{"chat_id": -7201, "user_id": 7200000001, "q": "hay 3"}')), '{3}',
          'filters combine');

-- keyset pagination, newest first
CREATE TEMP TABLE p1 AS SELECT rt.list_messages('{"chat_id": -7201, "limit": 2}') AS page;
SELECT is(jsonb_typeof((SELECT page -> 'next_cursor' FROM p1)), 'string', 'first page has a cursor');
SELECT ok((SELECT page ->> 'next_cursor' FROM p1) ~ '^[A-Za-z0-9_-]+$', 'cursor is base64url');
CREATE TEMP TABLE p2 AS SELECT rt.list_messages(jsonb_build_object('chat_id', -7201, 'limit', 2,
                                                 'cursor', (SELECT page -> 'next_cursor' FROM p1))) AS page;
SELECT is(pg_temp.mids((SELECT page FROM p2)), '{3,2}', 'second page');
SELECT is(pg_temp.mids(rt.list_messages(jsonb_build_object('chat_id', -7201, 'limit', 2,
                                          'cursor', (SELECT page -> 'next_cursor' FROM p2)))), '{1}', 'last page');

-- after_id backfill: ascending from the id after, cursor pages forward
SELECT is(pg_temp.mids(rt.list_messages(jsonb_build_object('chat_id', -7201, 'after_id', pg_temp.id(2)))), '{3,4,5}',
          'after_id: ascending, strictly after');
CREATE TEMP TABLE b1 AS SELECT rt.list_messages(jsonb_build_object('chat_id', -7201, 'after_id', 0, 'limit', 3)) AS page;
SELECT is(pg_temp.mids((SELECT page FROM b1)), '{1,2,3}', 'after_id 0 starts at the oldest');
SELECT is(pg_temp.mids(rt.list_messages(jsonb_build_object('chat_id', -7201, 'limit', 3,
                                          'cursor', (SELECT page -> 'next_cursor' FROM b1)))), '{4,5}',
          'after_id cursor pages forward');

-- the Message shape
SELECT is((SELECT ARRAY(SELECT jsonb_object_keys(rt.list_messages('{"chat_id": -7201, "limit": 1}') #> '{items,0}') ORDER BY 1)),
          ARRAY['author_type', 'chat_id', 'created_at', 'direction', 'edit_history', 'edited_at', 'error', 'id', 'in_reply_to', 'kind',
                'labels', 'llm', 'message_id', 'moderation', 'received_at', 'reply_markup', 'round', 'sender', 'sent_at', 'session_id',
                'speaker', 'status', 'text', 'update_id', 'user_id'],
          'Message has exactly the OpenAPI fields (0.5.0: session_id, speaker, round, reply_markup)');
SELECT is((rt.list_messages('{"chat_id": -7201, "limit": 1}') #> '{items,0}') - 'id'::text - 'received_at'::text,
          jsonb_build_object('chat_id', -7201, 'message_id', 5, 'user_id', 7200000001, 'update_id', 720000000005,
                             'direction', 'in', 'author_type', 'user', 'kind', 'text', 'text', 'hay 5',
                             'sender', jsonb_build_object('id', 7200000001, 'username', NULL, 'first_name', 'U1', 'last_name', NULL),
                             'created_at', '2023-11-15T03:13:20+00:00', 'edited_at', NULL, 'edit_history', '[]'::jsonb,
                             'status', NULL, 'labels', '[]'::jsonb, 'moderation', NULL,
                             'llm', NULL, 'error', NULL, 'sent_at', NULL, 'in_reply_to', NULL,
                             'session_id', NULL, 'speaker', NULL, 'round', NULL, 'reply_markup', NULL),
          'Message values, timestamps in ISO 8601 UTC');

-- bad filters name the field
SELECT throws_ok($$SELECT rt.list_messages('{"chat": 1}')$$, '22023', 'unknown filter field "chat"', 'unknown key');
SELECT throws_ok($$SELECT rt.list_messages('{"chat_id": "abc"}')$$, '22023', 'filter field "chat_id" must be an integer', 'chat_id not an integer');
SELECT throws_ok($$SELECT rt.list_messages('{"user_id": 1.5}')$$, '22023', 'filter field "user_id" must be an integer', 'user_id fractional');
SELECT throws_ok($$SELECT rt.list_messages('{"after_id": true}')$$, '22023', 'filter field "after_id" must be an integer', 'after_id boolean');
SELECT throws_ok($$SELECT rt.list_messages('{"from": "yesterday"}')$$, '22023', 'filter field "from" must be an ISO 8601 timestamp', 'from not ISO');
SELECT throws_ok($$SELECT rt.list_messages('{"to": "2024-13-45T00:00:00Z"}')$$, '22023', 'filter field "to" must be an ISO 8601 timestamp', 'to out of range');
SELECT throws_ok($$SELECT rt.list_messages('{"q": 5}')$$, '22023', 'filter field "q" must be a string', 'q not a string');
SELECT throws_ok($$SELECT rt.list_messages('{"limit": 0}')$$, '22023', 'filter field "limit" must be between 1 and 500', 'limit 0');
SELECT throws_ok($$SELECT rt.list_messages('{"limit": 501}')$$, '22023', 'filter field "limit" must be between 1 and 500', 'limit 501');
SELECT throws_ok($$SELECT rt.list_messages('{"cursor": "!!"}')$$, '22023', 'invalid cursor', 'cursor not base64url');
SELECT throws_ok($$SELECT rt.list_messages(jsonb_build_object('cursor', rt._cursor_encode('c:n:5')))$$, '22023', 'invalid cursor',
                 'a chats cursor is not a messages cursor');
SELECT throws_ok($$SELECT rt.list_messages('[1]')$$, '22023', 'filter must be a json object', 'filter must be an object');

-- list_chats: search and pagination
SELECT is(ARRAY(SELECT e ->> 'id' FROM jsonb_array_elements(rt.list_chats('ZQ9TAP', NULL, 50) -> 'items') e),
          '{-7201,-7202}', 'search by title, case-insensitive, most recently active first');
SELECT is(rt.list_chats('zq9tap beta', NULL, 1) #> '{items,0}',
          jsonb_build_object('id', -7202, 'type', 'group', 'title', 'zq9TAP Beta', 'username', NULL, 'autoreply', false,
                             'reply_on_mention', true, 'takeover_until', NULL, 'last_message_at', '2023-11-14T22:13:20+00:00',
                             'last_message_text', 'other chat', 'provider_id', NULL, 'session_id', NULL,
                             'unread_count', 1, 'mention_count', 0, 'flagged_count', 0), 'Chat shape and values');
CREATE TEMP TABLE c1 AS SELECT rt.list_chats('zq9tap', NULL, 1) AS page;
SELECT is(ARRAY(SELECT e ->> 'id' FROM jsonb_array_elements((SELECT page FROM c1) -> 'items') e), '{-7201}', 'first page of chats');
SELECT is(ARRAY(SELECT e ->> 'id' FROM jsonb_array_elements(rt.list_chats('zq9tap', (SELECT page ->> 'next_cursor' FROM c1), 1) -> 'items') e),
          '{-7202}', 'second page of chats');
SELECT is(rt.list_chats('zq9tap', (SELECT page ->> 'next_cursor' FROM c1), 1) -> 'next_cursor', 'null', 'no cursor after the last chat');
SELECT is(jsonb_array_length(rt.list_chats('no such chat zq9', NULL, 10) -> 'items'), 0, 'no match, empty items');
SELECT throws_ok($$SELECT rt.list_chats(NULL, 'bm90IGEgY3Vyc29y', 10)$$, '22023', 'invalid cursor', 'bad chats cursor');
SELECT throws_ok($$SELECT rt.list_chats(NULL, NULL, 0)$$, '22023', 'field "limit" must be between 1 and 200', 'lim 0');
SELECT throws_ok($$SELECT rt.list_chats(NULL, NULL, 201)$$, '22023', 'field "limit" must be between 1 and 200', 'lim 201');
SELECT throws_ok($$SELECT rt.list_chats(repeat('x', 201), NULL, 10)$$, '22023', 'field "q" must be at most 200 characters', 'long q');

SELECT * FROM finish();
ROLLBACK;
