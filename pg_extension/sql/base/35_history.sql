-- roundtable base, history: History: partitions, ingest, the JSON shapes, reading chats, messages and users

CREATE FUNCTION rt.maintain_partitions(months_ahead int DEFAULT 3) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    month_start timestamptz := date_trunc('month', now());
    lo timestamptz;
    hi timestamptz;
    part text;
    created int := 0;
BEGIN
    PERFORM rt._require_worker('admin');
    IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 120 THEN
        RAISE EXCEPTION 'months_ahead must be between 0 and 120' USING ERRCODE = '22023';
    END IF;
    IF to_regclass('rt.messages_default') IS NULL THEN
        CREATE TABLE rt.messages_default (LIKE rt.messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
        PERFORM rt._index_message_partition('rt.messages_default');
        ALTER TABLE rt.messages ATTACH PARTITION rt.messages_default DEFAULT;
        COMMENT ON TABLE rt.messages_default IS 'messages outside every monthly partition; rt.maintain_partitions moves them out';
        created := created + 1;
    END IF;
    FOR i IN 0 .. months_ahead LOOP
        lo := month_start + make_interval(months => i);
        hi := lo + interval '1 month';
        part := 'messages_' || to_char(lo, 'YYYY_MM');
        CONTINUE WHEN to_regclass('rt.' || part) IS NOT NULL;
        -- rows that landed in the default partition move into the new one
        EXECUTE format('CREATE TABLE rt.%I (LIKE rt.messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
        EXECUTE format('WITH moved AS (DELETE FROM rt.messages_default WHERE created_at >= $1 AND created_at < $2 RETURNING *) '
                       'INSERT INTO rt.%I SELECT * FROM moved', part) USING lo, hi;
        PERFORM rt._index_message_partition(format('rt.%I', part)::regclass);
        EXECUTE format('ALTER TABLE rt.messages ATTACH PARTITION rt.%I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
        EXECUTE format('COMMENT ON TABLE rt.%I IS %L', part,
                       'messages created in ' || to_char(lo, 'YYYY-MM') || ' (UTC)');
        created := created + 1;
    END LOOP;
    RETURN created;
END
$$;
COMMENT ON FUNCTION rt.maintain_partitions(int) IS 'Creates the default partition of rt.messages if it is missing and monthly partitions from the current month to months_ahead ahead, each with its own indexes (rt._index_message_partition); returns how many it created';

CREATE FUNCTION rt.ingest(updates jsonb) RETURNS jsonb
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS 'MODULE_PATHNAME', 'ingest';
COMMENT ON FUNCTION rt.ingest(jsonb) IS 'Stores a JSON array of Telegram updates idempotently; bad ones go to rt.ingest_rejects. Returns {"stored","duplicates","edited","rejected","errors"} and writes one rt_events journal row (NOTIFY rt_events rings)';

CREATE FUNCTION rt.reject_update(raw text, error text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    uid bigint;
    rid bigint;
BEGIN
    PERFORM rt._require_worker('admin');
    IF error IS NULL OR error = '' THEN
        RAISE EXCEPTION 'error must not be empty' USING ERRCODE = '22023';
    END IF;
    -- best effort: the update_id of a body that is not valid JSON
    uid := substring(raw FROM '"update_id"\s*:\s*(-?[0-9]{1,18})[^0-9]')::bigint;
    INSERT INTO rt.ingest_rejects (update_id, raw, error, sqlstate)
    VALUES (uid, raw, error, NULL)
    RETURNING id INTO rid;
    RETURN rid;
END
$$;
COMMENT ON FUNCTION rt.reject_update(text, text) IS 'Records an update the edge could not turn into jsonb (bad UTF-8, \u0000, lone surrogate); returns the rt.ingest_rejects id';

CREATE FUNCTION rt._message_json(m rt.messages) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT rt._message_json(m, u)
    FROM (SELECT 1) one LEFT JOIN rt.users u ON u.id = m.user_id
$$;
COMMENT ON FUNCTION rt._message_json(rt.messages) IS 'internal: a message as the OpenAPI Message object';

CREATE FUNCTION rt._chat_json(c rt.chats) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'type', c.type, 'title', c.title, 'username', c.username,
        'autoreply', c.autoreply, 'reply_on_mention', c.reply_on_mention,
        'takeover_until', CASE WHEN c.takeover_until > now() THEN c.takeover_until END,
        'last_message_at', c.last_message_at,
        'last_message_text', (SELECT m.text FROM rt.messages m
                              WHERE m.id = c.last_message_id AND m.created_at = c.last_message_at),
        'provider_id', c.provider_id,
        'session_id', c.session_id)
$$;
COMMENT ON FUNCTION rt._chat_json(rt.chats) IS 'internal: a chat as the OpenAPI Chat object (with takeover_until while it lasts, provider_id, and session_id: the round-table session awaiting its topic or running in it)';

CREATE FUNCTION rt.list_chats(q text DEFAULT NULL, cursor text DEFAULT NULL, lim int DEFAULT 50)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
BEGIN
    RETURN rt.list_chats(jsonb_strip_nulls(jsonb_build_object('q', q, 'cursor', cursor, 'limit', coalesce(lim, 50))));
END
$$;
COMMENT ON FUNCTION rt.list_chats(text, text, int) IS 'Chats, most recently active first, searched by title, username or first name; keyset pagination with an opaque cursor (rt.list_chats(jsonb) with q, cursor and limit)';

CREATE FUNCTION rt.list_messages(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    known constant text[] := ARRAY['chat_id', 'user_id', 'from', 'to', 'q', 'after_id', 'cursor', 'limit'];
    key text;
    f_chat bigint;
    f_user bigint;
    f_from timestamptz;
    f_to timestamptz;
    f_q text;
    f_after bigint;
    f_limit bigint;
    ascending boolean := false;
    pos bigint;
    parts text[];
    inner_sql text := 'SELECT m FROM rt.messages m WHERE true';
    items jsonb;
    more boolean;
    last_id bigint;
BEGIN
    PERFORM rt.require_role('viewer');
    filter := coalesce(filter, '{}');
    IF jsonb_typeof(filter) <> 'object' THEN
        RAISE EXCEPTION 'filter must be a json object' USING ERRCODE = '22023';
    END IF;
    FOR key IN SELECT jsonb_object_keys(filter) LOOP
        IF NOT key = ANY (known) THEN
            RAISE EXCEPTION 'unknown filter field "%"', key USING ERRCODE = '22023', COLUMN = key,
                HINT = 'Known fields: ' || array_to_string(known, ', ') || '.';
        END IF;
    END LOOP;

    f_chat := rt._filter_int(filter, 'chat_id');
    f_user := rt._filter_int(filter, 'user_id');
    f_from := rt._filter_time(filter, 'from');
    f_to := rt._filter_time(filter, 'to');
    f_after := rt._filter_int(filter, 'after_id');
    f_limit := coalesce(rt._filter_int(filter, 'limit'), 50);
    IF f_limit NOT BETWEEN 1 AND 500 THEN
        RAISE EXCEPTION 'filter field "limit" must be between 1 and 500' USING ERRCODE = '22023', COLUMN = 'limit';
    END IF;
    IF f_after < 0 THEN
        RAISE EXCEPTION 'filter field "after_id" must be at least 0' USING ERRCODE = '22023', COLUMN = 'after_id';
    END IF;
    IF filter ? 'q' AND jsonb_typeof(filter->'q') NOT IN ('string', 'null') THEN
        RAISE EXCEPTION 'filter field "q" must be a string' USING ERRCODE = '22023', COLUMN = 'q';
    END IF;
    f_q := filter->>'q';
    IF length(f_q) > 200 THEN
        RAISE EXCEPTION 'filter field "q" must be at most 200 characters' USING ERRCODE = '22023', COLUMN = 'q';
    END IF;
    IF filter ? 'cursor' AND jsonb_typeof(filter->'cursor') NOT IN ('string', 'null') THEN
        RAISE EXCEPTION 'filter field "cursor" must be a string' USING ERRCODE = '22023', COLUMN = 'cursor';
    END IF;

    -- a cursor carries its direction; after_id starts an ascending backfill
    IF filter->>'cursor' IS NOT NULL THEN
        parts := rt._cursor_decode(filter->>'cursor', '^m:([ad]):([0-9]{1,19})$');
        ascending := parts[1] = 'a';
        pos := parts[2]::bigint;
    ELSIF f_after IS NOT NULL THEN
        ascending := true;
        pos := f_after;
    END IF;

    IF f_chat IS NOT NULL THEN inner_sql := inner_sql || ' AND m.chat_id = $1'; END IF;
    IF f_user IS NOT NULL THEN inner_sql := inner_sql || ' AND m.user_id = $2'; END IF;
    IF f_from IS NOT NULL THEN inner_sql := inner_sql || ' AND m.created_at >= $3'; END IF;
    IF f_to IS NOT NULL THEN inner_sql := inner_sql || ' AND m.created_at < $4'; END IF;
    IF f_q <> '' THEN
        inner_sql := inner_sql || ' AND m.text ILIKE $5';
        f_q := '%' || replace(replace(replace(f_q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    END IF;
    IF pos IS NOT NULL THEN
        inner_sql := inner_sql || CASE WHEN ascending THEN ' AND m.id > $6' ELSE ' AND m.id < $6' END;
    END IF;
    inner_sql := inner_sql || ' ORDER BY m.id ' || CASE WHEN ascending THEN 'ASC' ELSE 'DESC' END
                 || ' LIMIT $7 + 1';

    EXECUTE format($q$
        SELECT coalesce(jsonb_agg(rt._message_json(p.m) ORDER BY p.n) FILTER (WHERE p.n <= $7), '[]'),
               count(*) > $7,
               (array_agg((p.m).id ORDER BY p.n) FILTER (WHERE p.n <= $7))[$7]
        FROM (SELECT x.m, row_number() OVER (ORDER BY (x.m).id %s) AS n FROM (%s) x) p
        $q$, CASE WHEN ascending THEN 'ASC' ELSE 'DESC' END, inner_sql)
    INTO items, more, last_id
    USING f_chat, f_user, f_from, f_to, f_q, pos, f_limit;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode(format('m:%s:%s', CASE WHEN ascending THEN 'a' ELSE 'd' END, last_id)) END);
END
$$;
COMMENT ON FUNCTION rt.list_messages(jsonb) IS 'Message history with filters chat_id, user_id, from, to, q, after_id, cursor, limit; newest first, or oldest first from after_id (backfill)';

-- the OpenAPI Message object, with the round table's fields (session, speaker, round, keyboard)
CREATE FUNCTION rt._message_json(m rt.messages, u rt.users) RETURNS jsonb
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

CREATE FUNCTION rt.list_users(filter jsonb DEFAULT '{}') RETURNS jsonb
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

-- The list with its filters and the per-admin counts. The three-argument form
-- rt.list_chats(q, cursor, lim) stays for older callers and calls this one.
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

CREATE FUNCTION rt._index_message_partition(part regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = rt, pg_catalog
AS $$
DECLARE
    trgm name;
BEGIN
    SELECT n.nspname INTO trgm FROM pg_catalog.pg_opclass o
    JOIN pg_catalog.pg_namespace n ON n.oid = o.opcnamespace
    WHERE o.opcname = 'gin_trgm_ops' LIMIT 1;
    IF trgm IS NULL THEN
        RAISE EXCEPTION 'pg_trgm is not installed' USING ERRCODE = '42704';
    END IF;
    -- the order gives the names the partitioned indexes of 0.1.0 - 0.4.0 gave their partitions
    EXECUTE format('ALTER TABLE %s ADD PRIMARY KEY (id, created_at)', part);
    EXECUTE format('CREATE INDEX ON %s (chat_id, id DESC)', part);
    EXECUTE format('CREATE INDEX ON %s (user_id, id DESC)', part);
    EXECUTE format('CREATE INDEX ON %s (created_at)', part);
    EXECUTE format('CREATE INDEX ON %s USING gin (text %I.gin_trgm_ops)', part, trgm);
    EXECUTE format('CREATE INDEX ON %s (session_id, id) WHERE session_id IS NOT NULL', part);
    EXECUTE format('CREATE INDEX ON %s (chat_id, id) WHERE author_type = ''user''', part);
    EXECUTE format('CREATE INDEX ON %s (chat_id) WHERE moderation = ''flagged''', part);
END
$$;
COMMENT ON FUNCTION rt._index_message_partition(regclass) IS 'Primary key and indexes of one partition of rt.messages (the parent has none, so a pg_dump restores without duplicates): history by chat and by user, time range, trigram search, sessions, unread and flagged counts';
