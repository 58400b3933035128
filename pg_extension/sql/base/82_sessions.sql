-- roundtable base, sessions: Round table: sessions, their cycle and their API

CREATE FUNCTION rt.session_transition(status text, event text) RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'session_transition';
COMMENT ON FUNCTION rt.session_transition(text, text) IS 'The session state table (docs/design/contract-roundtable.md): the status after event (topic, start, stop, finish, fail) in status (awaiting_topic: topic -> awaiting_topic, start -> running, stop -> stopped, fail -> failed; running: stop -> stopped, finish -> finished, fail -> failed; finished, stopped, failed: nothing). A pair not in the table raises 55000 session in state "<status>" cannot <event>; an unknown status or event raises 22023 naming it';

CREATE FUNCTION rt.estimate_tokens(t text) RETURNS int
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'estimate_tokens';
COMMENT ON FUNCTION rt.estimate_tokens(text) IS 'Estimated BPE tokens of t without a vocabulary, calibrated on o200k_base (gpt-4o family): runs of Latin letters ceil(n/12), Cyrillic ceil(n/5.75), digits ceil(n/3), a newline run 1, extra spaces 1/4 each (+1 before digits), emoji 2, other characters 0.8; 0 for the empty text, else at least 1. Mean error about 8% on tests/fixtures/token-corpus.json (Russian, English, code, numbers); cl100k_base spends about twice as many tokens on Cyrillic';

CREATE FUNCTION rt.text_similarity(a text, b text) RETURNS float8
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'text_similarity';
COMMENT ON FUNCTION rt.text_similarity(text, text) IS 'Near-repeat similarity in [0,1]: the Dice coefficient of the character 4-gram multisets of both texts, normalised as rt.normalize''s base form (Latin and Cyrillic case folded, ё as е) with punctuation as word breaks and whitespace collapsed. Identical after normalisation = 1, nothing in common = 0; two texts without letters or digits = 1. Only the first 20000 bytes of each input are compared';

CREATE FUNCTION rt.compress_context(turns jsonb, budget int) RETURNS jsonb
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'compress_context';
COMMENT ON FUNCTION rt.compress_context(jsonb, int) IS 'Extractive context compression. turns: an array of objects, each with an integer "round" and a string "content" (or "text"), other keys kept. Turns of round <= 0 (the topic) and of the highest round are kept whole; older turns are cut to their leading sentences (split after . ! ? … and before newlines), one sentence fewer at a time, oldest first, until the estimate fits budget; if one sentence each is still too much, the oldest older turns are dropped. Cost of a turn: rt.estimate_tokens(text) + 4. Returns {"turns": [...same order, cut ones with "compressed": true], "tokens": n, "compressed": bool, "dropped": k}; tokens may exceed budget only when the kept turns alone do. 22023 for a non-array, a bad turn or a negative budget';

CREATE FUNCTION rt._session_fx(jobs int DEFAULT 0, out_messages bigint[] DEFAULT '{}',
                               notifications bigint[] DEFAULT '{}') RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
    SELECT jsonb_build_object('jobs', coalesce(jobs, 0),
                              'out_messages', to_jsonb(coalesce(out_messages, '{}')),
                              'notifications', to_jsonb(coalesce(notifications, '{}')))
$$;
COMMENT ON FUNCTION rt._session_fx(int, bigint[], bigint[]) IS 'internal: {"jobs": n, "out_messages": [ids], "notifications": [ids]}, what a round-table function queued';

CREATE FUNCTION rt._session_fx_add(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
    SELECT jsonb_build_object(
        'jobs', coalesce((a ->> 'jobs')::int, 0) + coalesce((b ->> 'jobs')::int, 0),
        'out_messages', coalesce(a -> 'out_messages', '[]') || coalesce(b -> 'out_messages', '[]'),
        'notifications', coalesce(a -> 'notifications', '[]') || coalesce(b -> 'notifications', '[]'))
$$;
COMMENT ON FUNCTION rt._session_fx_add(jsonb, jsonb) IS 'internal: two effect objects added up (jobs summed, id lists joined)';

-- the doorbells of an effect object, for the callers that are not rt.ingest
CREATE FUNCTION rt._session_ring(fx jsonb, chat_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt._ring_outbox(coalesce((fx ->> 'jobs')::int, 0));
    PERFORM rt._ring_messages(ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(fx -> 'out_messages') x), '{}',
                              CASE WHEN jsonb_array_length(coalesce(fx -> 'out_messages', '[]')) > 0 THEN ARRAY[chat_id] ELSE '{}' END,
                              ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(fx -> 'notifications') x));
END
$$;
COMMENT ON FUNCTION rt._session_ring(jsonb, bigint) IS 'internal: NOTIFY rt_outbox for the jobs and one journal row for the messages and notifications of an effect object';

CREATE FUNCTION rt._session_lock(id bigint, field text DEFAULT 'id') RETURNS rt.sessions
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    s rt.sessions;
BEGIN
    SELECT * INTO s FROM rt.sessions WHERE sessions.id = _session_lock.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % does not exist', id USING ERRCODE = 'P0002', COLUMN = field;
    END IF;
    RETURN s;
END
$$;
COMMENT ON FUNCTION rt._session_lock(bigint, text) IS 'internal: the session row, locked; P0002 naming field when unknown';

-- a bot text to the session's chat (nothing for a console-only session), in its history
CREATE FUNCTION rt._session_say(s rt.sessions, key text, vars jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    q jsonb;
BEGIN
    IF s.chat_id IS NULL THEN
        RETURN rt._session_fx();
    END IF;
    q := rt._queue_bot_text(s.chat_id, rt._bot_text(key, vars), NULL, s.id);
    RETURN rt._session_fx(1, ARRAY[(q ->> 'message_pk')::bigint]);
END
$$;
COMMENT ON FUNCTION rt._session_say(rt.sessions, text, jsonb) IS 'internal: queues bot text key (vars replaced) to the session''s chat with its session_id; returns the effect object (nothing for a session without a chat)';

-- the global limits of a new session (settings roundtable.*)
CREATE FUNCTION rt._session_defaults() RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'max_rounds', rt.setting('roundtable.max_rounds'),
        'turn_timeout_sec', rt.setting('roundtable.turn_timeout_sec'),
        'context_token_limit', rt.setting('roundtable.context_token_limit'),
        'max_tokens', rt.setting('roundtable.max_tokens'),
        'max_cost', rt.setting('roundtable.max_cost'),
        'summary_provider_id', CASE WHEN jsonb_typeof(rt.setting('roundtable.summary_provider')) = 'number'
                                    THEN (SELECT to_jsonb(p.id) FROM rt.providers p
                                          WHERE p.id = (rt.setting('roundtable.summary_provider') #>> '{}')::numeric) END)
$$;
COMMENT ON FUNCTION rt._session_defaults() IS 'internal: the limits a new session starts with, from the settings roundtable.max_rounds, turn_timeout_sec, context_token_limit, max_tokens, max_cost, summary_provider (an id that no longer exists is null)';

-- a new session awaiting its topic; limits: the settings, then over (admin overrides, checked by the caller)
CREATE FUNCTION rt._session_create(chat_id bigint, user_id bigint, created_by text, over jsonb DEFAULT '{}')
RETURNS rt.sessions
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    d jsonb := rt._session_defaults() || coalesce(over, '{}');
    s rt.sessions;
BEGIN
    BEGIN
        INSERT INTO rt.sessions (chat_id, user_id, created_by, max_rounds, turn_timeout_sec, context_token_limit,
                                 max_tokens, max_cost, summary_provider_id)
        VALUES (chat_id, user_id, left(coalesce(created_by, rt.current_actor()), 200),
                coalesce((d ->> 'max_rounds')::int, 5), coalesce((d ->> 'turn_timeout_sec')::int, 60),
                coalesce((d ->> 'context_token_limit')::int, 6000),
                (d ->> 'max_tokens')::bigint, (d ->> 'max_cost')::numeric, (d ->> 'summary_provider_id')::bigint)
        RETURNING * INTO s;
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'chat % already has a session awaiting its topic or running', chat_id
            USING ERRCODE = '23505', COLUMN = 'chat_id';
    END;
    IF s.chat_id IS NOT NULL THEN
        UPDATE rt.chats c SET session_id = s.id WHERE c.id = s.chat_id;
    END IF;
    PERFORM rt.audit('session.create', 'session:' || s.id, NULL,
                     jsonb_build_object('status', s.status, 'chat_id', s.chat_id, 'user_id', s.user_id,
                                        'created_by', s.created_by, 'max_rounds', s.max_rounds,
                                        'turn_timeout_sec', s.turn_timeout_sec, 'context_token_limit', s.context_token_limit,
                                        'max_tokens', s.max_tokens, 'max_cost', s.max_cost,
                                        'summary_provider_id', s.summary_provider_id));
    PERFORM rt._notify_changed('session', jsonb_build_array(s.id));
    RETURN s;
END
$$;
COMMENT ON FUNCTION rt._session_create(bigint, bigint, text, jsonb) IS 'internal: inserts a session awaiting its topic with the settings'' limits overridden by over, sets chats.session_id, audits session.create, rings changed session; 23505 naming chat_id when the chat already has an active session';

CREATE FUNCTION rt._session_open(chat_id bigint, user_id bigint, created_by text) RETURNS rt.sessions
LANGUAGE sql VOLATILE
SET search_path = rt, pg_catalog
AS $$
    SELECT rt._session_create(chat_id, user_id, created_by, '{}')
$$;
COMMENT ON FUNCTION rt._session_open(bigint, bigint, text) IS 'internal (the router''s /new): a session awaiting its topic in the chat, with the limits of the settings; chats.session_id set; 23505 when the chat already has one awaiting or running';

-- copies the participants of a starting session; returns how many
CREATE FUNCTION rt._session_seat(s rt.sessions) RETURNS int
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    n int;
    demo rt.providers;
BEGIN
    INSERT INTO rt.session_participants (session_id, position, provider_id, provider_name, personality_id, name,
                                         instructions, style)
    SELECT s.id, (row_number() OVER (ORDER BY p.position, p.id) - 1)::int, p.id, p.name, pe.id,
           left(CASE WHEN pe.id IS NULL THEN p.name ELSE p.name || ' · ' || pe.title END, 200),
           coalesce(pe.instructions, ''), coalesce(pe.style, '')
    FROM rt.providers p LEFT JOIN rt.personalities pe ON pe.id = p.personality_id
    WHERE p.enabled AND p.type <> 'demo'
    ORDER BY p.position, p.id
    LIMIT 101;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        RETURN n;
    END IF;
    -- the offline demo: the demo provider plays every personality, so the debate has speakers
    SELECT * INTO demo FROM rt.providers p WHERE p.enabled AND p.type = 'demo' ORDER BY p.position, p.id LIMIT 1;
    IF demo.id IS NULL THEN
        RETURN 0;
    END IF;
    INSERT INTO rt.session_participants (session_id, position, provider_id, provider_name, personality_id, name,
                                         instructions, style)
    SELECT s.id, (row_number() OVER (ORDER BY pe.id) - 1)::int, demo.id, demo.name, pe.id,
           left(demo.name || ' · ' || pe.title, 200), pe.instructions, pe.style
    FROM (SELECT * FROM rt.personalities ORDER BY id LIMIT 4) pe;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        INSERT INTO rt.session_participants (session_id, position, provider_id, provider_name, name)
        VALUES (s.id, 0, demo.id, demo.name, demo.name);
        n := 1;
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION rt._session_seat(rt.sessions) IS 'internal: copies the participants of a starting session: every enabled non-demo provider by (position, id) with its personality; with none, the enabled demo provider once per personality (by id, at most 4; once without any); returns how many';

-- queues the llm.turn job of (round, position); position null = the summary turn
CREATE FUNCTION rt._session_queue_turn(session_id bigint, rnd int, pos int, purpose text DEFAULT NULL,
                                       resume_position int DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    s rt.sessions;
    job bigint;
BEGIN
    SELECT * INTO s FROM rt.sessions WHERE sessions.id = _session_queue_turn.session_id;
    INSERT INTO rt.outbox (kind, payload)
    -- a context summary is no turn of the debate: no chat in its payload, so nothing of it is posted
    VALUES ('llm.turn', jsonb_build_object('session_id', s.id, 'turn', s.turns, 'round', rnd, 'position', pos,
                                           'chat_id', CASE WHEN purpose IS NULL THEN s.chat_id END)
                        || CASE WHEN purpose IS NOT NULL
                                THEN jsonb_build_object('purpose', purpose, 'resume_position', resume_position)
                                ELSE '{}' END)
    RETURNING id INTO job;
    UPDATE rt.sessions SET current_round = rnd, next_position = coalesce(pos, next_position),
        turn_job = job, turn_started_at = now(),
        turn_deadline = now() + turn_timeout_sec * interval '1 second', updated_at = now()
    WHERE sessions.id = s.id;
    RETURN job;
END
$$;
COMMENT ON FUNCTION rt._session_queue_turn(bigint, int, int, text, int) IS 'internal: inserts the llm.turn job {"session_id","turn","round","position","chat_id"} (turn = sessions.turns, the idempotency key; with purpose "compress" also "purpose" and "resume_position", and chat_id null so nothing is posted) and makes it the session''s turn: current_round, next_position, turn_job, turn_started_at, turn_deadline = now() + turn_timeout_sec';

CREATE FUNCTION rt._session_begin(session_id bigint, topic text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    s rt.sessions;
    t text := btrim(topic, E' \t\r\n');
    n int;
    first_pos int;
    fx jsonb;
BEGIN
    s := rt._session_lock(session_id, 'session_id');
    PERFORM rt.session_transition(s.status, 'start');        -- 55000 before anything else
    IF topic IS NOT NULL THEN
        IF length(t) NOT BETWEEN 1 AND 4000 THEN
            PERFORM rt._field_error('topic', 'must be 1 to 4000 characters and not blank');
        END IF;
        PERFORM rt.session_transition(s.status, 'topic');
        s.topic := t;
    ELSIF s.topic IS NULL THEN
        PERFORM rt._field_error('topic', 'is required: the session has no topic yet');
    END IF;
    UPDATE rt.sessions SET topic = s.topic, status = rt.session_transition(s.status, 'start'),
        started_at = now(), updated_at = now()
    WHERE sessions.id = s.id
    RETURNING * INTO s;
    n := rt._session_seat(s);
    PERFORM rt.audit('session.start', 'session:' || s.id, jsonb_build_object('status', 'awaiting_topic'),
                     jsonb_build_object('status', s.status, 'topic', s.topic, 'participants', n));
    IF n = 0 THEN
        RETURN rt._session_end(s.id, 'no_participants', 'no enabled provider');
    END IF;
    fx := rt._session_say(s, 'started', jsonb_build_object(
        'topic', s.topic, 'rounds', s.max_rounds,
        'names', (SELECT string_agg(sp.name, ', ' ORDER BY sp.position) FROM rt.session_participants sp
                  WHERE sp.session_id = s.id)));
    SELECT min(sp.position) INTO first_pos FROM rt.session_participants sp WHERE sp.session_id = s.id;
    PERFORM rt._session_queue_turn(s.id, 1, first_pos);
    PERFORM rt._notify_changed('session', jsonb_build_array(s.id));
    RETURN rt._session_fx_add(fx, rt._session_fx(1));
END
$$;
COMMENT ON FUNCTION rt._session_begin(bigint, text) IS 'internal (the router, rt.start_session): sets the topic (when given; 1..4000 characters, 22023 naming topic) and starts the session: running, started_at, participants copied, the "started" text to the chat, the first llm.turn job with its deadline; no participant -> ends no_participants. 55000 unless awaiting its topic, P0002 unknown. Returns {"jobs","out_messages","notifications"}';

CREATE FUNCTION rt._session_end(session_id bigint, reason text, detail text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    s rt.sessions;
    before_status text;
    event text;
    fx jsonb;
    dropped bigint[];
BEGIN
    event := CASE WHEN reason IN ('rounds_done', 'token_limit', 'cost_limit', 'no_participants') THEN 'finish'
                  WHEN reason IN ('stopped_by_user', 'stopped_by_admin') THEN 'stop'
                  WHEN reason IN ('timeout', 'error') THEN 'fail' END;
    IF event IS NULL THEN
        PERFORM rt._field_error('reason', 'must be one of rounds_done, token_limit, cost_limit, no_participants, stopped_by_user, stopped_by_admin, timeout, error');
    END IF;
    s := rt._session_lock(session_id, 'session_id');
    before_status := s.status;
    UPDATE rt.sessions SET status = rt.session_transition(s.status, event), stop_reason = reason,
        stop_detail = left(detail, 1000), finished_at = now(), turn_deadline = NULL, updated_at = now()
    WHERE sessions.id = s.id
    RETURNING * INTO s;
    IF s.chat_id IS NOT NULL THEN
        UPDATE rt.chats c SET session_id = NULL WHERE c.id = s.chat_id AND c.session_id = s.id;
    END IF;
    -- the turn in progress is over (a worker that holds it finds the session ended itself)
    UPDATE rt.outbox o SET done_at = now(), result = '{"state": "stopped"}'
    WHERE o.id IN (SELECT x.id FROM rt.outbox x WHERE x.id = s.turn_job AND x.done_at IS NULL AND x.dead_at IS NULL
                   FOR UPDATE SKIP LOCKED);
    -- stopped by someone: nothing more of it is posted
    IF event = 'stop' AND s.chat_id IS NOT NULL THEN
        WITH d AS (
            UPDATE rt.outbox o SET done_at = now(), discarded_at = now(), last_error = 'not sent: the session was stopped'
            WHERE o.id IN (SELECT x.id FROM rt.outbox x
                           WHERE x.done_at IS NULL AND x.dead_at IS NULL AND x.kind = 'telegram.send'
                             AND x.payload @> jsonb_build_object('session_id', s.id)
                           FOR UPDATE SKIP LOCKED)
            RETURNING rt._payload_id(o.payload, 'message_pk') AS pk)
        SELECT array_agg(d.pk) INTO dropped FROM d WHERE d.pk IS NOT NULL;
        IF dropped IS NOT NULL THEN
            UPDATE rt.messages m SET status = 'failed', error = 'not sent: the session was stopped'
            WHERE m.id = ANY (dropped) AND m.status IN ('queued', 'sending');
            PERFORM rt._ring_messages('{}', dropped, ARRAY[s.chat_id]);
        END IF;
    END IF;
    fx := rt._session_say(s, 'ended_' || reason, jsonb_build_object('rounds', s.current_round));
    PERFORM rt.audit('session.end', 'session:' || s.id, jsonb_build_object('status', before_status),
                     jsonb_build_object('status', s.status, 'stop_reason', s.stop_reason, 'stop_detail', s.stop_detail,
                                        'current_round', s.current_round, 'turns', s.turns));
    PERFORM rt._journal_append('session.stopped', jsonb_build_object('session_id', s.id));
    PERFORM rt._notify_changed('session', jsonb_build_array(s.id));
    RETURN fx;
END
$$;
COMMENT ON FUNCTION rt._session_end(bigint, text, text) IS 'internal: ends a session for reason (rounds_done, token_limit, cost_limit, no_participants -> finished; stopped_by_user, stopped_by_admin -> stopped; timeout, error -> failed; else 22023): the transition (55000 when already ended), stop_reason, stop_detail, finished_at, chats.session_id null, the pending turn job done, when stopped the session''s unsent telegram.send jobs discarded (their messages failed), the ended_<reason> text, audit session.end, journal rows session.stopped {"session_id"} and changed session. Returns {"jobs","out_messages","notifications"}';

CREATE FUNCTION rt._session_interject(session_id bigint, message_pk bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    UPDATE rt.messages m SET session_id = _session_interject.session_id
    WHERE m.id = message_pk AND m.direction = 'in' AND m.session_id IS NULL
      AND EXISTS (SELECT FROM rt.sessions s WHERE s.id = _session_interject.session_id AND s.status = 'running'
                                              AND s.chat_id = m.chat_id);
    RETURN rt._session_fx();
END
$$;
COMMENT ON FUNCTION rt._session_interject(bigint, bigint) IS 'internal (the router): an incoming message of the chat of a running session joins its history (messages.session_id), so the next speakers see it; nothing otherwise. Returns {"jobs":0,"out_messages":[],"notifications":[]}';

-- what a session's speakers have said so far, as [{"role","content","round"}], the topic first.
-- me: the position whose own turns are "assistant" (null: every turn is "user", for the summary)
CREATE FUNCTION rt._session_history(s rt.sessions, me int) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    -- plpgsql, not sql: the plan over rt.messages' partitions is cached, not made at every turn
    RETURN (SELECT jsonb_build_array(jsonb_build_object('role', 'user', 'content', 'Topic: ' || s.topic, 'round', 0))
           || coalesce(jsonb_agg(jsonb_build_object(
                  'role', CASE WHEN h.direction = 'out' AND h.participant = me THEN 'assistant' ELSE 'user' END,
                  'content', CASE WHEN h.direction = 'in'
                                  THEN coalesce(nullif(btrim(concat_ws(' ', h.first_name, h.last_name)), ''), h.username, 'user')
                                       || ' (участник чата): ' || h.text
                                  WHEN h.participant = me THEN h.text
                                  ELSE h.speaker || ': ' || h.text END,
                  'round', greatest(coalesce(h.rnd, 1), 1)) ORDER BY h.id), '[]')
    FROM (SELECT m.id, m.direction, m.participant, m.speaker, m.text, u.first_name, u.last_name, u.username,
                 max(m.round) OVER (ORDER BY m.id) AS rnd
          FROM rt.messages m LEFT JOIN rt.users u ON u.id = m.user_id
          WHERE m.session_id = s.id
            AND ((m.direction = 'out' AND m.speaker IS NOT NULL AND m.round IS NOT NULL)
                 OR (m.direction = 'in' AND m.moderation IS NULL))
            AND btrim(coalesce(m.text, '')) <> '') h);
END
$$;
COMMENT ON FUNCTION rt._session_history(rt.sessions, int) IS 'internal: the history a speaker sees: the topic ({"role":"user","content":"Topic: ...","round":0}), then every non-empty turn ("<speaker>: <text>" as user, the speaker''s own as assistant) and interjection ("<name> (участник чата): <text>") in order, each with its round';

CREATE FUNCTION rt._session_tokens(sys text, hist jsonb) RETURNS int
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    -- 4 tokens of chat-message overhead each, as rt.compress_context counts them
    RETURN rt.estimate_tokens(coalesce(sys, '')) + 4
           + coalesce((SELECT sum(rt.estimate_tokens(coalesce(e ->> 'content', '')) + 4)::int
                       FROM jsonb_array_elements(hist) e), 0);
END
$$;
COMMENT ON FUNCTION rt._session_tokens(text, jsonb) IS 'internal: estimated tokens of a system prompt and a history: rt.estimate_tokens of each text plus 4 per message (the chat-message overhead rt.compress_context counts too)';

-- the history within budget tokens together with the system prompt: the context summary of older
-- rounds first (when there is one), then rt.compress_context, then the oldest turns after the
-- topic dropped, then the longest text halved, until it fits
CREATE FUNCTION rt._session_fit(s rt.sessions, sys text, hist jsonb, budget int) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    c jsonb;
    i int;
    longest int;
    guard int := 0;
BEGIN
    IF rt._session_tokens(sys, hist) <= budget THEN
        RETURN jsonb_build_object('system', sys, 'history', hist, 'compressed', false);
    END IF;
    IF s.context_summary IS NOT NULL AND s.context_summary_round >= 1 THEN
        hist := jsonb_build_array(hist -> 0,
                    jsonb_build_object('role', 'user', 'round', s.context_summary_round,
                                       'content', format('Summary of rounds 1-%s: %s', s.context_summary_round, s.context_summary)))
                || coalesce((SELECT jsonb_agg(e ORDER BY n) FROM jsonb_array_elements(hist) WITH ORDINALITY x (e, n)
                             WHERE n > 1 AND (e ->> 'round')::int > s.context_summary_round), '[]');
    END IF;
    IF rt._session_tokens(sys, hist) > budget THEN
        c := rt.compress_context(hist, greatest(budget - rt.estimate_tokens(sys) - 4, 1));
        IF jsonb_typeof(c) = 'object' THEN
            c := coalesce(c -> 'turns', c -> 'messages');
        END IF;
        IF jsonb_typeof(c) = 'array' AND jsonb_array_length(c) > 0 THEN
            hist := c;
        END IF;
    END IF;
    -- the guarantee: room for max_tokens, whatever the estimate of the compressed text
    WHILE rt._session_tokens(sys, hist) > budget AND jsonb_array_length(hist) > 2 LOOP
        hist := hist - 1;
    END LOOP;
    WHILE rt._session_tokens(sys, hist) > budget AND guard < 64 LOOP
        guard := guard + 1;
        SELECT n - 1 INTO longest FROM jsonb_array_elements(hist) WITH ORDINALITY x (e, n)
        ORDER BY length(e ->> 'content') DESC LIMIT 1;
        IF length(sys) > length(hist -> longest ->> 'content') THEN
            sys := left(sys, length(sys) / 2);
        ELSE
            i := length(hist -> longest ->> 'content') / 2;
            hist := jsonb_set(hist, ARRAY[longest::text, 'content'], to_jsonb(left(hist -> longest ->> 'content', i) || '…'));
        END IF;
    END LOOP;
    RETURN jsonb_build_object('system', sys, 'history', hist, 'compressed', true);
END
$$;
COMMENT ON FUNCTION rt._session_fit(rt.sessions, text, jsonb, int) IS 'internal: {"system","history","compressed"} within budget estimated tokens: as is when it fits; else the session''s context summary replaces the rounds it covers, rt.compress_context (C, extractive) shrinks the rest, and as a last resort the oldest turns after the topic are dropped and the longest text halved';

-- the system prompt of a participant (instructions, style, the debate's rules) or of the summary
CREATE FUNCTION rt._session_system(s rt.sessions, sp rt.session_participants) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    RETURN CASE WHEN sp.session_id IS NULL THEN
        concat_ws(E'\n\n',
            'You are the moderator of a round-table debate. Topic: «' || s.topic || '».',
            'Participants: ' || (SELECT string_agg(x.name, ', ' ORDER BY x.position) FROM rt.session_participants x
                                 WHERE x.session_id = s.id) || '.',
            'Summarise the debate: the position of each participant, where they agree, where they disagree, and a short conclusion. Be concise and neutral. Reply in the language of the topic.')
    ELSE
        concat_ws(E'\n\n',
            nullif(btrim(sp.instructions), ''),
            nullif(btrim(sp.style), ''),
            'You are ' || sp.name || ', a participant of a round-table debate. Topic: «' || s.topic || '».'
            || coalesce(' The other participants: ' || (SELECT string_agg(x.name, ', ' ORDER BY x.position)
                                                        FROM rt.session_participants x
                                                        WHERE x.session_id = s.id AND x.position <> sp.position) || '.', ''),
            'Rules: answer the others'' arguments, do not repeat yourself or the others, be concise (a short paragraph). Write only your own reply, without your name. Reply in the language of the topic.')
    END;
END
$$;
COMMENT ON FUNCTION rt._session_system(rt.sessions, rt.session_participants) IS 'internal: the system prompt of a turn: the participant''s instructions and style and the debate''s rules (topic, its name, the others; answer the others, do not repeat yourself, be concise); for a null participant the summary''s moderator prompt';

-- what an edge worker needs to stream one model call: the provider, its endpoint, the request
-- made streaming (with usage), whether Telegram sees it grow, and the chat's type
CREATE FUNCTION rt._llm_call(p rt.providers, req jsonb, chat_type text) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'chat_type', chat_type,
        'streaming', CASE WHEN jsonb_typeof(st.v) = 'boolean' THEN st.v ELSE 'true' END,
        'provider', jsonb_build_object('id', p.id, 'name', p.name, 'type', p.type, 'base_url', p.base_url,
                                       'model_id', p.model_id, 'api_key_enc', p.api_key_enc),
        'url', rt._provider_url(p),
        'request', p.params || req || '{"stream": true}'
                   || CASE WHEN p.type <> 'anthropic' THEN '{"stream_options": {"include_usage": true}}'::jsonb ELSE '{}' END)
    FROM (SELECT rt.setting('telegram.streaming') AS v) st
$$;
COMMENT ON FUNCTION rt._llm_call(rt.providers, jsonb, text) IS 'internal (rt.job_begin for llm.reply, llm.draft and llm.turn): {"chat_type","streaming","provider":{id,name,type,base_url,model_id,api_key_enc},"url","request"}, the request with the provider''s params under it and stream (+ include_usage except anthropic) on top';

CREATE FUNCTION rt._session_turn_request(session_id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    s rt.sessions;
    payload jsonb;
    pos int;
    sp rt.session_participants;
    p rt.providers;
    chat rt.chats;
    max_out int;
    sys text;
    hist jsonb;
    purpose text;
    fit jsonb;
    req jsonb;
BEGIN
    SELECT * INTO s FROM rt.sessions WHERE sessions.id = _session_turn_request.session_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % does not exist', session_id USING ERRCODE = 'P0002', COLUMN = 'session_id';
    END IF;
    SELECT o.payload INTO payload FROM rt.outbox o
    WHERE o.id = s.turn_job AND o.done_at IS NULL AND o.dead_at IS NULL;
    IF s.status <> 'running' OR payload IS NULL THEN
        RETURN '{"state": "done"}';
    END IF;
    pos := rt._payload_id(payload, 'position');
    purpose := payload ->> 'purpose';
    IF pos IS NULL THEN
        SELECT * INTO p FROM rt.providers pr WHERE pr.id = s.summary_provider_id;
    ELSE
        SELECT * INTO sp FROM rt.session_participants x WHERE x.session_id = s.id AND x.position = pos;
        SELECT * INTO p FROM rt.providers pr WHERE pr.id = sp.provider_id;
    END IF;
    IF p.id IS NULL THEN
        RETURN jsonb_build_object('state', 'dead', 'error', 'the provider of this turn no longer exists');
    END IF;
    SELECT * INTO chat FROM rt.chats c WHERE c.id = s.chat_id;

    -- max_tokens from the preset defaults; the prompt gets the rest of context_token_limit
    max_out := coalesce((rt.setting('preset.defaults') ->> 'max_tokens')::int, 512);   -- what compile_request asks
    IF max_out > s.context_token_limit / 2 THEN
        max_out := s.context_token_limit / 2;    -- a tiny context limit still leaves half for the prompt
    END IF;
    IF purpose = 'compress' THEN
        -- the LLM summary of the rounds before this one, for the context of the next speakers
        sys := concat_ws(E'\n\n',
            'You summarise a round-table debate for its participants. Topic: «' || s.topic || '».',
            format('Summarise rounds 1-%s: the position and main arguments of each participant, where they agree and where they disagree. At most 200 words, no introduction. Reply in the language of the topic.',
                   (payload ->> 'round')::int - 1));
        hist := (SELECT jsonb_agg(e ORDER BY n) FROM jsonb_array_elements(rt._session_history(s, NULL)) WITH ORDINALITY x (e, n)
                 WHERE (e ->> 'round')::int < (payload ->> 'round')::int);
        fit := rt._session_fit(s, sys, hist, s.context_token_limit - max_out);
    ELSE
        sys := rt._session_system(s, sp);
        fit := rt._session_fit(s, sys, rt._session_history(s, pos), s.context_token_limit - max_out);
        -- over the budget with a summary provider: first an LLM summary of the rounds before this one
        IF pos IS NOT NULL AND (fit ->> 'compressed')::boolean
           AND coalesce(s.context_summary_round, 0) < (payload ->> 'round')::int - 1
           AND EXISTS (SELECT FROM rt.providers x WHERE x.id = s.summary_provider_id AND x.enabled) THEN
            RETURN '{"state": "summarise"}';
        END IF;
    END IF;
    req := rt.compile_request('{}', p.type,
                              (SELECT coalesce(jsonb_agg(jsonb_build_object('role', e ->> 'role', 'content', e ->> 'content') ORDER BY n), '[]')
                               FROM jsonb_array_elements(fit -> 'history') WITH ORDINALITY x (e, n)),
                              p.model_id);
    IF p.type = 'anthropic' THEN
        req := req || jsonb_build_object('system', fit ->> 'system', 'max_tokens', max_out);
    ELSE
        req := jsonb_set(req, '{messages,0,content}', to_jsonb(fit ->> 'system'));
        req := req || CASE WHEN req ? 'max_completion_tokens' THEN jsonb_build_object('max_completion_tokens', max_out)
                           ELSE jsonb_build_object('max_tokens', max_out) END;
    END IF;
    RETURN rt._llm_call(p, req, chat.type) || jsonb_build_object(
        'session', jsonb_build_object(
            'id', s.id, 'turn', (payload ->> 'turn')::int, 'round', (payload ->> 'round')::int, 'position', pos,
            'speaker', CASE WHEN purpose = 'compress' THEN 'Summary' WHEN pos IS NULL THEN 'Итог' ELSE sp.name END,
            'deadline_ms', greatest(0, floor(extract(epoch FROM s.turn_deadline - clock_timestamp()) * 1000))::bigint,
            'compressed', (fit -> 'compressed')));
END
$$;
COMMENT ON FUNCTION rt._session_turn_request(bigint) IS 'internal: rt.session_next_turn without the caller check (rt.job_begin has made it): the current turn of a running session: {"chat_type","streaming","provider","url","request","session":{"id","turn","round","position","speaker","deadline_ms","compressed"}}; the request is rt.compile_request''s with the system prompt of the participant (instructions, style, debate rules) and the history labelled by speaker (own turns as assistant, interjections with the user''s name), within context_token_limit - max_tokens estimated tokens (context summary, rt.compress_context, then dropping oldest turns). {"state":"summarise"} when the history is over the budget, an enabled summary provider is set and no summary covers the rounds before this one yet (rt.job_begin then queues the "compress" job first); for that job the summary provider''s request to summarise those rounds (speaker "Summary"). {"state":"done"} when not running or no turn is pending; {"state":"dead","error"} when the turn''s provider was deleted. P0002 unknown';

CREATE FUNCTION rt.session_next_turn(session_id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
BEGIN
    PERFORM rt._require_worker('admin');
    RETURN rt._session_turn_request(session_id);
END
$$;
COMMENT ON FUNCTION rt.session_next_turn(bigint) IS 'Edge worker (rt.job_begin answers an llm.turn with it): the current turn of a running session: {"chat_type","streaming","provider","url","request","session":{"id","turn","round","position","speaker","deadline_ms","compressed"}} with the exact request (rt.compile_request''s, the participant''s system prompt and the labelled history within context_token_limit - max_tokens), {"state":"summarise"} when an LLM context summary must come first, {"state":"done"} when not running or no turn is pending, {"state":"dead","error"} when the turn''s provider was deleted; P0002 unknown (rt._session_turn_request)';

-- excludes a participant (audited) and tells the chat; returns the effect object
CREATE FUNCTION rt._session_exclude(s rt.sessions, pos int, reason text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    sp rt.session_participants;
BEGIN
    UPDATE rt.session_participants x SET status = 'excluded', excluded_reason = left(reason, 1000)
    WHERE x.session_id = s.id AND x.position = pos AND x.status = 'active'
    RETURNING * INTO sp;
    IF sp.session_id IS NULL THEN
        RETURN rt._session_fx();
    END IF;
    PERFORM rt.audit('session.exclude', 'session:' || s.id, jsonb_build_object('position', pos, 'status', 'active'),
                     jsonb_build_object('position', pos, 'status', 'excluded', 'name', sp.name, 'strikes', sp.strikes,
                                        'reason', sp.excluded_reason));
    RETURN rt._session_say(s, 'excluded', jsonb_build_object('name', sp.name, 'reason', left(reason, 300)));
END
$$;
COMMENT ON FUNCTION rt._session_exclude(rt.sessions, int, text) IS 'internal: an active participant becomes excluded (excluded_reason), audited as session.exclude, the chat told (bot text excluded); returns the effect object';

-- after the turn of position pos (null: the summary): the stop conditions, else the next turn
CREATE FUNCTION rt._session_advance(session_id bigint, pos int) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    s rt.sessions;
    nxt int;
    sum_ok boolean;
BEGIN
    SELECT * INTO s FROM rt.sessions WHERE sessions.id = _session_advance.session_id;
    IF pos IS NULL AND s.summary_state = 'pending' THEN
        UPDATE rt.sessions SET summary_state = 'done' WHERE sessions.id = s.id;
        RETURN rt._session_end(s.id, 'rounds_done', NULL);
    END IF;
    IF s.max_tokens IS NOT NULL AND s.tokens_in + s.tokens_out >= s.max_tokens THEN
        RETURN rt._session_end(s.id, 'token_limit', format('%s tokens of %s', s.tokens_in + s.tokens_out, s.max_tokens));
    END IF;
    IF s.max_cost IS NOT NULL AND s.cost >= s.max_cost THEN
        RETURN rt._session_end(s.id, 'cost_limit', format('%s USD of %s', s.cost, s.max_cost));
    END IF;
    IF NOT EXISTS (SELECT FROM rt.session_participants x WHERE x.session_id = s.id AND x.status = 'active') THEN
        RETURN rt._session_end(s.id, 'no_participants', 'every participant was excluded');
    END IF;
    SELECT min(x.position) INTO nxt FROM rt.session_participants x
    WHERE x.session_id = s.id AND x.status = 'active' AND x.position > pos;
    IF nxt IS NOT NULL THEN
        PERFORM rt._session_queue_turn(s.id, s.current_round, nxt);
        RETURN rt._session_fx(1);
    END IF;
    IF s.current_round >= s.max_rounds THEN
        sum_ok := s.summary_provider_id IS NOT NULL AND s.summary_state IS NULL
                  AND EXISTS (SELECT FROM rt.providers p WHERE p.id = s.summary_provider_id AND p.enabled);
        IF NOT sum_ok THEN
            RETURN rt._session_end(s.id, 'rounds_done', NULL);
        END IF;
        UPDATE rt.sessions SET summary_state = 'pending' WHERE sessions.id = s.id;
        PERFORM rt._session_queue_turn(s.id, s.current_round, NULL);
        RETURN rt._session_fx(1);
    END IF;
    SELECT min(x.position) INTO nxt FROM rt.session_participants x WHERE x.session_id = s.id AND x.status = 'active';
    PERFORM rt._session_queue_turn(s.id, s.current_round + 1, nxt);
    RETURN rt._session_fx(1);
END
$$;
COMMENT ON FUNCTION rt._session_advance(bigint, int) IS 'internal: after the turn of position pos (null = the summary: the session ends rounds_done): tokens >= max_tokens -> token_limit, cost >= max_cost -> cost_limit, no active participant -> no_participants, the last round done -> the summary turn (summary provider set and enabled) or rounds_done; else the next active position''s turn (a new round after the last). Returns the effect object';

CREATE FUNCTION rt.session_record_turn(job bigint, result jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    j rt.outbox;
    s rt.sessions;
    sid bigint;
    pos int;
    sp rt.session_participants;
    r jsonb;
    txt text;
    f_provider bigint;
    p rt.providers;
    t_in int;
    t_cached int;
    t_out int;
    f_cost numeric;
    speaker text;
    m rt.messages;
    send_job bigint;
    struck boolean := false;
    fx jsonb := rt._session_fx();
    done jsonb;
BEGIN
    PERFORM rt._require_worker('admin');
    j := rt._lock_job(job);
    IF j.done_at IS NOT NULL THEN
        RETURN coalesce(j.result, jsonb_build_object('state', rt._job_state(j)));   -- a duplicate delivery
    END IF;
    IF j.kind <> 'llm.turn' THEN
        RAISE EXCEPTION 'field "job" must be an llm.turn job' USING ERRCODE = '22023', COLUMN = 'job',
            DETAIL = format('Job %s is a %s job.', j.id, j.kind);
    END IF;
    IF j.dead_at IS NOT NULL THEN
        RETURN jsonb_build_object('state', 'dead');
    END IF;
    -- the result as record_reply's, except that the text may be empty (a strike)
    IF result IS NOT NULL AND jsonb_typeof(result) = 'object' AND jsonb_typeof(result -> 'text') = 'string' THEN
        r := rt._reply_fields(result || '{"text": "-"}');
        txt := result ->> 'text';
        IF length(txt) > 100000 THEN
            PERFORM rt._field_error('text', 'must be a string of at most 100000 characters');
        END IF;
    ELSIF result IS NOT NULL AND jsonb_typeof(result) = 'object' AND jsonb_typeof(coalesce(result -> 'text', 'null')) = 'null' THEN
        r := rt._reply_fields(result || '{"text": "-"}');
        txt := '';
    ELSE
        r := rt._reply_fields(result);   -- raises naming the field
    END IF;
    sid := rt._payload_id(j.payload, 'session_id');
    s := rt._session_lock(sid, 'job');
    IF s.status <> 'running' OR s.turn_job IS DISTINCT FROM j.id THEN
        UPDATE rt.outbox SET done_at = now(), result = '{"state": "stopped"}' WHERE outbox.id = j.id;
        RETURN '{"state": "stopped"}';
    END IF;
    pos := rt._payload_id(j.payload, 'position');
    IF pos IS NOT NULL THEN
        SELECT * INTO sp FROM rt.session_participants x WHERE x.session_id = s.id AND x.position = pos;
        speaker := sp.name;
        f_provider := coalesce((r ->> 'provider_id')::bigint, sp.provider_id);
    ELSE
        speaker := 'Итог';
        f_provider := coalesce((r ->> 'provider_id')::bigint, s.summary_provider_id);
    END IF;
    SELECT * INTO p FROM rt.providers pr WHERE pr.id = f_provider;
    t_in := (r #>> '{usage,input}')::int;
    t_cached := (r #>> '{usage,cached_input}')::int;
    t_out := (r #>> '{usage,output}')::int;
    IF jsonb_typeof(r -> 'usage') = 'object' THEN
        f_cost := rt._call_cost(p.id, coalesce(j.started_at, now()), t_in, t_cached, t_out);
    END IF;
    IF j.payload ->> 'purpose' = 'compress' THEN
        -- the LLM summary of older rounds: kept for the context (counted in the totals), not a
        -- turn of the debate; the postponed speaker goes on
        UPDATE rt.sessions SET context_summary = nullif(left(btrim(txt, E' \t\r\n'), 20000), ''),
            context_summary_round = (j.payload ->> 'round')::int - 1,
            tokens_in = tokens_in + coalesce(t_in, 0), tokens_out = tokens_out + coalesce(t_out, 0),
            cost = cost + coalesce(f_cost, 0), updated_at = now()
        WHERE sessions.id = s.id;
        PERFORM rt._session_queue_turn(s.id, (j.payload ->> 'round')::int, rt._payload_id(j.payload, 'resume_position')::int);
        SELECT * INTO s FROM rt.sessions WHERE sessions.id = sid;
        done := jsonb_build_object('message_pk', NULL, 'send_job', NULL, 'next_job', s.turn_job, 'status', s.status,
                                   'stop_reason', NULL, 'cost', f_cost, 'struck', false);
        UPDATE rt.outbox SET done_at = now(), result = done WHERE outbox.id = j.id;
        PERFORM rt._ring_outbox(1);
        PERFORM rt._notify_changed('session', jsonb_build_array(s.id));
        RETURN done;
    END IF;

    -- 1. the turn's message (and its post when there is a chat and something to say)
    INSERT INTO rt.messages (chat_id, direction, author_type, kind, text, created_at, status,
                             provider_id, provider_name, provider_type, model, tokens_in, tokens_cached,
                             tokens_out, cost, latency_ms, usage_estimated, session_id, speaker, round, participant)
    VALUES (s.chat_id, 'out', 'bot', 'text', txt, now(),
            CASE WHEN s.chat_id IS NOT NULL AND btrim(txt, E' \t\r\n') <> '' THEN 'queued' END,
            p.id, coalesce(p.name, sp.provider_name), p.type, coalesce(r ->> 'model', p.model_id), t_in, t_cached,
            t_out, f_cost, (r ->> 'latency_ms')::int, (r #>> '{usage,estimated}')::boolean,
            s.id, speaker, (j.payload ->> 'round')::int, pos)
    RETURNING * INTO m;
    IF m.status = 'queued' THEN
        UPDATE rt.chats c SET last_message_at = m.created_at, last_message_id = m.id
        WHERE c.id = s.chat_id AND (c.last_message_at IS NULL OR (c.last_message_at, c.last_message_id) < (m.created_at, m.id));
        INSERT INTO rt.outbox (kind, payload)
        VALUES ('telegram.send', jsonb_build_object('chat_id', s.chat_id, 'text', speaker || E':\n' || txt,
                                                    'message_pk', m.id, 'as', 'bot', 'session_id', s.id)
                                 || CASE WHEN jsonb_typeof(r -> 'telegram_message_id') = 'number'
                                         THEN jsonb_build_object('edit_message_id', r -> 'telegram_message_id')
                                         ELSE '{}' END)
        RETURNING id INTO send_job;
        fx := rt._session_fx(1);
    END IF;
    -- 2. totals
    UPDATE rt.sessions SET turns = turns + 1, tokens_in = tokens_in + coalesce(t_in, 0),
        tokens_out = tokens_out + coalesce(t_out, 0), cost = cost + coalesce(f_cost, 0), updated_at = now()
    WHERE sessions.id = s.id;
    -- 3. strikes: an empty reply, or one (nearly) repeating an earlier reply of the same participant
    IF pos IS NOT NULL THEN
        struck := btrim(txt, E' \t\r\n') = ''
                  OR EXISTS (SELECT FROM rt.messages e
                             WHERE e.session_id = s.id AND e.participant = pos AND e.direction = 'out'
                               AND e.speaker IS NOT NULL AND e.id <> m.id AND btrim(coalesce(e.text, '')) <> ''
                               AND rt.text_similarity(txt, e.text) >= 0.85);
        UPDATE rt.session_participants x SET turns = turns + 1, tokens_in = tokens_in + coalesce(t_in, 0),
            tokens_out = tokens_out + coalesce(t_out, 0), cost = cost + coalesce(f_cost, 0),
            strikes = strikes + CASE WHEN struck THEN 1 ELSE 0 END
        WHERE x.session_id = s.id AND x.position = pos
        RETURNING * INTO sp;
        IF sp.strikes >= 2 AND sp.status = 'active' THEN
            fx := rt._session_fx_add(fx, rt._session_exclude(s, pos, 'пустые или повторяющиеся ответы'));
        END IF;
    END IF;
    -- 4 and 5. the stop conditions, else the next turn
    fx := rt._session_fx_add(fx, rt._session_advance(s.id, pos));
    SELECT * INTO s FROM rt.sessions WHERE sessions.id = sid;
    done := jsonb_build_object('message_pk', m.id, 'send_job', send_job,
                               'next_job', CASE WHEN s.status = 'running' THEN s.turn_job END,
                               'status', s.status, 'stop_reason', s.stop_reason, 'cost', f_cost,
                               'struck', struck);
    UPDATE rt.outbox SET done_at = now(), result = done WHERE outbox.id = j.id;
    PERFORM rt._session_ring(rt._session_fx_add(fx, rt._session_fx(0, ARRAY[m.id])), s.chat_id);
    PERFORM rt._notify_changed('session', jsonb_build_array(s.id));
    RETURN done;
END
$$;
COMMENT ON FUNCTION rt.session_record_turn(bigint, jsonb) IS 'Edge LLM worker, after an llm.turn: result as rt.record_reply''s but text may be empty. Records the turn''s message (speaker, round, participant, tokens, cost at the job''s start prices; a telegram.send "<speaker>:\n<text>" with the chat), the totals, a strike for an empty or near-repeated reply (rt.text_similarity >= 0.85; two exclude), then the stop conditions or the next turn. Returns {"message_pk","send_job","next_job","status","stop_reason","cost","struck"}; a finished job its stored result; a session no longer running (or not this turn) {"state":"stopped"} and nothing recorded. P0002 unknown job, 22023 bad result';

-- an llm.turn that failed for good: its participant is excluded and the debate goes on
CREATE FUNCTION rt._session_turn_failed(j rt.outbox, error text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    s rt.sessions;
    pos int := rt._payload_id(j.payload, 'position');
    fx jsonb := rt._session_fx();
BEGIN
    SELECT * INTO s FROM rt.sessions WHERE sessions.id = rt._payload_id(j.payload, 'session_id') FOR UPDATE;
    IF s.id IS NULL OR s.status <> 'running' OR s.turn_job IS DISTINCT FROM j.id THEN
        RETURN fx;
    END IF;
    IF j.payload ->> 'purpose' = 'compress' THEN
        -- no summary of the context: the postponed speaker goes on with the extractive one, and no
        -- other summary is asked for in this round (an older summary, if any, stands for these rounds)
        UPDATE rt.sessions SET context_summary_round = (j.payload ->> 'round')::int - 1 WHERE sessions.id = s.id;
        PERFORM rt._session_queue_turn(s.id, (j.payload ->> 'round')::int, rt._payload_id(j.payload, 'resume_position')::int);
        fx := rt._session_fx(1);
    ELSIF pos IS NULL THEN
        UPDATE rt.sessions SET summary_state = 'done' WHERE sessions.id = s.id;
        fx := rt._session_end(s.id, 'rounds_done', left('the summary failed: ' || error, 1000));
    ELSE
        fx := rt._session_exclude(s, pos, left(error, 300));
        fx := rt._session_fx_add(fx, rt._session_advance(s.id, pos));
    END IF;
    PERFORM rt._session_ring(fx, s.chat_id);
    PERFORM rt._notify_changed('session', jsonb_build_array(s.id));
    RETURN fx;
END
$$;
COMMENT ON FUNCTION rt._session_turn_failed(rt.outbox, text) IS 'internal (rt._job_kill of an llm.turn): when it is the running session''s current turn, its participant is excluded with the error and the chat told, then the stop conditions or the next turn (a failed summary ends rounds_done); rings its own doorbells';

CREATE FUNCTION rt.session_reap() RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    s rt.sessions;
    n int := 0;
    fx jsonb;
BEGIN
    PERFORM rt._require_worker('admin');
    FOR s IN SELECT * FROM rt.sessions x WHERE x.status = 'running' AND x.turn_deadline < now()
             ORDER BY x.turn_deadline LIMIT 100 FOR UPDATE SKIP LOCKED LOOP
        fx := rt._session_end(s.id, 'timeout', format('turn %s (round %s) got no reply within %s s', s.turns + 1,
                                                      s.current_round, s.turn_timeout_sec));
        PERFORM rt._session_ring(fx, s.chat_id);
        n := n + 1;
    END LOOP;
    FOR s IN SELECT * FROM rt.sessions x WHERE x.status = 'awaiting_topic' AND x.created_at < now() - interval '1 hour'
             ORDER BY x.id LIMIT 100 - n FOR UPDATE SKIP LOCKED LOOP
        fx := rt._session_end(s.id, 'timeout', 'no topic within an hour');
        PERFORM rt._session_ring(fx, s.chat_id);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION rt.session_reap() IS 'Edge timer (every 2 s): running sessions whose turn_deadline passed, and sessions awaiting their topic for more than an hour, end with timeout (failed), at most 100 a call, FOR UPDATE SKIP LOCKED; returns how many ended. Needs no edge alive when the turn began: the deadline is in the row';

CREATE FUNCTION rt._session_json(s rt.sessions) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'id', s.id, 'chat_id', s.chat_id, 'user_id', s.user_id, 'created_by', s.created_by, 'topic', s.topic,
        'status', s.status, 'stop_reason', s.stop_reason, 'stop_detail', s.stop_detail,
        'max_rounds', s.max_rounds, 'current_round', s.current_round, 'turns', s.turns,
        'turn_timeout_sec', s.turn_timeout_sec, 'context_token_limit', s.context_token_limit,
        'max_tokens', s.max_tokens, 'max_cost', s.max_cost, 'summary_provider_id', s.summary_provider_id,
        'tokens_in', s.tokens_in, 'tokens_out', s.tokens_out, 'cost', s.cost,
        'created_at', s.created_at, 'started_at', s.started_at, 'finished_at', s.finished_at,
        'turn_deadline', s.turn_deadline)
$$;
COMMENT ON FUNCTION rt._session_json(rt.sessions) IS 'internal: a session as the OpenAPI RoundtableSession object';

CREATE FUNCTION rt._participant_json(p rt.session_participants) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'position', p.position, 'provider_id', p.provider_id, 'provider_name', p.provider_name,
        'personality_id', p.personality_id, 'name', p.name, 'status', p.status, 'strikes', p.strikes,
        'excluded_reason', p.excluded_reason, 'turns', p.turns, 'tokens_in', p.tokens_in,
        'tokens_out', p.tokens_out, 'cost', p.cost)
$$;
COMMENT ON FUNCTION rt._participant_json(rt.session_participants) IS 'internal: a session participant as the OpenAPI SessionParticipant object';

CREATE FUNCTION rt.create_session(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    actor text;
    over jsonb;
    f_chat bigint;
    f_topic text;
    k text;
    v jsonb;
    s rt.sessions;
BEGIN
    actor := rt.require_role('admin');
    body := rt._known_keys(body, ARRAY['topic', 'chat_id', 'max_rounds', 'turn_timeout_sec', 'context_token_limit',
                                       'max_tokens', 'max_cost', 'summary_provider_id']);
    IF body ? 'topic' THEN
        IF jsonb_typeof(body -> 'topic') <> 'string' OR length(btrim(body ->> 'topic', E' \t\r\n')) NOT BETWEEN 1 AND 4000 THEN
            PERFORM rt._field_error('topic', 'must be a string of 1 to 4000 characters, not blank');
        END IF;
        f_topic := btrim(body ->> 'topic', E' \t\r\n');
    END IF;
    f_chat := rt._body_int(body, 'chat_id', -9223372036854775807, 9223372036854775807);
    IF f_chat IS NOT NULL AND NOT EXISTS (SELECT FROM rt.chats c WHERE c.id = f_chat) THEN
        RAISE EXCEPTION 'chat % does not exist', f_chat USING ERRCODE = 'P0002', COLUMN = 'chat_id';
    END IF;
    FOREACH k IN ARRAY ARRAY['max_rounds', 'turn_timeout_sec', 'context_token_limit'] LOOP
        IF body ? k AND jsonb_typeof(body -> k) = 'null' THEN
            PERFORM rt._field_error(k, 'must be an integer');
        END IF;
    END LOOP;
    over := jsonb_strip_nulls(jsonb_build_object(
        'max_rounds', rt._body_int(body, 'max_rounds', 1, 100),
        'turn_timeout_sec', rt._body_int(body, 'turn_timeout_sec', 5, 3600),
        'context_token_limit', rt._body_int(body, 'context_token_limit', 500, 1000000)));
    -- the nullable limits: null = none (not the setting)
    IF body ? 'max_tokens' THEN
        over := over || jsonb_build_object('max_tokens', rt._body_int(body, 'max_tokens', 1, 100000000));
    END IF;
    IF body ? 'max_cost' THEN
        v := body -> 'max_cost';
        IF jsonb_typeof(v) NOT IN ('number', 'null') OR (jsonb_typeof(v) = 'number' AND (v::numeric <= 0 OR v::numeric > 100000)) THEN
            PERFORM rt._field_error('max_cost', 'must be null or a number of USD above 0 and at most 100000');
        END IF;
        over := over || jsonb_build_object('max_cost', v);
    END IF;
    IF body ? 'summary_provider_id' THEN
        over := over || jsonb_build_object('summary_provider_id',
                                           rt._body_int(body, 'summary_provider_id', 1, 9223372036854775807));
        IF over ->> 'summary_provider_id' IS NOT NULL
           AND NOT EXISTS (SELECT FROM rt.providers p WHERE p.id = (over ->> 'summary_provider_id')::bigint) THEN
            RAISE EXCEPTION 'provider % does not exist', over ->> 'summary_provider_id'
                USING ERRCODE = 'P0002', COLUMN = 'summary_provider_id';
        END IF;
    END IF;
    s := rt._session_create(f_chat, NULL, actor, over);
    IF f_topic IS NOT NULL THEN
        UPDATE rt.sessions SET topic = f_topic, status = rt.session_transition(status, 'topic'), updated_at = now()
        WHERE id = s.id
        RETURNING * INTO s;
        PERFORM rt.audit('session.topic', 'session:' || s.id, NULL, jsonb_build_object('topic', s.topic));
    END IF;
    RETURN rt._session_json(s);
END
$$;
COMMENT ON FUNCTION rt.create_session(jsonb) IS 'POST /api/sessions: a session awaiting its topic {"topic"?, "chat_id"?, "max_rounds"?, "turn_timeout_sec"?, "context_token_limit"?, "max_tokens"?, "max_cost"?, "summary_provider_id"?}; absent limits from the roundtable.* settings (null max_tokens/max_cost/summary_provider_id = none). 22023 naming a bad or unknown field, P0002 unknown chat or summary provider, 23505 when the chat already has an active session. Returns the Session (admin)';

CREATE FUNCTION rt.start_session(id bigint, body jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    s rt.sessions;
    fx jsonb;
BEGIN
    PERFORM rt.require_role('admin');
    body := rt._known_keys(body, ARRAY['topic']);
    IF body ? 'topic' AND jsonb_typeof(body -> 'topic') <> 'string' THEN
        PERFORM rt._field_error('topic', 'must be a string of 1 to 4000 characters, not blank');
    END IF;
    s := rt._session_lock(id);
    fx := rt._session_begin(s.id, body ->> 'topic');
    PERFORM rt._session_ring(fx, s.chat_id);
    SELECT * INTO s FROM rt.sessions x WHERE x.id = start_session.id;
    RETURN rt._session_json(s);
END
$$;
COMMENT ON FUNCTION rt.start_session(bigint, jsonb) IS 'POST /api/sessions/{id}/start {"topic"?}: sets the topic (required unless set: 22023 naming topic) and starts the session: participants, the first turn (running), or no_participants at once. 55000 unless awaiting its topic, P0002 unknown. Returns the Session (admin)';

CREATE FUNCTION rt.stop_session(id bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    s rt.sessions;
    fx jsonb;
BEGIN
    PERFORM rt.require_role('admin');
    s := rt._session_lock(id);
    fx := rt._session_end(s.id, 'stopped_by_admin', NULL);
    PERFORM rt._session_ring(fx, s.chat_id);
    SELECT * INTO s FROM rt.sessions x WHERE x.id = stop_session.id;
    RETURN rt._session_json(s);
END
$$;
COMMENT ON FUNCTION rt.stop_session(bigint) IS 'POST /api/sessions/{id}/stop: the session stops (stopped_by_admin): its pending turn finished, its unsent posts discarded, the chat told, session.stopped in the journal (the edge cancels the call). 55000 when it has ended, P0002 unknown. Returns the Session (admin)';

CREATE FUNCTION rt.get_session(id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    s rt.sessions;
BEGIN
    PERFORM rt.require_role('viewer');
    SELECT * INTO s FROM rt.sessions x WHERE x.id = get_session.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    RETURN rt._session_json(s)
        || jsonb_build_object(
            'participants', (SELECT coalesce(jsonb_agg(rt._participant_json(p) ORDER BY p.position), '[]')
                             FROM rt.session_participants p WHERE p.session_id = s.id),
            'turns', (SELECT coalesce(jsonb_agg(rt._message_json(m, u) ORDER BY m.id), '[]')
                      FROM rt.messages m LEFT JOIN rt.users u ON u.id = m.user_id
                      WHERE m.session_id = s.id));
END
$$;
COMMENT ON FUNCTION rt.get_session(bigint) IS 'GET /api/sessions/{id}: the Session with "participants" [SessionParticipant] in order and "turns" [Message], every history row of the session (turns with speaker, round, tokens and cost; interjections; the bot''s notices) in order. P0002 unknown (viewer)';

CREATE FUNCTION rt.list_sessions(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    pf rt.page_filter;
    f_status text;
    f_chat bigint;
    items jsonb;
    more boolean;
BEGIN
    PERFORM rt.require_role('viewer');
    pf := rt._page_filter(filter, ARRAY['status', 'chat_id'], '^se:([0-9]{1,19})$');
    IF pf.filter ? 'status' AND jsonb_typeof(pf.filter -> 'status') <> 'null' THEN
        f_status := CASE WHEN jsonb_typeof(pf.filter -> 'status') = 'string' THEN pf.filter ->> 'status' END;
        IF f_status IS NULL OR f_status NOT IN ('awaiting_topic', 'running', 'finished', 'stopped', 'failed') THEN
            PERFORM rt._field_error('status', 'must be one of awaiting_topic, running, finished, stopped, failed');
        END IF;
    END IF;
    f_chat := rt._filter_int(pf.filter, 'chat_id');

    WITH page AS (
        SELECT s, row_number() OVER (ORDER BY s.id DESC) AS n
        FROM rt.sessions s
        WHERE (pf.cursor IS NULL OR s.id < pf.cursor[1]::bigint)
          AND (f_status IS NULL OR s.status = f_status)
          AND (f_chat IS NULL OR s.chat_id = f_chat)
          AND (pf.like_pat IS NULL OR s.topic ILIKE pf.like_pat)
        ORDER BY s.id DESC
        LIMIT pf.lim + 1)
    SELECT coalesce(jsonb_agg(rt._session_json(x.s) ORDER BY x.n) FILTER (WHERE x.n <= pf.lim), '[]'),
           count(*) > pf.lim
    INTO items, more
    FROM page x;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode('se:' || (items -> (pf.lim - 1) ->> 'id')) END);
END
$$;
COMMENT ON FUNCTION rt.list_sessions(jsonb) IS 'GET /api/sessions: sessions newest first; filter status, chat_id, q (topic, case-insensitive), cursor, limit 1..200 (default 50), through rt._page_filter. Returns {"items":[Session],"next_cursor"} (viewer)';
