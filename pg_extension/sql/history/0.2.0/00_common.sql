-- roundtable 0.2.0, part 00: shared pieces of the behaviour engine (actor, audit, change events).
-- Runs on a fresh install after sql/roundtable.sql and as the 0.1.0 -> 0.2.0 upgrade.

CREATE FUNCTION rt.current_actor() RETURNS text
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$ SELECT coalesce(nullif(current_setting('rt.actor', true), ''), 'db:' || session_user) $$;
COMMENT ON FUNCTION rt.current_actor() IS 'The acting admin (rt.actor = admin:<id>) or, from the DBA door, db:<session user>';

-- ---------------------------------------------------------------------------
-- Columns the behaviour engine adds to 0.1.0 tables, and their JSON
-- ---------------------------------------------------------------------------

ALTER TABLE rt.messages
    ADD COLUMN status text CHECK (status IN ('queued', 'sent', 'failed')),
    ADD COLUMN labels text[] NOT NULL DEFAULT '{}',
    ADD COLUMN moderation text CHECK (moderation IN ('flagged', 'hidden', 'deleted')),
    ADD COLUMN moderated_at timestamptz,
    ADD COLUMN moderated_by text;
COMMENT ON COLUMN rt.messages.status IS 'delivery of an outgoing message: queued, sent or failed; null for incoming ones';
COMMENT ON COLUMN rt.messages.labels IS 'moderation labels (spam, abuse, links, ...) from rules or an admin';
COMMENT ON COLUMN rt.messages.moderation IS 'strongest moderation action applied: flagged, hidden or deleted';
COMMENT ON COLUMN rt.messages.moderated_at IS 'when the moderation state last changed';
COMMENT ON COLUMN rt.messages.moderated_by IS 'rule:<id>, admin:<id> or db:<role> that last changed the moderation state';

ALTER TABLE rt.chats
    ADD COLUMN takeover_until timestamptz,
    ADD COLUMN takeover_by text;
COMMENT ON COLUMN rt.chats.takeover_until IS 'auto-reply is paused for this chat until then (a human took over)';
COMMENT ON COLUMN rt.chats.takeover_by IS 'actor who took over the chat';

ALTER TABLE rt.users ADD COLUMN muted boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN rt.users.muted IS 'never auto-reply to this user';

-- The Message shape lives in the two-argument form. It has no SET clause and no subquery, so
-- the planner inlines it into set-based callers (rt.event_messages joins rt.users once instead
-- of running a sub-select per row: ~2x faster on a 2,000-message event burst).
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
        'status', m.status, 'labels', to_jsonb(m.labels), 'moderation', m.moderation)
$$;
COMMENT ON FUNCTION rt._message_json(rt.messages, rt.users) IS 'internal: a message and its sender (null row when none) as the OpenAPI Message object';

CREATE OR REPLACE FUNCTION rt._message_json(m rt.messages) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT rt._message_json(m, u)
    FROM (SELECT 1) one LEFT JOIN rt.users u ON u.id = m.user_id
$$;

CREATE OR REPLACE FUNCTION rt._chat_json(c rt.chats) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'type', c.type, 'title', c.title, 'username', c.username,
        'autoreply', c.autoreply, 'reply_on_mention', c.reply_on_mention,
        'takeover_until', CASE WHEN c.takeover_until > now() THEN c.takeover_until END,
        'last_message_at', c.last_message_at,
        'last_message_text', (SELECT m.text FROM rt.messages m
                              WHERE m.id = c.last_message_id AND m.created_at = c.last_message_at))
$$;

-- ---------------------------------------------------------------------------
-- Settings the behaviour engine reads (rt.settings key -> jsonb value)
-- ---------------------------------------------------------------------------

-- Built-in defaults live in code, not as rows: rt.settings is dumped by pg_dump as extension
-- configuration, and rows inserted by the install script would clash on restore.
CREATE FUNCTION rt.setting(key text) RETURNS jsonb
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
        END,
        'null'::jsonb)
$$;
COMMENT ON FUNCTION rt.setting(text) IS 'A setting''s value, or its built-in default (preset.defaults, takeover.minutes, context.messages, matcher.version), or JSON null (bot.username, bot.id)';

-- ---------------------------------------------------------------------------
-- Audit and change events
--
-- HOW TO ATTACH THEM TO A CONFIGURATION TABLE (presets, preset_bindings, playbooks,
-- moderation_rules, ...). The table needs an "id" (or, like rt.settings, a "key") column.
--
--   CREATE TRIGGER presets_audit AFTER INSERT OR UPDATE OR DELETE ON rt.presets
--       FOR EACH ROW EXECUTE FUNCTION rt.audit_row('preset');
--   CREATE TRIGGER presets_changed_ins AFTER INSERT ON rt.presets
--       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rt.notify_change('preset');
--   CREATE TRIGGER presets_changed_upd AFTER UPDATE ON rt.presets
--       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rt.notify_change('preset');
--   CREATE TRIGGER presets_changed_del AFTER DELETE ON rt.presets
--       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rt.notify_change('preset');
--
-- (PostgreSQL allows transition tables only on single-event triggers without column lists,
-- hence three statement triggers; the names new_rows / old_rows are required.)
-- Or simply:  SELECT rt._attach_audit('rt.presets', 'preset');   -- creates all four
--
-- Entity names are singular: preset, binding, playbook, moderation_rule. Audit rows get
-- action '<entity>.insert|update|delete', target '<entity>:<id>', before/after with only the
-- changed keys (updated_at ignored; columns named *_hash / *_enc are never stored, a change
-- shows as "<name>_changed": true). Explicit entries (manual send, delete, flag, ack):
--   PERFORM rt.audit('message.delete', 'message:' || id, before_jsonb, after_jsonb);
-- When a table must only be audited for some columns (rt.chats switches, rt.users.muted),
-- use a row trigger with UPDATE OF ... WHEN (...) and, instead of transition tables, a row
-- trigger rt.collect_change('<entity>') plus a statement trigger
-- rt.notify_change('<entity>', 'collected') (see rt.chats below).
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt.audit(action text, target text, before jsonb DEFAULT NULL, after jsonb DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
    INSERT INTO rt.audit_log (actor, action, target, before, after)
    VALUES (rt.current_actor(), audit.action, audit.target, audit.before, audit.after)
    RETURNING id
$$;
COMMENT ON FUNCTION rt.audit(text, text, jsonb, jsonb) IS 'Writes one explicit rt.audit_log entry for the current actor (manual sends, deletes, flags, acks); returns its id';

-- a row as audit JSON: secrets (*_hash, *_enc) become "<stem>_changed" markers, updated_at goes
CREATE FUNCTION rt._audit_redact(row_json jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT coalesce(jsonb_object_agg(k, v), '{}')
    FROM jsonb_each(row_json) AS e(k, v)
    WHERE k <> 'updated_at' AND k !~ '_(hash|enc)$'
$$;
COMMENT ON FUNCTION rt._audit_redact(jsonb) IS 'internal: a row as audit JSON without updated_at and secret columns (*_hash, *_enc)';

CREATE FUNCTION rt.audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    entity text := TG_ARGV[0];
    only_cols text[] := CASE WHEN TG_NARGS > 1 THEN string_to_array(TG_ARGV[1], ',') END;
    o jsonb;
    n jsonb;
    b jsonb := '{}';
    a jsonb := '{}';
    k text;
    secret text;
    id text;
BEGIN
    IF TG_OP <> 'INSERT' THEN o := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN n := to_jsonb(NEW); END IF;
    id := coalesce(n ->> 'id', o ->> 'id', n ->> 'key', o ->> 'key');
    -- internal settings (matcher.version) are bookkeeping, not configuration
    IF TG_TABLE_NAME = 'settings' AND id LIKE 'matcher.%' THEN
        RETURN NULL;
    END IF;

    IF TG_OP = 'UPDATE' THEN
        FOR k IN SELECT jsonb_object_keys(n) LOOP
            CONTINUE WHEN k = 'updated_at' OR (n -> k) IS NOT DISTINCT FROM (o -> k)
                          OR (only_cols IS NOT NULL AND NOT k = ANY (only_cols));
            IF k ~ '_(hash|enc)$' THEN
                secret := regexp_replace(k, '_(hash|enc)$', '');
                a := a || jsonb_build_object(secret || '_changed', true);
            ELSE
                b := b || jsonb_build_object(k, o -> k);
                a := a || jsonb_build_object(k, n -> k);
            END IF;
        END LOOP;
        IF a = '{}' THEN
            RETURN NULL;    -- nothing an admin would call a change
        END IF;
        IF b = '{}' THEN b := NULL; END IF;
    ELSE
        b := rt._audit_redact(o);
        a := rt._audit_redact(n);
    END IF;
    INSERT INTO rt.audit_log (actor, action, target, before, after)
    VALUES (rt.current_actor(), entity || '.' || lower(TG_OP), entity || ':' || id, b, a);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rt.audit_row() IS 'Row trigger (TG_ARGV[0] = entity, optional TG_ARGV[1] = comma list of the only columns audited): writes rt.audit_log <entity>.<insert|update|delete> with only the changed keys; secrets (*_hash, *_enc) recorded as "<name>_changed": true';

-- the payload budget of a change event: ids beyond it are dropped and "truncated" is set
CREATE FUNCTION rt._changed_payload(entity text, ids jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    payload text := jsonb_build_object('type', 'changed', 'entity', entity, 'ids', ids)::text;
    keep int;
BEGIN
    IF octet_length(payload) < 7000 THEN
        RETURN payload;
    END IF;
    -- keep a prefix of the ids that surely fits, halving until it does
    keep := least(jsonb_array_length(ids), 6500 / greatest(1, octet_length(ids::text) / jsonb_array_length(ids)));
    LOOP
        payload := jsonb_build_object('type', 'changed', 'entity', entity, 'truncated', true,
                       'ids', (SELECT coalesce(jsonb_agg(v ORDER BY n), '[]') FROM jsonb_array_elements(ids) WITH ORDINALITY AS x(v, n)
                               WHERE n <= keep))::text;
        EXIT WHEN octet_length(payload) < 7000 OR keep <= 1;
        keep := keep / 2;
    END LOOP;
    RETURN payload;
END
$$;
COMMENT ON FUNCTION rt._changed_payload(text, jsonb) IS 'internal: the rt_events payload {"type":"changed","entity","ids"} under 7000 bytes (ids cut, "truncated": true)';

CREATE FUNCTION rt._notify_changed(entity text, ids jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    IF ids IS NULL OR jsonb_array_length(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_notify('rt_events', rt._changed_payload(entity, ids));
END
$$;
COMMENT ON FUNCTION rt._notify_changed(text, jsonb) IS 'internal: NOTIFY rt_events with rt._changed_payload(entity, ids); nothing for no ids';

CREATE FUNCTION rt.collect_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = rt, pg_catalog
AS $$
DECLARE
    setting text := 'rt.changed_' || TG_ARGV[0];
    so_far text := coalesce(current_setting(setting, true), '');
BEGIN
    -- 400 ids are plenty for a doorbell; past that the SPA refetches the whole list anyway
    IF so_far = '' THEN
        PERFORM set_config(setting, NEW.id::text, true);
    ELSIF length(so_far) < 6000 THEN
        PERFORM set_config(setting, so_far || ',' || NEW.id, true);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rt.collect_change() IS 'Row trigger (TG_ARGV[0] = entity): remembers the changed row id for the statement trigger rt.notify_change(entity, ''collected'')';

CREATE FUNCTION rt.notify_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = rt, pg_catalog
AS $$
DECLARE
    entity text := TG_ARGV[0];
    setting text;
    ids jsonb;
BEGIN
    IF TG_NARGS > 1 AND TG_ARGV[1] = 'collected' THEN
        setting := 'rt.changed_' || entity;
        ids := (SELECT jsonb_agg(x::bigint) FROM unnest(string_to_array(nullif(current_setting(setting, true), ''), ',')) x);
        PERFORM set_config(setting, '', true);
    ELSIF TG_OP = 'DELETE' THEN
        ids := (SELECT jsonb_agg(coalesce(r.j -> 'id', r.j -> 'key')) FROM (SELECT to_jsonb(o) AS j FROM old_rows o) r);
    ELSE
        ids := (SELECT jsonb_agg(coalesce(r.j -> 'id', r.j -> 'key')) FROM (SELECT to_jsonb(n) AS j FROM new_rows n) r);
    END IF;
    IF TG_TABLE_NAME = 'settings' THEN
        ids := (SELECT jsonb_agg(v) FROM jsonb_array_elements(ids) v WHERE v #>> '{}' NOT LIKE 'matcher.%');
    END IF;
    PERFORM rt._notify_changed(entity, ids);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rt.notify_change() IS 'Statement trigger (TG_ARGV[0] = entity; transition table new_rows or old_rows, or TG_ARGV[1] = ''collected''): one NOTIFY rt_events {"type":"changed","entity","ids"} per statement';

-- attaches audit + change events to a whole table (every column audited)
CREATE FUNCTION rt._attach_audit(tbl regclass, entity text) RETURNS void
LANGUAGE plpgsql
SET search_path = rt, pg_catalog
AS $$
DECLARE
    rel text := (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = tbl);
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION rt.audit_row(%L)',
                   rel || '_audit', tbl, entity);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rt.notify_change(%L)',
                   rel || '_changed_ins', tbl, entity);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rt.notify_change(%L)',
                   rel || '_changed_upd', tbl, entity);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rt.notify_change(%L)',
                   rel || '_changed_del', tbl, entity);
END
$$;
COMMENT ON FUNCTION rt._attach_audit(regclass, text) IS 'internal (install scripts): audit_row + notify_change triggers <table>_audit, <table>_changed_{ins,upd,del} on a configuration table';

SELECT rt._attach_audit('rt.admins', 'admin');
SELECT rt._attach_audit('rt.settings', 'setting');

-- chats: only the switches; ingest's own updates (titles, last_message_*) write nothing
CREATE TRIGGER chats_audit AFTER UPDATE OF autoreply, reply_on_mention, takeover_until ON rt.chats
    FOR EACH ROW
    WHEN (OLD.autoreply IS DISTINCT FROM NEW.autoreply OR OLD.reply_on_mention IS DISTINCT FROM NEW.reply_on_mention
          OR OLD.takeover_until IS DISTINCT FROM NEW.takeover_until)
    EXECUTE FUNCTION rt.audit_row('chat', 'autoreply,reply_on_mention,takeover_until');
CREATE TRIGGER chats_changed_row AFTER UPDATE OF autoreply, reply_on_mention, takeover_until ON rt.chats
    FOR EACH ROW
    WHEN (OLD.autoreply IS DISTINCT FROM NEW.autoreply OR OLD.reply_on_mention IS DISTINCT FROM NEW.reply_on_mention
          OR OLD.takeover_until IS DISTINCT FROM NEW.takeover_until)
    EXECUTE FUNCTION rt.collect_change('chat');
CREATE TRIGGER chats_changed AFTER UPDATE OF autoreply, reply_on_mention, takeover_until ON rt.chats
    FOR EACH STATEMENT EXECUTE FUNCTION rt.notify_change('chat', 'collected');

-- users: only the mute
CREATE TRIGGER users_audit AFTER UPDATE OF muted ON rt.users
    FOR EACH ROW WHEN (OLD.muted IS DISTINCT FROM NEW.muted)
    EXECUTE FUNCTION rt.audit_row('user', 'muted');
CREATE TRIGGER users_changed_row AFTER UPDATE OF muted ON rt.users
    FOR EACH ROW WHEN (OLD.muted IS DISTINCT FROM NEW.muted)
    EXECUTE FUNCTION rt.collect_change('user');
CREATE TRIGGER users_changed AFTER UPDATE OF muted ON rt.users
    FOR EACH STATEMENT EXECUTE FUNCTION rt.notify_change('user', 'collected');

-- admins are audited by their trigger now (admin.insert), so create_admin no longer writes
-- its own admin.create entry
CREATE OR REPLACE FUNCTION rt.create_admin(login text, password text, role text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    a rt.admins;
BEGIN
    PERFORM rt.require_role('owner');
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
    RETURN jsonb_build_object('id', a.id, 'login', a.login, 'role', a.role);
END
$$;

-- ---------------------------------------------------------------------------
-- Events for the WebSocket fan-out: rt_events payloads of type "messages" (ingest, with
-- optional "notifications") and "changed" (configuration triggers)
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION rt.event_messages(payload jsonb) RETURNS SETOF jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    new_ranges int8range[];
    edited_ranges int8range[];
    chat_ids bigint[];
BEGIN
    PERFORM rt.require_role('viewer');
    IF payload IS NOT NULL AND jsonb_typeof(payload) = 'object' AND payload->>'type' = 'changed' THEN
        IF jsonb_typeof(payload->'entity') IS DISTINCT FROM 'string'
           OR jsonb_typeof(coalesce(payload->'ids', '[]')) <> 'array' THEN
            RAISE EXCEPTION 'payload of type "changed" needs a string "entity" and an array "ids"' USING ERRCODE = '22023';
        END IF;
        RETURN NEXT jsonb_build_object('type', 'entity.changed', 'data',
            jsonb_build_object('entity', payload->'entity', 'ids', coalesce(payload->'ids', '[]')));
        RETURN;
    END IF;
    IF payload IS NULL OR jsonb_typeof(payload) <> 'object' OR payload->>'type' IS DISTINCT FROM 'messages' THEN
        RAISE EXCEPTION 'payload must be an rt_events object of type "messages" or "changed"' USING ERRCODE = '22023';
    END IF;
    IF jsonb_typeof(coalesce(payload->'new', '[]')) <> 'array'
       OR jsonb_typeof(coalesce(payload->'edited', '[]')) <> 'array'
       OR jsonb_typeof(coalesce(payload->'chats', '[]')) <> 'array'
       OR jsonb_typeof(coalesce(payload->'notifications', '[]')) <> 'array' THEN
        RAISE EXCEPTION 'payload fields "new", "edited", "chats" and "notifications" must be arrays' USING ERRCODE = '22023';
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
        SELECT jsonb_build_object('type', 'message.created', 'data', rt._message_json(m, u))
        FROM rt.messages m
        LEFT JOIN rt.users u ON u.id = m.user_id
        JOIN unnest(new_ranges) nr ON m.id BETWEEN lower(nr) AND upper(nr) - 1
        ORDER BY m.id;

    RETURN QUERY
        SELECT jsonb_build_object('type', 'message.updated', 'data', rt._message_json(m, u))
        FROM rt.messages m
        LEFT JOIN rt.users u ON u.id = m.user_id
        JOIN unnest(edited_ranges) er ON m.id BETWEEN lower(er) AND upper(er) - 1
        WHERE (m.edited_at IS NOT NULL OR m.moderated_at IS NOT NULL OR m.status IS NOT NULL)
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

    -- rt.notifications and rt._notification_json come with 50_notifications.sql
    IF jsonb_array_length(coalesce(payload->'notifications', '[]')) > 0 THEN
        RETURN QUERY
            SELECT jsonb_build_object('type', 'notification.created', 'data', rt._notification_json(n))
            FROM rt.notifications n
            WHERE n.id IN (SELECT (x #>> '{}')::bigint FROM jsonb_array_elements(event_messages.payload->'notifications') x)
            ORDER BY n.id;
    END IF;
END
$$;
COMMENT ON FUNCTION rt.event_messages(jsonb) IS 'Expands an rt_events payload into WebSocket events: message.created, message.updated (data: Message), chat.updated (data: Chat), notification.created (data: Notification) and, for {"type":"changed"}, entity.changed (data: {entity, ids})';

-- ---------------------------------------------------------------------------
-- Shared validation helpers for API bodies
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt._known_keys(body jsonb, known text[], what text DEFAULT 'field', prefix text DEFAULT '') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    k text;
BEGIN
    body := coalesce(body, '{}');
    IF jsonb_typeof(body) <> 'object' THEN
        RAISE EXCEPTION 'body must be a json object' USING ERRCODE = '22023';
    END IF;
    FOR k IN SELECT jsonb_object_keys(body) LOOP
        IF NOT k = ANY (known) THEN
            RAISE EXCEPTION 'unknown % "%"', what, prefix || k USING ERRCODE = '22023', COLUMN = prefix || k,
                HINT = 'Known fields: ' || array_to_string(known, ', ') || '.';
        END IF;
    END LOOP;
    RETURN body;
END
$$;
COMMENT ON FUNCTION rt._known_keys(jsonb, text[], text, text) IS 'internal: 22023 unless body is an object whose keys are all in known; returns the body ({} for null)';

-- ---------------------------------------------------------------------------
-- Audit log API
-- ---------------------------------------------------------------------------

CREATE INDEX audit_log_target_idx ON rt.audit_log (target, id DESC);
CREATE INDEX audit_log_actor_idx ON rt.audit_log (actor, id DESC);
COMMENT ON INDEX rt.audit_log_target_idx IS 'history of one object, newest first (rt.list_audit target filter)';
COMMENT ON INDEX rt.audit_log_actor_idx IS 'what one admin did, newest first (rt.list_audit actor filter)';

CREATE FUNCTION rt._audit_json(a rt.audit_log) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object('id', a.id, 'at', a.at, 'actor', a.actor, 'action', a.action,
                              'target', a.target, 'before', a.before, 'after', a.after)
$$;
COMMENT ON FUNCTION rt._audit_json(rt.audit_log) IS 'internal: an audit entry as the OpenAPI AuditEntry object';

CREATE FUNCTION rt.list_audit(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_actor text;
    f_action text;
    f_target text;
    f_from timestamptz;
    f_to timestamptz;
    f_limit bigint;
    pos bigint;
    items jsonb;
    more boolean;
    last_id bigint;
    k text;
BEGIN
    PERFORM rt.require_role('viewer');
    filter := rt._known_keys(filter, ARRAY['actor', 'action', 'target', 'from', 'to', 'cursor', 'limit'], 'filter field');
    FOREACH k IN ARRAY ARRAY['actor', 'action', 'target', 'cursor'] LOOP
        IF filter ? k AND jsonb_typeof(filter -> k) NOT IN ('string', 'null') THEN
            RAISE EXCEPTION 'filter field "%" must be a string', k USING ERRCODE = '22023', COLUMN = k;
        END IF;
    END LOOP;
    f_actor := nullif(filter ->> 'actor', '');
    f_action := nullif(filter ->> 'action', '');
    f_target := nullif(filter ->> 'target', '');
    f_from := rt._filter_time(filter, 'from');
    f_to := rt._filter_time(filter, 'to');
    f_limit := coalesce(rt._filter_int(filter, 'limit'), 50);
    IF f_limit NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'filter field "limit" must be between 1 and 200' USING ERRCODE = '22023', COLUMN = 'limit';
    END IF;
    IF filter ->> 'cursor' IS NOT NULL THEN
        pos := (rt._cursor_decode(filter ->> 'cursor', '^a:([0-9]{1,19})$'))[1]::bigint;
    END IF;

    -- "action" without a dot matches a whole entity: "preset" finds preset.insert/update/delete
    WITH page AS (
        SELECT a, row_number() OVER (ORDER BY a.id DESC) AS n
        FROM rt.audit_log a
        WHERE (f_actor IS NULL OR a.actor = f_actor)
          AND (f_action IS NULL OR a.action = f_action
               OR (strpos(f_action, '.') = 0 AND a.action LIKE replace(replace(f_action, '%', '\%'), '_', '\_') || '.%'))
          AND (f_target IS NULL OR a.target = f_target)
          AND (f_from IS NULL OR a.at >= f_from)
          AND (f_to IS NULL OR a.at < f_to)
          AND (pos IS NULL OR a.id < pos)
        ORDER BY a.id DESC
        LIMIT f_limit + 1)
    SELECT coalesce(jsonb_agg(rt._audit_json(p.a) ORDER BY p.n) FILTER (WHERE p.n <= f_limit), '[]'),
           count(*) > f_limit,
           (array_agg((p.a).id ORDER BY p.n) FILTER (WHERE p.n <= f_limit))[f_limit]
    INTO items, more, last_id
    FROM page p;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode('a:' || last_id) END);
END
$$;
COMMENT ON FUNCTION rt.list_audit(jsonb) IS 'Audit log, newest first, filtered by actor, action (or a whole entity, e.g. "preset"), target, from, to; keyset cursor, limit 1..200 (viewer)';

-- ---------------------------------------------------------------------------
-- Admins API (owner)
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt._admin_json(a rt.admins) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object('id', a.id, 'login', a.login, 'role', a.role, 'created_at', a.created_at,
                              'disabled', a.disabled_at IS NOT NULL, 'disabled_at', a.disabled_at)
$$;
COMMENT ON FUNCTION rt._admin_json(rt.admins) IS 'internal: an admin for the console (never the password hash)';

CREATE FUNCTION rt.list_admins() RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
BEGIN
    PERFORM rt.require_role('owner');
    RETURN jsonb_build_object('items',
        (SELECT coalesce(jsonb_agg(rt._admin_json(a) ORDER BY a.id), '[]') FROM rt.admins a),
        'next_cursor', NULL);
END
$$;
COMMENT ON FUNCTION rt.list_admins() IS 'GET /api/admins: all console admins {"items":[{id,login,role,created_at,disabled,disabled_at}],"next_cursor":null} (owner, like every admins route; never password hashes)';

CREATE FUNCTION rt.create_admin_api(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    k text;
    created jsonb;
BEGIN
    PERFORM rt.require_role('owner');
    body := rt._known_keys(body, ARRAY['login', 'password', 'role']);
    FOREACH k IN ARRAY ARRAY['login', 'password', 'role'] LOOP
        IF jsonb_typeof(body -> k) IS DISTINCT FROM 'string' THEN
            RAISE EXCEPTION 'field "%" must be a string', k USING ERRCODE = '22023', COLUMN = k;
        END IF;
    END LOOP;
    created := rt.create_admin(body ->> 'login', body ->> 'password', body ->> 'role');
    RETURN (SELECT rt._admin_json(a) FROM rt.admins a WHERE a.id = (created ->> 'id')::bigint);
END
$$;
COMMENT ON FUNCTION rt.create_admin_api(jsonb) IS 'POST /api/admins: {login, password, role} -> Admin (owner; 23505 on a duplicate login)';

CREATE FUNCTION rt.update_admin(id bigint, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    a rt.admins;
    new_role text;
    new_disabled boolean;
    pw text;
    other_owners int;
BEGIN
    PERFORM rt.require_role('owner');
    body := rt._known_keys(body, ARRAY['role', 'disabled', 'password']);
    IF body ? 'role' AND (jsonb_typeof(body -> 'role') IS DISTINCT FROM 'string'
                          OR body ->> 'role' NOT IN ('owner', 'admin', 'moderator', 'viewer')) THEN
        RAISE EXCEPTION 'field "role" must be one of owner, admin, moderator, viewer' USING ERRCODE = '22023', COLUMN = 'role';
    END IF;
    IF body ? 'disabled' AND jsonb_typeof(body -> 'disabled') IS DISTINCT FROM 'boolean' THEN
        RAISE EXCEPTION 'field "disabled" must be a boolean' USING ERRCODE = '22023', COLUMN = 'disabled';
    END IF;
    IF body ? 'password' THEN
        pw := CASE WHEN jsonb_typeof(body -> 'password') = 'string' THEN body ->> 'password' END;
        IF pw IS NULL OR length(pw) < 8 OR octet_length(pw) > 72 THEN
            RAISE EXCEPTION 'field "password" must be 8 to 72 bytes long' USING ERRCODE = '22023', COLUMN = 'password';
        END IF;
    END IF;

    -- lock every enabled owner first, so two owners demoting each other at once cannot both win
    PERFORM 1 FROM rt.admins o WHERE o.role = 'owner' AND o.disabled_at IS NULL ORDER BY o.id FOR UPDATE;
    SELECT * INTO a FROM rt.admins WHERE admins.id = update_admin.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'admin % not found', id USING ERRCODE = 'P0002';
    END IF;
    new_role := coalesce(body ->> 'role', a.role);
    new_disabled := coalesce((body -> 'disabled')::text::boolean, a.disabled_at IS NOT NULL);
    IF a.role = 'owner' AND a.disabled_at IS NULL AND (new_role <> 'owner' OR new_disabled) THEN
        SELECT count(*) INTO other_owners FROM rt.admins o
        WHERE o.role = 'owner' AND o.disabled_at IS NULL AND o.id <> a.id;
        IF other_owners = 0 THEN
            RAISE EXCEPTION 'cannot demote or disable the last enabled owner' USING ERRCODE = '22023',
                COLUMN = CASE WHEN new_role <> 'owner' THEN 'role' ELSE 'disabled' END,
                DETAIL = format('Admin %s is the only enabled owner; make another admin owner first.', a.login);
        END IF;
    END IF;

    UPDATE rt.admins SET
        role = new_role,
        disabled_at = CASE WHEN NOT new_disabled THEN NULL ELSE coalesce(admins.disabled_at, now()) END,
        password_hash = CASE WHEN pw IS NOT NULL THEN rt._crypt(pw, rt._bcrypt_salt()) ELSE admins.password_hash END
    WHERE admins.id = a.id
    RETURNING * INTO a;
    RETURN rt._admin_json(a);
END
$$;
COMMENT ON FUNCTION rt.update_admin(bigint, jsonb) IS 'PATCH /api/admins/{id}: {role, disabled, password} (owner); the last enabled owner cannot be demoted or disabled (22023)';

-- ---------------------------------------------------------------------------
-- Settings API: a known list of keys, each validated (matcher.version is internal)
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt._setting_keys() RETURNS text[]
LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['preset.defaults', 'takeover.minutes', 'context.messages', 'bot.username', 'bot.id'] $$;
COMMENT ON FUNCTION rt._setting_keys() IS 'internal: the settings an admin may read and change through the API';

CREATE FUNCTION rt._validate_setting(key text, value jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
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
    ELSE
        RAISE EXCEPTION 'unknown setting "%"', key USING ERRCODE = 'P0002',
            HINT = 'Known settings: ' || array_to_string(rt._setting_keys(), ', ') || '.';
    END CASE;
    RETURN value;
END
$$;
COMMENT ON FUNCTION rt._validate_setting(text, jsonb) IS 'internal: 22023 naming the field unless value is valid for the setting key; P0002 for an unknown key';

CREATE FUNCTION rt._setting_json(key text) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object('key', _setting_json.key, 'value', rt.setting(_setting_json.key),
                              'is_default', s.key IS NULL, 'updated_at', s.updated_at)
    FROM (SELECT 1) one LEFT JOIN rt.settings s ON s.key = _setting_json.key
$$;
COMMENT ON FUNCTION rt._setting_json(text) IS 'internal: a setting as {key, value, is_default, updated_at}';

CREATE FUNCTION rt.list_settings() RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
BEGIN
    PERFORM rt.require_role('viewer');
    RETURN jsonb_build_object('items',
        (SELECT jsonb_agg(rt._setting_json(k) ORDER BY k) FROM unnest(rt._setting_keys()) k));
END
$$;
COMMENT ON FUNCTION rt.list_settings() IS 'GET /api/settings: {"items":[{key, value, is_default, updated_at}]} for every API setting (viewer)';

CREATE FUNCTION rt.update_setting(key text, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
BEGIN
    PERFORM rt.require_role('admin');
    IF key IS NULL OR NOT key = ANY (rt._setting_keys()) THEN
        RAISE EXCEPTION 'unknown setting "%"', key USING ERRCODE = 'P0002',
            HINT = 'Known settings: ' || array_to_string(rt._setting_keys(), ', ') || '.';
    END IF;
    body := rt._known_keys(body, ARRAY['value']);
    IF NOT body ? 'value' THEN
        RAISE EXCEPTION 'field "value" is required' USING ERRCODE = '22023', COLUMN = 'value';
    END IF;
    PERFORM rt._validate_setting(key, body -> 'value');
    INSERT INTO rt.settings AS s (key, value, updated_at) VALUES (update_setting.key, body -> 'value', now())
    ON CONFLICT ON CONSTRAINT settings_pkey DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
    WHERE s.value IS DISTINCT FROM excluded.value;
    RETURN rt._setting_json(key);
END
$$;
COMMENT ON FUNCTION rt.update_setting(text, jsonb) IS 'PUT /api/settings/{key}: {"value": ...} validated per key (admin); P0002 for an unknown or internal key';
