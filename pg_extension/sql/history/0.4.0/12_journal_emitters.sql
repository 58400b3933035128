-- roundtable 0.4.0, part 12: every function that rang NOTIFY rt_events with the event in its
-- payload now appends it to the journal (part 10) instead; the NOTIFY that remains is
-- rt._journal_append's empty doorbell. rt.ingest (C) does the same from this release on.
-- The payload shapes are unchanged (contract.md), so rt.event_messages expands them as before.

CREATE OR REPLACE FUNCTION rt._notify_changed(entity text, ids jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    IF ids IS NULL OR jsonb_array_length(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM rt._journal_append('changed', rt._changed_payload(entity, ids)::jsonb);
END
$$;
COMMENT ON FUNCTION rt._notify_changed(text, jsonb) IS 'internal: appends a journal row "changed" with rt._changed_payload(entity, ids) (NOTIFY rt_events rings); nothing for no ids';

CREATE OR REPLACE FUNCTION rt._notify_admins(kind text, chat_id bigint, message_pk bigint, payload jsonb DEFAULT '{}',
                                             ring boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    nid bigint;
BEGIN
    INSERT INTO rt.notifications (kind, chat_id, message_pk, payload)
    VALUES (kind, chat_id, message_pk, coalesce(payload, '{}'))
    RETURNING id INTO nid;
    IF ring THEN
        PERFORM rt._journal_append('messages', jsonb_build_object('type', 'messages', 'new', '[]'::jsonb, 'edited', '[]'::jsonb,
                                                                  'chats', '[]'::jsonb, 'notifications', jsonb_build_array(nid)));
    END IF;
    RETURN nid;
END
$$;
COMMENT ON FUNCTION rt._notify_admins(text, bigint, bigint, jsonb, boolean) IS 'internal: creates a notification (mention, error, delivery_failed, moderation); with ring, one journal row carrying its id';

CREATE OR REPLACE FUNCTION rt._notify_message_changed(m rt.messages) RETURNS void
LANGUAGE sql VOLATILE
SET search_path = rt, pg_catalog
AS $$
    SELECT rt._journal_append('messages', jsonb_build_object('type', 'messages', 'new', '[]'::jsonb,
                                                             'edited', jsonb_build_array(m.id),
                                                             'chats', jsonb_build_array(m.chat_id)));
$$;
COMMENT ON FUNCTION rt._notify_message_changed(rt.messages) IS 'internal: journal row {"type":"messages","new":[],"edited":[id],"chats":[chat_id]}';

CREATE OR REPLACE FUNCTION rt._ring_messages(new_ids bigint[], edited_ids bigint[], chat_ids bigint[],
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
    PERFORM rt._journal_append('messages', payload);
END
$$;
COMMENT ON FUNCTION rt._ring_messages(bigint[], bigint[], bigint[], bigint[]) IS 'internal: one journal row {"type":"messages","new":[[id,id]..],"edited","chats"[,"notifications"]} for a delivery function''s few rows; nothing when all are empty';

CREATE OR REPLACE FUNCTION rt.send_message(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    actor text;
    f_chat bigint;
    f_text text;
    f_as text;
    f_reply bigint;
    c rt.chats;
    m rt.messages;
    job_id bigint;
    minutes numeric;
BEGIN
    actor := rt.require_role('moderator');
    body := rt._known_keys(body, ARRAY['chat_id', 'text', 'as', 'reply_to_message_id']);
    f_chat := rt._body_int(body, 'chat_id', -9223372036854775807, 9223372036854775807);
    IF f_chat IS NULL THEN
        PERFORM rt._field_error('chat_id', 'is required');
    END IF;
    IF jsonb_typeof(body->'text') IS DISTINCT FROM 'string' THEN
        PERFORM rt._field_error('text', 'must be a string');
    END IF;
    f_text := body->>'text';
    IF length(f_text) NOT BETWEEN 1 AND 4096 OR btrim(f_text, E' \t\r\n') = '' THEN
        PERFORM rt._field_error('text', 'must be 1 to 4096 characters long and not blank');
    END IF;
    IF body ? 'as' AND jsonb_typeof(body->'as') <> 'null'
       AND (jsonb_typeof(body->'as') <> 'string' OR body->>'as' NOT IN ('admin', 'bot')) THEN
        PERFORM rt._field_error('as', 'must be one of admin, bot');
    END IF;
    f_as := coalesce(body->>'as', 'admin');
    f_reply := rt._body_int(body, 'reply_to_message_id', 1, 9223372036854775807);
    c := rt._lock_chat(f_chat);

    INSERT INTO rt.messages (chat_id, direction, author_type, kind, text, created_at, status)
    VALUES (c.id, 'out', f_as, 'text', f_text, now(), 'queued')
    RETURNING * INTO m;

    INSERT INTO rt.outbox (kind, payload)
    VALUES ('telegram.send', jsonb_build_object('chat_id', c.id, 'text', f_text,
            'reply_to_message_id', f_reply, 'message_pk', m.id, 'as', f_as))
    RETURNING id INTO job_id;

    -- a human replied: auto-reply pauses for this chat
    minutes := coalesce((rt.setting('takeover.minutes') #>> '{}')::numeric, 30);
    UPDATE rt.chats SET
        takeover_until = greatest(coalesce(takeover_until, now()), now() + minutes * interval '1 minute'),
        takeover_by = actor,
        last_message_at = CASE WHEN last_message_at IS NULL OR (last_message_at, last_message_id) < (m.created_at, m.id)
                               THEN m.created_at ELSE last_message_at END,
        last_message_id = CASE WHEN last_message_at IS NULL OR (last_message_at, last_message_id) < (m.created_at, m.id)
                               THEN m.id ELSE last_message_id END
    WHERE chats.id = c.id;

    PERFORM rt.audit('message.send', 'message:' || m.id, NULL,
                     jsonb_build_object('chat_id', c.id, 'text', f_text, 'as', f_as,
                                        'reply_to_message_id', f_reply, 'outbox_id', job_id));
    PERFORM pg_notify('rt_outbox', job_id::text);
    PERFORM rt._journal_append('messages', jsonb_build_object('type', 'messages', 'new', jsonb_build_array(jsonb_build_array(m.id, m.id)),
                                                      'edited', '[]'::jsonb, 'chats', jsonb_build_array(c.id)));
    RETURN rt._message_json(m);
END
$$;
COMMENT ON FUNCTION rt.send_message(jsonb) IS 'Queues a message by hand {chat_id, text 1..4096, as admin|bot (default admin), reply_to_message_id}: an out message with status queued, an outbox telegram.send job, a takeover of takeover.minutes, NOTIFY rt_outbox and a journal row; returns the Message';

COMMENT ON FUNCTION rt.ingest(jsonb) IS 'Stores a JSON array of Telegram updates idempotently; bad ones go to rt.ingest_rejects. Returns {"stored","duplicates","edited","rejected","errors"} and writes one rt_events journal row (NOTIFY rt_events rings)';
