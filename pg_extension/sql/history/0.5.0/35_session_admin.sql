-- roundtable 0.5.0, part 35: round-table sessions in the console (docs/design/contract-roundtable.md,
-- "Admin SQL"; REST /api/sessions): create, start, stop, read and list sessions, and the Message
-- object's session fields. The changes themselves are part 30's functions; these check the
-- caller's role and the body, ring the doorbells and answer with the Session JSON.

-- ---------------------------------------------------------------------------
-- JSON
-- ---------------------------------------------------------------------------

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

-- the Message object gains the round table's fields (every caller of rt._message_json follows)
CREATE OR REPLACE FUNCTION rt._message_json(m rt.messages, u rt.users) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'id', m.id, 'chat_id', m.chat_id, 'message_id', m.message_id, 'user_id', m.user_id,
        'update_id', m.update_id, 'direction', m.direction, 'author_type', m.author_type,
        'kind', m.kind, 'text', m.text,
        'sender', CASE WHEN u.id IS NOT NULL THEN
                      jsonb_build_object('id', u.id, 'username', u.username,
                                         'first_name', u.first_name, 'last_name', u.last_name) END,
        'created_at', m.created_at, 'edited_at', m.edited_at,
        'edit_history', m.edit_history, 'received_at', m.received_at,
        'status', m.status, 'labels', to_jsonb(m.labels), 'moderation', m.moderation,
        'llm', rt._llm_json(m.provider_id, m.provider_name, m.provider_type, m.model, m.tokens_in,
                            m.tokens_cached, m.tokens_out, m.cost, m.latency_ms, m.usage_estimated),
        'error', m.error, 'sent_at', m.sent_at, 'in_reply_to', m.in_reply_to,
        'session_id', m.session_id, 'speaker', m.speaker, 'round', m.round, 'reply_markup', m.reply_markup)
$$;
COMMENT ON FUNCTION rt._message_json(rt.messages, rt.users) IS 'internal: a message and its sender (null row when none) as the OpenAPI Message object, with the model call ("llm"), delivery ("status", "error", "sent_at") the round table ("session_id", "speaker", "round") and the keyboard it was sent with ("reply_markup")';

-- ---------------------------------------------------------------------------
-- Writes (admin)
-- ---------------------------------------------------------------------------

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

-- ---------------------------------------------------------------------------
-- Reads (viewer)
-- ---------------------------------------------------------------------------

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

REVOKE EXECUTE ON FUNCTION rt._session_json(rt.sessions), rt._participant_json(rt.session_participants),
    rt.create_session(jsonb), rt.start_session(bigint, jsonb), rt.stop_session(bigint), rt.get_session(bigint),
    rt.list_sessions(jsonb) FROM PUBLIC;
