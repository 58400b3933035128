-- the round table's stop conditions and loop protection (contract-roundtable.md "The turn
-- cycle"): rounds_done (with and without the summary turn), token_limit, cost_limit,
-- no_participants, timeout through the reaper (a past deadline; a topic never given), strikes
-- (empty twice -> excluded; a near-repeat), a provider failing for good (job_failed final and a
-- deleted provider at job_begin), and the context budget (a long history is compressed and the
-- request leaves room for max_tokens). Chats 95000xxx, updates 9500xxxx; everything rolls back.
BEGIN;
SELECT plan(72);

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
CREATE FUNCTION pg_temp.msg(uid bigint, chat bigint, txt text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_array(jsonb_build_object('update_id', uid, 'message',
        jsonb_build_object('message_id', uid % 100000, 'date', 1763700000 + uid % 100000,
                           'chat', jsonb_build_object('id', chat, 'type', 'private'),
                           'from', jsonb_build_object('id', 95000100, 'first_name', 'Bob', 'is_bot', false),
                           'text', txt)))
$$;
CREATE FUNCTION pg_temp.tj(sid bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT turn_job FROM rt.sessions WHERE id = sid $$;
CREATE FUNCTION pg_temp.st(sid bigint) RETURNS text LANGUAGE sql AS $$
    SELECT status || coalesce('/' || stop_reason, '') FROM rt.sessions WHERE id = sid
$$;
-- a running session in the console (no chat) or in a chat, with overrides; returns its id
CREATE FUNCTION pg_temp.run(body jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    sid bigint := (rt.create_session(body - 'topic') ->> 'id')::bigint;
BEGIN
    PERFORM rt.start_session(sid, jsonb_build_object('topic', coalesce(body ->> 'topic', 't95 topic')));
    RETURN sid;
END
$$;
-- answers the session's current turn (job_begin, then record_turn); returns record_turn's result
CREATE FUNCTION pg_temp.say(sid bigint, result jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    j bigint := pg_temp.tj(sid);
BEGIN
    PERFORM rt.job_begin(j);
    RETURN rt.session_record_turn(j, result);
END
$$;
CREATE FUNCTION pg_temp.last_text(sid bigint) RETURNS text LANGUAGE sql AS $$
    SELECT text FROM rt.messages WHERE session_id = sid ORDER BY id DESC LIMIT 1
$$;
CREATE TEMP TABLE t95 (k text PRIMARY KEY, v jsonb);
CREATE FUNCTION pg_temp.got(k text) RETURNS jsonb LANGUAGE sql AS $$ SELECT v FROM t95 WHERE t95.k = got.k $$;
CREATE FUNCTION pg_temp.sid(k text) RETURNS bigint LANGUAGE sql AS $$ SELECT (v #>> '{}')::bigint FROM t95 WHERE t95.k = sid.k $$;

-- a known world
UPDATE rt.outbox SET done_at = now() WHERE done_at IS NULL AND dead_at IS NULL;
UPDATE rt.moderation_rules SET enabled = false WHERE enabled;
UPDATE rt.playbooks SET enabled = false WHERE enabled;
UPDATE rt.sessions SET status = 'failed', stop_reason = 'error', finished_at = now() WHERE status IN ('awaiting_topic', 'running');
UPDATE rt.chats SET session_id = NULL WHERE session_id IS NOT NULL;
DELETE FROM rt.providers;
DELETE FROM rt.settings WHERE key LIKE 'roundtable.%' OR key IN ('bot.texts', 'preset.defaults');
CREATE TEMP TABLE t95_p AS
SELECT k, (rt.create_provider(b) ->> 'id')::bigint AS id
FROM (VALUES
    ('a', '{"name": "T95 A", "type": "openai", "model_id": "gpt-4o-mini", "enabled": true, "position": 1}'::jsonb),
    ('b', '{"name": "T95 B", "type": "deepseek", "model_id": "deepseek-chat", "enabled": true, "position": 2}'),
    ('sum', '{"name": "T95 Sum", "type": "openai", "model_id": "gpt-4o", "enabled": false, "position": 3}')) v (k, b);
CREATE FUNCTION pg_temp.pv(k text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM t95_p WHERE t95_p.k = pv.k $$;
-- A costs 1 USD per million tokens in and 2 out
INSERT INTO rt.provider_prices (provider_id, input_per_m, cached_input_per_m, output_per_m, effective_from)
VALUES (pg_temp.pv('a'), 1, 0.5, 2, now() - interval '1 day');
SELECT rt.ingest(pg_temp.msg(95000001, 95000001, 'hello'));

-- ---- rounds_done -----------------------------------------------------------------------------
INSERT INTO t95 VALUES ('r', to_jsonb(pg_temp.run(jsonb_build_object('chat_id', 95000001, 'max_rounds', 2))));
SELECT is(pg_temp.say(pg_temp.sid('r'), '{"text": "one"}') ->> 'status', 'running', 'round 1, first turn');
SELECT is(pg_temp.say(pg_temp.sid('r'), '{"text": "two"}') ->> 'status', 'running', 'round 1, second turn');
SELECT is((SELECT current_round FROM rt.sessions WHERE id = pg_temp.sid('r')), 2, 'round 2 begins after every participant spoke');
SELECT is((SELECT (payload ->> 'position')::int FROM rt.outbox WHERE id = pg_temp.tj(pg_temp.sid('r'))), 0, 'with the first participant');
SELECT is(pg_temp.say(pg_temp.sid('r'), '{"text": "three"}') ->> 'status', 'running', 'round 2, first turn');
INSERT INTO t95 VALUES ('r4', pg_temp.say(pg_temp.sid('r'), '{"text": "four"}'));
SELECT is(pg_temp.got('r4') ->> 'status', 'finished', 'the last turn of the last round finishes the session');
SELECT is(pg_temp.got('r4') ->> 'stop_reason', 'rounds_done', 'rounds_done');
SELECT is(pg_temp.got('r4') -> 'next_job', 'null', 'no next turn');
SELECT is(pg_temp.last_text(pg_temp.sid('r')), 'Обсуждение завершено: все раунды пройдены (2).', 'the chat is told, with the rounds');
SELECT is((SELECT session_id FROM rt.chats WHERE id = 95000001), NULL, 'the chat is free again');
SELECT is((SELECT count(*)::int FROM rt.messages WHERE session_id = pg_temp.sid('r') AND speaker IS NOT NULL), 4, 'four turns');

-- ---- the summary turn ----------------------------------------------------------------------
UPDATE rt.providers SET enabled = true WHERE id = pg_temp.pv('sum');
UPDATE rt.providers SET position = 9 WHERE id = pg_temp.pv('sum');
INSERT INTO t95 VALUES ('su', to_jsonb(pg_temp.run(jsonb_build_object('max_rounds', 1, 'summary_provider_id', pg_temp.pv('sum')))));
UPDATE rt.providers SET enabled = false WHERE id = pg_temp.pv('sum');   -- enabled again below; not a participant now
SELECT pg_temp.say(pg_temp.sid('su'), '{"text": "alpha"}');
SELECT pg_temp.say(pg_temp.sid('su'), '{"text": "beta"}');
SELECT is(pg_temp.st(pg_temp.sid('su')), 'running', 'a console session (no chat) with three participants runs');
SELECT pg_temp.say(pg_temp.sid('su'), '{"text": "gamma"}');
SELECT is(pg_temp.st(pg_temp.sid('su')), 'finished/rounds_done', 'a summary provider that is disabled: no summary, rounds_done');
UPDATE rt.providers SET enabled = true WHERE id = pg_temp.pv('sum');
INSERT INTO t95 VALUES ('su2', to_jsonb(pg_temp.run(jsonb_build_object('max_rounds', 1, 'summary_provider_id', pg_temp.pv('sum')))));
SELECT pg_temp.say(pg_temp.sid('su2'), '{"text": "alpha"}');
SELECT pg_temp.say(pg_temp.sid('su2'), '{"text": "beta"}');
SELECT pg_temp.say(pg_temp.sid('su2'), '{"text": "gamma"}');
SELECT is(pg_temp.st(pg_temp.sid('su2')), 'running', 'after the last round: still running, for the summary');
SELECT is((SELECT summary_state FROM rt.sessions WHERE id = pg_temp.sid('su2')), 'pending', 'summary_state pending');
INSERT INTO t95 VALUES ('sb', rt.job_begin(pg_temp.tj(pg_temp.sid('su2'))));
SELECT is(pg_temp.got('sb') #>> '{session,speaker}', 'Итог', 'the summary''s speaker');
SELECT is(pg_temp.got('sb') #> '{session,position}', 'null', 'position null');
SELECT is(pg_temp.got('sb') #>> '{provider,id}', pg_temp.pv('sum')::text, 'by the summary provider');
SELECT ok(pg_temp.got('sb') #>> '{request,messages,0,content}' ~ 'moderator', 'with the moderator''s prompt');
SELECT is(jsonb_array_length(pg_temp.got('sb') #> '{request,messages}'), 5, 'and every turn');
SELECT is(rt.session_record_turn(pg_temp.tj(pg_temp.sid('su2')), '{"text": "They disagree."}') ->> 'stop_reason', 'rounds_done',
          'the summary recorded: rounds_done');
SELECT is((SELECT speaker || '/' || coalesce(participant::text, 'null') FROM rt.messages
           WHERE session_id = pg_temp.sid('su2') ORDER BY id DESC LIMIT 1), 'Итог/null', 'the summary is a turn of speaker Итог');

-- ---- token_limit and cost_limit --------------------------------------------------------------
UPDATE rt.providers SET enabled = false WHERE id = pg_temp.pv('sum');
INSERT INTO t95 VALUES ('tok', to_jsonb(pg_temp.run(jsonb_build_object('max_tokens', 300, 'max_rounds', 5))));
SELECT is(pg_temp.say(pg_temp.sid('tok'), '{"text": "first", "usage": {"input": 100, "output": 50}}') ->> 'status', 'running',
          '150 of 300 tokens: running');
SELECT is(pg_temp.say(pg_temp.sid('tok'), '{"text": "second", "usage": {"input": 120, "output": 30}}') ->> 'stop_reason', 'token_limit',
          '300 of 300 tokens: token_limit');
SELECT is(pg_temp.st(pg_temp.sid('tok')), 'finished/token_limit', 'finished');
SELECT is((SELECT tokens_in + tokens_out FROM rt.sessions WHERE id = pg_temp.sid('tok')), 300::bigint, 'the totals');

INSERT INTO t95 VALUES ('cost', to_jsonb(pg_temp.run(jsonb_build_object('max_cost', 0.001, 'max_rounds', 5))));
INSERT INTO t95 VALUES ('c1', pg_temp.say(pg_temp.sid('cost'), '{"text": "pricey", "usage": {"input": 1000, "output": 500}}'));
SELECT is((pg_temp.got('c1') ->> 'cost')::numeric, 0.002, 'the turn''s cost at the price in effect: 1000 * 1 + 500 * 2 per million');
SELECT is(pg_temp.got('c1') ->> 'stop_reason', 'cost_limit', 'cost 0.002 >= 0.001: cost_limit');
SELECT is((SELECT cost FROM rt.sessions WHERE id = pg_temp.sid('cost')), 0.002, 'the session''s cost');

-- ---- strikes ---------------------------------------------------------------------------------
INSERT INTO t95 VALUES ('k', to_jsonb(pg_temp.run(jsonb_build_object('chat_id', 95000001, 'max_rounds', 5))));
INSERT INTO t95 VALUES ('k1', pg_temp.say(pg_temp.sid('k'), '{"text": "  "}'));
SELECT is(pg_temp.got('k1') -> 'struck', 'true', 'an empty reply is a strike');
SELECT is(pg_temp.got('k1') -> 'send_job', 'null', 'and posts nothing');
SELECT is((SELECT strikes FROM rt.session_participants WHERE session_id = pg_temp.sid('k') AND position = 0), 1, 'strikes 1');
SELECT pg_temp.say(pg_temp.sid('k'), '{"text": "B speaks about the weather today"}');
SELECT is(pg_temp.say(pg_temp.sid('k'), '{"text": ""}') -> 'struck', 'true', 'A empty again: a second strike');
SELECT is((SELECT status || ': ' || excluded_reason FROM rt.session_participants WHERE session_id = pg_temp.sid('k') AND position = 0),
          'excluded: пустые или повторяющиеся ответы', 'two strikes exclude the participant');
SELECT is((SELECT count(*)::int FROM rt.audit_log WHERE action = 'session.exclude' AND target = 'session:' || pg_temp.sid('k')), 1,
          'the exclusion is audited');
SELECT ok(EXISTS (SELECT FROM rt.messages WHERE session_id = pg_temp.sid('k') AND speaker IS NULL
                                           AND text = 'T95 A исключён из обсуждения: пустые или повторяющиеся ответы.'),
          'and the chat is told');
SELECT is((SELECT (payload ->> 'position')::int FROM rt.outbox WHERE id = pg_temp.tj(pg_temp.sid('k'))), 1,
          'the next turn skips the excluded participant');
SELECT is(pg_temp.say(pg_temp.sid('k'), '{"text": "B speaks about the weather today!"}') -> 'struck', 'true',
          'a near-repeat of the same participant''s earlier reply is a strike');
SELECT is(pg_temp.say(pg_temp.sid('k'), '{"text": "Something entirely different about mountains and rivers."}') -> 'struck', 'false',
          'a new reply is not');
SELECT is(pg_temp.say(pg_temp.sid('k'), '{"text": "B speaks about the weather today"}') ->> 'stop_reason', 'no_participants',
          'the last participant''s second strike: no_participants');
SELECT is(pg_temp.st(pg_temp.sid('k')), 'finished/no_participants', 'finished');

-- ---- a provider failing for good -------------------------------------------------------------
INSERT INTO t95 VALUES ('f', to_jsonb(pg_temp.run(jsonb_build_object('chat_id', 95000001))));
INSERT INTO t95 VALUES ('fj', to_jsonb(pg_temp.tj(pg_temp.sid('f'))));
SELECT rt.job_begin((pg_temp.got('fj') #>> '{}')::bigint);
SELECT is(rt.job_failed((pg_temp.got('fj') #>> '{}')::bigint, 'HTTP 401 invalid key', true) ->> 'state', 'dead', 'job_failed final');
SELECT is((SELECT status || ': ' || excluded_reason FROM rt.session_participants WHERE session_id = pg_temp.sid('f') AND position = 0),
          'excluded: HTTP 401 invalid key', 'the participant is excluded with the error');
SELECT is((SELECT (payload ->> 'position')::int FROM rt.outbox WHERE id = pg_temp.tj(pg_temp.sid('f'))), 1, 'the next one speaks');
DELETE FROM rt.providers WHERE id = pg_temp.pv('b');
SELECT is(rt.job_begin(pg_temp.tj(pg_temp.sid('f'))) ->> 'state', 'dead', 'job_begin of a turn whose provider was deleted: dead');
SELECT is(pg_temp.st(pg_temp.sid('f')), 'finished/no_participants', 'nobody is left: no_participants');

-- ---- timeout through the reaper --------------------------------------------------------------
INSERT INTO t95 VALUES ('t', to_jsonb(pg_temp.run(jsonb_build_object('chat_id', 95000001))));
SELECT is(rt.session_reap() >= 0, true, 'the reaper runs');
SELECT is(pg_temp.st(pg_temp.sid('t')), 'running', 'a turn within its deadline is left alone');
UPDATE rt.sessions SET turn_deadline = now() - interval '1 second' WHERE id = pg_temp.sid('t');
SELECT ok(rt.session_reap() >= 1, 'a past deadline is reaped');
SELECT is(pg_temp.st(pg_temp.sid('t')), 'failed/timeout', 'failed with timeout');
SELECT is(pg_temp.last_text(pg_temp.sid('t')), 'Обсуждение прервано: модель не ответила вовремя.', 'the chat is told');
SELECT ok((SELECT done_at IS NOT NULL FROM rt.outbox WHERE id = pg_temp.tj(pg_temp.sid('t'))), 'its turn job is done');
INSERT INTO t95 SELECT 'aw', to_jsonb((rt._session_open(95000001, 95000100, 'telegram:95000100')).id);
UPDATE rt.sessions SET created_at = now() - interval '2 hours' WHERE id = pg_temp.sid('aw');
SELECT ok(rt.session_reap() >= 1, 'a topic never given is reaped after an hour');
SELECT is(pg_temp.st(pg_temp.sid('aw')), 'failed/timeout', 'awaiting_topic -> failed (timeout)');

-- ---- the context budget ----------------------------------------------------------------------
UPDATE rt.providers SET enabled = false;
UPDATE rt.providers SET enabled = true WHERE id = pg_temp.pv('a');
INSERT INTO rt.providers (name, type, model_id, enabled, position) VALUES ('T95 C', 'openai', 'gpt-4o-mini', true, 5);
INSERT INTO t95 VALUES ('big', to_jsonb(pg_temp.run(jsonb_build_object('context_token_limit', 1000, 'max_rounds', 100))));
-- eight rounds of long turns (about 120 estimated tokens each): far beyond 1000 - 500 tokens
DO $$
DECLARE
    i int;
BEGIN
    FOR i IN 1..16 LOOP
        PERFORM pg_temp.say(pg_temp.sid('big'), jsonb_build_object('text',
            format('Turn %s opens with its main claim. ', i)
            || (SELECT string_agg(md5(i || ':' || g), ' ') FROM generate_series(1, 12) g)));   -- no two alike: no strikes
    END LOOP;
END
$$;
INSERT INTO t95 VALUES ('bb', rt.job_begin(pg_temp.tj(pg_temp.sid('big'))));
SELECT is(pg_temp.got('bb') #>> '{session,compressed}', 'true', 'a long history is compressed');
SELECT ok((SELECT sum(rt.estimate_tokens(m ->> 'content') + 4) FROM jsonb_array_elements(pg_temp.got('bb') #> '{request,messages}') m)
          <= 1000 - (pg_temp.got('bb') #>> '{request,max_tokens}')::int,
          'the request''s estimated prompt leaves room for max_tokens within context_token_limit');
SELECT is((pg_temp.got('bb') #>> '{request,max_tokens}')::int, 500, 'max_tokens: the preset''s 512, at most half of a 1000-token context');
SELECT is(pg_temp.got('bb') #>> '{request,messages,1,content}', 'Topic: t95 topic', 'the topic stays first');
SELECT ok(pg_temp.got('bb') #>> '{request,messages,-1,content}' LIKE 'T95 C: Turn 16 opens with its main claim.%',
          'the last turn is still there');


-- ---- the LLM summary of older rounds ---------------------------------------------------------
UPDATE rt.providers SET enabled = true WHERE id = pg_temp.pv('sum');
INSERT INTO t95 VALUES ('ls', to_jsonb(pg_temp.run(jsonb_build_object('context_token_limit', 1000, 'max_rounds', 100,
                                                                         'summary_provider_id', pg_temp.pv('sum')))));
UPDATE rt.providers SET enabled = false WHERE id IN (SELECT provider_id FROM rt.session_participants
                                                     WHERE session_id = pg_temp.sid('ls') AND provider_id <> pg_temp.pv('sum'));
UPDATE rt.providers SET enabled = true WHERE id = pg_temp.pv('sum');
DELETE FROM rt.session_participants WHERE session_id = pg_temp.sid('ls') AND provider_id = pg_temp.pv('sum');  -- summary only
-- turns until the history outgrows 1000 - 500 tokens: then job_begin postpones the speaker
DO $$
DECLARE
    i int;
    j bigint;
BEGIN
    FOR i IN 1..30 LOOP
        j := pg_temp.tj(pg_temp.sid('ls'));
        IF rt.job_begin(j) = '{"state": "done"}' THEN
            INSERT INTO t95 VALUES ('lsj', to_jsonb(j));
            EXIT;
        END IF;
        PERFORM rt.session_record_turn(j, jsonb_build_object('text', format('Point %s. ', i)
            || (SELECT string_agg(md5('ls' || i || ':' || g), ' ') FROM generate_series(1, 6) g)));
    END LOOP;
END
$$;
SELECT set_config('t95.r', (SELECT payload ->> 'round' FROM rt.outbox WHERE id = (pg_temp.got('lsj') #>> '{}')::bigint), true);
SELECT ok(current_setting('t95.r')::int >= 2, 'over the budget with a summary provider: a speaker''s turn waits (from round 2 on)');
SELECT is((SELECT result FROM rt.outbox WHERE id = (pg_temp.got('lsj') #>> '{}')::bigint), '{"state": "postponed"}', 'its job is postponed');
SELECT is((SELECT payload - 'session_id' - 'turn' FROM rt.outbox WHERE id = pg_temp.tj(pg_temp.sid('ls'))),
          jsonb_build_object('round', current_setting('t95.r')::int, 'chat_id', NULL, 'purpose', 'compress', 'position', NULL,
                             'resume_position', (SELECT (payload ->> 'position')::int FROM rt.outbox
                                                 WHERE id = (pg_temp.got('lsj') #>> '{}')::bigint)),
          'a compress job of the summary provider comes first, with no chat (nothing of it is posted)');
INSERT INTO t95 VALUES ('lsb', rt.job_begin(pg_temp.tj(pg_temp.sid('ls'))));
SELECT is(pg_temp.got('lsb') #>> '{provider,id}', pg_temp.pv('sum')::text, 'asked of the summary provider');
SELECT ok(pg_temp.got('lsb') #>> '{request,messages,0,content}' ~ format('Summarise rounds 1-%s', current_setting('t95.r')::int - 1),
          'to summarise the rounds before this one');
SELECT is(pg_temp.got('lsb') #>> '{session,speaker}', 'Summary', 'speaker Summary');
SELECT is(rt.session_record_turn(pg_temp.tj(pg_temp.sid('ls')), '{"text": "A argued X, B argued Y.", "usage": {"input": 400, "output": 10}}') ->> 'status',
          'running', 'the summary recorded');
SELECT is((SELECT context_summary || ' / ' || context_summary_round FROM rt.sessions WHERE id = pg_temp.sid('ls')),
          'A argued X, B argued Y. / ' || (current_setting('t95.r')::int - 1), 'sessions.context_summary and context_summary_round');
SELECT is((SELECT count(*)::int FROM rt.messages WHERE session_id = pg_temp.sid('ls') AND text = 'A argued X, B argued Y.'), 0,
          'the context summary is no turn of the history');
INSERT INTO t95 VALUES ('lsr', rt.job_begin(pg_temp.tj(pg_temp.sid('ls'))));
SELECT is((pg_temp.got('lsr') #>> '{session,position}')::int,
          (SELECT (payload ->> 'position')::int FROM rt.outbox WHERE id = (pg_temp.got('lsj') #>> '{}')::bigint),
          'then the postponed speaker');
SELECT is(pg_temp.got('lsr') #>> '{request,messages,2,content}',
          format('Summary of rounds 1-%s: A argued X, B argued Y.', current_setting('t95.r')::int - 1),
          'whose context has the summary in place of the older rounds');
SELECT ok(position('Point 1.' IN (pg_temp.got('lsr') #> '{request,messages}')::text) = 0, 'and nothing of round 1 besides');
SELECT ok((SELECT sum(rt.estimate_tokens(m ->> 'content') + 4) FROM jsonb_array_elements(pg_temp.got('lsr') #> '{request,messages}') m)
          <= 1000 - (pg_temp.got('lsr') #>> '{request,max_tokens}')::int, 'within the budget');

SELECT * FROM finish();
ROLLBACK;
