-- roundtable 0.5.0, part 55: the console's chat list filters and badges. Each admin has a read
-- mark per chat (rt.chat_reads); a listed chat carries the calling admin's unread count, the
-- chat's unacknowledged mentions and its flagged messages; the list filters by type, auto-reply,
-- unread, mentions, flagged and a round table in the chat. The user filter of the history can
-- be scoped to one chat (rt.list_users filter chat_id).
--
-- Cost: the counts are computed for the (at most 200) chats of one page only, each by a range
-- scan of a partial index (messages from users after the read mark; unacked mentions; flagged
-- messages), so a page costs what its own unread/flagged messages cost, never a scan of all
-- messages. The unread/mentions/flagged filters probe the same partial indexes once per chat
-- walked in activity order until the page is full.

CREATE TABLE rt.chat_reads (
    admin_id     bigint NOT NULL REFERENCES rt.admins (id) ON DELETE CASCADE,
    chat_id      bigint NOT NULL REFERENCES rt.chats (id) ON DELETE CASCADE,
    last_read_pk bigint NOT NULL,
    read_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (admin_id, chat_id)
);
COMMENT ON TABLE rt.chat_reads IS 'Read marks: each console admin has read a chat up to the message rt.messages.id = last_read_pk (set by rt.mark_chat_read)';
COMMENT ON COLUMN rt.chat_reads.last_read_pk IS 'rt.messages.id of the newest message of the chat when the admin marked it read; user messages with a higher id are unread';
CREATE INDEX chat_reads_chat_idx ON rt.chat_reads (chat_id);
COMMENT ON INDEX rt.chat_reads_chat_idx IS 'the foreign key to rt.chats (deleting a chat)';
SELECT pg_catalog.pg_extension_config_dump('rt.chat_reads', '');

CREATE INDEX messages_chat_user_idx ON rt.messages (chat_id, id) WHERE author_type = 'user';
COMMENT ON INDEX rt.messages_chat_user_idx IS 'messages from users of one chat by id: unread counts after a read mark (rt.list_chats)';
CREATE INDEX messages_chat_flagged_idx ON rt.messages (chat_id) WHERE moderation = 'flagged';
COMMENT ON INDEX rt.messages_chat_flagged_idx IS 'flagged messages of one chat (rt.list_chats flagged_count and filter)';
CREATE INDEX notifications_chat_mention_idx ON rt.notifications (chat_id) WHERE kind = 'mention' AND acked_at IS NULL;
COMMENT ON INDEX rt.notifications_chat_mention_idx IS 'unacknowledged mentions of one chat (rt.list_chats mention_count and filter)';
CREATE INDEX chats_session_idx ON rt.chats (last_message_at DESC NULLS LAST, id DESC) WHERE session_id IS NOT NULL;
COMMENT ON INDEX rt.chats_session_idx IS 'chats with a round table, in list order (rt.list_chats roundtable filter)';

-- The admin id of the acting admin, null from the DB door
CREATE FUNCTION rt._actor_admin_id(actor text) RETURNS bigint
LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN actor ~ '^admin:[0-9]{1,18}$' THEN substr(actor, 7)::bigint END $$;
COMMENT ON FUNCTION rt._actor_admin_id(text) IS 'internal: <id> of an actor admin:<id>; null for any other actor (the DB door)';

CREATE FUNCTION rt._filter_bool(filter jsonb, field text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    v jsonb := filter -> field;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) = 'boolean' THEN
        RETURN v::text::boolean;
    END IF;
    IF jsonb_typeof(v) = 'string' AND v #>> '{}' IN ('true', 'false') THEN
        RETURN (v #>> '{}')::boolean;
    END IF;
    RAISE EXCEPTION 'field "%" must be true or false', field USING ERRCODE = '22023', COLUMN = field;
END
$$;
COMMENT ON FUNCTION rt._filter_bool(jsonb, text) IS 'internal: a boolean filter field (true/false or "true"/"false"), null when absent; 22023 naming the field otherwise';

-- The list with its filters and the per-admin counts. The three-argument form stays for the
-- callers of 0.2.0 and calls this one.
CREATE FUNCTION rt.list_chats(filter jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    actor text;
    me bigint;
    f_q text;
    f_type text;
    f_autoreply boolean;
    f_unread boolean;
    f_mentions boolean;
    f_flagged boolean;
    f_roundtable boolean;
    lim bigint;
    pattern text;
    has_cursor boolean := false;
    cur_at timestamptz;
    cur_id bigint;
    parts text[];
    items jsonb;
    more boolean;
    last_at timestamptz;
    last_id bigint;
BEGIN
    actor := rt.require_role('viewer');
    me := rt._actor_admin_id(actor);
    filter := rt._known_keys(filter, ARRAY['q', 'cursor', 'limit', 'type', 'autoreply', 'unread',
                                           'mentions', 'flagged', 'roundtable'], 'filter field');
    IF jsonb_typeof(filter->'q') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('q', 'must be a string');
    END IF;
    f_q := filter->>'q';
    IF length(f_q) > 200 THEN
        PERFORM rt._field_error('q', 'must be at most 200 characters');
    END IF;
    lim := coalesce(rt._filter_int(filter, 'limit'), 50);
    IF lim NOT BETWEEN 1 AND 200 THEN
        PERFORM rt._field_error('limit', 'must be between 1 and 200');
    END IF;
    IF jsonb_typeof(filter->'type') NOT IN ('string', 'null') OR filter->>'type' NOT IN ('private', 'group') THEN
        PERFORM rt._field_error('type', 'must be private or group');
    END IF;
    f_type := filter->>'type';
    f_autoreply := rt._filter_bool(filter, 'autoreply');
    f_unread := rt._filter_bool(filter, 'unread');
    f_mentions := rt._filter_bool(filter, 'mentions');
    f_flagged := rt._filter_bool(filter, 'flagged');
    f_roundtable := rt._filter_bool(filter, 'roundtable');
    IF jsonb_typeof(filter->'cursor') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('cursor', 'must be a string');
    END IF;
    IF filter->>'cursor' IS NOT NULL THEN
        has_cursor := true;
        parts := rt._cursor_decode(filter->>'cursor', '^c:(n|-?[0-9]{1,19}):(-?[0-9]{1,19})$');
        cur_at := CASE WHEN parts[1] = 'n' THEN NULL
                       ELSE 'epoch'::timestamptz + parts[1]::bigint * interval '1 microsecond' END;
        cur_id := parts[2]::bigint;
    END IF;
    IF f_q <> '' THEN
        pattern := '%' || replace(replace(replace(f_q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    END IF;

    WITH page AS (
        SELECT c, r.last_read_pk AS mark, row_number() OVER (ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC) AS n
        FROM rt.chats c
        LEFT JOIN rt.users u ON u.id = c.id AND c.type = 'private'
        LEFT JOIN rt.chat_reads r ON r.admin_id = me AND r.chat_id = c.id
        WHERE (pattern IS NULL OR c.title ILIKE pattern OR c.username ILIKE pattern
               OR u.first_name ILIKE pattern)
          AND (f_type IS NULL OR (f_type = 'private' AND c.type = 'private')
               OR (f_type = 'group' AND c.type IN ('group', 'supergroup')))
          AND (f_autoreply IS NULL OR c.autoreply = f_autoreply)
          AND (f_roundtable IS NULL OR (c.session_id IS NOT NULL) = f_roundtable)
          AND (f_unread IS NULL OR EXISTS (
                   SELECT 1 FROM rt.messages m
                   WHERE m.chat_id = c.id AND m.author_type = 'user' AND m.id > coalesce(r.last_read_pk, 0)) = f_unread)
          AND (f_mentions IS NULL OR EXISTS (
                   SELECT 1 FROM rt.notifications nt
                   WHERE nt.chat_id = c.id AND nt.kind = 'mention' AND nt.acked_at IS NULL) = f_mentions)
          AND (f_flagged IS NULL OR EXISTS (
                   SELECT 1 FROM rt.messages m
                   WHERE m.chat_id = c.id AND m.moderation = 'flagged') = f_flagged)
          AND (NOT has_cursor
               OR CASE WHEN cur_at IS NULL THEN c.last_message_at IS NULL AND c.id < cur_id
                       ELSE c.last_message_at < cur_at OR c.last_message_at IS NULL
                            OR (c.last_message_at = cur_at AND c.id < cur_id) END)
        ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC
        LIMIT lim + 1)
    SELECT coalesce(jsonb_agg(rt._chat_json(p.c) || jsonb_build_object(
               'unread_count', (SELECT count(*) FROM rt.messages m
                                WHERE m.chat_id = (p.c).id AND m.author_type = 'user'
                                  AND m.id > coalesce(p.mark, 0)),
               'mention_count', (SELECT count(*) FROM rt.notifications nt
                                 WHERE nt.chat_id = (p.c).id AND nt.kind = 'mention' AND nt.acked_at IS NULL),
               'flagged_count', (SELECT count(*) FROM rt.messages m
                                 WHERE m.chat_id = (p.c).id AND m.moderation = 'flagged'))
               ORDER BY p.n) FILTER (WHERE p.n <= lim), '[]'),
           count(*) > lim,
           (array_agg((p.c).last_message_at ORDER BY p.n) FILTER (WHERE p.n <= lim))[lim],
           (array_agg((p.c).id ORDER BY p.n) FILTER (WHERE p.n <= lim))[lim]
    INTO items, more, last_at, last_id
    FROM page p;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode(format('c:%s:%s',
            coalesce((extract(epoch FROM last_at) * 1000000)::bigint::text, 'n'), last_id)) END);
END
$$;
COMMENT ON FUNCTION rt.list_chats(jsonb) IS 'Chats, most recently active first, each with the calling admin''s unread_count, its mention_count (unacked) and flagged_count; filter q (title, username or first name), type private|group, autoreply, unread, mentions, flagged, roundtable (booleans), cursor, limit 1..200 (default 50); 22023 naming a bad field';

CREATE OR REPLACE FUNCTION rt.list_chats(q text DEFAULT NULL, cursor text DEFAULT NULL, lim int DEFAULT 50)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
BEGIN
    RETURN rt.list_chats(jsonb_strip_nulls(jsonb_build_object('q', q, 'cursor', cursor, 'limit', coalesce(lim, 50))));
END
$$;
COMMENT ON FUNCTION rt.list_chats(text, text, int) IS 'Chats, most recently active first, searched by title, username or first name; keyset pagination with an opaque cursor (rt.list_chats(jsonb) with q, cursor and limit)';

CREATE FUNCTION rt.mark_chat_read(id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    actor text := rt.require_role('viewer');
    me bigint := rt._actor_admin_id(actor);
    newest bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM rt.chats c WHERE c.id = mark_chat_read.id) THEN
        RAISE EXCEPTION 'chat % does not exist', mark_chat_read.id USING ERRCODE = 'P0002', COLUMN = 'chat_id';
    END IF;
    IF me IS NULL THEN
        RAISE EXCEPTION 'only a console admin has read marks' USING ERRCODE = '22023',
            DETAIL = format('The caller is %s; set rt.actor = admin:<id>.', actor);
    END IF;
    SELECT max(m.id) INTO newest FROM rt.messages m WHERE m.chat_id = mark_chat_read.id;
    INSERT INTO rt.chat_reads AS r (admin_id, chat_id, last_read_pk, read_at)
    VALUES (me, mark_chat_read.id, coalesce(newest, 0), now())
    ON CONFLICT (admin_id, chat_id) DO UPDATE
        SET last_read_pk = greatest(r.last_read_pk, EXCLUDED.last_read_pk), read_at = EXCLUDED.read_at;
END
$$;
COMMENT ON FUNCTION rt.mark_chat_read(bigint) IS 'Sets the calling admin''s read mark of a chat to its newest message (never backwards); other admins keep theirs; viewer; P0002 when the chat is unknown, 22023 from the DB door (no admin)';

CREATE OR REPLACE FUNCTION rt.list_users(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_q text;
    f_limit bigint;
    f_chat bigint;
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
    filter := rt._known_keys(filter, ARRAY['q', 'cursor', 'limit', 'chat_id'], 'filter field');
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
    f_chat := rt._filter_int(filter, 'chat_id');
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
          AND (f_chat IS NULL OR EXISTS (SELECT 1 FROM rt.messages m
                                         WHERE m.user_id = u.id AND m.chat_id = f_chat))
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
COMMENT ON FUNCTION rt.list_users(jsonb) IS 'Telegram users, most recently seen first; filter q (username, first or last name, case-insensitive, or the exact id), chat_id (only users who wrote in that chat), cursor, limit 1..200 (default 50)';
