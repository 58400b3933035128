-- roundtable 0.3.0, part 20: drafts. An admin asks the model for a reply proposal in a chat
-- (with a one-off override and provider); an llm.draft job writes it; the admin may then send it
-- by hand. Nothing reaches Telegram from here.

CREATE TABLE rt.drafts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id         bigint NOT NULL REFERENCES rt.chats (id),
    job_id          bigint,
    status          text NOT NULL DEFAULT 'generating' CHECK (status IN ('generating', 'ready', 'failed')),
    text            text,
    provider_id     bigint,
    provider_name   text,
    provider_type   text,
    model           text,
    tokens_in       int,
    tokens_cached   int,
    tokens_out      int,
    cost            numeric(14, 8),
    latency_ms      int,
    usage_estimated boolean,
    error           text,
    created_by      text NOT NULL DEFAULT rt.current_actor(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.drafts IS 'Reply proposals a model wrote for an admin (rt.create_draft -> llm.draft job -> rt.record_reply); never sent by themselves';
COMMENT ON COLUMN rt.drafts.job_id IS 'rt.outbox.id of the llm.draft job writing it';
COMMENT ON COLUMN rt.drafts.status IS 'generating (job queued or running), ready (text written) or failed (error)';
COMMENT ON COLUMN rt.drafts.provider_id IS 'provider of the call (no foreign key: history outlives providers), with its name and type at the time';
COMMENT ON COLUMN rt.drafts.cost IS 'USD of the call at the prices in effect when it started';
COMMENT ON COLUMN rt.drafts.usage_estimated IS 'the provider reported no usage; the token counts are the edge''s estimate';
COMMENT ON COLUMN rt.drafts.created_by IS 'admin:<id> or db:<role> who asked for it';

CREATE INDEX drafts_chat_idx ON rt.drafts (chat_id, id DESC);
COMMENT ON INDEX rt.drafts_chat_idx IS 'drafts of one chat, newest first';

DO $$
BEGIN
    PERFORM pg_catalog.pg_extension_config_dump('rt.drafts', '');
    PERFORM pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('rt.drafts', 'id'), '');
END
$$;

-- draft.insert|update audit rows and entity.changed draft (also when the edge writes the text)
SELECT rt._attach_audit('rt.drafts', 'draft');

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
