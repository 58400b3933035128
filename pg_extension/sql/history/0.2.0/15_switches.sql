-- roundtable 0.2.0, part 15: per-chat switches (auto-reply, reply on mention, human takeover),
-- per-user mute, and the manual send that queues an outgoing message for the edge.
-- The columns come from 00_common.sql; audit of the switch columns is its triggers' job.

CREATE FUNCTION rt._user_json(u rt.users) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', u.id, 'username', u.username, 'first_name', u.first_name, 'last_name', u.last_name,
        'is_bot', u.is_bot, 'muted', u.muted,
        'first_seen_at', u.first_seen_at, 'last_seen_at', u.last_seen_at)
$$;
COMMENT ON FUNCTION rt._user_json(rt.users) IS 'internal: a Telegram user as the OpenAPI User object';

CREATE FUNCTION rt._body_bool(body jsonb, field text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    IF body -> field IS NULL THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(body -> field) <> 'boolean' THEN
        PERFORM rt._field_error(field, 'must be a boolean');
    END IF;
    RETURN (body -> field)::boolean;
END
$$;
COMMENT ON FUNCTION rt._body_bool(jsonb, text) IS 'internal: a boolean body field, null when absent; 22023 naming the field otherwise (JSON null included)';

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

-- ---------------------------------------------------------------------------
-- Chats
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt.update_chat(id bigint, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    c rt.chats;
    f_autoreply boolean;
    f_mention boolean;
BEGIN
    PERFORM rt.require_role('admin');
    body := rt._known_keys(body, ARRAY['autoreply', 'reply_on_mention']);
    f_autoreply := rt._body_bool(body, 'autoreply');
    f_mention := rt._body_bool(body, 'reply_on_mention');
    c := rt._lock_chat(id);
    UPDATE rt.chats SET autoreply = coalesce(f_autoreply, autoreply),
                        reply_on_mention = coalesce(f_mention, reply_on_mention)
    WHERE chats.id = c.id
      AND (autoreply IS DISTINCT FROM coalesce(f_autoreply, autoreply)
           OR reply_on_mention IS DISTINCT FROM coalesce(f_mention, reply_on_mention))
    RETURNING * INTO c;
    SELECT * INTO c FROM rt.chats WHERE chats.id = update_chat.id;
    RETURN rt._chat_json(c);
END
$$;
COMMENT ON FUNCTION rt.update_chat(bigint, jsonb) IS 'Sets a chat''s switches {autoreply, reply_on_mention} (booleans, each optional); returns the Chat; P0002 when unknown';

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

-- ---------------------------------------------------------------------------
-- Users
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt.list_users(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_q text;
    f_limit bigint;
    pattern text;
    parts text[];
    cur_at timestamptz;
    cur_id bigint;
    items jsonb;
    more boolean;
    last_at timestamptz;
    last_id bigint;
BEGIN
    PERFORM rt.require_role('viewer');
    filter := rt._known_keys(filter, ARRAY['q', 'cursor', 'limit'], 'filter field');
    IF filter ? 'q' AND jsonb_typeof(filter->'q') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('q', 'must be a string');
    END IF;
    f_q := filter->>'q';
    IF length(f_q) > 200 THEN
        PERFORM rt._field_error('q', 'must be at most 200 characters');
    END IF;
    f_limit := coalesce(rt._filter_int(filter, 'limit'), 50);
    IF f_limit NOT BETWEEN 1 AND 200 THEN
        PERFORM rt._field_error('limit', 'must be between 1 and 200');
    END IF;
    IF filter ? 'cursor' AND jsonb_typeof(filter->'cursor') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('cursor', 'must be a string');
    END IF;
    IF filter->>'cursor' IS NOT NULL THEN
        parts := rt._cursor_decode(filter->>'cursor', '^u:(-?[0-9]{1,19}):(-?[0-9]{1,19})$');
        cur_at := 'epoch'::timestamptz + parts[1]::bigint * interval '1 microsecond';
        cur_id := parts[2]::bigint;
    END IF;
    IF f_q <> '' THEN
        pattern := '%' || replace(replace(replace(f_q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    END IF;

    WITH page AS (
        SELECT u, row_number() OVER (ORDER BY u.last_seen_at DESC, u.id DESC) AS n
        FROM rt.users u
        WHERE (pattern IS NULL OR u.username ILIKE pattern OR u.first_name ILIKE pattern
               OR u.last_name ILIKE pattern OR u.id::text = f_q)
          AND (cur_id IS NULL OR (u.last_seen_at, u.id) < (cur_at, cur_id))
        ORDER BY u.last_seen_at DESC, u.id DESC
        LIMIT f_limit + 1)
    SELECT coalesce(jsonb_agg(rt._user_json(x.u) ORDER BY x.n) FILTER (WHERE x.n <= f_limit), '[]'),
           count(*) > f_limit,
           (array_agg((x.u).last_seen_at ORDER BY x.n) FILTER (WHERE x.n <= f_limit))[f_limit],
           (array_agg((x.u).id ORDER BY x.n) FILTER (WHERE x.n <= f_limit))[f_limit]
    INTO items, more, last_at, last_id
    FROM page x;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode(format('u:%s:%s',
            (extract(epoch FROM last_at) * 1000000)::bigint, last_id)) END);
END
$$;
COMMENT ON FUNCTION rt.list_users(jsonb) IS 'Telegram users, most recently seen first; filter q (username, first or last name, case-insensitive, or the exact id), cursor, limit 1..200 (default 50)';

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

-- ---------------------------------------------------------------------------
-- Manual send
-- ---------------------------------------------------------------------------

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
    PERFORM pg_notify('rt_events', jsonb_build_object('type', 'messages', 'new', jsonb_build_array(jsonb_build_array(m.id, m.id)),
                                                      'edited', '[]'::jsonb, 'chats', jsonb_build_array(c.id))::text);
    RETURN rt._message_json(m);
END
$$;
COMMENT ON FUNCTION rt.send_message(jsonb) IS 'Queues a message by hand {chat_id, text 1..4096, as admin|bot (default admin), reply_to_message_id}: an out message with status queued, an outbox telegram.send job, a takeover of takeover.minutes, NOTIFY rt_outbox and rt_events; returns the Message';

REVOKE EXECUTE ON FUNCTION
    rt._user_json(rt.users), rt._body_bool(jsonb, text), rt._lock_chat(bigint),
    rt.update_chat(bigint, jsonb), rt.takeover_chat(bigint, jsonb), rt.resume_chat(bigint),
    rt.list_users(jsonb), rt.update_user(bigint, jsonb), rt.send_message(jsonb)
FROM PUBLIC;
