-- roundtable base, moderation: Moderation rules and message moderation

CREATE FUNCTION rt._moderation_rule_json(r rt.moderation_rules) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', r.id, 'name', r.name, 'enabled', r.enabled, 'pattern', r.pattern,
        'pattern_kind', r.pattern_kind, 'evasion', r.evasion, 'label', r.label, 'action', r.action,
        'chat_ids', to_jsonb(r.chat_ids), 'version', r.version,
        'created_at', r.created_at, 'updated_at', r.updated_at)
$$;
COMMENT ON FUNCTION rt._moderation_rule_json(rt.moderation_rules) IS 'internal: a moderation rule as the OpenAPI ModerationRule object';

CREATE FUNCTION rt._moderation_rule_apply(cur rt.moderation_rules, body jsonb) RETURNS rt.moderation_rules
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    -- read-only keys of the ModerationRule object are accepted so a GET result can be sent back
    body := rt._known_keys(body, ARRAY['name', 'enabled', 'pattern', 'pattern_kind', 'evasion', 'label', 'action',
                                       'chat_ids', 'version', 'id', 'created_at', 'updated_at']);
    IF body ? 'name' THEN
        cur.name := rt._body_text(body, 'name', 1, 100);
    END IF;
    IF cur.name IS NULL THEN
        PERFORM rt._field_error('name', 'must be a string of 1 to 100 characters');
    END IF;
    IF body ? 'enabled' THEN
        cur.enabled := coalesce(rt._body_flag(body, 'enabled'), true);
    END IF;
    IF body ? 'pattern' THEN
        IF jsonb_typeof(body->'pattern') IS DISTINCT FROM 'string' THEN
            PERFORM rt._field_error('pattern', 'must be 1 to 500 characters');
        END IF;
        cur.pattern := body->>'pattern';
    END IF;
    IF body ? 'pattern_kind' THEN
        IF jsonb_typeof(body->'pattern_kind') IS DISTINCT FROM 'string' THEN
            PERFORM rt._field_error('pattern_kind', 'must be one of word, phrase, substring, regex');
        END IF;
        cur.pattern_kind := body->>'pattern_kind';
    END IF;
    PERFORM rt._check_pattern(cur.pattern, cur.pattern_kind);
    IF body ? 'evasion' THEN
        cur.evasion := coalesce(rt._body_flag(body, 'evasion'), true);
    END IF;
    IF body ? 'label' THEN
        cur.label := rt._body_text(body, 'label', 1, 64);
    END IF;
    IF cur.label IS NULL OR btrim(cur.label) = '' THEN
        PERFORM rt._field_error('label', 'must be a string of 1 to 64 characters');
    END IF;
    IF body ? 'action' THEN
        IF jsonb_typeof(body->'action') IS DISTINCT FROM 'string' OR body->>'action' NOT IN ('flag', 'hide', 'delete') THEN
            PERFORM rt._field_error('action', 'must be one of flag, hide, delete');
        END IF;
        cur.action := body->>'action';
    END IF;
    IF body ? 'chat_ids' THEN
        cur.chat_ids := rt._body_chat_ids(body);
    END IF;
    RETURN cur;
END
$$;
COMMENT ON FUNCTION rt._moderation_rule_apply(rt.moderation_rules, jsonb) IS 'internal: applies and validates a ModerationRuleInput body (22023 naming the field)';

CREATE FUNCTION rt.list_moderation_rules(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_q text;
    f_limit bigint;
    after_id bigint := 0;
    like_pat text;
    items jsonb;
    more boolean;
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
        after_id := (rt._cursor_decode(filter->>'cursor', '^mr:([0-9]{1,19})$'))[1]::bigint;
    END IF;
    IF f_q <> '' THEN
        like_pat := '%' || replace(replace(replace(f_q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    END IF;

    WITH page AS (
        SELECT r, row_number() OVER (ORDER BY r.id) AS n
        FROM rt.moderation_rules r
        WHERE r.id > after_id
          AND (like_pat IS NULL OR r.name ILIKE like_pat OR r.pattern ILIKE like_pat OR r.label ILIKE like_pat)
        ORDER BY r.id
        LIMIT f_limit + 1)
    SELECT coalesce(jsonb_agg(rt._moderation_rule_json(x.r) ORDER BY x.n) FILTER (WHERE x.n <= f_limit), '[]'),
           count(*) > f_limit,
           max((x.r).id) FILTER (WHERE x.n <= f_limit)
    INTO items, more, last_id
    FROM page x;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode('mr:' || last_id) END);
END
$$;
COMMENT ON FUNCTION rt.list_moderation_rules(jsonb) IS 'Moderation rules in creation order; filter q (name, pattern or label, case-insensitive), cursor, limit 1..200 (default 50). Returns {"items":[ModerationRule],"next_cursor"}';

CREATE FUNCTION rt.get_moderation_rule(id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    r rt.moderation_rules;
BEGIN
    PERFORM rt.require_role('viewer');
    SELECT * INTO r FROM rt.moderation_rules WHERE moderation_rules.id = get_moderation_rule.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'moderation rule % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    RETURN rt._moderation_rule_json(r);
END
$$;
COMMENT ON FUNCTION rt.get_moderation_rule(bigint) IS 'One moderation rule as the ModerationRule object; P0002 when unknown';

CREATE FUNCTION rt.create_moderation_rule(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    r rt.moderation_rules;
BEGIN
    PERFORM rt.require_role('admin');
    r.enabled := true;
    r.pattern_kind := 'word';
    r.evasion := true;
    r.action := 'flag';
    r := rt._moderation_rule_apply(r, body);
    INSERT INTO rt.moderation_rules (name, enabled, pattern, pattern_kind, evasion, label, action, chat_ids)
    VALUES (r.name, r.enabled, r.pattern, r.pattern_kind, r.evasion, r.label, r.action, r.chat_ids)
    RETURNING * INTO r;
    RETURN rt._moderation_rule_json(r);
END
$$;
COMMENT ON FUNCTION rt.create_moderation_rule(jsonb) IS 'Creates a moderation rule from {name, pattern, pattern_kind, evasion, label, action, enabled, chat_ids}; 22023 naming a bad field';

CREATE FUNCTION rt.update_moderation_rule(id bigint, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    want_version bigint;
    r rt.moderation_rules;
BEGIN
    PERFORM rt.require_role('admin');
    IF jsonb_typeof(body) = 'object' THEN
        want_version := rt._body_int(body, 'version', 1, 2147483647);
    END IF;
    SELECT * INTO r FROM rt.moderation_rules WHERE moderation_rules.id = update_moderation_rule.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'moderation rule % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    IF want_version IS NOT NULL AND want_version <> r.version THEN
        RAISE EXCEPTION 'moderation rule % was changed by someone else', id USING ERRCODE = '40001', COLUMN = 'version',
            DETAIL = format('The request is based on version %s; the current version is %s.', want_version, r.version),
            HINT = 'Reload the rule and apply the change again.';
    END IF;
    r := rt._moderation_rule_apply(r, body);
    UPDATE rt.moderation_rules SET
        name = r.name, enabled = r.enabled, pattern = r.pattern, pattern_kind = r.pattern_kind,
        evasion = r.evasion, label = r.label, action = r.action, chat_ids = r.chat_ids,
        version = version + 1, updated_at = now()
    WHERE moderation_rules.id = r.id
    RETURNING * INTO r;
    RETURN rt._moderation_rule_json(r);
END
$$;
COMMENT ON FUNCTION rt.update_moderation_rule(bigint, jsonb) IS 'Changes the fields present in body, bumps version; body.version stale -> 40001, unknown id -> P0002';

CREATE FUNCTION rt.delete_moderation_rule(id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt.require_role('admin');
    DELETE FROM rt.moderation_rules WHERE moderation_rules.id = delete_moderation_rule.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'moderation rule % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
END
$$;
COMMENT ON FUNCTION rt.delete_moderation_rule(bigint) IS 'Deletes a moderation rule; P0002 when unknown';

-- for rt.ingest's decisions (C callers use RtModerationVerdict in src/moderation.h)
CREATE FUNCTION rt.moderation_verdict(chat_id bigint, t text) RETURNS jsonb
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'moderation_verdict';
COMMENT ON FUNCTION rt.moderation_verdict(bigint, text) IS 'What the enabled moderation rules in scope of chat_id (null: unscoped ones only) say about t: {"labels":[..],"action":null|"flag"|"hide"|"delete","rule_ids":[..]}, the strongest action winning';

CREATE FUNCTION rt._lock_message(id bigint) RETURNS rt.messages
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    m rt.messages;
BEGIN
    SELECT * INTO m FROM rt.messages WHERE messages.id = _lock_message.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'message % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    RETURN m;
END
$$;
COMMENT ON FUNCTION rt._lock_message(bigint) IS 'internal: the message with this id, locked; P0002 when unknown';

CREATE FUNCTION rt.flag_message(id bigint, body jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    actor text := rt.require_role('moderator');
    f_label text;
    m rt.messages;
    n rt.messages;
BEGIN
    body := rt._known_keys(body, ARRAY['label']);
    f_label := coalesce(rt._body_text(body, 'label', 1, 64), 'manual');
    m := rt._lock_message(id);
    UPDATE rt.messages SET
        labels = CASE WHEN f_label = ANY (labels) THEN labels ELSE labels || f_label END,
        moderation = CASE WHEN moderation IN ('hidden', 'deleted') THEN moderation ELSE 'flagged' END,
        moderated_at = now(),
        moderated_by = actor
    WHERE messages.id = m.id AND messages.created_at = m.created_at
    RETURNING * INTO n;
    PERFORM rt.audit('message.flag', 'message:' || m.id,
                     jsonb_build_object('labels', m.labels, 'moderation', m.moderation),
                     jsonb_build_object('labels', n.labels, 'moderation', n.moderation));
    PERFORM rt._notify_message_changed(n);
    RETURN rt._message_json(n);
END
$$;
COMMENT ON FUNCTION rt.flag_message(bigint, jsonb) IS 'Flags a message by hand with {label} (default "manual"); a hidden or deleted message keeps that state. Audited, NOTIFY rt_events; returns the Message, P0002 when unknown';

CREATE FUNCTION rt.unflag_message(id bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    actor text := rt.require_role('moderator');
    m rt.messages;
    n rt.messages;
BEGIN
    m := rt._lock_message(id);
    IF m.moderation = 'deleted' THEN
        RAISE EXCEPTION 'message % was deleted and cannot be unflagged', id USING ERRCODE = '22023', COLUMN = 'id',
            DETAIL = 'A delete also removed the message in Telegram.';
    END IF;
    UPDATE rt.messages SET labels = '{}', moderation = NULL, moderated_at = now(), moderated_by = actor
    WHERE messages.id = m.id AND messages.created_at = m.created_at
    RETURNING * INTO n;
    PERFORM rt.audit('message.unflag', 'message:' || m.id,
                     jsonb_build_object('labels', m.labels, 'moderation', m.moderation),
                     jsonb_build_object('labels', n.labels, 'moderation', n.moderation));
    PERFORM rt._notify_message_changed(n);
    RETURN rt._message_json(n);
END
$$;
COMMENT ON FUNCTION rt.unflag_message(bigint) IS 'Clears a message''s labels and moderation (flagged or hidden); 22023 for a deleted one. Audited, NOTIFY rt_events; returns the Message, P0002 when unknown';

CREATE FUNCTION rt.delete_message(id bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    actor text := rt.require_role('moderator');
    m rt.messages;
    n rt.messages;
    job_id bigint;
BEGIN
    m := rt._lock_message(id);
    IF m.moderation = 'deleted' THEN
        RETURN rt._message_json(m); -- already deleted: nothing more to queue
    END IF;
    UPDATE rt.messages SET moderation = 'deleted', moderated_at = now(), moderated_by = actor
    WHERE messages.id = m.id AND messages.created_at = m.created_at
    RETURNING * INTO n;
    -- a message Telegram never numbered (an unsent reply) exists only here
    IF n.message_id IS NOT NULL THEN
        INSERT INTO rt.outbox (kind, payload)
        VALUES ('telegram.delete', jsonb_build_object('chat_id', n.chat_id, 'message_id', n.message_id,
                                                      'message_pk', n.id))
        RETURNING outbox.id INTO job_id;
        PERFORM pg_notify('rt_outbox', job_id::text);
    END IF;
    PERFORM rt.audit('message.delete', 'message:' || m.id,
                     jsonb_build_object('moderation', m.moderation),
                     jsonb_build_object('moderation', n.moderation, 'outbox_id', job_id));
    PERFORM rt._notify_message_changed(n);
    RETURN rt._message_json(n);
END
$$;
COMMENT ON FUNCTION rt.delete_message(bigint) IS 'Deletes a message: moderation = deleted and, when Telegram knows it, an outbox telegram.delete {chat_id, message_id, message_pk} + NOTIFY rt_outbox. Idempotent. Audited, NOTIFY rt_events; returns the Message, P0002 when unknown';
