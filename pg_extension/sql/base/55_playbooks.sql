-- roundtable base, playbooks: Playbooks

CREATE FUNCTION rt._playbook_json(p rt.playbooks) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'name', p.name, 'enabled', p.enabled, 'priority', p.priority,
        'pattern', p.pattern, 'pattern_kind', p.pattern_kind, 'chat_ids', to_jsonb(p.chat_ids),
        'preset_id', p.preset_id, 'preset_hours', p.preset_hours, 'reply_text', p.reply_text,
        'stop', p.stop, 'version', p.version, 'created_at', p.created_at, 'updated_at', p.updated_at)
$$;
COMMENT ON FUNCTION rt._playbook_json(rt.playbooks) IS 'internal: a playbook as the OpenAPI Playbook object';

-- the playbook a body describes: cur with the fields present in body applied, validated whole
CREATE FUNCTION rt._playbook_apply(cur rt.playbooks, body jsonb) RETURNS rt.playbooks
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    hours numeric;
BEGIN
    -- read-only keys of the Playbook object are accepted so a GET result can be sent back
    body := rt._known_keys(body, ARRAY['name', 'enabled', 'priority', 'pattern', 'pattern_kind', 'chat_ids',
                                       'preset_id', 'preset_hours', 'reply_text', 'stop', 'version',
                                       'id', 'created_at', 'updated_at']);
    IF body ? 'name' THEN
        cur.name := rt._body_text(body, 'name', 1, 100);
    END IF;
    IF cur.name IS NULL THEN
        PERFORM rt._field_error('name', 'must be a string of 1 to 100 characters');
    END IF;
    IF body ? 'enabled' THEN
        cur.enabled := coalesce(rt._body_flag(body, 'enabled'), true);
    END IF;
    IF body ? 'priority' THEN
        cur.priority := coalesce(rt._body_int(body, 'priority', -2147483648, 2147483647), 100);
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
    IF body ? 'chat_ids' THEN
        cur.chat_ids := rt._body_chat_ids(body);
    END IF;
    IF body ? 'preset_id' THEN
        cur.preset_id := rt._body_int(body, 'preset_id', 1, 9223372036854775807);
        IF cur.preset_id IS NOT NULL AND NOT EXISTS (SELECT FROM rt.presets WHERE presets.id = cur.preset_id) THEN
            RAISE EXCEPTION 'preset % does not exist', cur.preset_id USING ERRCODE = 'P0002', COLUMN = 'preset_id';
        END IF;
    END IF;
    IF body ? 'preset_hours' THEN
        IF jsonb_typeof(body->'preset_hours') NOT IN ('number', 'null') THEN
            PERFORM rt._field_error('preset_hours', 'must be a number of hours above 0 and at most 8760');
        END IF;
        hours := (body->>'preset_hours')::numeric;
        IF hours <= 0 OR hours > 8760 THEN
            PERFORM rt._field_error('preset_hours', 'must be a number of hours above 0 and at most 8760');
        END IF;
        cur.preset_hours := hours;
    END IF;
    IF cur.preset_hours IS NOT NULL AND cur.preset_id IS NULL THEN
        PERFORM rt._field_error('preset_hours', 'needs a preset_id');
    END IF;
    IF body ? 'reply_text' THEN
        cur.reply_text := rt._body_text(body, 'reply_text', 1, 4096);
    END IF;
    IF body ? 'stop' THEN
        cur.stop := coalesce(rt._body_flag(body, 'stop'), false);
    END IF;
    RETURN cur;
END
$$;
COMMENT ON FUNCTION rt._playbook_apply(rt.playbooks, jsonb) IS 'internal: applies and validates a PlaybookInput body (22023 naming the field, P0002 for an unknown preset_id)';

CREATE FUNCTION rt.list_playbooks(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_q text;
    f_limit bigint;
    after_prio int;
    after_id bigint;
    parts text[];
    like_pat text;
    items jsonb;
    more boolean;
    last_prio int;
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
        parts := rt._cursor_decode(filter->>'cursor', '^pb:(-?[0-9]{1,10}):([0-9]{1,19})$');
        after_prio := parts[1]::int;
        after_id := parts[2]::bigint;
    END IF;
    IF f_q <> '' THEN
        like_pat := '%' || replace(replace(replace(f_q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    END IF;

    WITH page AS (
        SELECT p, row_number() OVER (ORDER BY p.priority, p.id) AS n
        FROM rt.playbooks p
        WHERE (after_id IS NULL OR (p.priority, p.id) > (after_prio, after_id))
          AND (like_pat IS NULL OR p.name ILIKE like_pat OR p.pattern ILIKE like_pat)
        ORDER BY p.priority, p.id
        LIMIT f_limit + 1)
    SELECT coalesce(jsonb_agg(rt._playbook_json(x.p) ORDER BY x.n) FILTER (WHERE x.n <= f_limit), '[]'),
           count(*) > f_limit
    INTO items, more
    FROM page x;
    IF more THEN
        last_prio := (items -> (f_limit::int - 1) ->> 'priority')::int;
        last_id := (items -> (f_limit::int - 1) ->> 'id')::bigint;
    END IF;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode(format('pb:%s:%s', last_prio, last_id)) END);
END
$$;
COMMENT ON FUNCTION rt.list_playbooks(jsonb) IS 'Playbooks in evaluation order (priority, id); filter q (name or pattern, case-insensitive), cursor, limit 1..200 (default 50). Returns {"items":[Playbook],"next_cursor"}';

CREATE FUNCTION rt.get_playbook(id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    p rt.playbooks;
BEGIN
    PERFORM rt.require_role('viewer');
    SELECT * INTO p FROM rt.playbooks WHERE playbooks.id = get_playbook.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'playbook % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    RETURN rt._playbook_json(p);
END
$$;
COMMENT ON FUNCTION rt.get_playbook(bigint) IS 'One playbook as the Playbook object; P0002 when unknown';

CREATE FUNCTION rt.create_playbook(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    p rt.playbooks;
BEGIN
    PERFORM rt.require_role('admin');
    p.enabled := true;
    p.priority := 100;
    p.pattern_kind := 'word';
    p.stop := false;
    IF jsonb_typeof(body) = 'object' AND NOT body ? 'pattern' THEN
        PERFORM rt._field_error('pattern', 'must be 1 to 500 characters');
    END IF;
    p := rt._playbook_apply(p, body);
    INSERT INTO rt.playbooks (name, enabled, priority, pattern, pattern_kind, chat_ids, preset_id,
                              preset_hours, reply_text, stop)
    VALUES (p.name, p.enabled, p.priority, p.pattern, p.pattern_kind, p.chat_ids, p.preset_id,
            p.preset_hours, p.reply_text, p.stop)
    RETURNING * INTO p;
    RETURN rt._playbook_json(p);
END
$$;
COMMENT ON FUNCTION rt.create_playbook(jsonb) IS 'Creates a playbook from {name, pattern, pattern_kind, enabled, priority, chat_ids, preset_id, preset_hours, reply_text, stop}; 22023 naming a bad field, P0002 for an unknown preset';

CREATE FUNCTION rt.update_playbook(id bigint, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    want_version bigint;
    p rt.playbooks;
BEGIN
    PERFORM rt.require_role('admin');
    IF jsonb_typeof(body) = 'object' THEN
        want_version := rt._body_int(body, 'version', 1, 2147483647);
    END IF;
    SELECT * INTO p FROM rt.playbooks WHERE playbooks.id = update_playbook.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'playbook % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    IF want_version IS NOT NULL AND want_version <> p.version THEN
        RAISE EXCEPTION 'playbook % was changed by someone else', id USING ERRCODE = '40001', COLUMN = 'version',
            DETAIL = format('The request is based on version %s; the current version is %s.', want_version, p.version),
            HINT = 'Reload the playbook and apply the change again.';
    END IF;
    p := rt._playbook_apply(p, body);
    UPDATE rt.playbooks SET
        name = p.name, enabled = p.enabled, priority = p.priority, pattern = p.pattern,
        pattern_kind = p.pattern_kind, chat_ids = p.chat_ids, preset_id = p.preset_id,
        preset_hours = p.preset_hours, reply_text = p.reply_text, stop = p.stop,
        version = version + 1, updated_at = now()
    WHERE playbooks.id = p.id
    RETURNING * INTO p;
    RETURN rt._playbook_json(p);
END
$$;
COMMENT ON FUNCTION rt.update_playbook(bigint, jsonb) IS 'Changes the fields present in body (null clears chat_ids, preset_id, preset_hours, reply_text), bumps version; body.version stale -> 40001, unknown id -> P0002';

CREATE FUNCTION rt.delete_playbook(id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt.require_role('admin');
    DELETE FROM rt.playbooks WHERE playbooks.id = delete_playbook.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'playbook % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
END
$$;
COMMENT ON FUNCTION rt.delete_playbook(bigint) IS 'Deletes a playbook; P0002 when unknown';

-- for rt.ingest's decisions (C callers use RtPlaybookMatches in src/playbook.h)
CREATE FUNCTION rt.playbook_matches(chat_id bigint, t text)
RETURNS TABLE (playbook_id bigint, preset_id bigint, preset_hours numeric, reply_text text, stop boolean)
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'playbook_matches';
COMMENT ON FUNCTION rt.playbook_matches(bigint, text) IS 'Enabled playbooks that fire for t in chat chat_id (null chat: unscoped ones only), in priority order, none after the first with stop';
