-- 0.5.0 part 60 and 62: rt.usage_report (tokens and cost of replies, turns and drafts grouped by
-- day, provider, chat, user and session; filters checked), rt.reorder_providers (every provider
-- once, positions 0..n in one transaction, audit; missing/repeated/unknown ids refused) and
-- rt.provider_test_target (admin only, what the edge needs, unknown -> P0002); part 63: a Job
-- carries its payload.
-- Chats 98xxxxxx, users 98xxxxxx, logins t98_*; everything rolls back.
BEGIN;
SELECT plan(35);

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
CREATE TEMP TABLE t98_admins AS
WITH a AS (
    INSERT INTO rt.admins (login, password_hash, role)
    SELECT 't98_' || r, 'x', r FROM unnest(ARRAY['owner', 'admin', 'viewer']) r
    RETURNING id, role)
SELECT * FROM a;
CREATE FUNCTION pg_temp.act(r text) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce((SELECT 'admin:' || id FROM t98_admins WHERE role = r), ''), true)
$$;
CREATE FUNCTION pg_temp.usage(g text, extra text DEFAULT '') RETURNS jsonb LANGUAGE sql AS $$
    SELECT rt.usage_report(format('{"group_by": "%s", "from": "2030-01-01T00:00:00Z", "to": "2030-01-04T00:00:00Z"%s}', g, extra)::jsonb)
$$;

-- a known world: our providers only, one group with two users, a private chat, a session
DELETE FROM rt.providers;
INSERT INTO rt.providers (name, type, base_url, model_id, enabled, position)
VALUES ('t98 A', 'openai', 'https://a.example/v1', 'gpt-a', true, 0),
       ('t98 B', 'anthropic', 'https://b.example/v1', 'claude-b', true, 1),
       ('t98 C', 'demo', NULL, 'demo', false, 2);
CREATE TEMP TABLE t98p AS SELECT name, id FROM rt.providers;
CREATE FUNCTION pg_temp.p(n text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM t98p WHERE name = 't98 ' || n $$;
INSERT INTO rt.users (id, first_name, last_name, username) VALUES
    (98000001, 'Ann', 'Lee', 'ann'), (98000002, NULL, NULL, 'bob');
INSERT INTO rt.chats (id, type, title) VALUES (-98000001, 'group', 't98 group'), (98000001, 'private', 'Ann Lee');
-- the users' messages the replies answer
INSERT INTO rt.messages (id, chat_id, user_id, direction, author_type, kind, text, created_at) VALUES
    (980000001, -98000001, 98000001, 'in', 'user', 'text', 'q1', '2030-01-01 10:00Z'),
    (980000002, -98000001, 98000002, 'in', 'user', 'text', 'q2', '2030-01-02 10:00Z'),
    (980000003, 98000001, 98000001, 'in', 'user', 'text', 'q3', '2030-01-02 11:00Z');
-- replies: A answers Ann in the group (day 1), B answers Bob (day 2), A answers Ann privately (day 2)
INSERT INTO rt.messages (chat_id, direction, author_type, kind, text, created_at, status, provider_id, provider_name,
                         provider_type, model, tokens_in, tokens_out, cost, in_reply_to) VALUES
    (-98000001, 'out', 'bot', 'text', 'a1', '2030-01-01 10:00:05Z', 'sent', pg_temp.p('A'), 't98 A', 'openai', 'gpt-a', 100, 10, 0.001, 980000001),
    (-98000001, 'out', 'bot', 'text', 'b1', '2030-01-02 10:00:05Z', 'sent', pg_temp.p('B'), 't98 B', 'anthropic', 'claude-b', 200, 20, 0.004, 980000002),
    (98000001, 'out', 'bot', 'text', 'a2', '2030-01-02 11:00:05Z', 'sent', pg_temp.p('A'), 't98 A', 'openai', 'gpt-a', 300, 30, 0.002, 980000003),
    -- outside the range: not counted
    (98000001, 'out', 'bot', 'text', 'old', '2029-12-31 23:59:59Z', 'sent', pg_temp.p('A'), 't98 A', 'openai', 'gpt-a', 5000, 500, 1, NULL),
    -- a bot message no model wrote (the /start menu) and an admin reply: not model calls
    (98000001, 'out', 'bot', 'text', 'menu', '2030-01-02 12:00Z', 'sent', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (98000001, 'out', 'admin', 'text', 'hi', '2030-01-02 12:01Z', 'sent', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
-- a console-only session Ann asked for, with one turn by C (demo, cost 0) on day 3
INSERT INTO rt.sessions (user_id, created_by, topic, max_rounds, turn_timeout_sec, context_token_limit)
VALUES (98000001, 'telegram:98000001', 't98 topic', 1, 60, 1000);
INSERT INTO rt.messages (chat_id, direction, author_type, kind, text, created_at, provider_id, provider_name, provider_type,
                         model, tokens_in, tokens_out, cost, session_id, speaker, round)
SELECT NULL, 'out', 'bot', 'text', 'turn', '2030-01-03 09:00Z', pg_temp.p('C'), 't98 C', 'demo', 'demo', 50, 5, 0,
       s.id, 'C', 1
FROM rt.sessions s WHERE s.topic = 't98 topic';
-- a ready draft by B in the group (day 3) and a failed one (not counted)
INSERT INTO rt.drafts (chat_id, status, text, provider_id, provider_name, provider_type, model, tokens_in, tokens_out, cost, created_at)
VALUES (-98000001, 'ready', 'd', pg_temp.p('B'), 't98 B', 'anthropic', 'claude-b', 400, 40, 0.008, '2030-01-03 10:00Z'),
       (-98000001, 'failed', NULL, pg_temp.p('B'), 't98 B', 'anthropic', 'claude-b', 999, 99, 9, '2030-01-03 10:00Z');

-- ---------------------------------------------------------------------------
-- usage_report
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('viewer');
SELECT is(pg_temp.usage('day'),
          '{"currency": "USD", "items": [
             {"key": "2030-01-01", "label": "2030-01-01", "tokens_in": 100, "tokens_out": 10, "cost": 0.001, "calls": 1},
             {"key": "2030-01-02", "label": "2030-01-02", "tokens_in": 500, "tokens_out": 50, "cost": 0.006, "calls": 2},
             {"key": "2030-01-03", "label": "2030-01-03", "tokens_in": 450, "tokens_out": 45, "cost": 0.008, "calls": 2}]}'::jsonb,
          'by day: every day of the range, replies, turns and ready drafts summed; other rows and other days left out');
SELECT is(pg_temp.usage('day', ', "from": "2030-01-05T00:00:00Z", "to": "2030-01-07T00:00:00Z"') -> 'items',
          '[{"key": "2030-01-05", "label": "2030-01-05", "tokens_in": 0, "tokens_out": 0, "cost": 0, "calls": 0},
            {"key": "2030-01-06", "label": "2030-01-06", "tokens_in": 0, "tokens_out": 0, "cost": 0, "calls": 0}]'::jsonb,
          'by day: days without calls are zeros, not gaps');
SELECT is(pg_temp.usage('provider') -> 'items',
          format('[{"key": "%s", "label": "t98 B", "tokens_in": 600, "tokens_out": 60, "cost": 0.012, "calls": 2},
                   {"key": "%s", "label": "t98 A", "tokens_in": 400, "tokens_out": 40, "cost": 0.003, "calls": 2},
                   {"key": "%s", "label": "t98 C", "tokens_in": 50, "tokens_out": 5, "cost": 0, "calls": 1}]',
                 pg_temp.p('B'), pg_temp.p('A'), pg_temp.p('C'))::jsonb,
          'by provider: most expensive first, labelled with the provider''s name');
UPDATE rt.providers SET name = 't98 A renamed' WHERE id = pg_temp.p('A');
SELECT is((SELECT i ->> 'label' FROM jsonb_array_elements(pg_temp.usage('provider') -> 'items') i
           WHERE i ->> 'key' = pg_temp.p('A')::text), 't98 A renamed', 'by provider: the current name labels it');
DELETE FROM rt.providers WHERE id = pg_temp.p('A');
SELECT is((SELECT i ->> 'label' FROM jsonb_array_elements(pg_temp.usage('provider') -> 'items') i
           WHERE i ->> 'key' = pg_temp.p('A')::text), 't98 A', 'by provider: a deleted provider keeps the name its calls recorded');
SELECT is(pg_temp.usage('chat') -> 'items',
          '[{"key": "-98000001", "label": "t98 group", "tokens_in": 700, "tokens_out": 70, "cost": 0.013, "calls": 3},
            {"key": "98000001", "label": "Ann Lee", "tokens_in": 300, "tokens_out": 30, "cost": 0.002, "calls": 1},
            {"key": null, "label": null, "tokens_in": 50, "tokens_out": 5, "cost": 0, "calls": 1}]'::jsonb,
          'by chat: titles; the console-only turn is the group without a chat (key null)');
SELECT is(pg_temp.usage('user') -> 'items',
          '[{"key": null, "label": null, "tokens_in": 400, "tokens_out": 40, "cost": 0.008, "calls": 1},
            {"key": "98000002", "label": "@bob", "tokens_in": 200, "tokens_out": 20, "cost": 0.004, "calls": 1},
            {"key": "98000001", "label": "Ann Lee", "tokens_in": 450, "tokens_out": 45, "cost": 0.003, "calls": 3}]'::jsonb,
          'by user: the user a reply answered or who asked for the session; a draft serves no user (key null); names or @username');
SELECT is((SELECT i - 'key' FROM jsonb_array_elements(pg_temp.usage('session') -> 'items') i WHERE i -> 'key' <> 'null'),
          '{"label": "t98 topic", "tokens_in": 50, "tokens_out": 5, "cost": 0, "calls": 1}'::jsonb,
          'by session: the turn under its session, labelled with the topic');
SELECT is((SELECT count(*) FROM jsonb_array_elements(pg_temp.usage('session') -> 'items') i WHERE i -> 'key' = 'null'), 1::bigint,
          'by session: calls outside any session form one group with key null');
SELECT is(jsonb_array_length(rt.usage_report('{"group_by": "day"}') -> 'items'), 31,
          'default range: the 30 days before now (31 UTC days touched)');
SELECT is(pg_temp.err($$SELECT rt.usage_report('{}')$$), '22023:group_by', 'group_by is required');
SELECT is(pg_temp.err($$SELECT rt.usage_report('{"group_by": "month"}')$$), '22023:group_by', 'an unknown group_by is refused');
SELECT is(pg_temp.err($$SELECT rt.usage_report('{"group_by": "day", "from": "yesterday"}')$$), '22023:from', 'from must be a timestamp');
SELECT is(pg_temp.err($$SELECT rt.usage_report('{"group_by": "day", "from": "2030-01-02T00:00:00Z", "to": "2030-01-01T00:00:00Z"}')$$),
          '22023:from', 'from after to is refused');
SELECT is(pg_temp.err($$SELECT rt.usage_report('{"group_by": "day", "from": "2000-01-01T00:00:00Z"}')$$),
          '22023:from', 'by day, a range of more than 400 days is refused (one item per day)');
SELECT is(pg_temp.err($$SELECT rt.usage_report('{"group_by": "provider", "from": "2000-01-01T00:00:00Z"}')$$),
          'ok', 'grouped otherwise, a long range is fine');
SELECT is(pg_temp.err($$SELECT rt.usage_report('{"group_by": "day", "chat": 1}')$$), '22023:chat', 'unknown filter fields are refused');
SELECT pg_temp.act('');
SELECT is(pg_temp.err($$SELECT rt.usage_report('{"group_by": "day"}')$$), 'ok', 'the DB door (superuser, no actor) may read it');
SET LOCAL rt.actor = 'admin:0';
SELECT isnt(pg_temp.err($$SELECT rt.usage_report('{"group_by": "day"}')$$), 'ok', 'an unknown admin may not read it');

-- ---------------------------------------------------------------------------
-- reorder_providers
-- ---------------------------------------------------------------------------
-- A is gone (deleted above); B (position 1), C (2), plus D and E at 0
SELECT pg_temp.act('admin');
INSERT INTO rt.providers (name, type, model_id, position) VALUES ('t98 D', 'demo', 'demo', 0), ('t98 E', 'demo', 'demo', 0);
INSERT INTO t98p SELECT name, id FROM rt.providers WHERE name IN ('t98 D', 't98 E');
CREATE TEMP TABLE t98_audit_before AS SELECT coalesce(max(id), 0) AS id FROM rt.audit_log;
SELECT is(
    (SELECT jsonb_agg(i ->> 'name') FROM jsonb_array_elements(
        rt.reorder_providers(jsonb_build_object('ids', jsonb_build_array(pg_temp.p('E'), pg_temp.p('C'), pg_temp.p('B'), pg_temp.p('D')))) -> 'items') i),
    '["t98 E", "t98 C", "t98 B", "t98 D"]'::jsonb, 'reorder returns the providers in the new order');
SELECT is((SELECT array_agg(name || '=' || position ORDER BY position) FROM rt.providers),
          ARRAY['t98 E=0', 't98 C=1', 't98 B=2', 't98 D=3'], 'positions are 0, 1, 2, ... in the order sent');
SELECT is((SELECT count(*) FROM rt.audit_log WHERE id > (SELECT id FROM t98_audit_before) AND action = 'provider.update'), 3::bigint,
          'each moved provider gets its provider.update audit entry (E stayed at 0: no entry)');
SELECT is((SELECT after FROM rt.audit_log WHERE id > (SELECT id FROM t98_audit_before) AND action = 'provider.reorder'),
          jsonb_build_object('ids', jsonb_build_array(pg_temp.p('E'), pg_temp.p('C'), pg_temp.p('B'), pg_temp.p('D'))),
          'the move itself is one provider.reorder entry with the new order');
SELECT is((SELECT array_agg(version ORDER BY position) FROM rt.providers), ARRAY[1, 2, 2, 2],
          'a moved provider''s version is bumped, one left in place keeps its version');
SELECT is(pg_temp.err(format($$SELECT rt.reorder_providers('{"ids": [%s, %s, %s]}')$$, pg_temp.p('E'), pg_temp.p('C'), pg_temp.p('B'))),
          '22023:ids', 'a provider missing from ids is refused');
SELECT is(pg_temp.err(format($$SELECT rt.reorder_providers('{"ids": [%s, %s, %s, %s, %s]}')$$,
                             pg_temp.p('E'), pg_temp.p('C'), pg_temp.p('B'), pg_temp.p('D'), pg_temp.p('D'))),
          '22023:ids', 'a provider named twice is refused');
SELECT is(pg_temp.err(format($$SELECT rt.reorder_providers('{"ids": [%s, %s, %s, %s, 987654321]}')$$,
                             pg_temp.p('E'), pg_temp.p('C'), pg_temp.p('B'), pg_temp.p('D'))),
          'P0002:ids', 'an unknown id is P0002 (404) naming ids');
SELECT is(pg_temp.err($$SELECT rt.reorder_providers('{"ids": ["1"]}')$$), '22023:ids', 'ids must be integers');
SELECT is(pg_temp.err($$SELECT rt.reorder_providers('{"order": []}')$$), '22023:order', 'unknown body fields are refused');
SELECT is((SELECT array_agg(name || '=' || position ORDER BY position) FROM rt.providers),
          ARRAY['t98 E=0', 't98 C=1', 't98 B=2', 't98 D=3'], 'a refused reorder changed nothing');
SELECT pg_temp.act('viewer');
SELECT is(pg_temp.err(format($$SELECT rt.reorder_providers('{"ids": [%s, %s, %s, %s]}')$$,
                             pg_temp.p('D'), pg_temp.p('C'), pg_temp.p('B'), pg_temp.p('E'))),
          '42501', 'a viewer may not reorder');

-- ---------------------------------------------------------------------------
-- provider_test_target
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.err(format('SELECT rt.provider_test_target(%s)', pg_temp.p('B'))), '42501', 'a viewer may not test a provider');
SELECT pg_temp.act('admin');
UPDATE rt.providers SET api_key_enc = 'gAAAA-t98-token' WHERE id = pg_temp.p('B');
SELECT is(rt.provider_test_target(pg_temp.p('B')),
          jsonb_build_object('id', pg_temp.p('B'), 'name', 't98 B', 'type', 'anthropic', 'base_url', 'https://b.example/v1',
                             'model_id', 'claude-b', 'api_key_enc', 'gAAAA-t98-token'),
          'the test target: what the edge needs for its call, the sealed key included (the edge never passes it on)');
SELECT is(pg_temp.err('SELECT rt.provider_test_target(987654321)'), 'P0002:id', 'an unknown provider is P0002');

-- ---------------------------------------------------------------------------
-- part 63: a dead letter shows what it was asked to do
-- ---------------------------------------------------------------------------
INSERT INTO rt.outbox (kind, payload, attempts, last_error, dead_at)
VALUES ('telegram.send', '{"chat_id": -98000001, "text": "t98 dead", "message_pk": 1}', 5, 'Forbidden', now());
SELECT pg_temp.act('viewer');
SELECT is((SELECT i -> 'payload' FROM jsonb_array_elements(rt.list_jobs('{"state": "dead"}') -> 'items') i
           WHERE i #>> '{payload,text}' = 't98 dead'),
          '{"chat_id": -98000001, "text": "t98 dead", "message_pk": 1}'::jsonb,
          'a dead job lists its payload next to its last error');

SELECT * FROM finish();
ROLLBACK;
