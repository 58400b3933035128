-- roundtable base, switches: Switches: chat and user controls, takeover, sending as admin

CREATE FUNCTION rt._lock_chat(id bigint) RETURNS rt.chats
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    c rt.chats;
BEGIN
    SELECT * INTO c FROM rt.chats WHERE chats.id = _lock_chat.id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'chat % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'chat_id';
    END IF;
    RETURN c;
END
$$;
COMMENT ON FUNCTION rt._lock_chat(bigint) IS 'internal: the chat row, locked for a switch change; P0002 when unknown';

CREATE FUNCTION rt.update_chat(id bigint, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    c rt.chats;
    f_autoreply boolean;
    f_mention boolean;
    f_provider bigint;
BEGIN
    PERFORM rt.require_role('admin');
    body := rt._known_keys(body, ARRAY['autoreply', 'reply_on_mention', 'provider_id']);
    f_autoreply := rt._body_bool(body, 'autoreply');
    f_mention := rt._body_bool(body, 'reply_on_mention');
    f_provider := rt._body_int(body, 'provider_id', 1, 9223372036854775807);
    IF f_provider IS NOT NULL AND NOT EXISTS (SELECT FROM rt.providers p WHERE p.id = f_provider) THEN
        RAISE EXCEPTION 'provider % does not exist', f_provider USING ERRCODE = 'P0002', COLUMN = 'provider_id';
    END IF;
    c := rt._lock_chat(id);
    UPDATE rt.chats SET autoreply = coalesce(f_autoreply, autoreply),
                        reply_on_mention = coalesce(f_mention, reply_on_mention),
                        provider_id = CASE WHEN body ? 'provider_id' THEN f_provider ELSE chats.provider_id END
    WHERE chats.id = c.id
      AND (autoreply IS DISTINCT FROM coalesce(f_autoreply, autoreply)
           OR reply_on_mention IS DISTINCT FROM coalesce(f_mention, reply_on_mention)
           OR (body ? 'provider_id' AND chats.provider_id IS DISTINCT FROM f_provider));
    SELECT * INTO c FROM rt.chats WHERE chats.id = update_chat.id;
    RETURN rt._chat_json(c);
END
$$;
COMMENT ON FUNCTION rt.update_chat(bigint, jsonb) IS 'PATCH /api/chats/{id}: {autoreply, reply_on_mention (booleans), provider_id (an existing provider or null = the default)}, each optional; returns the Chat (admin); P0002 for an unknown chat or provider';

CREATE FUNCTION rt.takeover_chat(id bigint, body jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    actor text;
    c rt.chats;
    minutes numeric;
BEGIN
    actor := rt.require_role('moderator');
    body := rt._known_keys(body, ARRAY['minutes']);
    minutes := coalesce(rt._body_int(body, 'minutes', 1, 10080),
                        (rt.setting('takeover.minutes') #>> '{}')::numeric, 30);
    c := rt._lock_chat(id);
    UPDATE rt.chats SET takeover_until = now() + minutes * interval '1 minute', takeover_by = actor
    WHERE chats.id = c.id
    RETURNING * INTO c;
    RETURN rt._chat_json(c);
END
$$;
COMMENT ON FUNCTION rt.takeover_chat(bigint, jsonb) IS 'Pauses auto-reply in a chat for body.minutes (1..10080, default setting takeover.minutes): a human has taken over; returns the Chat';

CREATE FUNCTION rt.resume_chat(id bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    c rt.chats;
BEGIN
    PERFORM rt.require_role('moderator');
    c := rt._lock_chat(id);
    UPDATE rt.chats SET takeover_until = NULL, takeover_by = NULL
    WHERE chats.id = c.id AND (takeover_until IS NOT NULL OR takeover_by IS NOT NULL)
    RETURNING * INTO c;
    SELECT * INTO c FROM rt.chats WHERE chats.id = resume_chat.id;
    RETURN rt._chat_json(c);
END
$$;
COMMENT ON FUNCTION rt.resume_chat(bigint) IS 'Ends a takeover: auto-reply applies again (if the chat''s switches allow it); returns the Chat';

CREATE FUNCTION rt.update_user(id bigint, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    u rt.users;
    f_muted boolean;
BEGIN
    PERFORM rt.require_role('admin');
    body := rt._known_keys(body, ARRAY['muted']);
    f_muted := rt._body_bool(body, 'muted');
    SELECT * INTO u FROM rt.users WHERE users.id = update_user.id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    IF f_muted IS NOT NULL AND f_muted IS DISTINCT FROM u.muted THEN
        UPDATE rt.users SET muted = f_muted WHERE users.id = u.id RETURNING * INTO u;
    END IF;
    RETURN rt._user_json(u);
END
$$;
COMMENT ON FUNCTION rt.update_user(bigint, jsonb) IS 'Sets a user''s mute {muted: boolean} (never auto-reply to a muted user); returns the User; P0002 when unknown';

CREATE FUNCTION rt.send_message(body jsonb) RETURNS jsonb
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
