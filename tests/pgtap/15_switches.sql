-- chat switches, takeover/resume, users and mute, manual send (message + outbox + takeover), roles
BEGIN;
SELECT plan(56);

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text;
    col text;
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, col = COLUMN_NAME;
    RETURN st || coalesce(':' || nullif(col, ''), '');
END
$$;
CREATE FUNCTION pg_temp.keys(j jsonb) RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(j) k
$$;
CREATE TEMP TABLE t15_admins AS
WITH a AS (
    INSERT INTO rt.admins (login, password_hash, role)
    SELECT 't15_' || r, 'x', r FROM unnest(ARRAY['owner', 'admin', 'moderator', 'viewer']) r
    RETURNING id, role)
SELECT * FROM a;
CREATE FUNCTION pg_temp.act(r text) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce((SELECT 'admin:' || id FROM t15_admins WHERE role = r), ''), true)
$$;
CREATE FUNCTION pg_temp.actor(r text) RETURNS text LANGUAGE sql AS $$
    SELECT 'admin:' || id FROM t15_admins WHERE role = r
$$;

DELETE FROM rt.settings WHERE key = 'takeover.minutes';
INSERT INTO rt.users (id, first_name, last_name, username, first_seen_at, last_seen_at) VALUES
    (10000000101, 'Ада', 'Лавлейс', 't15_ada', '2020-01-01Z', '2031-01-02Z'),
    (10000000102, 'Charles', 'Babbage', 't15_charles', '2020-01-01Z', '2031-01-01Z');
INSERT INTO rt.chats (id, type, title) VALUES
    (10000000001, 'private', 'Ада'),
    (10000000002, 'supergroup', 't15 Engines');

-- ---------------------------------------------------------------------------
-- Chat switches
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('admin');
SELECT is(pg_temp.keys(rt.update_chat(10000000001, '{"autoreply": true}')),
          ARRAY['autoreply', 'id', 'last_message_at', 'last_message_text', 'provider_id', 'reply_on_mention', 'session_id', 'takeover_until', 'title', 'type', 'username'],
          'update_chat returns the Chat (with takeover_until)');
SELECT ok((SELECT autoreply AND reply_on_mention FROM rt.chats WHERE id = 10000000001), 'autoreply switched on, reply_on_mention untouched');
SELECT is((rt.update_chat(10000000002, '{"reply_on_mention": false, "autoreply": true}'))->'reply_on_mention', 'false',
          'reply_on_mention switched off');
SELECT is(pg_temp.err(format('SELECT rt.update_chat(10000000001, %L)', b)), want, 'update_chat refuses ' || b)
FROM (VALUES ('{"autoreply": "yes"}', '22023:autoreply'), ('{"autoreply": null}', '22023:autoreply'),
             ('{"mute": true}', '22023:mute'), ('[]', '22023')) v (b, want);
SELECT is(pg_temp.err('SELECT rt.update_chat(-5, ''{"autoreply": true}'')'), 'P0002:chat_id', 'update_chat of an unknown chat: P0002');
SELECT ok((SELECT count(*) = 1 FROM rt.audit_log WHERE target = 'chat:10000000001' AND action = 'chat.update'
           AND actor = pg_temp.actor('admin') AND after = '{"autoreply": true}'), 'a switch change is audited');

-- takeover and resume
SELECT pg_temp.act('moderator');
SELECT is(((rt.takeover_chat(10000000001, '{"minutes": 10}'))->>'takeover_until')::timestamptz,
          now() + interval '10 minutes', 'takeover for 10 minutes');
SELECT is((SELECT takeover_by FROM rt.chats WHERE id = 10000000001), pg_temp.actor('moderator'), 'takeover_by is the acting admin');
SELECT is(((rt.takeover_chat(10000000002))->>'takeover_until')::timestamptz, now() + interval '30 minutes',
          'without minutes: takeover.minutes (default 30)');
INSERT INTO rt.settings (key, value) VALUES ('takeover.minutes', '45');
SELECT is(((rt.takeover_chat(10000000002, '{}'))->>'takeover_until')::timestamptz, now() + interval '45 minutes',
          'the takeover.minutes setting is honoured');
SELECT is(pg_temp.err(format('SELECT rt.takeover_chat(10000000001, %L)', b)), '22023:minutes', 'takeover refuses ' || b)
FROM unnest(ARRAY['{"minutes": 0}', '{"minutes": 10081}', '{"minutes": "ten"}']) b;
SELECT is(pg_temp.err('SELECT rt.takeover_chat(-5)'), 'P0002:chat_id', 'takeover of an unknown chat: P0002');
SELECT is((rt.resume_chat(10000000001))->'takeover_until', 'null', 'resume ends the takeover');
SELECT ok((SELECT takeover_until IS NULL AND takeover_by IS NULL FROM rt.chats WHERE id = 10000000001), 'resume clears takeover_until and takeover_by');
SELECT is(pg_temp.err('SELECT rt.resume_chat(-5)'), 'P0002:chat_id', 'resume of an unknown chat: P0002');

-- ---------------------------------------------------------------------------
-- Users
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('viewer');
SELECT is((rt.list_users('{"q": "t15_"}'))->'items'->0,
          '{"id": 10000000101, "username": "t15_ada", "first_name": "Ада", "last_name": "Лавлейс", "is_bot": false, "muted": false, "first_seen_at": "2020-01-01T00:00:00+00:00", "last_seen_at": "2031-01-02T00:00:00+00:00"}',
          'User JSON: id, username, first_name, last_name, is_bot, muted, first_seen_at, last_seen_at; most recently seen first');
SELECT is(jsonb_array_length((rt.list_users('{"q": "лавлейс"}'))->'items'), 1, 'list_users searches names case-insensitively');
SELECT is((rt.list_users(jsonb_build_object('q', 't15_', 'limit', 1, 'cursor',
              (rt.list_users('{"q": "t15_", "limit": 1}'))->>'next_cursor')))->'items'->0->>'username',
          't15_charles', 'list_users pages with a cursor');
SELECT is(pg_temp.err(format('SELECT rt.list_users(%L)', b)), want, 'list_users refuses ' || b)
FROM (VALUES ('{"limit": 500}', '22023:limit'), ('{"cursor": "@@"}', '22023:cursor'), ('{"sort": 1}', '22023:sort')) v (b, want);

SELECT pg_temp.act('admin');
SELECT is((rt.update_user(10000000102, '{"muted": true}'))->'muted', 'true', 'update_user mutes');
SELECT ok((SELECT muted FROM rt.users WHERE id = 10000000102), 'the mute is stored');
SELECT is(pg_temp.err('SELECT rt.update_user(10000000102, ''{"muted": 1}'')'), '22023:muted', 'muted must be a boolean');
SELECT is(pg_temp.err('SELECT rt.update_user(-7, ''{"muted": true}'')'), 'P0002:id', 'update_user of an unknown user: P0002');

-- ---------------------------------------------------------------------------
-- Manual send
-- ---------------------------------------------------------------------------
DELETE FROM rt.settings WHERE key = 'takeover.minutes';
SELECT pg_temp.act('moderator');
CREATE TEMP TABLE t15m AS SELECT rt.send_message('{"chat_id": 10000000002, "text": "Hello from a human", "reply_to_message_id": 77}') AS m;
SELECT ok((SELECT m->>'direction' = 'out' AND m->>'author_type' = 'admin' AND m->>'status' = 'queued'
                  AND m->'message_id' = 'null' AND m->>'text' = 'Hello from a human' AND m->>'chat_id' = '10000000002' FROM t15m),
          'send_message returns an out Message, author admin, status queued, no Telegram id yet');
SELECT is((SELECT payload FROM rt.outbox WHERE kind = 'telegram.send' AND payload->>'message_pk' = (SELECT m->>'id' FROM t15m)),
          jsonb_build_object('chat_id', 10000000002, 'text', 'Hello from a human', 'reply_to_message_id', 77,
                             'message_pk', (SELECT (m->>'id')::bigint FROM t15m), 'as', 'admin'),
          'an outbox telegram.send job {chat_id, text, reply_to_message_id, message_pk, as}');
SELECT is((SELECT takeover_until FROM rt.chats WHERE id = 10000000002), now() + interval '45 minutes',
          'an earlier, longer takeover is not shortened');
SELECT ok((SELECT last_message_id = (SELECT (m->>'id')::bigint FROM t15m) FROM rt.chats WHERE id = 10000000002),
          'the chat''s last message is the queued one');
SELECT is((SELECT actor || ' ' || action FROM rt.audit_log WHERE target = 'message:' || (SELECT m->>'id' FROM t15m)),
          pg_temp.actor('moderator') || ' message.send', 'the send is audited');
SELECT is((rt.send_message('{"chat_id": 10000000001, "text": "Beep", "as": "bot"}'))->>'author_type', 'bot', 'as bot');
SELECT is((SELECT takeover_until FROM rt.chats WHERE id = 10000000001), now() + interval '30 minutes',
          'a manual send pauses auto-reply for takeover.minutes');
SELECT is((SELECT count(*) FROM rt.messages WHERE chat_id IN (10000000001, 10000000002) AND direction = 'out' AND status = 'queued'),
          2::bigint, 'both sends are stored');
SELECT is(pg_temp.err(format('SELECT rt.send_message(%L)', b)), want, 'send_message refuses ' || left(b, 60))
FROM (VALUES ('{"chat_id": 10000000001, "text": ""}', '22023:text'),
             ('{"chat_id": 10000000001, "text": "   "}', '22023:text'),
             ('{"chat_id": 10000000001, "text": 5}', '22023:text'),
             (jsonb_build_object('chat_id', 10000000001, 'text', repeat('я', 4097))::text, '22023:text'),
             ('{"text": "x"}', '22023:chat_id'),
             ('{"chat_id": 10000000001, "text": "x", "as": "user"}', '22023:as'),
             ('{"chat_id": 10000000001, "text": "x", "reply_to_message_id": "x"}', '22023:reply_to_message_id'),
             ('{"chat_id": 10000000001, "text": "x", "silent": true}', '22023:silent'),
             ('{"chat_id": -5, "text": "x"}', 'P0002:chat_id')) v (b, want);
SELECT is(pg_temp.err(format('SELECT rt.send_message(%L)', jsonb_build_object('chat_id', 10000000001, 'text', repeat('я', 4096)))),
          'ok', '4096 characters are fine');

-- ---------------------------------------------------------------------------
-- Roles
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('viewer');
SELECT is(pg_temp.err(q), '42501', 'viewer may not ' || q)
FROM unnest(ARRAY['SELECT rt.update_chat(10000000001, ''{"autoreply": false}'')',
                  'SELECT rt.takeover_chat(10000000001)',
                  'SELECT rt.resume_chat(10000000001)',
                  'SELECT rt.update_user(10000000101, ''{"muted": true}'')',
                  'SELECT rt.send_message(''{"chat_id": 10000000001, "text": "x"}'')']) q;
SELECT pg_temp.act('moderator');
SELECT is(pg_temp.err(q), '42501', 'moderator may not ' || q)
FROM unnest(ARRAY['SELECT rt.update_chat(10000000001, ''{"autoreply": false}'')',
                  'SELECT rt.update_user(10000000101, ''{"muted": true}'')']) q;
SELECT pg_temp.act('owner');
SELECT is(pg_temp.err('SELECT rt.update_chat(10000000001, ''{"autoreply": false}'')'), 'ok', 'owners may change switches');

SELECT * FROM finish();
ROLLBACK;
