-- the round table's turn cycle (contract-roundtable.md "States", "The turn cycle", "Admin SQL"):
-- every transition through the functions (and the invalid ones, with no half state after them),
-- participants and the demo rule, the first turn, rt.job_begin for llm.turn (the request holds
-- the topic, the personality and the other speaker's previous turn, in order), idempotent
-- rt.session_record_turn, a stale turn, interjections, stopping (pending turn done, unsent posts
-- discarded, the ended text, audit, the session.stopped journal row), the admin functions and
-- who may call what. Chats 94000xxx, updates 9400xxxx; everything rolls back.
BEGIN;
SELECT plan(118);

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
-- runs sql as role r with rt.actor = actor (NULL: unset); '00000' or the SQLSTATE; rolled back
CREATE FUNCTION pg_temp.state_as(r text, actor text, sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        PERFORM set_config('rt.actor', coalesce(actor, ''), true);
        EXECUTE format('SET LOCAL ROLE %I', r);
        EXECUTE sql;
        RAISE EXCEPTION 'done' USING ERRCODE = 'RT000';
    EXCEPTION WHEN OTHERS THEN
        RETURN CASE WHEN SQLSTATE = 'RT000' THEN '00000' ELSE SQLSTATE END;
    END;
END
$$;
CREATE FUNCTION pg_temp.keys(j jsonb) RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(k ORDER BY k COLLATE "C") FROM jsonb_object_keys(j) k
$$;
CREATE FUNCTION pg_temp.msg(uid bigint, chat bigint, txt text, ctype text DEFAULT 'private') RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_array(jsonb_build_object('update_id', uid, 'message',
        jsonb_build_object('message_id', uid % 100000, 'date', 1763700000 + uid % 100000,
                           'chat', jsonb_build_object('id', chat, 'type', ctype),
                           'from', jsonb_build_object('id', 94000100, 'first_name', 'Ann', 'is_bot', false),
                           'text', txt)))
$$;
-- the session's current turn job
CREATE FUNCTION pg_temp.tj(sid bigint) RETURNS bigint LANGUAGE sql AS $$
    SELECT turn_job FROM rt.sessions WHERE id = sid
$$;
CREATE FUNCTION pg_temp.ss(sid bigint) RETURNS rt.sessions LANGUAGE sql AS $$
    SELECT * FROM rt.sessions WHERE id = sid
$$;
CREATE TEMP TABLE t94 (k text PRIMARY KEY, v jsonb);
CREATE FUNCTION pg_temp.got(k text) RETURNS jsonb LANGUAGE sql AS $$ SELECT v FROM t94 WHERE t94.k = got.k $$;
CREATE FUNCTION pg_temp.sid(k text) RETURNS bigint LANGUAGE sql AS $$ SELECT (v ->> 'id')::bigint FROM t94 WHERE t94.k = sid.k $$;

-- a known world: our providers and personalities only, no rules, no other unfinished jobs
UPDATE rt.outbox SET done_at = now() WHERE done_at IS NULL AND dead_at IS NULL;
UPDATE rt.moderation_rules SET enabled = false WHERE enabled;
UPDATE rt.playbooks SET enabled = false WHERE enabled;
UPDATE rt.sessions SET status = 'failed', stop_reason = 'error', finished_at = now() WHERE status IN ('awaiting_topic', 'running');
UPDATE rt.chats SET session_id = NULL WHERE session_id IS NOT NULL;
DELETE FROM rt.providers;
DELETE FROM rt.personalities;
DELETE FROM rt.settings WHERE key LIKE 'roundtable.%' OR key IN ('bot.texts', 'telegram.streaming', 'preset.defaults');
INSERT INTO rt.personalities (title, instructions, style) VALUES
    ('T94 Bright', 'Always see the bright side of t94.', 'Short and warm.'),
    ('T94 Doubt', 'Doubt every claim about t94.', 'Dry.');
CREATE TEMP TABLE t94_p AS
SELECT k, (rt.create_provider(b) ->> 'id')::bigint AS id
FROM (VALUES
    ('a', '{"name": "T94 GPT", "type": "openai", "model_id": "gpt-4o-mini", "enabled": true, "position": 1}'::jsonb),
    ('b', '{"name": "T94 Seek", "type": "deepseek", "model_id": "deepseek-chat", "enabled": true, "position": 2}'),
    ('off', '{"name": "T94 Off", "type": "openai", "model_id": "gpt-4o", "enabled": false, "position": 0}'),
    ('demo', '{"name": "demo", "type": "demo", "model_id": "demo-1", "enabled": true, "position": 0}')) v (k, b);
CREATE FUNCTION pg_temp.pv(k text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM t94_p WHERE t94_p.k = pv.k $$;
UPDATE rt.providers SET personality_id = (SELECT id FROM rt.personalities WHERE title = 'T94 Bright') WHERE id = pg_temp.pv('a');
UPDATE rt.providers SET personality_id = (SELECT id FROM rt.personalities WHERE title = 'T94 Doubt') WHERE id = pg_temp.pv('b');
SELECT rt.update_setting('roundtable.max_rounds', '{"value": 2}');
SELECT rt.update_setting('roundtable.turn_timeout_sec', '{"value": 30}');
SELECT rt.ingest(pg_temp.msg(94000001, 94000001, 'hello'));

-- ---- open ----------------------------------------------------------------------------------
INSERT INTO t94 SELECT 's1', to_jsonb(rt._session_open(94000001, 94000100, 'telegram:94000100'));
SELECT is(pg_temp.got('s1') ->> 'status', 'awaiting_topic', '_session_open: awaiting_topic');
SELECT is((pg_temp.got('s1') ->> 'max_rounds')::int, 2, 'limits from the settings (max_rounds)');
SELECT is((pg_temp.got('s1') ->> 'turn_timeout_sec')::int, 30, 'limits from the settings (turn_timeout_sec)');
SELECT is((SELECT session_id FROM rt.chats WHERE id = 94000001), pg_temp.sid('s1'), 'chats.session_id set');
SELECT is(pg_temp.err($$SELECT rt._session_open(94000001, 94000100, 'telegram:94000100')$$), '23505:chat_id',
          'a second active session in the chat: 23505');
SELECT is((SELECT count(*)::int FROM rt.audit_log WHERE action = 'session.create' AND target = 'session:' || pg_temp.sid('s1')),
          1, 'the creation is audited');

-- ---- begin: invalid input leaves no half state ------------------------------------------------
SELECT is(pg_temp.err(format($$SELECT rt._session_begin(%s, '   ')$$, pg_temp.sid('s1'))), '22023:topic', 'a blank topic: 22023 naming topic');
SELECT is(pg_temp.err(format($$SELECT rt._session_begin(%s, NULL)$$, pg_temp.sid('s1'))), '22023:topic', 'no topic at all: 22023 naming topic');
SELECT is((pg_temp.ss(pg_temp.sid('s1'))).status, 'awaiting_topic', 'after the errors: still awaiting its topic');
SELECT is((SELECT count(*)::int FROM rt.session_participants WHERE session_id = pg_temp.sid('s1')), 0, 'no participants copied');
SELECT is(pg_temp.err('SELECT rt._session_begin(-1, ''x'')'), 'P0002:session_id', 'unknown session: P0002');

-- ---- begin ---------------------------------------------------------------------------------
INSERT INTO t94 SELECT 'b1', rt._session_begin(pg_temp.sid('s1'), '  Is t94 a good idea?  ');
SELECT is(pg_temp.keys(pg_temp.got('b1')), ARRAY['jobs', 'notifications', 'out_messages'], '_session_begin returns the effect object');
SELECT is((pg_temp.got('b1') ->> 'jobs')::int, 2, 'two jobs: the started text and the first turn');
SELECT is((pg_temp.ss(pg_temp.sid('s1'))).status, 'running', 'running');
SELECT is((pg_temp.ss(pg_temp.sid('s1'))).topic, 'Is t94 a good idea?', 'the topic, trimmed');
SELECT ok((pg_temp.ss(pg_temp.sid('s1'))).started_at IS NOT NULL, 'started_at set');
SELECT is((SELECT array_agg(name ORDER BY position) FROM rt.session_participants WHERE session_id = pg_temp.sid('s1')),
          ARRAY['T94 GPT · T94 Bright', 'T94 Seek · T94 Doubt'],
          'participants: enabled real providers by position, labelled with their personality (demo and disabled ones left out)');
SELECT is((SELECT instructions FROM rt.session_participants WHERE session_id = pg_temp.sid('s1') AND position = 0),
          'Always see the bright side of t94.', 'the personality''s instructions are copied');
SELECT is((SELECT m.text FROM rt.messages m WHERE m.id = (pg_temp.got('b1') -> 'out_messages' ->> 0)::bigint),
          'Тема: «Is t94 a good idea?». Участники: T94 GPT · T94 Bright, T94 Seek · T94 Doubt. Раундов: 2.',
          'the started text names the topic, the speakers and the rounds');
SELECT is((SELECT payload - 'chat_id' FROM rt.outbox WHERE id = pg_temp.tj(pg_temp.sid('s1'))),
          jsonb_build_object('session_id', pg_temp.sid('s1'), 'turn', 0, 'round', 1, 'position', 0),
          'the first llm.turn job: turn 0, round 1, position 0');
SELECT is((SELECT kind FROM rt.outbox WHERE id = pg_temp.tj(pg_temp.sid('s1'))), 'llm.turn', 'of kind llm.turn');
SELECT is((pg_temp.ss(pg_temp.sid('s1'))).turn_deadline, now() + interval '30 seconds', 'the deadline: now + turn_timeout_sec');
SELECT is(pg_temp.err(format($$SELECT rt._session_begin(%s, 'again')$$, pg_temp.sid('s1'))), '55000', 'a running session cannot start again: 55000');
SELECT is((SELECT count(*)::int FROM rt.session_participants WHERE session_id = pg_temp.sid('s1')), 2, 'and nothing was copied twice');

-- ---- the first turn ------------------------------------------------------------------------
INSERT INTO t94 SELECT 'j1', to_jsonb(pg_temp.tj(pg_temp.sid('s1')));
INSERT INTO t94 SELECT 'g1', rt.job_begin((pg_temp.got('j1') #>> '{}')::bigint);
SELECT is(pg_temp.got('g1') ->> 'state', 'run', 'job_begin: run');
SELECT is(pg_temp.keys(pg_temp.got('g1') -> 'session'), ARRAY['compressed', 'deadline_ms', 'id', 'position', 'round', 'speaker', 'turn'],
          'the session object');
SELECT is(pg_temp.got('g1') #>> '{session,speaker}', 'T94 GPT · T94 Bright', 'speaker');
SELECT ok((pg_temp.got('g1') #>> '{session,deadline_ms}')::int BETWEEN 1 AND 30000, 'deadline_ms: what is left of 30 s');
SELECT is(pg_temp.got('g1') #>> '{provider,id}', pg_temp.pv('a')::text, 'the participant''s provider');
SELECT is(pg_temp.got('g1') ->> 'url', 'https://api.openai.com/v1/chat/completions', 'its endpoint');
SELECT is(pg_temp.got('g1') #>> '{request,model}', 'gpt-4o-mini', 'its model');
SELECT is(pg_temp.got('g1') #>> '{request,messages,0,role}', 'system', 'a system prompt first');
SELECT ok(position('Always see the bright side of t94.' IN pg_temp.got('g1') #>> '{request,messages,0,content}') = 1,
          'the system prompt starts with the personality''s instructions');
SELECT ok(pg_temp.got('g1') #>> '{request,messages,0,content}' ~ 'Short and warm\..*T94 GPT · T94 Bright.*Is t94 a good idea\?.*do not repeat yourself',
          'then its style, its name, the topic and the debate rules');
SELECT is(pg_temp.got('g1') #> '{request,messages,1}', '{"role": "user", "content": "Topic: Is t94 a good idea?"}',
          'the topic is the first message');
SELECT is(jsonb_array_length(pg_temp.got('g1') #> '{request,messages}'), 2, 'nothing else yet');
SELECT is((pg_temp.got('g1') #>> '{request,max_tokens}')::int, 512, 'max_tokens from the preset defaults');
SELECT is(pg_temp.got('g1') #> '{request,stream}', 'true', 'streamed');

INSERT INTO t94 SELECT 'r1', rt.session_record_turn((pg_temp.got('j1') #>> '{}')::bigint,
    '{"text": "t94 opens doors for everyone.", "usage": {"input": 120, "output": 30}, "model": "gpt-4o-mini-2024"}');
SELECT is(pg_temp.keys(pg_temp.got('r1')), ARRAY['cost', 'message_pk', 'next_job', 'send_job', 'status', 'stop_reason', 'struck'],
          'record_turn result');
SELECT is(pg_temp.got('r1') ->> 'status', 'running', 'still running');
SELECT is((SELECT jsonb_build_object('speaker', speaker, 'round', round, 'participant', participant, 'session_id', session_id,
                                     'direction', direction, 'author_type', author_type, 'status', status, 'tokens_in', tokens_in,
                                     'tokens_out', tokens_out, 'model', model, 'chat_id', chat_id)
           FROM rt.messages WHERE id = (pg_temp.got('r1') ->> 'message_pk')::bigint),
          jsonb_build_object('speaker', 'T94 GPT · T94 Bright', 'round', 1, 'participant', 0, 'session_id', pg_temp.sid('s1'),
                             'direction', 'out', 'author_type', 'bot', 'status', 'queued', 'tokens_in', 120,
                             'tokens_out', 30, 'model', 'gpt-4o-mini-2024', 'chat_id', 94000001),
          'the turn''s message: speaker, round, participant, session, tokens, model');
SELECT is((SELECT payload ->> 'text' FROM rt.outbox WHERE id = (pg_temp.got('r1') ->> 'send_job')::bigint),
          E'T94 GPT · T94 Bright:\nt94 opens doors for everyone.', 'posted as "<speaker>:\n<text>"');
SELECT is((SELECT (payload ->> 'session_id')::bigint FROM rt.outbox WHERE id = (pg_temp.got('r1') ->> 'send_job')::bigint),
          pg_temp.sid('s1'), 'the post carries session_id');
SELECT is((SELECT payload - 'chat_id' FROM rt.outbox WHERE id = (pg_temp.got('r1') ->> 'next_job')::bigint),
          jsonb_build_object('session_id', pg_temp.sid('s1'), 'turn', 1, 'round', 1, 'position', 1), 'the next turn: position 1, turn 1');
SELECT is((SELECT jsonb_build_array(tokens_in, tokens_out, turns) FROM rt.sessions WHERE id = pg_temp.sid('s1')),
          '[120, 30, 1]', 'session totals');
SELECT is((SELECT jsonb_build_array(tokens_in, turns) FROM rt.session_participants WHERE session_id = pg_temp.sid('s1') AND position = 0),
          '[120, 1]', 'participant totals');

-- idempotent: a redelivered job records nothing twice
SELECT is(rt.session_record_turn((pg_temp.got('j1') #>> '{}')::bigint, '{"text": "a second answer"}'), pg_temp.got('r1'),
          'a finished job returns its stored result');
SELECT is((SELECT count(*)::int FROM rt.messages WHERE session_id = pg_temp.sid('s1') AND speaker IS NOT NULL), 1,
          'and records no second message');
SELECT is((SELECT count(*)::int FROM rt.outbox WHERE kind = 'llm.turn' AND (payload ->> 'session_id')::bigint = pg_temp.sid('s1')), 2,
          'and queues no second next turn');
SELECT is((pg_temp.ss(pg_temp.sid('s1'))).tokens_in, 120::bigint, 'nor counts the tokens twice');
SELECT is(rt.job_begin((pg_temp.got('j1') #>> '{}')::bigint), '{"state": "done"}', 'job_begin of the finished turn: done');

-- a stale turn (not the session's current one) is finished without running
INSERT INTO rt.outbox (kind, payload)
SELECT 'llm.turn', jsonb_build_object('session_id', pg_temp.sid('s1'), 'turn', 0, 'round', 1, 'position', 0, 'chat_id', 94000001);
INSERT INTO t94 SELECT 'stale', to_jsonb((SELECT max(id) FROM rt.outbox WHERE kind = 'llm.turn'));
SELECT is(rt.job_begin((pg_temp.got('stale') #>> '{}')::bigint), '{"state": "done"}', 'job_begin of a stale turn: done');
SELECT ok((SELECT done_at IS NOT NULL FROM rt.outbox WHERE id = (pg_temp.got('stale') #>> '{}')::bigint), 'and the job is finished');
SELECT is(rt.session_record_turn((pg_temp.got('stale') #>> '{}')::bigint, '{"text": "late"}'), '{"state": "done"}',
          'recording it: its stored result, nothing recorded');

-- ---- the second speaker sees the first ------------------------------------------------------
INSERT INTO t94 SELECT 'g2', rt.job_begin(pg_temp.tj(pg_temp.sid('s1')));
SELECT is(pg_temp.got('g2') #>> '{session,speaker}', 'T94 Seek · T94 Doubt', 'the second speaker');
SELECT is(pg_temp.got('g2') #>> '{provider,id}', pg_temp.pv('b')::text, 'with its provider');
SELECT ok(position('Doubt every claim about t94.' IN pg_temp.got('g2') #>> '{request,messages,0,content}') = 1, 'and its personality');
SELECT is((pg_temp.got('g2') #> '{request,messages}') - 0,
          '[{"role": "user", "content": "Topic: Is t94 a good idea?"},
            {"role": "user", "content": "T94 GPT · T94 Bright: t94 opens doors for everyone."}]',
          'the history: the topic, then the other speaker''s turn labelled, in order');
SELECT is((pg_temp.got('g2') #>> '{session,turn}')::int, 1, 'turn 1');
SELECT ok((SELECT rt.session_record_turn(pg_temp.tj(pg_temp.sid('s1')), '{"text": "t94 costs too much."}') ->> 'status') = 'running',
          'second turn recorded');

-- an interjection joins the history with the user's name
SELECT rt.ingest(pg_temp.msg(94000002, 94000001, 'what about the price?'));
SELECT is(rt._session_interject(pg_temp.sid('s1'), (SELECT max(id) FROM rt.messages WHERE chat_id = 94000001 AND direction = 'in')),
          '{"jobs": 0, "out_messages": [], "notifications": []}', '_session_interject');
SELECT is((SELECT session_id FROM rt.messages WHERE chat_id = 94000001 AND direction = 'in' ORDER BY id DESC LIMIT 1),
          pg_temp.sid('s1'), 'the message joins the session');
INSERT INTO t94 SELECT 'g3', rt.job_begin(pg_temp.tj(pg_temp.sid('s1')));
SELECT is(pg_temp.got('g3') #>> '{session,round}', '2', 'round 2');
SELECT is((pg_temp.got('g3') #> '{request,messages}') - 0,
          '[{"role": "user", "content": "Topic: Is t94 a good idea?"},
            {"role": "assistant", "content": "t94 opens doors for everyone."},
            {"role": "user", "content": "T94 Seek · T94 Doubt: t94 costs too much."},
            {"role": "user", "content": "Ann (участник чата): what about the price?"}]',
          'the first speaker again: its own turn as assistant, the other''s and the interjection labelled');

-- ---- stop by the user ------------------------------------------------------------------------
-- an unsent post of the session, and the pending turn
SELECT is((SELECT count(*)::int FROM rt.outbox WHERE kind = 'telegram.send' AND done_at IS NULL
                                                 AND (payload ->> 'session_id')::bigint = pg_temp.sid('s1')), 3,
          'three posts of the session wait to be sent');
INSERT INTO t94 SELECT 'jstop', to_jsonb(pg_temp.tj(pg_temp.sid('s1')));
SELECT set_config('t94.ev', (SELECT coalesce(max(id), 0)::text FROM rt.events), true);
INSERT INTO t94 SELECT 'e1', rt._session_end(pg_temp.sid('s1'), 'stopped_by_user', NULL);
SELECT is((pg_temp.ss(pg_temp.sid('s1'))).status, 'stopped', 'stopped');
SELECT is((pg_temp.ss(pg_temp.sid('s1'))).stop_reason, 'stopped_by_user', 'stop_reason');
SELECT ok((pg_temp.ss(pg_temp.sid('s1'))).finished_at IS NOT NULL, 'finished_at');
SELECT is((SELECT session_id FROM rt.chats WHERE id = 94000001), NULL, 'chats.session_id cleared');
SELECT ok((SELECT done_at IS NOT NULL AND dead_at IS NULL FROM rt.outbox WHERE id = (pg_temp.got('jstop') #>> '{}')::bigint),
          'the pending turn job is done');
SELECT is((SELECT count(*)::int FROM rt.outbox WHERE kind = 'telegram.send' AND discarded_at IS NOT NULL
                                                 AND (payload ->> 'session_id')::bigint = pg_temp.sid('s1')), 3,
          'the unsent posts are discarded');
SELECT is((SELECT count(*)::int FROM rt.messages WHERE session_id = pg_temp.sid('s1') AND status = 'failed'), 3,
          'their messages failed (never posted)');
SELECT is((SELECT text FROM rt.messages WHERE id = (pg_temp.got('e1') -> 'out_messages' ->> 0)::bigint),
          'Обсуждение остановлено по вашей команде.', 'the ended text, queued');
SELECT is((SELECT count(*)::int FROM rt.outbox WHERE kind = 'telegram.send' AND done_at IS NULL
                                                 AND (payload ->> 'session_id')::bigint = pg_temp.sid('s1')), 1,
          'and only it will be posted');
SELECT is((SELECT after ->> 'stop_reason' FROM rt.audit_log WHERE action = 'session.end' AND target = 'session:' || pg_temp.sid('s1')),
          'stopped_by_user', 'audited as session.end');
SELECT is((SELECT count(*)::int FROM rt.events WHERE id > current_setting('t94.ev')::bigint AND type = 'session.stopped'
                                                AND data = jsonb_build_object('session_id', pg_temp.sid('s1'))), 1,
          'a journal row session.stopped {"session_id"}');
SELECT is((SELECT count(*)::int FROM rt.events WHERE id > current_setting('t94.ev')::bigint AND type = 'changed'
                                                AND data ->> 'entity' = 'session'), 1, 'and changed session');
SELECT is(pg_temp.err(format($$SELECT rt._session_end(%s, 'stopped_by_user', NULL)$$, pg_temp.sid('s1'))), '55000',
          'an ended session cannot stop again: 55000');
SELECT is(pg_temp.err(format($$SELECT rt._session_end(%s, 'bogus', NULL)$$, pg_temp.sid('s1'))), '22023:reason',
          'an unknown reason: 22023');
SELECT is(rt.session_record_turn((pg_temp.got('jstop') #>> '{}')::bigint, '{"text": "too late"}'), '{"state": "stopped"}',
          'a reply arriving after the stop: stopped');
SELECT is((SELECT count(*)::int FROM rt.messages WHERE session_id = pg_temp.sid('s1') AND text = 'too late'), 0, 'and nothing recorded');
SELECT is(rt._session_interject(pg_temp.sid('s1'), (SELECT max(id) FROM rt.messages WHERE chat_id = 94000001 AND direction = 'in')),
          '{"jobs": 0, "out_messages": [], "notifications": []}', 'no interjection into an ended session');

-- awaiting_topic -> stopped; a new session in the chat after the end
INSERT INTO t94 SELECT 's2', to_jsonb(rt._session_open(94000001, 94000100, 'telegram:94000100'));
SELECT is((rt._session_end(pg_temp.sid('s2'), 'stopped_by_user', NULL) ->> 'jobs')::int, 1, 'a session awaiting its topic stops');
SELECT is((pg_temp.ss(pg_temp.sid('s2'))).status, 'stopped', 'awaiting_topic -> stopped');
SELECT is(pg_temp.err(format($$SELECT rt._session_begin(%s, 'x')$$, pg_temp.sid('s2'))), '55000', 'a stopped session cannot start');

-- ---- the demo rule ---------------------------------------------------------------------------
UPDATE rt.providers SET enabled = false WHERE type <> 'demo';
INSERT INTO t94 SELECT 's3', to_jsonb(rt._session_open(94000001, NULL, 'telegram:94000100'));
SELECT rt._session_begin(pg_temp.sid('s3'), 'demo topic');
SELECT is((SELECT array_agg(name ORDER BY position) FROM rt.session_participants WHERE session_id = pg_temp.sid('s3')),
          ARRAY['demo · T94 Bright', 'demo · T94 Doubt'],
          'no real provider enabled: the demo provider plays every personality, labelled');
SELECT is((SELECT rt.job_begin(pg_temp.tj(pg_temp.sid('s3'))) #>> '{session,speaker}'), 'demo · T94 Bright', 'the demo''s first speaker');
SELECT rt._session_end(pg_temp.sid('s3'), 'stopped_by_user', NULL);
UPDATE rt.providers SET enabled = false;
INSERT INTO t94 SELECT 's4', to_jsonb(rt._session_open(94000001, NULL, 'telegram:94000100'));
SELECT rt._session_begin(pg_temp.sid('s4'), 'nobody here');
SELECT is((SELECT status || '/' || stop_reason FROM rt.sessions WHERE id = pg_temp.sid('s4')), 'finished/no_participants',
          'no enabled provider at all: finished at once with no_participants');
SELECT is((SELECT count(*)::int FROM rt.outbox WHERE kind = 'llm.turn' AND (payload ->> 'session_id')::bigint = pg_temp.sid('s4')), 0,
          'and no turn queued');
SELECT ok((SELECT text FROM rt.messages WHERE session_id = pg_temp.sid('s4') ORDER BY id DESC LIMIT 1) LIKE 'Обсуждение завершено: не осталось участников.%',
          'the chat is told why');
UPDATE rt.providers SET enabled = true WHERE type <> 'demo' AND id <> pg_temp.pv('off');

-- ---- admin SQL -------------------------------------------------------------------------------
SELECT is(pg_temp.err($$SELECT rt.create_session('{"topik": "x"}')$$), '22023:topik', 'create: an unknown field');
SELECT is(pg_temp.err($$SELECT rt.create_session('{"max_rounds": 0}')$$), '22023:max_rounds', 'create: max_rounds out of range');
SELECT is(pg_temp.err($$SELECT rt.create_session('{"max_cost": -1}')$$), '22023:max_cost', 'create: max_cost not positive');
SELECT is(pg_temp.err($$SELECT rt.create_session('{"chat_id": -94999999}')$$), 'P0002:chat_id', 'create: an unknown chat');
SELECT is(pg_temp.err($$SELECT rt.create_session('{"summary_provider_id": 999999999}')$$), 'P0002:summary_provider_id', 'create: an unknown summary provider');
INSERT INTO t94 SELECT 'c1', rt.create_session(jsonb_build_object('chat_id', 94000001, 'max_rounds', 3, 'max_tokens', 5000,
                                                                   'max_cost', 0.5, 'summary_provider_id', pg_temp.pv('b')));
SELECT is(pg_temp.keys(pg_temp.got('c1')),
          ARRAY['chat_id', 'context_token_limit', 'cost', 'created_at', 'created_by', 'current_round', 'finished_at', 'id',
                'max_cost', 'max_rounds', 'max_tokens', 'started_at', 'status', 'stop_detail', 'stop_reason',
                'summary_provider_id', 'tokens_in', 'tokens_out', 'topic', 'turn_deadline', 'turn_timeout_sec', 'turns', 'user_id'],
          'the Session object');
SELECT is(jsonb_build_array(pg_temp.got('c1') -> 'max_rounds', pg_temp.got('c1') -> 'max_tokens', pg_temp.got('c1') -> 'max_cost',
           pg_temp.got('c1') -> 'turn_timeout_sec'), '[3, 5000, 0.5, 30]',
          'the overrides, and the setting for the rest');
SELECT is(pg_temp.got('c1') ->> 'created_by', 'db:' || session_user, 'created_by: the actor');
SELECT is(pg_temp.err($$SELECT rt.create_session('{"chat_id": 94000001}')$$), '23505:chat_id', 'create: the chat already has one');
SELECT is(pg_temp.err(format($$SELECT rt.start_session(%s, '{}')$$, pg_temp.sid('c1'))), '22023:topic', 'start without a topic: 22023');
SELECT is(pg_temp.err($$SELECT rt.start_session(-5, '{"topic": "x"}')$$), 'P0002:id', 'start: unknown id');
SELECT is(rt.start_session(pg_temp.sid('c1'), '{"topic": "admin topic"}') ->> 'status', 'running', 'start_session: running');
SELECT is(pg_temp.err(format($$SELECT rt.start_session(%s, '{"topic": "y"}')$$, pg_temp.sid('c1'))), '55000', 'start again: 55000');
INSERT INTO t94 SELECT 'd1', rt.get_session(pg_temp.sid('c1'));
SELECT is(jsonb_array_length(pg_temp.got('d1') -> 'participants'), 2, 'get_session: participants');
SELECT is(pg_temp.keys(pg_temp.got('d1') -> 'participants' -> 0),
          ARRAY['cost', 'excluded_reason', 'name', 'personality_id', 'position', 'provider_id', 'provider_name', 'status',
                'strikes', 'tokens_in', 'tokens_out', 'turns'], 'the SessionParticipant object');
SELECT ok(pg_temp.got('d1') -> 'turns' -> 0 ?& ARRAY['session_id', 'speaker', 'round'], 'turns are Messages with session_id, speaker, round');
SELECT is(rt.stop_session(pg_temp.sid('c1')) ->> 'stop_reason', 'stopped_by_admin', 'stop_session: stopped_by_admin');
SELECT is(pg_temp.err(format($$SELECT rt.stop_session(%s)$$, pg_temp.sid('c1'))), '55000', 'stop an ended session: 55000');
SELECT is(pg_temp.err('SELECT rt.stop_session(-5)'), 'P0002:id', 'stop: unknown id');
SELECT is(pg_temp.err('SELECT rt.get_session(-5)'), 'P0002:id', 'get: unknown id');
SELECT is((SELECT array_agg(x ->> 'id' ORDER BY n) FROM jsonb_array_elements(rt.list_sessions('{"q": "T94 A GOOD"}') -> 'items') WITH ORDINALITY e (x, n)),
          ARRAY[pg_temp.sid('s1')::text], 'list_sessions: q searches the topic');
SELECT is(jsonb_array_length(rt.list_sessions(jsonb_build_object('chat_id', 94000001, 'status', 'stopped', 'limit', 2)) -> 'items'), 2,
          'list_sessions: chat_id, status, limit');
SELECT ok(rt.list_sessions(jsonb_build_object('chat_id', 94000001, 'status', 'stopped', 'limit', 2)) ->> 'next_cursor' IS NOT NULL,
          'and a cursor for more');
SELECT is(pg_temp.err($$SELECT rt.list_sessions('{"status": "asleep"}')$$), '22023:status', 'list_sessions: a bad status');

-- ---- who may call what -----------------------------------------------------------------------
SELECT is(pg_temp.state_as('rt_edge', NULL, 'SELECT rt.session_reap()'), '00000', 'rt_edge without an actor: rt.session_reap');
SELECT is(pg_temp.state_as('rt_edge', NULL, 'SELECT rt.session_next_turn(-1)'), 'P0002', 'rt_edge: rt.session_next_turn (past the role check)');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.session_record_turn(-1, '{"text": "x"}')$$), 'P0002', 'rt_edge: rt.session_record_turn (past the role check)');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.create_session('{}')$$), '42501', 'rt_edge without an actor cannot create a session');

SELECT * FROM finish();
ROLLBACK;
