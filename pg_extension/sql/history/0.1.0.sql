-- roundtable 0.1.0 install script: schema rt, its tables and the SQL API the edge calls.
-- Hand-edited; the build copies it to roundtable--0.1.0.sql. Never edit a released copy.

\echo Use "CREATE EXTENSION roundtable CASCADE" to load this file. \quit

COMMENT ON SCHEMA rt IS 'roundtable: Telegram bot history, ingest and admin API';

-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------

CREATE TABLE rt.admins (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login         text NOT NULL UNIQUE CHECK (length(login) BETWEEN 1 AND 100),
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('owner', 'admin', 'moderator', 'viewer')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);
COMMENT ON TABLE rt.admins IS 'Console administrators; password_hash is bcrypt (pgcrypto crypt, bf cost 10)';
COMMENT ON COLUMN rt.admins.role IS 'viewer < moderator < admin < owner';
COMMENT ON COLUMN rt.admins.disabled_at IS 'set when the admin may no longer log in';

CREATE TABLE rt.users (
    id            bigint PRIMARY KEY,
    is_bot        boolean NOT NULL DEFAULT false,
    first_name    text,
    last_name     text,
    username      text,
    language_code text,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.users IS 'Telegram users seen by the bot; id is the Telegram user id';

CREATE TABLE rt.chats (
    id               bigint PRIMARY KEY,
    type             text NOT NULL CHECK (type IN ('private', 'group', 'supergroup', 'channel')),
    title            text,
    username         text,
    autoreply        boolean NOT NULL DEFAULT false,
    reply_on_mention boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_message_at  timestamptz,
    last_message_id  bigint
);
COMMENT ON TABLE rt.chats IS 'Telegram chats the bot is in; id is the Telegram chat id';
COMMENT ON COLUMN rt.chats.title IS 'group title, or the user''s name for private chats';
COMMENT ON COLUMN rt.chats.last_message_at IS 'created_at of the newest message (with last_message_id: its partition key)';
COMMENT ON COLUMN rt.chats.last_message_id IS 'rt.messages.id of the newest message';

CREATE INDEX chats_recent_idx ON rt.chats (last_message_at DESC NULLS LAST, id DESC);
COMMENT ON INDEX rt.chats_recent_idx IS 'keyset order of rt.list_chats';

CREATE SEQUENCE rt.messages_id_seq;
COMMENT ON SEQUENCE rt.messages_id_seq IS 'ids of rt.messages; one batch takes a contiguous run';

CREATE TABLE rt.messages (
    id           bigint NOT NULL DEFAULT nextval('rt.messages_id_seq'),
    chat_id      bigint NOT NULL REFERENCES rt.chats (id),
    message_id   bigint,
    user_id      bigint,
    update_id    bigint,
    direction    text NOT NULL CHECK (direction IN ('in', 'out')),
    author_type  text NOT NULL CHECK (author_type IN ('user', 'admin', 'bot', 'system')),
    kind         text NOT NULL CHECK (kind IN ('text', 'caption', 'service', 'unsupported')),
    text         text,
    edited_at    timestamptz,
    edit_history jsonb NOT NULL DEFAULT '[]',
    raw          jsonb,
    created_at   timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
ALTER SEQUENCE rt.messages_id_seq OWNED BY rt.messages.id;
COMMENT ON TABLE rt.messages IS 'All message history, partitioned by month of created_at; idempotency lives in rt.message_keys and rt.update_keys';
COMMENT ON COLUMN rt.messages.message_id IS 'Telegram message id; null for an outgoing message not yet sent';
COMMENT ON COLUMN rt.messages.created_at IS 'Telegram date of the message; the partition key';
COMMENT ON COLUMN rt.messages.edit_history IS 'previous versions, oldest first: [{"text","edited_at"}]';
COMMENT ON COLUMN rt.messages.raw IS 'the Telegram Update the row was first stored from';

-- the primary key (id, created_at) also serves lookups by id alone
CREATE INDEX messages_chat_idx ON rt.messages (chat_id, id DESC);
CREATE INDEX messages_user_idx ON rt.messages (user_id, id DESC);
CREATE INDEX messages_created_idx ON rt.messages (created_at);
COMMENT ON INDEX rt.messages_chat_idx IS 'history of one chat, newest first';
COMMENT ON INDEX rt.messages_user_idx IS 'history of one user, newest first';
COMMENT ON INDEX rt.messages_created_idx IS 'time-range filters';

CREATE TABLE rt.messages_default PARTITION OF rt.messages DEFAULT;
COMMENT ON TABLE rt.messages_default IS 'messages outside every monthly partition; rt.maintain_partitions moves them out';

CREATE TABLE rt.message_keys (
    chat_id    bigint NOT NULL,
    message_id bigint NOT NULL,
    message_pk bigint NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
COMMENT ON TABLE rt.message_keys IS 'Idempotency of (chat_id, message_id): maps it to the rt.messages row (decision 001)';

CREATE TABLE rt.update_keys (
    update_id   bigint PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.update_keys IS 'Telegram update_ids already ingested (decision 001)';

CREATE TABLE rt.ingest_rejects (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    update_id   bigint,
    raw         text,
    error       text NOT NULL,
    sqlstate    text,
    received_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.ingest_rejects IS 'Updates that could not be stored as messages: bad shape, too long, unparsable, unsupported type';
COMMENT ON COLUMN rt.ingest_rejects.raw IS 'the update as received; text because it may not be valid JSON';

CREATE TABLE rt.outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL,
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    relayed_at timestamptz,
    done_at    timestamptz,
    attempts   int NOT NULL DEFAULT 0,
    last_error text
);
COMMENT ON TABLE rt.outbox IS 'Transactional outbox: work for the outside world, relayed to Redis (used from issue 3)';

CREATE TABLE rt.audit_log (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    actor  text NOT NULL,
    action text NOT NULL,
    target text,
    before jsonb,
    after  jsonb
);
COMMENT ON TABLE rt.audit_log IS 'Who changed what: actor is admin:<id> or db:<session user>';

CREATE TABLE rt.settings (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.settings IS 'Global settings (bot texts, limits), one JSON value per key';

-- ---------------------------------------------------------------------------
-- pgcrypto wrappers: bound to pgcrypto's schema now, so API functions keep
-- search_path = rt, pg_catalog wherever pgcrypto was installed
-- ---------------------------------------------------------------------------

DO $$
DECLARE
    s name := (SELECT n.nspname FROM pg_catalog.pg_extension e
               JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
               WHERE e.extname = 'pgcrypto');
BEGIN
    EXECUTE format($f$CREATE FUNCTION rt._crypt(password text, salt text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS 'SELECT %I.crypt(password, salt)'$f$, s);
    EXECUTE format($f$CREATE FUNCTION rt._bcrypt_salt() RETURNS text
        LANGUAGE sql VOLATILE PARALLEL SAFE
        AS 'SELECT %I.gen_salt(''bf'', 10)'$f$, s);
END
$$;
COMMENT ON FUNCTION rt._crypt(text, text) IS 'internal: pgcrypto crypt() in the schema pgcrypto was installed in';
COMMENT ON FUNCTION rt._bcrypt_salt() IS 'internal: pgcrypto gen_salt(''bf'', 10)';

-- ---------------------------------------------------------------------------
-- Partitions
-- ---------------------------------------------------------------------------

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
    PERFORM rt.require_role('admin');
    IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 120 THEN
        RAISE EXCEPTION 'months_ahead must be between 0 and 120' USING ERRCODE = '22023';
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
        EXECUTE format('ALTER TABLE rt.messages ATTACH PARTITION rt.%I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
        EXECUTE format('COMMENT ON TABLE rt.%I IS %L', part,
                       'messages created in ' || to_char(lo, 'YYYY-MM') || ' (UTC)');
        created := created + 1;
    END LOOP;
    RETURN created;
END
$$;
COMMENT ON FUNCTION rt.maintain_partitions(int) IS 'Creates monthly partitions of rt.messages from the current month to months_ahead ahead; returns how many it created';

-- ---------------------------------------------------------------------------
-- Roles and the acting admin
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt.require_role(min_role text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    roles constant text[] := ARRAY['viewer', 'moderator', 'admin', 'owner'];
    need int := array_position(roles, min_role);
    actor text := nullif(current_setting('rt.actor', true), '');
    a rt.admins;
BEGIN
    IF need IS NULL THEN
        RAISE EXCEPTION 'min_role must be one of viewer, moderator, admin, owner' USING ERRCODE = '22023';
    END IF;
    IF actor IS NULL THEN
        RETURN 'db:' || session_user;
    END IF;
    IF actor !~ '^admin:[0-9]{1,18}$' THEN
        RAISE EXCEPTION 'invalid actor' USING ERRCODE = '42501',
            DETAIL = 'Setting rt.actor must look like admin:<id>.';
    END IF;
    SELECT * INTO a FROM rt.admins WHERE id = substr(actor, 7)::bigint;
    IF NOT FOUND OR a.disabled_at IS NOT NULL THEN
        RAISE EXCEPTION 'actor is not an enabled admin' USING ERRCODE = '42501',
            DETAIL = format('No enabled admin has id %s.', substr(actor, 7));
    END IF;
    IF array_position(roles, a.role) < need THEN
        RAISE EXCEPTION 'role % required', min_role USING ERRCODE = '42501',
            DETAIL = format('Admin %s has role %s.', a.login, a.role);
    END IF;
    RETURN actor;
END
$$;
COMMENT ON FUNCTION rt.require_role(text) IS 'Checks the acting admin (setting rt.actor = admin:<id>) has at least min_role; without rt.actor the caller is the DBA door (db:<session user>). Returns the actor';

-- ---------------------------------------------------------------------------
-- Ingest
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt.ingest(updates jsonb) RETURNS jsonb
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS 'MODULE_PATHNAME', 'ingest';
COMMENT ON FUNCTION rt.ingest(jsonb) IS 'Stores a JSON array of Telegram updates idempotently; bad ones go to rt.ingest_rejects. Returns {"stored","duplicates","edited","rejected","errors"} and sends one NOTIFY rt_events';

CREATE FUNCTION rt.reject_update(raw text, error text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    uid bigint;
    rid bigint;
BEGIN
    PERFORM rt.require_role('admin');
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

-- ---------------------------------------------------------------------------
-- JSON shapes (openapi.yaml Message and Chat); callers pin TimeZone = UTC
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt._message_json(m rt.messages) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', m.id, 'chat_id', m.chat_id, 'message_id', m.message_id, 'user_id', m.user_id,
        'update_id', m.update_id, 'direction', m.direction, 'author_type', m.author_type,
        'kind', m.kind, 'text', m.text,
        'sender', (SELECT jsonb_build_object('id', u.id, 'username', u.username,
                                             'first_name', u.first_name, 'last_name', u.last_name)
                   FROM rt.users u WHERE u.id = m.user_id),
        'created_at', m.created_at, 'edited_at', m.edited_at,
        'edit_history', m.edit_history, 'received_at', m.received_at)
$$;
COMMENT ON FUNCTION rt._message_json(rt.messages) IS 'internal: a message as the OpenAPI Message object';

CREATE FUNCTION rt._chat_json(c rt.chats) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'type', c.type, 'title', c.title, 'username', c.username,
        'autoreply', c.autoreply, 'reply_on_mention', c.reply_on_mention,
        'last_message_at', c.last_message_at,
        'last_message_text', (SELECT m.text FROM rt.messages m
                              WHERE m.id = c.last_message_id AND m.created_at = c.last_message_at))
$$;
COMMENT ON FUNCTION rt._chat_json(rt.chats) IS 'internal: a chat as the OpenAPI Chat object';

CREATE FUNCTION rt._cursor_encode(plain text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT translate(encode(convert_to(plain, 'UTF8'), 'base64'), E'+/=\n', '-_') $$;
COMMENT ON FUNCTION rt._cursor_encode(text) IS 'internal: base64url without padding';

CREATE FUNCTION rt._cursor_decode(cursor text, pattern text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = rt, pg_catalog
AS $$
DECLARE
    b64 text;
    plain text;
    parts text[];
BEGIN
    IF cursor !~ '^[A-Za-z0-9_-]{2,200}$' THEN
        RAISE EXCEPTION 'invalid cursor' USING ERRCODE = '22023', COLUMN = 'cursor';
    END IF;
    b64 := translate(cursor, '-_', '+/');
    b64 := b64 || repeat('=', (4 - length(b64) % 4) % 4);
    BEGIN
        plain := convert_from(decode(b64, 'base64'), 'UTF8');
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'invalid cursor' USING ERRCODE = '22023', COLUMN = 'cursor';
    END;
    parts := regexp_match(plain, pattern);
    IF parts IS NULL THEN
        RAISE EXCEPTION 'invalid cursor' USING ERRCODE = '22023', COLUMN = 'cursor';
    END IF;
    RETURN parts;
END
$$;
COMMENT ON FUNCTION rt._cursor_decode(text, text) IS 'internal: decodes a base64url cursor and matches it against pattern; 22023 invalid cursor otherwise';

-- ---------------------------------------------------------------------------
-- Events for the WebSocket fan-out
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt.event_messages(payload jsonb) RETURNS SETOF jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    new_ranges int8range[];
    edited_ranges int8range[];
    chat_ids bigint[];
    e jsonb;
BEGIN
    PERFORM rt.require_role('viewer');
    IF payload IS NULL OR jsonb_typeof(payload) <> 'object' OR payload->>'type' IS DISTINCT FROM 'messages' THEN
        RAISE EXCEPTION 'payload must be an rt_events object of type "messages"' USING ERRCODE = '22023';
    END IF;
    IF jsonb_typeof(coalesce(payload->'new', '[]')) <> 'array'
       OR jsonb_typeof(coalesce(payload->'edited', '[]')) <> 'array'
       OR jsonb_typeof(coalesce(payload->'chats', '[]')) <> 'array' THEN
        RAISE EXCEPTION 'payload fields "new", "edited" and "chats" must be arrays' USING ERRCODE = '22023';
    END IF;

    -- "new" holds [lo,hi] pairs; "edited" holds ids, or [lo,hi] pairs when degraded
    new_ranges := ARRAY(
        SELECT int8range((r->>0)::bigint, (r->>1)::bigint, '[]')
        FROM jsonb_array_elements(coalesce(payload->'new', '[]')) r);
    edited_ranges := ARRAY(
        SELECT CASE jsonb_typeof(r)
                   WHEN 'array' THEN int8range((r->>0)::bigint, (r->>1)::bigint, '[]')
                   ELSE int8range((r #>> '{}')::bigint, (r #>> '{}')::bigint, '[]') END
        FROM jsonb_array_elements(coalesce(payload->'edited', '[]')) r);

    RETURN QUERY
        SELECT jsonb_build_object('type', 'message.created', 'data', rt._message_json(m))
        FROM rt.messages m
        JOIN unnest(new_ranges) nr ON m.id BETWEEN lower(nr) AND upper(nr) - 1
        ORDER BY m.id;

    RETURN QUERY
        SELECT jsonb_build_object('type', 'message.updated', 'data', rt._message_json(m))
        FROM rt.messages m
        JOIN unnest(edited_ranges) er ON m.id BETWEEN lower(er) AND upper(er) - 1
        WHERE m.edited_at IS NOT NULL
          AND NOT m.id <@ ANY (new_ranges)
        ORDER BY m.id;

    IF payload ? 'chats' THEN
        chat_ids := ARRAY(SELECT (c #>> '{}')::bigint FROM jsonb_array_elements(payload->'chats') c);
    ELSE
        chat_ids := ARRAY(
            SELECT DISTINCT m.chat_id FROM rt.messages m
            WHERE m.id <@ ANY (new_ranges || edited_ranges));
    END IF;

    RETURN QUERY
        SELECT jsonb_build_object('type', 'chat.updated', 'data', rt._chat_json(c))
        FROM unnest(chat_ids) WITH ORDINALITY AS x(id, n)
        JOIN rt.chats c ON c.id = x.id
        ORDER BY x.n;
END
$$;
COMMENT ON FUNCTION rt.event_messages(jsonb) IS 'Expands an rt_events payload into WebSocket events: message.created, message.updated (data: Message) and chat.updated (data: Chat)';

-- ---------------------------------------------------------------------------
-- Admins
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt.admin_login(login text, password text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    a rt.admins;
BEGIN
    SELECT * INTO a FROM rt.admins WHERE admins.login = admin_login.login;
    IF NOT FOUND THEN
        -- same bcrypt work as a real check, so timing does not reveal unknown logins
        PERFORM rt._crypt(coalesce(password, ''), '$2a$10$.L1Zd.t5T1KfB5Pfw3OYxe0oo5IqwmrKbWxp04PDBXMfV64RzdGgK');
        RAISE EXCEPTION 'invalid login or password' USING ERRCODE = '28P01';
    END IF;
    IF password IS NULL OR rt._crypt(password, a.password_hash) IS DISTINCT FROM a.password_hash
       OR a.disabled_at IS NOT NULL THEN
        RAISE EXCEPTION 'invalid login or password' USING ERRCODE = '28P01';
    END IF;
    INSERT INTO rt.audit_log (actor, action, target) VALUES ('admin:' || a.id, 'admin.login', 'admin:' || a.id);
    RETURN jsonb_build_object('id', a.id, 'login', a.login, 'role', a.role);
END
$$;
COMMENT ON FUNCTION rt.admin_login(text, text) IS 'Checks a console login; returns {"id","login","role"} or raises 28P01 invalid login or password';

CREATE FUNCTION rt.admin_get(id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    a rt.admins;
BEGIN
    SELECT * INTO a FROM rt.admins WHERE admins.id = admin_get.id AND disabled_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'admin % not found', id USING ERRCODE = 'P0002';
    END IF;
    RETURN jsonb_build_object('id', a.id, 'login', a.login, 'role', a.role);
END
$$;
COMMENT ON FUNCTION rt.admin_get(bigint) IS 'An enabled admin as {"id","login","role"}; P0002 when missing or disabled. Needs no role: the edge uses it to validate sessions';

CREATE FUNCTION rt.create_admin(login text, password text, role text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    actor text := rt.require_role('owner');
    a rt.admins;
BEGIN
    IF login IS NULL OR length(login) NOT BETWEEN 1 AND 100 OR login ~ '[[:space:][:cntrl:]]' THEN
        RAISE EXCEPTION 'field "login" must be 1 to 100 characters without spaces' USING ERRCODE = '22023', COLUMN = 'login';
    END IF;
    IF password IS NULL OR length(password) < 8 OR octet_length(password) > 72 THEN
        RAISE EXCEPTION 'field "password" must be 8 to 72 bytes long' USING ERRCODE = '22023', COLUMN = 'password';
    END IF;
    IF role IS NULL OR role NOT IN ('owner', 'admin', 'moderator', 'viewer') THEN
        RAISE EXCEPTION 'field "role" must be one of owner, admin, moderator, viewer' USING ERRCODE = '22023', COLUMN = 'role';
    END IF;
    BEGIN
        INSERT INTO rt.admins (login, password_hash, role)
        VALUES (login, rt._crypt(password, rt._bcrypt_salt()), role)
        RETURNING * INTO a;
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'admin login "%" already exists', login USING ERRCODE = '23505';
    END;
    INSERT INTO rt.audit_log (actor, action, target, after)
    VALUES (actor, 'admin.create', 'admin:' || a.id,
            jsonb_build_object('id', a.id, 'login', a.login, 'role', a.role));
    RETURN jsonb_build_object('id', a.id, 'login', a.login, 'role', a.role);
END
$$;
COMMENT ON FUNCTION rt.create_admin(text, text, text) IS 'Creates a console admin (bcrypt password, 8..72 bytes); needs role owner when rt.actor is set; 23505 on a duplicate login';

-- ---------------------------------------------------------------------------
-- Reading chats and messages
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt.list_chats(q text DEFAULT NULL, cursor text DEFAULT NULL, lim int DEFAULT 50)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    pattern text;
    has_cursor boolean := cursor IS NOT NULL;
    cur_at timestamptz;
    cur_id bigint;
    parts text[];
    items jsonb;
    more boolean;
    last_at timestamptz;
    last_id bigint;
BEGIN
    PERFORM rt.require_role('viewer');
    lim := coalesce(lim, 50);
    IF lim < 1 OR lim > 200 THEN
        RAISE EXCEPTION 'field "limit" must be between 1 and 200' USING ERRCODE = '22023', COLUMN = 'limit';
    END IF;
    IF length(q) > 200 THEN
        RAISE EXCEPTION 'field "q" must be at most 200 characters' USING ERRCODE = '22023', COLUMN = 'q';
    END IF;
    IF q <> '' THEN
        pattern := '%' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    END IF;
    IF has_cursor THEN
        parts := rt._cursor_decode(cursor, '^c:(n|-?[0-9]{1,19}):(-?[0-9]{1,19})$');
        cur_at := CASE WHEN parts[1] = 'n' THEN NULL
                       ELSE 'epoch'::timestamptz + parts[1]::bigint * interval '1 microsecond' END;
        cur_id := parts[2]::bigint;
    END IF;

    WITH page AS (
        SELECT c, row_number() OVER (ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC) AS n
        FROM rt.chats c
        LEFT JOIN rt.users u ON u.id = c.id AND c.type = 'private'
        WHERE (pattern IS NULL OR c.title ILIKE pattern OR c.username ILIKE pattern
               OR u.first_name ILIKE pattern)
          AND (NOT has_cursor
               OR CASE WHEN cur_at IS NULL THEN c.last_message_at IS NULL AND c.id < cur_id
                       ELSE c.last_message_at < cur_at OR c.last_message_at IS NULL
                            OR (c.last_message_at = cur_at AND c.id < cur_id) END)
        ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC
        LIMIT lim + 1)
    SELECT coalesce(jsonb_agg(rt._chat_json(p.c) ORDER BY p.n) FILTER (WHERE p.n <= lim), '[]'),
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
COMMENT ON FUNCTION rt.list_chats(text, text, int) IS 'Chats, most recently active first, searched by title, username or first name; keyset pagination with an opaque cursor';

CREATE FUNCTION rt._filter_int(filter jsonb, field text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    v jsonb := filter -> field;
    t text;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    t := CASE jsonb_typeof(v) WHEN 'number' THEN v::text WHEN 'string' THEN v #>> '{}' END;
    IF t IS NULL OR t !~ '^-?[0-9]{1,19}$'
       OR t::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
        RAISE EXCEPTION 'filter field "%" must be an integer', field USING ERRCODE = '22023', COLUMN = field;
    END IF;
    RETURN t::bigint;
END
$$;
COMMENT ON FUNCTION rt._filter_int(jsonb, text) IS 'internal: an integer filter field (JSON number or digit string); 22023 naming the field otherwise';

CREATE FUNCTION rt._filter_time(filter jsonb, field text) RETURNS timestamptz
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    v jsonb := filter -> field;
    t text;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    t := CASE jsonb_typeof(v) WHEN 'string' THEN v #>> '{}' END;
    IF t IS NULL OR t !~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?$' THEN
        RAISE EXCEPTION 'filter field "%" must be an ISO 8601 timestamp', field USING ERRCODE = '22023', COLUMN = field;
    END IF;
    BEGIN
        RETURN t::timestamptz;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'filter field "%" must be an ISO 8601 timestamp', field USING ERRCODE = '22023', COLUMN = field;
    END;
END
$$;
COMMENT ON FUNCTION rt._filter_time(jsonb, text) IS 'internal: an ISO 8601 timestamp filter field (UTC when no offset is given)';

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

-- ---------------------------------------------------------------------------
-- Read-only views for analysts (no raw updates, no password hashes)
-- ---------------------------------------------------------------------------

CREATE VIEW rt.v_messages AS
SELECT id, chat_id, message_id, user_id, update_id, direction, author_type, kind, text,
       edited_at, jsonb_array_length(edit_history) AS edit_count, created_at, received_at
FROM rt.messages;
COMMENT ON VIEW rt.v_messages IS 'Messages for analysts: no raw Telegram payload, edit count instead of history';

CREATE VIEW rt.v_chats AS
SELECT id, type, title, username, autoreply, reply_on_mention, created_at, last_message_at
FROM rt.chats;
COMMENT ON VIEW rt.v_chats IS 'Chats for analysts';

CREATE VIEW rt.v_users AS
SELECT id, is_bot, first_name, last_name, username, language_code, first_seen_at, last_seen_at
FROM rt.users;
COMMENT ON VIEW rt.v_users IS 'Telegram users for analysts';

-- ---------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; sql/roles.sql grants to rt_edge, rt_admin, rt_analyst
-- ---------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA rt FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA rt FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA rt FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Initial partitions and pg_dump: extension tables hold user data
-- ---------------------------------------------------------------------------

SELECT rt.maintain_partitions(3);

-- one call per statement: each call rewrites the same pg_extension row
DO $$
DECLARE
    rel regclass;
BEGIN
    FOR rel IN
        SELECT c.oid::regclass FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'rt' AND c.relkind IN ('r', 'p', 'S')
        ORDER BY c.relname
    LOOP
        PERFORM pg_catalog.pg_extension_config_dump(rel, '');
    END LOOP;
END
$$;
