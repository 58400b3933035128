-- roundtable 0.5.0: a reply the model finishes while a human has taken over the chat (an admin
-- replied by hand, or pressed take over, during the generation) is held: stored for the console
-- as a failed bot message that says why, never sent; a group's message that showed it growing is
-- deleted. Until now it was sent after the human's reply.

CREATE OR REPLACE FUNCTION rt.record_reply(job bigint, result jsonb) RETURNS jsonb
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
