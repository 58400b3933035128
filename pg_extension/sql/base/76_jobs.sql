-- roundtable base, jobs: Delivery: the outbox, its jobs and workers, drafts

CREATE FUNCTION rt._draft_json(d rt.drafts) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'id', d.id, 'chat_id', d.chat_id, 'status', d.status, 'text', d.text, 'error', d.error,
        'llm', rt._llm_json(d.provider_id, d.provider_name, d.provider_type, d.model, d.tokens_in,
                            d.tokens_cached, d.tokens_out, d.cost, d.latency_ms, d.usage_estimated),
        'created_at', d.created_at, 'updated_at', d.updated_at)
$$;
COMMENT ON FUNCTION rt._draft_json(rt.drafts) IS 'internal: a draft as the OpenAPI Draft object {"id","chat_id","status","text","error","llm","created_at","updated_at"}';

CREATE FUNCTION rt.create_draft(chat_id bigint, body jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    actor text;
    f_provider bigint;
    override jsonb;
    last_user bigint;
    params jsonb;
    n_context int;
    job_id bigint;
    d rt.drafts;
BEGIN
    actor := rt.require_role('moderator');
    body := rt._known_keys(body, ARRAY['override', 'provider_id']);
    IF NOT EXISTS (SELECT FROM rt.chats c WHERE c.id = create_draft.chat_id) THEN
        RAISE EXCEPTION 'chat % does not exist', chat_id USING ERRCODE = 'P0002', COLUMN = 'chat_id';
    END IF;
    f_provider := rt._body_int(body, 'provider_id', 1, 9223372036854775807);
    IF f_provider IS NOT NULL THEN
        IF NOT EXISTS (SELECT FROM rt.providers p WHERE p.id = f_provider) THEN
            RAISE EXCEPTION 'provider % does not exist', f_provider USING ERRCODE = 'P0002', COLUMN = 'provider_id';
        END IF;
        IF NOT EXISTS (SELECT FROM rt.providers p WHERE p.id = f_provider AND p.enabled) THEN
            PERFORM rt._field_error('provider_id', 'must name an enabled provider');
        END IF;
    END IF;
    override := nullif(body -> 'override', 'null');
    IF override IS NOT NULL AND jsonb_typeof(override) <> 'object' THEN
        PERFORM rt._field_error('override', 'must be either {"preset_id": N} or a params subset');
    END IF;

    -- the params an auto-reply to the chat's latest human would get, with the override on top
    SELECT m.user_id INTO last_user FROM rt.messages m
    WHERE m.chat_id = create_draft.chat_id AND m.direction = 'in' AND m.user_id IS NOT NULL
    ORDER BY m.id DESC LIMIT 1;
    params := rt.resolve_params(chat_id, last_user, now(), override);
    n_context := CASE WHEN jsonb_typeof(rt.setting('context.messages')) = 'number'
                      THEN least(greatest((rt.setting('context.messages') #>> '{}')::numeric::int, 0), 100) ELSE 20 END;

    -- the job first, so the draft row is written once with its job (one draft.insert audit entry)
    INSERT INTO rt.outbox (kind, payload)
    VALUES ('llm.draft', jsonb_build_object('chat_id', chat_id, 'user_id', last_user, 'params', params,
                                            'context', rt._reply_context(chat_id, 9223372036854775807, n_context),
                                            'provider_id', f_provider))
    RETURNING id INTO job_id;
    INSERT INTO rt.drafts (chat_id, job_id, created_by) VALUES (chat_id, job_id, actor)
    RETURNING * INTO d;
    UPDATE rt.outbox SET payload = payload || jsonb_build_object('draft_id', d.id) WHERE outbox.id = job_id;
    PERFORM rt._ring_outbox(1);
    RETURN rt._draft_json(d);
END
$$;
COMMENT ON FUNCTION rt.create_draft(bigint, jsonb) IS 'POST /api/chats/{id}/draft: {override (params subset or {"preset_id"}), provider_id (enabled)} -> Draft in status generating, and an llm.draft job with the chat''s context and rt.resolve_params(chat, its latest user, now(), override) (moderator); P0002 for an unknown chat, provider or preset';

CREATE FUNCTION rt.get_draft(id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    d rt.drafts;
BEGIN
    PERFORM rt.require_role('viewer');
    SELECT * INTO d FROM rt.drafts WHERE drafts.id = get_draft.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'draft % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    RETURN rt._draft_json(d);
END
$$;
COMMENT ON FUNCTION rt.get_draft(bigint) IS 'GET /api/drafts/{id}: one draft (viewer); P0002 when unknown';

CREATE FUNCTION rt._job_state(j rt.outbox) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN j.discarded_at IS NOT NULL THEN 'discarded'
                WHEN j.done_at IS NOT NULL THEN 'done'
                WHEN j.dead_at IS NOT NULL THEN 'dead'
                ELSE 'pending' END
$$;
COMMENT ON FUNCTION rt._job_state(rt.outbox) IS 'internal: pending, done, dead or discarded';

CREATE FUNCTION rt._job_json(j rt.outbox) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'id', j.id, 'kind', j.kind, 'state', rt._job_state(j),
        'chat_id', CASE WHEN jsonb_typeof(j.payload -> 'chat_id') = 'number' THEN j.payload -> 'chat_id' END,
        'message_pk', CASE WHEN jsonb_typeof(j.payload -> 'message_pk') = 'number' THEN j.payload -> 'message_pk' END,
        'attempts', j.attempts, 'relays', j.relays, 'last_error', j.last_error,
        'created_at', j.created_at, 'relayed_at', j.relayed_at, 'done_at', j.done_at, 'dead_at', j.dead_at,
        'payload', CASE WHEN jsonb_typeof(j.payload) = 'object' THEN j.payload ELSE '{}'::jsonb END)
$$;
COMMENT ON FUNCTION rt._job_json(rt.outbox) IS 'internal: an outbox row as the OpenAPI Job object {"id","kind","state","chat_id","message_pk","attempts","relays","last_error","created_at","relayed_at","done_at","dead_at","payload"} (payload since 0.5.0, for inspecting dead letters)';

-- a payload field as a bigint, null when absent or not an integer (payloads are ours, but old)
CREATE FUNCTION rt._payload_id(payload jsonb, field text) RETURNS bigint
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN jsonb_typeof(payload -> field) = 'number' AND (payload ->> field) ~ '^-?[0-9]{1,18}$'
                THEN (payload ->> field)::bigint END
$$;
COMMENT ON FUNCTION rt._payload_id(jsonb, text) IS 'internal: an integer field of a job payload, null when absent or malformed';

CREATE FUNCTION rt._lock_job(id bigint) RETURNS rt.outbox
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    j rt.outbox;
BEGIN
    SELECT * INTO j FROM rt.outbox WHERE outbox.id = _lock_job.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'job % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'job';
    END IF;
    RETURN j;
END
$$;
COMMENT ON FUNCTION rt._lock_job(bigint) IS 'internal: the outbox row, locked; P0002 naming "job" when unknown';

CREATE FUNCTION rt._job_kill(j rt.outbox, error text) RETURNS rt.outbox
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    pk bigint := rt._payload_id(j.payload, 'message_pk');
    chat bigint := rt._payload_id(j.payload, 'chat_id');
    edited bigint[] := '{}';
    nid bigint;
BEGIN
    UPDATE rt.outbox SET dead_at = now(), last_error = error WHERE outbox.id = j.id RETURNING * INTO j;
    IF j.kind = 'telegram.send' AND pk IS NOT NULL THEN
        UPDATE rt.messages m SET status = 'failed', error = _job_kill.error
        WHERE m.id = pk AND m.status IS DISTINCT FROM 'sent';
        IF FOUND THEN
            edited := ARRAY[pk];
        END IF;
    ELSIF j.kind = 'llm.draft' THEN
        UPDATE rt.drafts d SET status = 'failed', error = _job_kill.error, updated_at = now()
        WHERE d.id = rt._payload_id(j.payload, 'draft_id') AND d.status = 'generating';
    END IF;
    nid := rt._notify_admins(CASE WHEN j.kind LIKE 'telegram.%' THEN 'delivery_failed' ELSE 'error' END,
                             chat, pk,
                             jsonb_build_object('job_id', j.id, 'kind', j.kind, 'chat_id', chat, 'error', error),
                             false);
    PERFORM rt._ring_messages('{}', edited, CASE WHEN cardinality(edited) > 0 THEN ARRAY[chat] ELSE '{}' END, ARRAY[nid]);
    IF j.kind = 'llm.turn' THEN
        PERFORM rt._session_turn_failed(j, error);
    END IF;
    RETURN j;
END
$$;
COMMENT ON FUNCTION rt._job_kill(rt.outbox, text) IS 'internal: makes a job dead: dead_at, last_error, a telegram.send message failed, an llm.draft draft failed, an llm.turn''s participant excluded and the debate moved on (rt._session_turn_failed), a delivery_failed (telegram.*) or error (llm.*) notification {"job_id","kind","chat_id","error"}, one journal row';

CREATE FUNCTION rt.outbox_claim(lim int, stale_sec int) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    claimed jsonb;
BEGIN
    PERFORM rt._require_worker('admin');
    IF lim IS NULL OR lim NOT BETWEEN 1 AND 10000 THEN
        PERFORM rt._field_error('lim', 'must be between 1 and 10000');
    END IF;
    IF stale_sec IS NULL OR stale_sec NOT BETWEEN 0 AND 2592000 THEN
        PERFORM rt._field_error('stale_sec', 'must be between 0 and 2592000 seconds');
    END IF;
    -- rows another relay is claiming right now are skipped, not waited for
    WITH c AS (
        SELECT o.id FROM rt.outbox o
        WHERE o.done_at IS NULL AND o.dead_at IS NULL
          AND (o.relayed_at IS NULL OR o.relayed_at < now() - stale_sec * interval '1 second')
        ORDER BY o.id
        LIMIT lim
        FOR UPDATE SKIP LOCKED),
    u AS (
        UPDATE rt.outbox o SET relayed_at = now(), relays = o.relays + 1
        FROM c WHERE o.id = c.id
        RETURNING o.id, o.kind)
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'kind', u.kind) ORDER BY u.id), '[]')
    INTO claimed FROM u;
    RETURN claimed;
END
$$;
COMMENT ON FUNCTION rt.outbox_claim(int, int) IS 'Edge relay: up to lim (1..10000) unfinished jobs never relayed or relayed more than stale_sec ago, oldest first, FOR UPDATE SKIP LOCKED; sets relayed_at = now(), relays + 1. Returns [{"id","kind"}]';

CREATE FUNCTION rt.outbox_touch(ids bigint[]) RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    n int;
BEGIN
    PERFORM rt._require_worker('admin');
    IF ids IS NULL OR cardinality(ids) > 100000 THEN
        PERFORM rt._field_error('ids', 'must be an array of at most 100000 job ids');
    END IF;
    -- a worker still holds these: the sweeper must not hand them to another edge meanwhile
    UPDATE rt.outbox o SET relayed_at = now()
    WHERE o.id = ANY (ids) AND o.done_at IS NULL AND o.dead_at IS NULL AND o.relayed_at IS NOT NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION rt.outbox_touch(bigint[]) IS 'Edge workers'' heartbeat: the unfinished jobs they hold get relayed_at = now(), so a job that runs longer than the sweeper''s stale_sec (a long model answer, a rate-limit wait) is not relayed to another edge; returns how many were touched';

CREATE FUNCTION rt.job_begin(job bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    j rt.outbox;
    chat rt.chats;
    p rt.providers;
    s rt.sessions;
    pk bigint;
    txt text;
    sig text;
    req jsonb;
    result jsonb;
    turn jsonb;
BEGIN
    PERFORM rt._require_worker('admin');
    j := rt._lock_job(job);
    IF j.done_at IS NOT NULL THEN
        RETURN '{"state": "done"}';
    END IF;
    IF j.dead_at IS NOT NULL THEN
        RETURN '{"state": "dead"}';
    END IF;
    IF j.kind = 'llm.turn' THEN
        -- a turn that is no longer the running session's current one: nothing to do
        SELECT * INTO s FROM rt.sessions x WHERE x.id = rt._payload_id(j.payload, 'session_id');
        IF s.id IS NULL OR s.status <> 'running' OR s.turn_job IS DISTINCT FROM j.id
           OR (j.payload ->> 'turn')::int IS DISTINCT FROM s.turns THEN
            UPDATE rt.outbox SET done_at = now(), result = '{"state": "done"}' WHERE outbox.id = j.id;
            RETURN '{"state": "done"}';
        END IF;
    END IF;
    UPDATE rt.outbox SET attempts = attempts + 1, started_at = now() WHERE outbox.id = j.id RETURNING * INTO j;
    result := jsonb_build_object('state', 'run', 'id', j.id, 'kind', j.kind, 'attempts', j.attempts, 'payload', j.payload);
    SELECT * INTO chat FROM rt.chats c WHERE c.id = rt._payload_id(j.payload, 'chat_id');

    CASE j.kind
    WHEN 'telegram.send' THEN
        txt := j.payload ->> 'text';
        -- the signature only when it fits Telegram's 4096 characters: a message is never lost to it
        sig := rt.setting('admin.signature') #>> '{}';
        IF j.payload ->> 'as' = 'admin' AND sig <> '' AND length(txt) + 2 + length(sig) <= 4096 THEN
            txt := txt || E'\n\n' || sig;
        END IF;
        result := result || jsonb_build_object('text', txt, 'chat_type', chat.type);
        pk := rt._payload_id(j.payload, 'message_pk');
        UPDATE rt.messages m SET status = 'sending' WHERE m.id = pk AND m.status = 'queued';
        IF FOUND THEN
            PERFORM rt._ring_messages('{}', ARRAY[pk], ARRAY[chat.id]);
        END IF;
    WHEN 'llm.reply', 'llm.draft' THEN
        p := rt._pick_provider(CASE WHEN j.kind = 'llm.draft' THEN rt._payload_id(j.payload, 'provider_id') END,
                               chat.provider_id);
        IF p.id IS NULL THEN
            PERFORM rt._job_kill(j, 'no enabled provider');
            RETURN '{"state": "dead", "error": "no enabled provider"}';
        END IF;
        BEGIN
            req := rt.compile_request(j.payload -> 'params', p.type, j.payload -> 'context', p.model_id);
        EXCEPTION WHEN invalid_parameter_value THEN
            -- a payload no provider can be asked with never gets better: dead at once
            PERFORM rt._job_kill(j, 'bad job payload: ' || SQLERRM);
            RETURN jsonb_build_object('state', 'dead', 'error', 'bad job payload: ' || SQLERRM);
        END;
        result := result || rt._llm_call(p, req, chat.type);
    WHEN 'llm.turn' THEN
        turn := rt._session_turn_request(s.id);   -- rt.session_next_turn without a second caller check
        IF turn ->> 'state' = 'dead' THEN
            PERFORM rt._job_kill(j, turn ->> 'error');
            RETURN turn;
        ELSIF turn ->> 'state' = 'summarise' THEN
            -- the speaker waits for the summary provider's summary of the older rounds
            SELECT * INTO s FROM rt.sessions x WHERE x.id = s.id FOR UPDATE;
            UPDATE rt.outbox SET done_at = now(), result = '{"state": "postponed"}' WHERE outbox.id = j.id;
            IF s.status = 'running' AND s.turn_job = j.id THEN
                PERFORM rt._session_queue_turn(s.id, (j.payload ->> 'round')::int, NULL, 'compress',
                                               rt._payload_id(j.payload, 'position')::int);
                PERFORM rt._ring_outbox(1);
            END IF;
            RETURN '{"state": "done"}';
        ELSIF turn ? 'state' THEN
            UPDATE rt.outbox SET done_at = now(), result = '{"state": "done"}' WHERE outbox.id = j.id;
            RETURN '{"state": "done"}';
        END IF;
        result := result || turn;
    ELSE
        NULL;   -- telegram.delete, and kinds of later versions: the payload says it all
    END CASE;
    RETURN result;
END
$$;
COMMENT ON FUNCTION rt.job_begin(bigint) IS 'Edge worker, before the effect: {"state":"done"|"dead"} for a finished job; else attempts + 1, started_at, and {"state":"run","id","kind","attempts","payload"} plus for telegram.send "text" (signature for as=admin) and "chat_type" (the message goes sending), for llm.reply/llm.draft "chat_type", "streaming", "provider" {id,name,type,base_url,model_id,api_key_enc}, "url" and "request", for llm.turn the same plus "session" {"id","turn","round","position","speaker","deadline_ms","compressed"} (rt.session_next_turn). No enabled provider: dead at once, {"state":"dead","error":"no enabled provider"}. An llm.turn that is not the running session''s current turn: done, {"state":"done"}; one whose history needs an LLM summary first: done (result postponed), the "compress" llm.turn of the summary provider queued with the speaker to resume, {"state":"done"}. P0002 for an unknown job';

-- result of a model call, validated: {"text","provider_id","model","usage":{...},"latency_ms","finish_reason"}
CREATE FUNCTION rt._reply_fields(result jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    usage jsonb;
    k text;
    tokens jsonb := '{}';
BEGIN
    IF result IS NULL OR jsonb_typeof(result) <> 'object' THEN
        PERFORM rt._field_error('result', 'must be a json object');
    END IF;
    PERFORM rt._known_keys(result, ARRAY['text', 'provider_id', 'model', 'usage', 'latency_ms', 'finish_reason',
                                         'telegram_message_id']);
    PERFORM rt._body_int(result, 'telegram_message_id', 1, 9223372036854775807);
    IF jsonb_typeof(result -> 'text') IS DISTINCT FROM 'string' OR btrim(result ->> 'text', E' \t\r\n') = ''
       OR length(result ->> 'text') > 100000 THEN
        PERFORM rt._field_error('text', 'must be a non-empty string of at most 100000 characters');
    END IF;
    PERFORM rt._body_int(result, 'provider_id', 1, 9223372036854775807);
    PERFORM rt._body_text(result, 'model', 1, 200);
    PERFORM rt._body_int(result, 'latency_ms', 0, 2147483647);
    PERFORM rt._body_text(result, 'finish_reason', 1, 100);
    usage := result -> 'usage';
    IF usage IS NOT NULL AND jsonb_typeof(usage) <> 'null' THEN
        IF jsonb_typeof(usage) <> 'object' THEN
            PERFORM rt._field_error('usage', 'must be an object {input, cached_input, output, estimated}');
        END IF;
        PERFORM rt._known_keys(usage, ARRAY['input', 'cached_input', 'output', 'estimated'], 'field', 'usage.');
        FOREACH k IN ARRAY ARRAY['input', 'cached_input', 'output'] LOOP
            IF usage ? k AND jsonb_typeof(usage -> k) <> 'null'
               AND (jsonb_typeof(usage -> k) <> 'number' OR (usage -> k)::numeric <> trunc((usage -> k)::numeric)
                    OR (usage -> k)::numeric NOT BETWEEN 0 AND 2147483647) THEN
                PERFORM rt._field_error('usage.' || k, 'must be a token count (an integer >= 0)');
            END IF;
            tokens := tokens || jsonb_build_object(k, (usage ->> k)::numeric::int);
        END LOOP;
        IF usage ? 'estimated' AND jsonb_typeof(usage -> 'estimated') NOT IN ('boolean', 'null') THEN
            PERFORM rt._field_error('usage.estimated', 'must be true or false');
        END IF;
        IF (tokens ->> 'cached_input')::int > coalesce((tokens ->> 'input')::int, 0) THEN
            PERFORM rt._field_error('usage.cached_input', 'must not exceed usage.input (cached tokens are part of the input)');
        END IF;
        tokens := tokens || jsonb_build_object('estimated', coalesce((usage -> 'estimated')::text::boolean, false));
    END IF;
    RETURN jsonb_build_object('text', result -> 'text', 'provider_id', result -> 'provider_id',
                              'model', result -> 'model', 'latency_ms', result -> 'latency_ms',
                              'telegram_message_id', result -> 'telegram_message_id',
                              'usage', CASE WHEN tokens <> '{}' THEN tokens END);
END
$$;
COMMENT ON FUNCTION rt._reply_fields(jsonb) IS 'internal: a record_reply result validated (22023 naming the field: text, provider_id, model, usage.input, usage.cached_input, usage.output, usage.estimated, latency_ms, finish_reason) and normalised';

CREATE FUNCTION rt.record_reply(job bigint, result jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    j rt.outbox;
    r jsonb;
    p rt.providers;
    f_provider bigint;
    t_in int;
    t_cached int;
    t_out int;
    f_cost numeric;
    chat bigint;
    m rt.messages;
    send_job bigint;
    done jsonb;
    held_by text;
BEGIN
    PERFORM rt._require_worker('admin');
    j := rt._lock_job(job);
    IF j.done_at IS NOT NULL THEN
        RETURN coalesce(j.result, jsonb_build_object('state', rt._job_state(j)));   -- a duplicate delivery
    END IF;
    IF j.kind NOT IN ('llm.reply', 'llm.draft') THEN
        RAISE EXCEPTION 'field "job" must be an llm.reply or llm.draft job' USING ERRCODE = '22023', COLUMN = 'job',
            DETAIL = format('Job %s is a %s job.', j.id, j.kind);
    END IF;
    r := rt._reply_fields(result);
    f_provider := (r ->> 'provider_id')::bigint;
    chat := rt._payload_id(j.payload, 'chat_id');
    IF f_provider IS NULL THEN
        -- the worker did not say: the provider rt.job_begin picks (the same unless changed since)
        p := rt._pick_provider(CASE WHEN j.kind = 'llm.draft' THEN rt._payload_id(j.payload, 'provider_id') END,
                               (SELECT c.provider_id FROM rt.chats c WHERE c.id = chat));
        f_provider := p.id;
    ELSE
        SELECT * INTO p FROM rt.providers pr WHERE pr.id = f_provider;
    END IF;
    t_in := (r #>> '{usage,input}')::int;
    t_cached := (r #>> '{usage,cached_input}')::int;
    t_out := (r #>> '{usage,output}')::int;
    IF r -> 'usage' IS NOT NULL AND jsonb_typeof(r -> 'usage') = 'object' THEN
        f_cost := rt._call_cost(f_provider, coalesce(j.started_at, now()), t_in, t_cached, t_out);
    END IF;

    IF j.kind = 'llm.reply' THEN
        -- A human took over the chat while the model wrote (an admin replied by hand, or pressed
        -- take over): the reply is kept for the console, not sent, and a group's message that
        -- showed it growing is deleted.
        SELECT coalesce(rt._actor_name(c.takeover_by), 'an admin') INTO held_by
        FROM rt.chats c WHERE c.id = chat AND c.takeover_until > now();
        INSERT INTO rt.messages (chat_id, direction, author_type, kind, text, created_at, status,
                                 provider_id, provider_name, provider_type, model, tokens_in, tokens_cached,
                                 tokens_out, cost, latency_ms, usage_estimated, in_reply_to, error)
        VALUES (chat, 'out', 'bot', 'text', r ->> 'text', now(), CASE WHEN held_by IS NULL THEN 'queued' ELSE 'failed' END,
                f_provider, p.name, p.type, coalesce(r ->> 'model', p.model_id), t_in, t_cached,
                t_out, f_cost, (r ->> 'latency_ms')::int, (r #>> '{usage,estimated}')::boolean,
                rt._payload_id(j.payload, 'message_pk'),
                CASE WHEN held_by IS NOT NULL
                     THEN format('%s took over the chat while the model was writing', held_by) END)
        RETURNING * INTO m;
        UPDATE rt.chats c SET last_message_at = m.created_at, last_message_id = m.id
        WHERE c.id = chat AND (c.last_message_at IS NULL OR (c.last_message_at, c.last_message_id) < (m.created_at, m.id));
        IF held_by IS NOT NULL THEN
            IF jsonb_typeof(r -> 'telegram_message_id') = 'number' THEN
                INSERT INTO rt.outbox (kind, payload)
                VALUES ('telegram.delete', jsonb_build_object('chat_id', chat, 'message_id', r -> 'telegram_message_id'))
                RETURNING id INTO send_job;
            END IF;
            done := jsonb_build_object('message_pk', m.id, 'send_job', send_job, 'cost', f_cost, 'held', true);
        ELSE
            INSERT INTO rt.outbox (kind, payload)
            VALUES ('telegram.send', jsonb_build_object('chat_id', chat, 'text', m.text,
                                                        'reply_to_message_id', j.payload -> 'reply_to_message_id',
                                                        'message_pk', m.id, 'as', 'bot',
                                                        'in_reply_to', m.in_reply_to)
                                     -- a group watched the reply grow in one message: the send edits it
                                     || CASE WHEN r ? 'telegram_message_id' AND jsonb_typeof(r -> 'telegram_message_id') = 'number'
                                             THEN jsonb_build_object('edit_message_id', r -> 'telegram_message_id')
                                             ELSE '{}' END)
            RETURNING id INTO send_job;
            done := jsonb_build_object('message_pk', m.id, 'send_job', send_job, 'cost', f_cost);
        END IF;
        UPDATE rt.outbox SET done_at = now(), result = done WHERE outbox.id = j.id;
        PERFORM rt._ring_outbox((send_job IS NOT NULL)::int);
        PERFORM rt._ring_messages(ARRAY[m.id], '{}', ARRAY[chat]);
    ELSE
        -- the draft's own triggers audit the change and ring entity.changed draft
        UPDATE rt.drafts d SET status = 'ready', text = r ->> 'text', error = NULL,
            provider_id = f_provider, provider_name = p.name, provider_type = p.type,
            model = coalesce(r ->> 'model', p.model_id), tokens_in = t_in, tokens_cached = t_cached,
            tokens_out = t_out, cost = f_cost, latency_ms = (r ->> 'latency_ms')::int,
            usage_estimated = (r #>> '{usage,estimated}')::boolean, updated_at = now()
        WHERE d.id = rt._payload_id(j.payload, 'draft_id');
        done := jsonb_build_object('draft_id', rt._payload_id(j.payload, 'draft_id'), 'cost', f_cost);
        UPDATE rt.outbox SET done_at = now(), result = done WHERE outbox.id = j.id;
    END IF;
    RETURN done;
END
$$;
COMMENT ON FUNCTION rt.record_reply(bigint, jsonb) IS 'Edge LLM worker: result {"text","provider_id","model","usage":{"input","cached_input","output","estimated"},"latency_ms","finish_reason"}. llm.reply: the bot''s queued out message (in_reply_to, llm columns, cost from prices) and its telegram.send job; returns {"message_pk","send_job","cost"} (telegram_message_id: the message a group saw grow, which the send then edits). While a takeover of the chat lasts the reply is held: stored as failed with error "<who> took over the chat while the model was writing", no send, a telegram.delete of the grown group message (send_job), and "held": true. llm.draft: the draft becomes ready; returns {"draft_id","cost"}. A finished job returns its stored result (idempotent). Empty text -> 22023';

-- what Telegram answered a send with: {"message_id", "message_ids":[...], "date"}
CREATE FUNCTION rt._sent_fields(result jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    mid bigint;
    ids bigint[];
    sent timestamptz;
BEGIN
    IF result IS NULL OR jsonb_typeof(result) <> 'object' THEN
        PERFORM rt._field_error('result', 'must be a json object');
    END IF;
    PERFORM rt._known_keys(result, ARRAY['message_id', 'message_ids', 'date']);
    mid := rt._body_int(result, 'message_id', 1, 9223372036854775807);
    IF mid IS NULL THEN
        PERFORM rt._field_error('message_id', 'is required (the Telegram message id)');
    END IF;
    IF result ? 'message_ids' AND jsonb_typeof(result -> 'message_ids') <> 'null' THEN
        IF jsonb_typeof(result -> 'message_ids') <> 'array' OR jsonb_array_length(result -> 'message_ids') > 100
           OR EXISTS (SELECT FROM jsonb_array_elements(result -> 'message_ids') e
                      WHERE jsonb_typeof(e) <> 'number' OR e::numeric <> trunc(e::numeric)
                         OR e::numeric NOT BETWEEN 1 AND 9223372036854775807) THEN
            PERFORM rt._field_error('message_ids', 'must be an array of at most 100 Telegram message ids');
        END IF;
        ids := ARRAY(SELECT e::numeric::bigint FROM jsonb_array_elements(result -> 'message_ids') e);
    END IF;
    ids := ARRAY(SELECT DISTINCT x FROM unnest(ARRAY[mid] || coalesce(ids, '{}')) x ORDER BY 1);
    IF result ? 'date' AND jsonb_typeof(result -> 'date') <> 'null' THEN
        IF jsonb_typeof(result -> 'date') <> 'number' OR (result -> 'date')::numeric NOT BETWEEN 0 AND 253402300799 THEN
            PERFORM rt._field_error('date', 'must be a Unix time in seconds');
        END IF;
        sent := to_timestamp((result -> 'date')::numeric);
    END IF;
    RETURN jsonb_build_object('message_id', mid, 'message_ids', to_jsonb(ids), 'sent_at', sent);
END
$$;
COMMENT ON FUNCTION rt._sent_fields(jsonb) IS 'internal: a mark_sent result for telegram.send validated ({"message_id" required, "message_ids", "date" Unix seconds}; 22023 naming the field) and normalised to {"message_id","message_ids","sent_at"}';

CREATE FUNCTION rt.mark_sent(job bigint, result jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    j rt.outbox;
    r jsonb;
    pk bigint;
    m rt.messages;
    done jsonb;
BEGIN
    PERFORM rt._require_worker('admin');
    j := rt._lock_job(job);
    IF j.done_at IS NOT NULL THEN
        RETURN coalesce(j.result, jsonb_build_object('state', rt._job_state(j)));   -- a duplicate delivery
    END IF;
    CASE j.kind
    WHEN 'telegram.send' THEN
        r := rt._sent_fields(result);
        pk := rt._payload_id(j.payload, 'message_pk');
        -- the truth wins over a dead mark: Telegram has the message, so the history says sent
        UPDATE rt.messages SET status = 'sent', message_id = (r ->> 'message_id')::bigint,
                               sent_at = coalesce((r ->> 'sent_at')::timestamptz, now()), error = NULL
        WHERE messages.id = pk
        RETURNING * INTO m;
        IF m.id IS NOT NULL THEN
            -- replies to the bot's message are recognised by (chat_id, message_id), like any other
            INSERT INTO rt.message_keys (chat_id, message_id, message_pk, created_at)
            SELECT m.chat_id, x::bigint, m.id, m.created_at FROM jsonb_array_elements_text(r -> 'message_ids') x
            ON CONFLICT DO NOTHING;
            PERFORM rt._ring_messages('{}', ARRAY[m.id], ARRAY[m.chat_id]);
        END IF;
        done := jsonb_build_object('message_pk', pk, 'message_id', r -> 'message_id', 'message_ids', r -> 'message_ids',
                                   'sent_at', coalesce(m.sent_at, (r ->> 'sent_at')::timestamptz, now()));
    WHEN 'telegram.delete' THEN
        IF result IS NOT NULL AND jsonb_typeof(result) <> 'null' THEN
            PERFORM rt._known_keys(result, '{}');
        END IF;
        done := '{}';
    ELSE
        RAISE EXCEPTION 'field "job" must be a telegram.send or telegram.delete job' USING ERRCODE = '22023', COLUMN = 'job',
            DETAIL = format('Job %s is a %s job.', j.id, j.kind);
    END CASE;
    UPDATE rt.outbox SET done_at = now(), result = done WHERE outbox.id = j.id;
    RETURN done;
END
$$;
COMMENT ON FUNCTION rt.mark_sent(bigint, jsonb) IS 'Edge Telegram worker: telegram.send {"message_id","message_ids","date"} -> the message is sent (message_id, sent_at) with rt.message_keys rows so replies to it are recognised; telegram.delete {} -> done. Returns the stored result {"message_pk","message_id","message_ids","sent_at"} ({} for a delete); a finished job returns it again (idempotent)';

CREATE FUNCTION rt.sim_next_id() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt._require_worker('admin');
    RETURN nextval('rt.sim_ids');
END
$$;
COMMENT ON FUNCTION rt.sim_next_id() IS 'The simulator''s next id (admin, or the edge''s Telegram worker): POST /api/simulator/messages takes it as the update id (message id = id - 9000000000000 + 1), and a token-less edge numbers the bot''s sent messages from it, so simulated user and bot messages never share an id';

CREATE FUNCTION rt.job_failed(job bigint, error text, final boolean) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    j rt.outbox;
    err text := left(coalesce(nullif(btrim(error), ''), 'unknown error'), 1000);
    pk bigint;
BEGIN
    PERFORM rt._require_worker('admin');
    IF final IS NULL THEN
        PERFORM rt._field_error('final', 'must be true or false');
    END IF;
    j := rt._lock_job(job);
    IF j.done_at IS NOT NULL OR j.dead_at IS NOT NULL THEN
        RETURN rt._job_json(j);   -- finished: left as it is
    END IF;
    IF final THEN
        j := rt._job_kill(j, err);
    ELSE
        UPDATE rt.outbox SET last_error = err WHERE outbox.id = j.id RETURNING * INTO j;
        -- the next delivery starts the send again
        pk := rt._payload_id(j.payload, 'message_pk');
        IF j.kind = 'telegram.send' AND pk IS NOT NULL THEN
            UPDATE rt.messages m SET status = 'queued' WHERE m.id = pk AND m.status = 'sending';
            IF FOUND THEN
                PERFORM rt._ring_messages('{}', ARRAY[pk], ARRAY[rt._payload_id(j.payload, 'chat_id')]);
            END IF;
        END IF;
    END IF;
    RETURN rt._job_json(j);
END
$$;
COMMENT ON FUNCTION rt.job_failed(bigint, text, boolean) IS 'Edge worker, after a failed effect: last_error (<= 1000 chars). final: dead_at, the message failed (telegram.send) or the draft failed (llm.draft), a delivery_failed / error notification, NOTIFY rt_events; not final: a sending message goes back to queued. A finished job is left unchanged. Returns the Job';

CREATE FUNCTION rt.list_jobs(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_state text;
    f_kind text;
    f_limit bigint;
    pos bigint;
    items jsonb;
    more boolean;
    last_id bigint;
BEGIN
    PERFORM rt.require_role('viewer');
    filter := rt._known_keys(filter, ARRAY['state', 'kind', 'cursor', 'limit'], 'filter field');
    IF filter ? 'state' AND jsonb_typeof(filter -> 'state') <> 'null' THEN
        f_state := CASE WHEN jsonb_typeof(filter -> 'state') = 'string' THEN filter ->> 'state' END;
        IF f_state IS NULL OR f_state NOT IN ('pending', 'dead', 'done', 'discarded') THEN
            PERFORM rt._field_error('state', 'must be one of pending, dead, done, discarded');
        END IF;
    END IF;
    IF filter ? 'kind' AND jsonb_typeof(filter -> 'kind') <> 'null' THEN
        f_kind := CASE WHEN jsonb_typeof(filter -> 'kind') = 'string' THEN filter ->> 'kind' END;
        IF f_kind IS NULL OR f_kind !~ '^[a-z_]{1,30}\.[a-z_]{1,30}$' THEN
            PERFORM rt._field_error('kind', 'must be a job kind such as telegram.send, telegram.delete, llm.reply, llm.draft');
        END IF;
    END IF;
    IF filter ? 'cursor' AND jsonb_typeof(filter -> 'cursor') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('cursor', 'must be a string');
    END IF;
    f_limit := coalesce(rt._filter_int(filter, 'limit'), 50);
    IF f_limit NOT BETWEEN 1 AND 200 THEN
        PERFORM rt._field_error('limit', 'must be between 1 and 200');
    END IF;
    IF filter ->> 'cursor' IS NOT NULL THEN
        pos := (rt._cursor_decode(filter ->> 'cursor', '^j:([0-9]{1,19})$'))[1]::bigint;
    END IF;

    -- each state is spelled like its partial index (outbox_pending_idx, outbox_dead_idx)
    WITH page AS (
        SELECT o, row_number() OVER (ORDER BY o.id DESC) AS n
        FROM rt.outbox o
        WHERE (f_state IS NULL
               OR (f_state = 'pending' AND o.done_at IS NULL AND o.dead_at IS NULL)
               OR (f_state = 'dead' AND o.dead_at IS NOT NULL AND o.done_at IS NULL)
               OR (f_state = 'done' AND o.done_at IS NOT NULL AND o.discarded_at IS NULL)
               OR (f_state = 'discarded' AND o.discarded_at IS NOT NULL))
          AND (f_kind IS NULL OR o.kind = f_kind)
          AND (pos IS NULL OR o.id < pos)
        ORDER BY o.id DESC
        LIMIT f_limit + 1)
    SELECT coalesce(jsonb_agg(rt._job_json(p.o) ORDER BY p.n) FILTER (WHERE p.n <= f_limit), '[]'),
           count(*) > f_limit,
           (array_agg((p.o).id ORDER BY p.n) FILTER (WHERE p.n <= f_limit))[f_limit]
    INTO items, more, last_id
    FROM page p;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode('j:' || last_id) END);
END
$$;
COMMENT ON FUNCTION rt.list_jobs(jsonb) IS 'GET /api/jobs: jobs newest first; filter state (pending, dead, done, discarded), kind, cursor, limit 1..200 (default 50). Returns {"items":[Job],"next_cursor"} (viewer)';

CREATE FUNCTION rt._lock_dead_job(id bigint) RETURNS rt.outbox
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    j rt.outbox;
BEGIN
    SELECT * INTO j FROM rt.outbox WHERE outbox.id = _lock_dead_job.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'job % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    IF rt._job_state(j) <> 'dead' THEN
        RAISE EXCEPTION 'field "id" must name a dead job' USING ERRCODE = '22023', COLUMN = 'id',
            DETAIL = format('Job %s is %s; only dead jobs can be retried or discarded.', j.id, rt._job_state(j));
    END IF;
    RETURN j;
END
$$;
COMMENT ON FUNCTION rt._lock_dead_job(bigint) IS 'internal: a dead job, locked; P0002 when unknown, 22023 when it is not dead';

CREATE FUNCTION rt.retry_job(id bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    j rt.outbox;
    pk bigint;
    edited bigint[] := '{}';
BEGIN
    PERFORM rt.require_role('admin');
    j := rt._lock_dead_job(id);
    UPDATE rt.outbox SET dead_at = NULL, attempts = 0, relayed_at = NULL WHERE outbox.id = j.id RETURNING * INTO j;
    pk := rt._payload_id(j.payload, 'message_pk');
    IF j.kind = 'telegram.send' AND pk IS NOT NULL THEN
        UPDATE rt.messages m SET status = 'queued', error = NULL WHERE m.id = pk AND m.status = 'failed';
        IF FOUND THEN
            edited := ARRAY[pk];
        END IF;
    ELSIF j.kind = 'llm.draft' THEN
        UPDATE rt.drafts d SET status = 'generating', error = NULL, updated_at = now()
        WHERE d.id = rt._payload_id(j.payload, 'draft_id') AND d.status = 'failed';
    END IF;
    PERFORM rt.audit('job.retry', 'job:' || j.id, jsonb_build_object('state', 'dead', 'last_error', j.last_error),
                     jsonb_build_object('state', 'pending'));
    PERFORM rt._ring_outbox(1);
    PERFORM rt._ring_messages('{}', edited, CASE WHEN cardinality(edited) > 0 THEN ARRAY[rt._payload_id(j.payload, 'chat_id')] ELSE '{}' END);
    PERFORM rt._notify_changed('job', jsonb_build_array(j.id));
    RETURN rt._job_json(j);
END
$$;
COMMENT ON FUNCTION rt.retry_job(bigint) IS 'POST /api/jobs/{id}/retry: a dead job becomes pending again (dead_at and relayed_at cleared, attempts 0), its message queued / its draft generating, NOTIFY rt_outbox; returns the Job (admin); 22023 unless dead, P0002 when unknown';

CREATE FUNCTION rt.discard_job(id bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    j rt.outbox;
BEGIN
    PERFORM rt.require_role('admin');
    j := rt._lock_dead_job(id);
    UPDATE rt.outbox SET done_at = now(), discarded_at = now() WHERE outbox.id = j.id RETURNING * INTO j;
    PERFORM rt.audit('job.discard', 'job:' || j.id, jsonb_build_object('state', 'dead', 'last_error', j.last_error),
                     jsonb_build_object('state', 'discarded'));
    PERFORM rt._notify_changed('job', jsonb_build_array(j.id));
    RETURN rt._job_json(j);
END
$$;
COMMENT ON FUNCTION rt.discard_job(bigint) IS 'POST /api/jobs/{id}/discard: gives up on a dead job (done_at = discarded_at = now()); its message stays failed; returns the Job (admin); 22023 unless dead, P0002 when unknown';

CREATE FUNCTION rt.outbox_backlog() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt._require_worker('viewer');
    -- the unfinished jobs, counted on their partial index (outbox_pending_idx)
    RETURN (SELECT count(*) FROM rt.outbox o WHERE o.done_at IS NULL AND o.dead_at IS NULL);
END
$$;
COMMENT ON FUNCTION rt.outbox_backlog() IS 'Edge worker (GET /metrics, rt_outbox_backlog): outbox jobs not yet done and not dead (pending, relayed or not); rt_edge without an actor, else the viewer role';
