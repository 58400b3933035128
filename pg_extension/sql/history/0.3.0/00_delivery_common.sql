-- roundtable 0.3.0, part 00: what delivery adds to the tables of 0.1.0/0.2.0 (the model call and
-- delivery state of a message, the job state of an outbox row), the Message JSON that shows
-- them, the delivery settings, and the one-per-transaction doorbells (decision 005 layout).
-- Runs on a fresh install after the 0.2.0 parts and as the 0.2.0 -> 0.3.0 upgrade.

-- ---------------------------------------------------------------------------
-- Messages: the model call that wrote a reply, and its delivery
-- ---------------------------------------------------------------------------

ALTER TABLE rt.messages
    ADD COLUMN provider_id bigint,
    ADD COLUMN provider_name text,
    ADD COLUMN provider_type text,
    ADD COLUMN model text,
    ADD COLUMN tokens_in int,
    ADD COLUMN tokens_cached int,
    ADD COLUMN tokens_out int,
    ADD COLUMN cost numeric(14, 8),
    ADD COLUMN latency_ms int,
    ADD COLUMN usage_estimated boolean,
    ADD COLUMN error text,
    ADD COLUMN sent_at timestamptz,
    ADD COLUMN in_reply_to bigint;
COMMENT ON COLUMN rt.messages.provider_id IS 'rt.providers.id of the model call that wrote this reply (no foreign key: history outlives providers)';
COMMENT ON COLUMN rt.messages.provider_name IS 'provider name at the time of the call';
COMMENT ON COLUMN rt.messages.provider_type IS 'provider type at the time of the call (openai, deepseek, openai_compatible, anthropic, demo)';
COMMENT ON COLUMN rt.messages.model IS 'model id the provider answered with';
COMMENT ON COLUMN rt.messages.tokens_in IS 'prompt tokens of the call, cached ones included';
COMMENT ON COLUMN rt.messages.tokens_cached IS 'prompt tokens served from the provider''s cache';
COMMENT ON COLUMN rt.messages.tokens_out IS 'completion tokens of the call';
COMMENT ON COLUMN rt.messages.cost IS 'USD: (in - cached) * input_per_m + cached * cached_input_per_m + out * output_per_m, per 1M tokens, at the prices effective when the call started';
COMMENT ON COLUMN rt.messages.latency_ms IS 'milliseconds from the request to the last token';
COMMENT ON COLUMN rt.messages.usage_estimated IS 'the provider reported no usage; the token counts are the edge''s estimate';
COMMENT ON COLUMN rt.messages.error IS 'why delivery failed (status failed)';
COMMENT ON COLUMN rt.messages.sent_at IS 'when Telegram accepted the outgoing message';
COMMENT ON COLUMN rt.messages.in_reply_to IS 'rt.messages.id of the message this reply answers';

-- 'sending': a worker has begun the Telegram call (rt.job_begin); back to 'queued' on a retry
ALTER TABLE rt.messages DROP CONSTRAINT messages_status_check;
ALTER TABLE rt.messages ADD CONSTRAINT messages_status_check
    CHECK (status IN ('queued', 'sending', 'sent', 'failed'));
COMMENT ON COLUMN rt.messages.status IS 'delivery of an outgoing message: queued, sending, sent or failed; null for incoming ones';

-- ---------------------------------------------------------------------------
-- Outbox rows are jobs: pending until done_at or dead_at is set (PostgreSQL is the ledger)
-- ---------------------------------------------------------------------------

ALTER TABLE rt.outbox
    ADD COLUMN dead_at timestamptz,
    ADD COLUMN discarded_at timestamptz,
    ADD COLUMN relays int NOT NULL DEFAULT 0,
    ADD COLUMN started_at timestamptz,
    ADD COLUMN result jsonb;
COMMENT ON COLUMN rt.outbox.relayed_at IS 'last time rt.outbox_claim handed the job to Redis; a job still unfinished stale_sec later is claimed again';
COMMENT ON COLUMN rt.outbox.done_at IS 'the effect is recorded (sent, replied, deleted) or the dead job was discarded: the job is finished';
COMMENT ON COLUMN rt.outbox.attempts IS 'rt.job_begin calls: how often a worker started the effect';
COMMENT ON COLUMN rt.outbox.dead_at IS 'the job failed for good (rt.job_failed final, or no provider); rt.retry_job makes it pending again';
COMMENT ON COLUMN rt.outbox.discarded_at IS 'an admin gave up on the dead job (rt.discard_job); done_at is set too';
COMMENT ON COLUMN rt.outbox.relays IS 'how often rt.outbox_claim handed the job to Redis';
COMMENT ON COLUMN rt.outbox.started_at IS 'last rt.job_begin: the start of the call whose prices apply';
COMMENT ON COLUMN rt.outbox.result IS 'what finishing recorded, returned again to a duplicate delivery ({"message_pk","send_job"} for llm.reply)';

CREATE INDEX outbox_pending_idx ON rt.outbox (id) WHERE done_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_dead_idx ON rt.outbox (id) WHERE dead_at IS NOT NULL AND done_at IS NULL;
COMMENT ON INDEX rt.outbox_pending_idx IS 'unfinished jobs, oldest first: rt.outbox_claim and rt.list_jobs state=pending';
COMMENT ON INDEX rt.outbox_dead_idx IS 'dead letters for the console: rt.list_jobs state=dead';

-- ---------------------------------------------------------------------------
-- JSON: the model call of a message or draft, and the Message object gaining it
-- ---------------------------------------------------------------------------

-- plain SQL without SET or subquery, so it inlines into rt._message_json and its set-based callers
-- (STABLE like jsonb_build_object: a function claiming more than its body is never inlined)
CREATE FUNCTION rt._llm_json(provider_id bigint, provider_name text, provider_type text, model text,
                             tokens_in int, tokens_cached int, tokens_out int, cost numeric,
                             latency_ms int, estimated boolean) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN provider_id IS NOT NULL OR provider_type IS NOT NULL OR model IS NOT NULL THEN
        jsonb_build_object(
            'provider_id', provider_id, 'provider', provider_name, 'type', provider_type,
            'model', model, 'demo', coalesce(provider_type = 'demo', false),
            'tokens_in', tokens_in, 'tokens_cached', tokens_cached, 'tokens_out', tokens_out,
            'cost', cost, 'latency_ms', latency_ms, 'estimated', estimated) END
$$;
COMMENT ON FUNCTION rt._llm_json(bigint, text, text, text, int, int, int, numeric, int, boolean) IS 'internal: the "llm" object of a Message or Draft ({"provider_id","provider","type","model","demo","tokens_in","tokens_cached","tokens_out","cost","latency_ms","estimated"}), null when no model wrote it';

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
        'error', m.error, 'sent_at', m.sent_at, 'in_reply_to', m.in_reply_to)
$$;
COMMENT ON FUNCTION rt._message_json(rt.messages, rt.users) IS 'internal: a message and its sender (null row when none) as the OpenAPI Message object, with the model call ("llm") and delivery ("status", "error", "sent_at")';

-- ---------------------------------------------------------------------------
-- Settings of delivery
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION rt.setting(key text) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT coalesce(
        (SELECT s.value FROM rt.settings s WHERE s.key = setting.key),
        CASE setting.key
            WHEN 'preset.defaults' THEN '{"temperature":0.7,"max_tokens":512,"tone":"neutral","verbosity":"short","emotional_intensity":50,"persona":""}'::jsonb
            WHEN 'takeover.minutes' THEN '30'::jsonb
            WHEN 'context.messages' THEN '20'::jsonb
            WHEN 'matcher.version' THEN '1'::jsonb
            WHEN 'admin.signature' THEN '""'::jsonb
            WHEN 'telegram.streaming' THEN 'true'::jsonb
        END,
        'null'::jsonb)
$$;
COMMENT ON FUNCTION rt.setting(text) IS 'A setting''s value, or its built-in default (preset.defaults, takeover.minutes, context.messages, matcher.version, admin.signature "", telegram.streaming true), or JSON null (bot.username, bot.id, autoreply.provider)';

CREATE OR REPLACE FUNCTION rt._setting_keys() RETURNS text[]
LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['preset.defaults', 'takeover.minutes', 'context.messages', 'bot.username', 'bot.id',
                   'autoreply.provider', 'admin.signature', 'telegram.streaming'] $$;

CREATE OR REPLACE FUNCTION rt._validate_setting(key text, value jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    t text := jsonb_typeof(value);
    k text;
    v jsonb;
BEGIN
    CASE key
    WHEN 'preset.defaults' THEN
        IF t IS DISTINCT FROM 'object' THEN
            RAISE EXCEPTION 'field "value" must be an object with temperature, max_tokens, tone, verbosity, emotional_intensity and persona'
                USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
        PERFORM rt._known_keys(value, ARRAY['temperature', 'max_tokens', 'tone', 'verbosity', 'emotional_intensity', 'persona'], 'field', 'value.');
        FOREACH k IN ARRAY ARRAY['temperature', 'max_tokens', 'tone', 'verbosity', 'emotional_intensity', 'persona'] LOOP
            IF NOT value ? k OR jsonb_typeof(value -> k) = 'null' THEN
                RAISE EXCEPTION 'field "value.%" is required', k USING ERRCODE = '22023', COLUMN = 'value.' || k;
            END IF;
        END LOOP;
        v := value -> 'temperature';
        IF jsonb_typeof(v) <> 'number' OR v::text::numeric NOT BETWEEN 0 AND 2 THEN
            RAISE EXCEPTION 'field "value.temperature" must be between 0 and 2' USING ERRCODE = '22023', COLUMN = 'value.temperature';
        END IF;
        v := value -> 'max_tokens';
        IF jsonb_typeof(v) <> 'number' OR v::text !~ '^[0-9]{1,9}$' OR v::text::int NOT BETWEEN 1 AND 32000 THEN
            RAISE EXCEPTION 'field "value.max_tokens" must be an integer between 1 and 32000' USING ERRCODE = '22023', COLUMN = 'value.max_tokens';
        END IF;
        IF jsonb_typeof(value -> 'tone') <> 'string' OR value ->> 'tone' NOT IN ('formal', 'friendly', 'neutral', 'aggressive') THEN
            RAISE EXCEPTION 'field "value.tone" must be one of formal, friendly, neutral, aggressive' USING ERRCODE = '22023', COLUMN = 'value.tone';
        END IF;
        IF jsonb_typeof(value -> 'verbosity') <> 'string' OR value ->> 'verbosity' NOT IN ('short', 'detailed') THEN
            RAISE EXCEPTION 'field "value.verbosity" must be one of short, detailed' USING ERRCODE = '22023', COLUMN = 'value.verbosity';
        END IF;
        v := value -> 'emotional_intensity';
        IF jsonb_typeof(v) <> 'number' OR v::text !~ '^[0-9]{1,9}$' OR v::text::int NOT BETWEEN 0 AND 100 THEN
            RAISE EXCEPTION 'field "value.emotional_intensity" must be an integer between 0 and 100' USING ERRCODE = '22023', COLUMN = 'value.emotional_intensity';
        END IF;
        IF jsonb_typeof(value -> 'persona') <> 'string' OR length(value ->> 'persona') > 4000 THEN
            RAISE EXCEPTION 'field "value.persona" must be a string of at most 4000 characters' USING ERRCODE = '22023', COLUMN = 'value.persona';
        END IF;
    WHEN 'takeover.minutes' THEN
        IF t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,9}$' OR value::text::int NOT BETWEEN 1 AND 10080 THEN
            RAISE EXCEPTION 'field "value" must be an integer between 1 and 10080' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'context.messages' THEN
        IF t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,9}$' OR value::text::int NOT BETWEEN 0 AND 100 THEN
            RAISE EXCEPTION 'field "value" must be an integer between 0 and 100' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'bot.username' THEN
        IF t = 'string' AND left(value #>> '{}', 1) = '@' THEN
            RAISE EXCEPTION 'field "value" must be the username without "@"' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
        IF t IS DISTINCT FROM 'null' AND (t IS DISTINCT FROM 'string' OR value #>> '{}' !~ '^[A-Za-z0-9_]{1,64}$') THEN
            RAISE EXCEPTION 'field "value" must be a Telegram username (letters, digits, _) or null' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'bot.id' THEN
        IF t IS DISTINCT FROM 'null' AND (t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,18}$') THEN
            RAISE EXCEPTION 'field "value" must be a positive integer or null' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'autoreply.provider' THEN
        IF t IS DISTINCT FROM 'null' AND (t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,18}$') THEN
            RAISE EXCEPTION 'field "value" must be a provider id or null' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
        IF t = 'number' AND NOT EXISTS (SELECT FROM rt.providers p WHERE p.id = value::text::bigint) THEN
            RAISE EXCEPTION 'provider % does not exist', value USING ERRCODE = 'P0002', COLUMN = 'value';
        END IF;
    WHEN 'admin.signature' THEN
        IF t IS DISTINCT FROM 'string' OR length(value #>> '{}') > 500 THEN
            RAISE EXCEPTION 'field "value" must be a string of at most 500 characters' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'telegram.streaming' THEN
        IF t IS DISTINCT FROM 'boolean' THEN
            RAISE EXCEPTION 'field "value" must be true or false' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    ELSE
        RAISE EXCEPTION 'unknown setting "%"', key USING ERRCODE = 'P0002',
            HINT = 'Known settings: ' || array_to_string(rt._setting_keys(), ', ') || '.';
    END CASE;
    RETURN value;
END
$$;COMMENT ON FUNCTION rt._validate_setting(text, jsonb) IS 'internal: 22023 naming the field unless value is valid for the setting key (autoreply.provider: P0002 for an unknown provider); P0002 for an unknown key';

-- ---------------------------------------------------------------------------
-- Doorbells: at most one NOTIFY per channel from each delivery function
-- ---------------------------------------------------------------------------

-- the rt_events payload of contract.md ({"type":"messages","new","edited","chats"}) plus, as
-- 0.2.0 does, "notifications" when there are any; nothing when nothing changed
CREATE FUNCTION rt._ring_messages(new_ids bigint[], edited_ids bigint[], chat_ids bigint[],
                                  notification_ids bigint[] DEFAULT '{}') RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    payload jsonb;
BEGIN
    new_ids := ARRAY(SELECT DISTINCT x FROM unnest(new_ids) x WHERE x IS NOT NULL ORDER BY 1);
    edited_ids := ARRAY(SELECT DISTINCT x FROM unnest(edited_ids) x WHERE x IS NOT NULL ORDER BY 1);
    chat_ids := ARRAY(SELECT DISTINCT x FROM unnest(chat_ids) x WHERE x IS NOT NULL ORDER BY 1);
    notification_ids := ARRAY(SELECT DISTINCT x FROM unnest(notification_ids) x WHERE x IS NOT NULL ORDER BY 1);
    IF cardinality(new_ids) + cardinality(edited_ids) + cardinality(chat_ids) + cardinality(notification_ids) = 0 THEN
        RETURN;
    END IF;
    payload := jsonb_build_object(
        'type', 'messages',
        'new', (SELECT coalesce(jsonb_agg(jsonb_build_array(x, x) ORDER BY x), '[]') FROM unnest(new_ids) x),
        'edited', to_jsonb(edited_ids),
        'chats', to_jsonb(chat_ids));
    IF cardinality(notification_ids) > 0 THEN
        payload := payload || jsonb_build_object('notifications', to_jsonb(notification_ids));
    END IF;
    PERFORM pg_notify('rt_events', payload::text);
END
$$;
COMMENT ON FUNCTION rt._ring_messages(bigint[], bigint[], bigint[], bigint[]) IS 'internal: one NOTIFY rt_events {"type":"messages","new":[[id,id]..],"edited","chats"[,"notifications"]} for a delivery function''s few rows; nothing when all are empty';

CREATE FUNCTION rt._ring_outbox(jobs int) RETURNS void
LANGUAGE sql VOLATILE
SET search_path = rt, pg_catalog
AS $$
    SELECT pg_notify('rt_outbox', jsonb_build_object('jobs', jobs)::text) WHERE jobs > 0
$$;
COMMENT ON FUNCTION rt._ring_outbox(int) IS 'internal: NOTIFY rt_outbox {"jobs": n} (the doorbell rt.ingest rings too), once per transaction that wrote n > 0 outbox rows';
