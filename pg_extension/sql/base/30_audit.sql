-- roundtable base, audit: Audit log, change notifications, the event journal behind NOTIFY rt_events

CREATE FUNCTION rt.event_messages(payload jsonb) RETURNS SETOF jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    new_ranges int8range[];
    edited_ranges int8range[];
    chat_ids bigint[];
BEGIN
    PERFORM rt._require_worker('viewer');
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
    PERFORM rt._journal_append('changed', rt._changed_payload(entity, ids)::jsonb);
END
$$;
COMMENT ON FUNCTION rt._notify_changed(text, jsonb) IS 'internal: appends a journal row "changed" with rt._changed_payload(entity, ids) (NOTIFY rt_events rings); nothing for no ids';

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

CREATE FUNCTION rt._audit_json(a rt.audit_log) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object('id', a.id, 'at', a.at, 'actor', a.actor, 'action', a.action,
                              'target', a.target, 'before', a.before, 'after', a.after,
                              'actor_name', rt._actor_name(a.actor),
                              'target_name', rt._audit_target_name(a.target, a.before, a.after))
$$;
COMMENT ON FUNCTION rt._audit_json(rt.audit_log) IS 'internal: an audit entry as the OpenAPI AuditEntry object (with actor_name and target_name)';

-- "actor" matches the machine id (admin:3, db:postgres, rule:playbook:12), an admin's login,
-- "system" (the edge's workers) and "rule" (every rule's act)
CREATE FUNCTION rt.list_audit(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_actor text;
    f_actors text[];
    f_rules boolean;
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
    f_actor := nullif(btrim(filter ->> 'actor'), '');
    IF f_actor IS NOT NULL THEN
        f_actors := ARRAY[f_actor]
            || ARRAY(SELECT 'admin:' || a.id FROM rt.admins a WHERE a.login = f_actor)
            || CASE WHEN lower(f_actor) = 'system' THEN ARRAY['db:rt_edge'] ELSE '{}'::text[] END;
        f_rules := lower(f_actor) = 'rule';
    END IF;
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
        WHERE (f_actor IS NULL OR a.actor = ANY (f_actors) OR (f_rules AND a.actor LIKE 'rule:%'))
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
COMMENT ON FUNCTION rt.list_audit(jsonb) IS 'Audit log, newest first, filtered by actor (its id, an admin''s login, "system" or "rule"), action (or a whole entity, e.g. "preset"), target, from, to; keyset cursor, limit 1..200 (viewer)';

-- the browsers' doorbell for one changed message
CREATE FUNCTION rt._notify_message_changed(m rt.messages) RETURNS void
LANGUAGE sql VOLATILE
SET search_path = rt, pg_catalog
AS $$
    SELECT rt._journal_append('messages', jsonb_build_object('type', 'messages', 'new', '[]'::jsonb,
                                                             'edited', jsonb_build_array(m.id),
                                                             'chats', jsonb_build_array(m.chat_id)));
$$;
COMMENT ON FUNCTION rt._notify_message_changed(rt.messages) IS 'internal: journal row {"type":"messages","new":[],"edited":[id],"chats":[chat_id]}';

-- the rt_events payload of contract.md ({"type":"messages","new","edited","chats"}) plus
-- "notifications" when there are any; nothing when nothing changed
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
    PERFORM rt._journal_append('messages', payload);
END
$$;
COMMENT ON FUNCTION rt._ring_messages(bigint[], bigint[], bigint[], bigint[]) IS 'internal: one journal row {"type":"messages","new":[[id,id]..],"edited","chats"[,"notifications"]} for a delivery function''s few rows; nothing when all are empty';

CREATE FUNCTION rt._ring_outbox(jobs int) RETURNS void
LANGUAGE sql VOLATILE
SET search_path = rt, pg_catalog
AS $$
    SELECT pg_notify('rt_outbox', jsonb_build_object('jobs', jobs)::text) WHERE jobs > 0
$$;
COMMENT ON FUNCTION rt._ring_outbox(int) IS 'internal: NOTIFY rt_outbox {"jobs": n} (the doorbell rt.ingest rings too), once per transaction that wrote n > 0 outbox rows';

CREATE FUNCTION rt._journal_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    -- held until the commit is done: the next transaction numbers its rows after these
    PERFORM pg_advisory_xact_lock(hashtext('rt.events')::bigint);
    UPDATE rt.events SET id = nextval('rt.events_id_seq') WHERE id = NEW.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rt._journal_commit() IS 'internal: deferred row trigger on rt.events: renumbers the row at commit, under a transaction lock, so ids follow commit order';

CREATE FUNCTION rt._journal_append(type text, data jsonb) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    new_id bigint;
BEGIN
    IF type IS NULL OR data IS NULL THEN
        RAISE EXCEPTION 'journal rows need a type and data' USING ERRCODE = '22004';
    END IF;
    INSERT INTO rt.events (type, data) VALUES (_journal_append.type, _journal_append.data)
    RETURNING id INTO new_id;
    -- retention: every 1000th row prunes what is older than a day (the primary key finds them)
    IF new_id % 1000 = 0 THEN
        DELETE FROM rt.events e WHERE e.id < new_id - 1000 AND e.at < now() - interval '1 day';
    END IF;
    -- the doorbell: an empty payload, folded by PostgreSQL into one per transaction
    PERFORM pg_notify('rt_events', '');
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION rt._journal_append(text, jsonb) IS 'internal: appends one rt.events row (type, data) in the caller''s transaction and rings NOTIFY rt_events with an empty payload; returns the row''s provisional id (the final one is given at commit)';

CREATE FUNCTION rt.events_position() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
    SELECT coalesce(max(id), 0) FROM rt.events
$$;
COMMENT ON FUNCTION rt.events_position() IS 'The id of the newest journal row (0 when none): where the edge starts reading, and the "event_id" of the WebSocket hello';

-- How many messages one journal row may make the edge read and push. Only the extension's own
-- functions write the journal, but a bug or a hand-made row must not make the edge push the
-- whole message table: a larger row is not expanded and becomes a "resync" event.
CREATE FUNCTION rt._journal_max_messages() RETURNS int
LANGUAGE sql IMMUTABLE AS $$ SELECT 5000 $$;
COMMENT ON FUNCTION rt._journal_max_messages() IS 'internal: 5000, the most message ids one journal row may make the edge read and push (more: a resync event)';

CREATE FUNCTION rt._journal_width(data jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT coalesce(sum(CASE jsonb_typeof(r)
                            WHEN 'array' THEN greatest(0, (r->>1)::numeric - (r->>0)::numeric + 1)
                            ELSE 1 END), 0)
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(data->'new') = 'array' THEN data->'new' ELSE '[]' END
                              || CASE WHEN jsonb_typeof(data->'edited') = 'array' THEN data->'edited' ELSE '[]' END) r
$$;
COMMENT ON FUNCTION rt._journal_width(jsonb) IS 'internal: how many message ids the "new" and "edited" of a messages payload cover';

CREATE FUNCTION rt.events_after(after bigint, max_rows int DEFAULT 100, upto bigint DEFAULT NULL,
                                expand boolean DEFAULT true)
RETURNS TABLE (id bigint, type text, data jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    j rt.events;
    width numeric;
BEGIN
    PERFORM rt._require_worker('viewer');
    IF after IS NULL OR after < 0 THEN
        RAISE EXCEPTION 'after must be a journal id >= 0' USING ERRCODE = '22023';
    END IF;
    IF max_rows IS NULL OR max_rows NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'max_rows must be 1 to 1000' USING ERRCODE = '22023';
    END IF;
    -- rows after "after" were pruned: the reader cannot catch up row by row
    IF after > 0 AND after < (SELECT coalesce(min(e.id), after + 1) FROM rt.events e) - 1
       AND EXISTS (SELECT FROM rt.events e WHERE e.id > after AND (upto IS NULL OR e.id <= upto)) THEN
        id := (SELECT min(e.id) FROM rt.events e) - 1;
        type := 'resync';
        data := jsonb_build_object('reason', 'journal pruned', 'after', after);
        RETURN NEXT;
        RETURN;
    END IF;
    FOR j IN
        SELECT * FROM rt.events e WHERE e.id > after AND (upto IS NULL OR e.id <= upto)
        ORDER BY e.id LIMIT max_rows
    LOOP
        id := j.id;
        IF j.type IN ('messages', 'changed') AND NOT coalesce(expand, true) THEN
            type := NULL; -- walked past: nobody to show it to
            data := NULL;
        ELSIF j.type IN ('messages', 'changed') THEN
            width := CASE WHEN j.type = 'messages' THEN rt._journal_width(j.data) ELSE 0 END;
            IF width > rt._journal_max_messages() THEN
                type := 'resync';
                data := jsonb_build_object('reason', 'event too large', 'messages', width,
                                           'max', rt._journal_max_messages());
                RETURN NEXT;
                CONTINUE;
            END IF;
            RETURN QUERY SELECT j.id, e ->> 'type', e -> 'data' FROM rt.event_messages(j.data) e;
            IF FOUND THEN
                CONTINUE;
            END IF;
            type := NULL; -- nothing to show: the reader still moves past the row
            data := NULL;
        ELSE
            type := j.type;
            data := j.data;
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION rt.events_after(bigint, int, bigint, boolean) IS 'The edge''s journal reader: journal rows with after < id (<= upto when given), at most max_rows (1..1000), in id order, expanded (unless expand is false: then such rows come with type NULL): a messages or changed row becomes its rt.event_messages events (type, data) under the row''s id, or one row with type NULL when it shows nothing, or one "resync" row {reason, messages, max} when it covers more than 5000 messages; other types (admin.changed) come as stored. A reader whose "after" was pruned gets one "resync" row {reason: "journal pruned"}';

-- ---------------------------------------------------------------------------------------------
-- The journal numbers rows in commit order
-- ---------------------------------------------------------------------------------------------

CREATE CONSTRAINT TRIGGER events_commit_order AFTER INSERT ON rt.events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rt._journal_commit();

-- ---------------------------------------------------------------------------------------------
-- What is audited (rt.audit_row) and announced (rt.notify_change, entity.changed)
-- ---------------------------------------------------------------------------------------------

-- configuration tables: every column, every change
SELECT rt._attach_audit('rt.settings', 'setting');
SELECT rt._attach_audit('rt.presets', 'preset');
SELECT rt._attach_audit('rt.preset_bindings', 'binding');
SELECT rt._attach_audit('rt.playbooks', 'playbook');
SELECT rt._attach_audit('rt.moderation_rules', 'moderation_rule');
SELECT rt._attach_audit('rt.providers', 'provider');
SELECT rt._attach_audit('rt.drafts', 'draft');
SELECT rt._attach_audit('rt.personalities', 'personality');

-- admins: announced like the others, but audited only in the columns an admin would call a
-- change (a DBA who raises session_epoch alone is announced to the edges, not audited)
CREATE TRIGGER admins_audit AFTER INSERT OR UPDATE OR DELETE ON rt.admins
    FOR EACH ROW EXECUTE FUNCTION rt.audit_row('admin', 'login,password_hash,role,disabled_at');
CREATE TRIGGER admins_changed_ins AFTER INSERT ON rt.admins
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rt.notify_change('admin');
CREATE TRIGGER admins_changed_upd AFTER UPDATE ON rt.admins
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rt.notify_change('admin');
CREATE TRIGGER admins_changed_del AFTER DELETE ON rt.admins
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rt.notify_change('admin');

-- provider prices: audited
CREATE TRIGGER provider_prices_audit AFTER INSERT OR UPDATE OR DELETE ON rt.provider_prices
    FOR EACH ROW EXECUTE FUNCTION rt.audit_row('provider_price');

-- chats: only the switches and the provider; ingest's own updates (titles, last_message_*) write nothing
CREATE TRIGGER chats_audit AFTER UPDATE OF autoreply, reply_on_mention, takeover_until, provider_id ON rt.chats
    FOR EACH ROW
    WHEN (OLD.autoreply IS DISTINCT FROM NEW.autoreply OR OLD.reply_on_mention IS DISTINCT FROM NEW.reply_on_mention
          OR OLD.takeover_until IS DISTINCT FROM NEW.takeover_until OR OLD.provider_id IS DISTINCT FROM NEW.provider_id)
    EXECUTE FUNCTION rt.audit_row('chat', 'autoreply,reply_on_mention,takeover_until,provider_id');
CREATE TRIGGER chats_changed_row AFTER UPDATE OF autoreply, reply_on_mention, takeover_until, provider_id ON rt.chats
    FOR EACH ROW
    WHEN (OLD.autoreply IS DISTINCT FROM NEW.autoreply OR OLD.reply_on_mention IS DISTINCT FROM NEW.reply_on_mention
          OR OLD.takeover_until IS DISTINCT FROM NEW.takeover_until OR OLD.provider_id IS DISTINCT FROM NEW.provider_id)
    EXECUTE FUNCTION rt.collect_change('chat');
CREATE TRIGGER chats_changed AFTER UPDATE OF autoreply, reply_on_mention, takeover_until, provider_id ON rt.chats
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
