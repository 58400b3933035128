-- roundtable base, presets: Presets, bindings and parameter resolution

-- rt.resolve_params caches bindings, presets and preset.defaults per backend; every write to
-- their tables raises a relcache invalidation that drops those caches in all backends
CREATE FUNCTION rt._preset_cache_invalidate() RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'preset_cache_invalidate';
COMMENT ON FUNCTION rt._preset_cache_invalidate() IS 'internal: statement trigger; drops rt.resolve_params'' per-backend caches in every backend (relcache invalidation of the table)';

CREATE FUNCTION rt._preset_json(p rt.presets) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'name', p.name, 'description', p.description,
        'temperature', p.temperature, 'max_tokens', p.max_tokens, 'tone', p.tone,
        'verbosity', p.verbosity, 'emotional_intensity', p.emotional_intensity,
        'persona', p.persona, 'version', p.version,
        'created_at', p.created_at, 'updated_at', p.updated_at)
$$;
COMMENT ON FUNCTION rt._preset_json(rt.presets) IS 'internal: a preset as the OpenAPI Preset object';

CREATE FUNCTION rt._binding_json(b rt.preset_bindings) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', b.id, 'scope', b.scope, 'chat_id', b.chat_id, 'user_id', b.user_id,
        'preset_id', b.preset_id,
        'preset_name', (SELECT p.name FROM rt.presets p WHERE p.id = b.preset_id),
        'expires_at', b.expires_at, 'created_at', b.created_at, 'created_by', b.created_by,
        'active', b.expires_at IS NULL OR b.expires_at > now(),
        'target_name', rt._binding_target_name(b.scope, b.chat_id, b.user_id),
        'created_by_name', rt._actor_name(b.created_by))
$$;
COMMENT ON FUNCTION rt._binding_json(rt.preset_bindings) IS 'internal: a binding as the OpenAPI Binding object (active = not expired now; target_name and created_by_name for people)';

-- Checks preset fields of body and returns them normalised (only the keys present). prefix is
-- prepended to field names in errors ("presets[3]."). Read-only keys of the Preset object (id,
-- version, created_at, updated_at) are ignored so a GET result can be sent back; params_only
-- refuses name and description (an override is a params subset).
CREATE FUNCTION rt._preset_fields(body jsonb, prefix text DEFAULT '', require_name boolean DEFAULT false,
                                  params_only boolean DEFAULT false) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    params constant text[] := ARRAY['temperature', 'max_tokens', 'tone', 'verbosity', 'emotional_intensity', 'persona'];
    read_only constant text[] := ARRAY['id', 'version', 'created_at', 'updated_at'];
    k text;
    v jsonb;
    f text;
    t text;
    n numeric;
    result jsonb := '{}';
BEGIN
    IF body IS NULL OR jsonb_typeof(body) <> 'object' THEN
        PERFORM rt._field_error(coalesce(nullif(rtrim(prefix, '.'), ''), 'body'), 'must be a json object');
    END IF;
    FOR k, v IN SELECT e.key, e.value FROM jsonb_each(body) e ORDER BY e.key LOOP
        f := prefix || k;
        IF NOT params_only AND k = ANY (read_only) THEN
            CONTINUE;
        END IF;
        IF NOT (k = ANY (params) OR (NOT params_only AND k IN ('name', 'description'))) THEN
            RAISE EXCEPTION 'unknown field "%"', f USING ERRCODE = '22023', COLUMN = f,
                HINT = 'Known fields: ' || array_to_string(
                    CASE WHEN params_only THEN params ELSE ARRAY['name', 'description'] || params END, ', ') || '.';
        END IF;
        IF jsonb_typeof(v) = 'null' THEN
            IF k = 'name' THEN
                PERFORM rt._field_error(f, 'must be a string');
            END IF;
            result := result || jsonb_build_object(k, v);
            CONTINUE;
        END IF;
        CASE k
        WHEN 'name' THEN
            IF jsonb_typeof(v) <> 'string' THEN PERFORM rt._field_error(f, 'must be a string'); END IF;
            t := btrim(v #>> '{}');
            IF length(t) NOT BETWEEN 1 AND 100 THEN PERFORM rt._field_error(f, 'must be 1 to 100 characters long'); END IF;
            IF t ~ '[[:cntrl:]]' THEN PERFORM rt._field_error(f, 'must not contain control characters'); END IF;
            v := to_jsonb(t);
        WHEN 'description' THEN
            IF jsonb_typeof(v) <> 'string' THEN PERFORM rt._field_error(f, 'must be a string'); END IF;
            IF length(v #>> '{}') > 1000 THEN PERFORM rt._field_error(f, 'must be at most 1000 characters long'); END IF;
        WHEN 'persona' THEN
            IF jsonb_typeof(v) <> 'string' THEN PERFORM rt._field_error(f, 'must be a string'); END IF;
            IF length(v #>> '{}') > 4000 THEN PERFORM rt._field_error(f, 'must be at most 4000 characters long'); END IF;
        WHEN 'temperature' THEN
            IF jsonb_typeof(v) <> 'number' THEN PERFORM rt._field_error(f, 'must be a number'); END IF;
            n := v::numeric;
            IF n < 0 OR n > 2 THEN PERFORM rt._field_error(f, 'must be between 0 and 2'); END IF;
        WHEN 'max_tokens' THEN
            IF jsonb_typeof(v) <> 'number' OR v::numeric <> trunc(v::numeric) THEN
                PERFORM rt._field_error(f, 'must be an integer');
            END IF;
            n := v::numeric;
            IF n < 1 OR n > 32000 THEN PERFORM rt._field_error(f, 'must be between 1 and 32000'); END IF;
            v := to_jsonb(n::int);
        WHEN 'emotional_intensity' THEN
            IF jsonb_typeof(v) <> 'number' OR v::numeric <> trunc(v::numeric) THEN
                PERFORM rt._field_error(f, 'must be an integer');
            END IF;
            n := v::numeric;
            IF n < 0 OR n > 100 THEN PERFORM rt._field_error(f, 'must be between 0 and 100'); END IF;
            v := to_jsonb(n::int);
        WHEN 'tone' THEN
            IF jsonb_typeof(v) <> 'string' OR (v #>> '{}') NOT IN ('formal', 'friendly', 'neutral', 'aggressive') THEN
                PERFORM rt._field_error(f, 'must be one of formal, friendly, neutral, aggressive');
            END IF;
        WHEN 'verbosity' THEN
            IF jsonb_typeof(v) <> 'string' OR (v #>> '{}') NOT IN ('short', 'detailed') THEN
                PERFORM rt._field_error(f, 'must be one of short, detailed');
            END IF;
        END CASE;
        result := result || jsonb_build_object(k, v);
    END LOOP;
    IF require_name AND NOT result ? 'name' THEN
        PERFORM rt._field_error(prefix || 'name', 'is required');
    END IF;
    RETURN result;
END
$$;
COMMENT ON FUNCTION rt._preset_fields(jsonb, text, boolean, boolean) IS 'internal: validates preset fields (22023 naming prefix||field) and returns the ones present, normalised';

CREATE FUNCTION rt.list_presets(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_q text;
    f_limit bigint;
    after_id bigint := 0;
    pattern text;
    items jsonb;
    more boolean;
    last_id bigint;
BEGIN
    PERFORM rt.require_role('viewer');
    filter := coalesce(filter, '{}');
    PERFORM rt._known_keys(filter, ARRAY['q', 'cursor', 'limit'], 'filter field');
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
        after_id := (rt._cursor_decode(filter->>'cursor', '^p:([0-9]{1,19})$'))[1]::bigint;
    END IF;
    IF f_q <> '' THEN
        pattern := '%' || replace(replace(replace(f_q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    END IF;

    WITH page AS (
        SELECT p, row_number() OVER (ORDER BY p.id) AS n
        FROM rt.presets p
        WHERE p.id > after_id
          AND (pattern IS NULL OR p.name ILIKE pattern OR p.description ILIKE pattern)
        ORDER BY p.id
        LIMIT f_limit + 1)
    SELECT coalesce(jsonb_agg(rt._preset_json(x.p) ORDER BY x.n) FILTER (WHERE x.n <= f_limit), '[]'),
           count(*) > f_limit,
           max((x.p).id) FILTER (WHERE x.n <= f_limit)
    INTO items, more, last_id
    FROM page x;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode('p:' || last_id) END);
END
$$;
COMMENT ON FUNCTION rt.list_presets(jsonb) IS 'Presets in creation order; filter q (name or description, case-insensitive), cursor, limit 1..200 (default 50). Returns {"items":[Preset],"next_cursor"}';

CREATE FUNCTION rt.get_preset(id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    p rt.presets;
BEGIN
    PERFORM rt.require_role('viewer');
    SELECT * INTO p FROM rt.presets WHERE presets.id = get_preset.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'preset % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    RETURN rt._preset_json(p);
END
$$;
COMMENT ON FUNCTION rt.get_preset(bigint) IS 'One preset as the Preset object; P0002 when unknown';

CREATE FUNCTION rt._name_clash(name text, except_id bigint DEFAULT NULL) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    IF EXISTS (SELECT FROM rt.presets p WHERE lower(p.name) = lower(_name_clash.name)
               AND p.id IS DISTINCT FROM except_id) THEN
        RAISE EXCEPTION 'preset name "%" already exists', name USING ERRCODE = '23505', COLUMN = 'name';
    END IF;
END
$$;
COMMENT ON FUNCTION rt._name_clash(text, bigint) IS 'internal: 23505 when another preset has this name (case-insensitive)';

CREATE FUNCTION rt.create_preset(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f jsonb;
    p rt.presets;
BEGIN
    PERFORM rt.require_role('admin');
    f := rt._preset_fields(body, '', true);
    PERFORM rt._name_clash(f->>'name');
    INSERT INTO rt.presets (name, description, temperature, max_tokens, tone, verbosity,
                            emotional_intensity, persona)
    VALUES (f->>'name', f->>'description', (f->>'temperature')::numeric, (f->>'max_tokens')::int,
            f->>'tone', f->>'verbosity', (f->>'emotional_intensity')::int, f->>'persona')
    RETURNING * INTO p;
    RETURN rt._preset_json(p);
EXCEPTION WHEN unique_violation THEN
    -- a concurrent create of the same name won the race
    RAISE EXCEPTION 'preset name "%" already exists', f->>'name' USING ERRCODE = '23505', COLUMN = 'name';
END
$$;
COMMENT ON FUNCTION rt.create_preset(jsonb) IS 'Creates a preset from {name, description, temperature, max_tokens, tone, verbosity, emotional_intensity, persona}; 22023 naming a bad field, 23505 on a name clash';

CREATE FUNCTION rt.update_preset(id bigint, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f jsonb;
    want_version bigint;
    p rt.presets;
BEGIN
    PERFORM rt.require_role('admin');
    f := rt._preset_fields(body, '', false);
    want_version := rt._body_int(body, 'version', 1, 2147483647);
    SELECT * INTO p FROM rt.presets WHERE presets.id = update_preset.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'preset % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    IF want_version IS NOT NULL AND want_version <> p.version THEN
        RAISE EXCEPTION 'preset % was changed by someone else', id USING ERRCODE = '40001', COLUMN = 'version',
            DETAIL = format('The request is based on version %s; the current version is %s.', want_version, p.version),
            HINT = 'Reload the preset and apply the change again.';
    END IF;
    IF f ? 'name' THEN
        PERFORM rt._name_clash(f->>'name', p.id);
    END IF;
    UPDATE rt.presets SET
        name = CASE WHEN f ? 'name' THEN f->>'name' ELSE name END,
        description = CASE WHEN f ? 'description' THEN f->>'description' ELSE description END,
        temperature = CASE WHEN f ? 'temperature' THEN (f->>'temperature')::numeric ELSE temperature END,
        max_tokens = CASE WHEN f ? 'max_tokens' THEN (f->>'max_tokens')::int ELSE max_tokens END,
        tone = CASE WHEN f ? 'tone' THEN f->>'tone' ELSE tone END,
        verbosity = CASE WHEN f ? 'verbosity' THEN f->>'verbosity' ELSE verbosity END,
        emotional_intensity = CASE WHEN f ? 'emotional_intensity' THEN (f->>'emotional_intensity')::int
                                   ELSE emotional_intensity END,
        persona = CASE WHEN f ? 'persona' THEN f->>'persona' ELSE persona END,
        version = version + 1,
        updated_at = now()
    WHERE presets.id = p.id
    RETURNING * INTO p;
    RETURN rt._preset_json(p);
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'preset name "%" already exists', f->>'name' USING ERRCODE = '23505', COLUMN = 'name';
END
$$;
COMMENT ON FUNCTION rt.update_preset(bigint, jsonb) IS 'Changes the fields present in body (null clears a parameter), bumps version; body.version stale -> 40001, unknown id -> P0002';

CREATE FUNCTION rt.delete_preset(id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt.require_role('admin');
    DELETE FROM rt.presets WHERE presets.id = delete_preset.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'preset % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
END
$$;
COMMENT ON FUNCTION rt.delete_preset(bigint) IS 'Deletes a preset and its bindings; P0002 when unknown';

CREATE FUNCTION rt.export_presets(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    ids bigint[];
    missing bigint[];
BEGIN
    PERFORM rt.require_role('admin');
    filter := coalesce(filter, '{}');
    PERFORM rt._known_keys(filter, ARRAY['ids'], 'filter field');
    IF filter ? 'ids' AND jsonb_typeof(filter->'ids') <> 'null' THEN
        IF jsonb_typeof(filter->'ids') <> 'array'
           OR EXISTS (SELECT FROM jsonb_array_elements(filter->'ids') e
                      WHERE jsonb_typeof(e) <> 'number' OR e::numeric <> trunc(e::numeric)
                         OR e::numeric NOT BETWEEN 1 AND 9223372036854775807) THEN
            PERFORM rt._field_error('ids', 'must be an array of preset ids');
        END IF;
        ids := ARRAY(SELECT e::numeric::bigint FROM jsonb_array_elements(filter->'ids') e);
        missing := ARRAY(SELECT i FROM unnest(ids) i WHERE NOT EXISTS (SELECT FROM rt.presets p WHERE p.id = i));
        IF cardinality(missing) > 0 THEN
            RAISE EXCEPTION 'preset % does not exist', missing[1] USING ERRCODE = 'P0002', COLUMN = 'ids';
        END IF;
    END IF;
    RETURN jsonb_build_object(
        'schema', 'roundtable.presets',
        'schema_version', 1,
        'exported_at', now(),
        'presets', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'name', p.name, 'description', p.description, 'temperature', p.temperature,
                       'max_tokens', p.max_tokens, 'tone', p.tone, 'verbosity', p.verbosity,
                       'emotional_intensity', p.emotional_intensity, 'persona', p.persona)
                   ORDER BY p.id)
            FROM rt.presets p
            WHERE ids IS NULL OR p.id = ANY (ids)), '[]'));
END
$$;
COMMENT ON FUNCTION rt.export_presets(jsonb) IS 'All presets, or filter.ids, as {"schema":"roundtable.presets","schema_version":1,"exported_at","presets":[...]} (no ids, so the file is portable)';

CREATE FUNCTION rt.import_presets(doc jsonb, on_conflict text DEFAULT 'error') RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    items jsonb[] := '{}';
    e jsonb;
    f jsonb;
    i int := 0;
    seen jsonb := '{}';
    clashes text[];
    existing rt.presets;
    new_name text;
    taken text[];
    n int;
    created jsonb := '[]';
    skipped jsonb := '[]';
    renamed jsonb := '[]';
    overwritten jsonb := '[]';
BEGIN
    PERFORM rt.require_role('admin');
    on_conflict := coalesce(on_conflict, 'error');
    IF on_conflict NOT IN ('error', 'skip', 'rename', 'overwrite') THEN
        PERFORM rt._field_error('on_conflict', 'must be one of error, skip, rename, overwrite');
    END IF;

    -- 1. the whole file is checked before anything is written
    IF doc IS NULL OR jsonb_typeof(doc) <> 'object' THEN
        PERFORM rt._field_error('body', 'must be a json object');
    END IF;
    PERFORM rt._known_keys(doc, ARRAY['schema', 'schema_version', 'exported_at', 'presets']);
    IF doc->'schema' IS DISTINCT FROM '"roundtable.presets"' THEN
        PERFORM rt._field_error('schema', 'must be "roundtable.presets"');
    END IF;
    IF doc->'schema_version' IS DISTINCT FROM '1' THEN
        PERFORM rt._field_error('schema_version', 'must be 1');
    END IF;
    IF jsonb_typeof(doc->'presets') IS DISTINCT FROM 'array' THEN
        PERFORM rt._field_error('presets', 'must be an array');
    END IF;
    IF jsonb_array_length(doc->'presets') > 1000 THEN
        PERFORM rt._field_error('presets', 'must hold at most 1000 presets');
    END IF;
    FOR e IN SELECT x FROM jsonb_array_elements(doc->'presets') x LOOP
        f := rt._preset_fields(e, format('presets[%s].', i), true);
        IF seen ? lower(f->>'name') THEN
            PERFORM rt._field_error(format('presets[%s].name', i),
                format('repeats the name of presets[%s]', seen->>lower(f->>'name')));
        END IF;
        seen := seen || jsonb_build_object(lower(f->>'name'), i);
        items := items || f;
        i := i + 1;
    END LOOP;

    -- 2. clashes with stored presets
    LOCK TABLE rt.presets IN SHARE ROW EXCLUSIVE MODE;
    clashes := ARRAY(SELECT p.name FROM rt.presets p WHERE seen ? lower(p.name) ORDER BY p.name);
    IF on_conflict = 'error' AND cardinality(clashes) > 0 THEN
        RAISE EXCEPTION 'preset names already exist: %', array_to_string(clashes, ', ')
            USING ERRCODE = '23505', COLUMN = 'on_conflict',
                  DETAIL = 'Nothing was imported.',
                  HINT = 'Choose on_conflict skip, rename or overwrite.';
    END IF;

    -- 3. write
    taken := ARRAY(SELECT lower(p.name) FROM rt.presets p) || ARRAY(SELECT jsonb_object_keys(seen));
    FOREACH f IN ARRAY items LOOP
        SELECT * INTO existing FROM rt.presets p WHERE lower(p.name) = lower(f->>'name');
        IF FOUND AND on_conflict = 'skip' THEN
            skipped := skipped || to_jsonb(f->>'name');
            CONTINUE;
        ELSIF FOUND AND on_conflict = 'overwrite' THEN
            UPDATE rt.presets SET
                name = f->>'name', description = f->>'description',
                temperature = (f->>'temperature')::numeric, max_tokens = (f->>'max_tokens')::int,
                tone = f->>'tone', verbosity = f->>'verbosity',
                emotional_intensity = (f->>'emotional_intensity')::int, persona = f->>'persona',
                version = version + 1, updated_at = now()
            WHERE id = existing.id;
            overwritten := overwritten || to_jsonb(f->>'name');
            CONTINUE;
        END IF;
        new_name := f->>'name';
        IF FOUND THEN  -- rename: "name (2)", "name (3)", ... kept within 100 characters
            n := 2;
            LOOP
                new_name := left(f->>'name', 100 - length(format(' (%s)', n))) || format(' (%s)', n);
                EXIT WHEN NOT lower(new_name) = ANY (taken);
                n := n + 1;
            END LOOP;
            taken := taken || lower(new_name);
            renamed := renamed || jsonb_build_object('from', f->>'name', 'to', new_name);
        ELSE
            created := created || to_jsonb(new_name);
        END IF;
        INSERT INTO rt.presets (name, description, temperature, max_tokens, tone, verbosity,
                                emotional_intensity, persona)
        VALUES (new_name, f->>'description', (f->>'temperature')::numeric, (f->>'max_tokens')::int,
                f->>'tone', f->>'verbosity', (f->>'emotional_intensity')::int, f->>'persona');
    END LOOP;
    RETURN jsonb_build_object('created', created, 'skipped', skipped, 'renamed', renamed,
                              'overwritten', overwritten);
END
$$;
COMMENT ON FUNCTION rt.import_presets(jsonb, text) IS 'Imports an export file all-or-nothing (any bad preset rejects the file, naming presets[i].field); on_conflict error (23505, nothing written), skip, rename or overwrite';

CREATE FUNCTION rt.list_bindings(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_scope text;
    f_chat bigint;
    f_user bigint;
    f_preset bigint;
    f_active boolean;
    f_limit bigint;
    before_id bigint := 9223372036854775807;
    items jsonb;
    more boolean;
    last_id bigint;
BEGIN
    PERFORM rt.require_role('viewer');
    filter := coalesce(filter, '{}');
    PERFORM rt._known_keys(filter, ARRAY['scope', 'chat_id', 'user_id', 'preset_id', 'active', 'cursor', 'limit'],
                           'filter field');
    f_scope := filter->>'scope';
    IF f_scope IS NOT NULL AND f_scope NOT IN ('global', 'chat', 'user', 'chat_user') THEN
        PERFORM rt._field_error('scope', 'must be one of global, chat, user, chat_user');
    END IF;
    f_chat := rt._filter_int(filter, 'chat_id');
    f_user := rt._filter_int(filter, 'user_id');
    f_preset := rt._filter_int(filter, 'preset_id');
    IF filter ? 'active' AND jsonb_typeof(filter->'active') <> 'null' THEN
        IF jsonb_typeof(filter->'active') = 'boolean' THEN
            f_active := (filter->'active')::boolean;
        ELSIF filter->>'active' IN ('true', 'false') THEN
            f_active := (filter->>'active')::boolean;
        ELSE
            PERFORM rt._field_error('active', 'must be a boolean');
        END IF;
    END IF;
    f_limit := coalesce(rt._filter_int(filter, 'limit'), 50);
    IF f_limit NOT BETWEEN 1 AND 200 THEN
        PERFORM rt._field_error('limit', 'must be between 1 and 200');
    END IF;
    IF filter ? 'cursor' AND jsonb_typeof(filter->'cursor') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('cursor', 'must be a string');
    END IF;
    IF filter->>'cursor' IS NOT NULL THEN
        before_id := (rt._cursor_decode(filter->>'cursor', '^b:([0-9]{1,19})$'))[1]::bigint;
    END IF;

    WITH page AS (
        SELECT b, row_number() OVER (ORDER BY b.id DESC) AS n
        FROM rt.preset_bindings b
        WHERE b.id < before_id
          AND (f_scope IS NULL OR b.scope = f_scope)
          AND (f_chat IS NULL OR b.chat_id = f_chat)
          AND (f_user IS NULL OR b.user_id = f_user)
          AND (f_preset IS NULL OR b.preset_id = f_preset)
          AND (f_active IS NULL OR (b.expires_at IS NULL OR b.expires_at > now()) = f_active)
        ORDER BY b.id DESC
        LIMIT f_limit + 1)
    SELECT coalesce(jsonb_agg(rt._binding_json(x.b) ORDER BY x.n) FILTER (WHERE x.n <= f_limit), '[]'),
           count(*) > f_limit,
           min((x.b).id) FILTER (WHERE x.n <= f_limit)
    INTO items, more, last_id
    FROM page x;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode('b:' || last_id) END);
END
$$;
COMMENT ON FUNCTION rt.list_bindings(jsonb) IS 'Bindings, newest first; filter scope, chat_id, user_id, preset_id, active (not expired now), cursor, limit 1..200';

CREATE FUNCTION rt.create_binding(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    actor text;
    f_scope text;
    f_chat bigint;
    f_user bigint;
    f_preset bigint;
    f_expires timestamptz;
    hours numeric;
    b rt.preset_bindings;
BEGIN
    actor := rt.require_role('admin');
    PERFORM rt._known_keys(body, ARRAY['scope', 'chat_id', 'user_id', 'preset_id', 'hours', 'expires_at']);
    f_scope := body->>'scope';
    IF jsonb_typeof(body->'scope') IS DISTINCT FROM 'string'
       OR f_scope NOT IN ('global', 'chat', 'user', 'chat_user') THEN
        PERFORM rt._field_error('scope', 'must be one of global, chat, user, chat_user');
    END IF;
    f_chat := rt._body_int(body, 'chat_id', -9223372036854775807, 9223372036854775807);
    f_user := rt._body_int(body, 'user_id', 1, 9223372036854775807);
    IF (f_chat IS NOT NULL) <> (f_scope IN ('chat', 'chat_user')) THEN
        PERFORM rt._field_error('chat_id', CASE WHEN f_chat IS NULL THEN format('is required for scope %s', f_scope)
                                              ELSE format('must be null for scope %s', f_scope) END);
    END IF;
    IF (f_user IS NOT NULL) <> (f_scope IN ('user', 'chat_user')) THEN
        PERFORM rt._field_error('user_id', CASE WHEN f_user IS NULL THEN format('is required for scope %s', f_scope)
                                              ELSE format('must be null for scope %s', f_scope) END);
    END IF;
    f_preset := rt._body_int(body, 'preset_id', 1, 9223372036854775807);
    IF f_preset IS NULL THEN
        PERFORM rt._field_error('preset_id', 'is required');
    END IF;
    IF body ? 'hours' AND jsonb_typeof(body->'hours') <> 'null' THEN
        IF body ? 'expires_at' AND jsonb_typeof(body->'expires_at') <> 'null' THEN
            PERFORM rt._field_error('hours', 'cannot be combined with expires_at');
        END IF;
        IF jsonb_typeof(body->'hours') <> 'number' THEN
            PERFORM rt._field_error('hours', 'must be a number');
        END IF;
        hours := (body->'hours')::numeric;
        IF hours <= 0 OR hours > 87600 THEN
            PERFORM rt._field_error('hours', 'must be greater than 0 and at most 87600');
        END IF;
        f_expires := now() + hours * interval '1 hour';
    ELSIF body ? 'expires_at' AND jsonb_typeof(body->'expires_at') <> 'null' THEN
        f_expires := rt._filter_time(body, 'expires_at');
        IF f_expires <= now() THEN
            PERFORM rt._field_error('expires_at', 'must be in the future');
        END IF;
    END IF;
    -- the body is checked whole before the preset's existence
    IF NOT EXISTS (SELECT FROM rt.presets p WHERE p.id = f_preset) THEN
        RAISE EXCEPTION 'preset % does not exist', f_preset USING ERRCODE = 'P0002', COLUMN = 'preset_id';
    END IF;
    INSERT INTO rt.preset_bindings (scope, chat_id, user_id, preset_id, expires_at, created_by)
    VALUES (f_scope, f_chat, f_user, f_preset, f_expires, actor)
    RETURNING * INTO b;
    RETURN rt._binding_json(b);
END
$$;
COMMENT ON FUNCTION rt.create_binding(jsonb) IS 'Binds a preset to a layer: {scope, chat_id, user_id, preset_id, hours | expires_at}; the newest unexpired binding of a layer wins';

CREATE FUNCTION rt.delete_binding(id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt.require_role('admin');
    DELETE FROM rt.preset_bindings WHERE preset_bindings.id = delete_binding.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'binding % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
END
$$;
COMMENT ON FUNCTION rt.delete_binding(bigint) IS 'Deletes a binding; P0002 when unknown';

-- The hot path (C, src/preset.c): per-backend caches of bindings and presets, filled from the
-- partial indexes and dropped by the invalidation triggers above. No role check and no SET
-- clauses: it is not a REST door, it is called by rt.ingest and by rt_admin, and a SET clause
-- alone would cost more than the lookup (decision 006). Parallel unsafe: cache misses read with
-- the latest snapshot, which PostgreSQL forbids in parallel mode.
CREATE FUNCTION rt.resolve_params(chat_id bigint, user_id bigint, at timestamptz DEFAULT now(),
                                  override jsonb DEFAULT NULL) RETURNS jsonb
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'resolve_params';
COMMENT ON FUNCTION rt.resolve_params(bigint, bigint, timestamptz, jsonb) IS 'Effective model parameters for a reply: per parameter the highest layer that sets it (defaults < global < chat < user < chat_user < override); per layer the newest binding with expires_at > at. override: a params subset or {"preset_id": N}';

-- The same rules in PL/pgSQL: the executable spec and the benchmark baseline. Like the C
-- version it has no SET clause (fully qualified names instead).
CREATE FUNCTION rt._resolve_params_plpgsql(chat_id bigint, user_id bigint, at timestamptz DEFAULT now(),
                                           override jsonb DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    d jsonb;
    g rt.presets;
    c rt.presets;
    u rt.presets;
    cu rt.presets;
    o rt.presets;
    ov jsonb := '{}';
BEGIN
    at := coalesce(at, now());
    SELECT s.value INTO d FROM rt.settings s WHERE s.key = 'preset.defaults';
    d := '{"temperature":0.7,"max_tokens":512,"tone":"neutral","verbosity":"short","emotional_intensity":50,"persona":""}'::jsonb
         || coalesce(d, '{}');
    SELECT p.* INTO g FROM rt.preset_bindings b JOIN rt.presets p ON p.id = b.preset_id
    WHERE b.scope = 'global'
      AND (b.expires_at IS NULL OR b.expires_at > at)
    ORDER BY b.created_at DESC, b.id DESC LIMIT 1;
    IF _resolve_params_plpgsql.chat_id IS NOT NULL THEN
        SELECT p.* INTO c FROM rt.preset_bindings b JOIN rt.presets p ON p.id = b.preset_id
        WHERE b.scope = 'chat' AND b.chat_id = _resolve_params_plpgsql.chat_id
          AND (b.expires_at IS NULL OR b.expires_at > at)
        ORDER BY b.created_at DESC, b.id DESC LIMIT 1;
    END IF;
    IF _resolve_params_plpgsql.user_id IS NOT NULL THEN
        SELECT p.* INTO u FROM rt.preset_bindings b JOIN rt.presets p ON p.id = b.preset_id
        WHERE b.scope = 'user' AND b.user_id = _resolve_params_plpgsql.user_id
          AND (b.expires_at IS NULL OR b.expires_at > at)
        ORDER BY b.created_at DESC, b.id DESC LIMIT 1;
    END IF;
    IF _resolve_params_plpgsql.chat_id IS NOT NULL AND _resolve_params_plpgsql.user_id IS NOT NULL THEN
        SELECT p.* INTO cu FROM rt.preset_bindings b JOIN rt.presets p ON p.id = b.preset_id
        WHERE b.scope = 'chat_user' AND b.chat_id = _resolve_params_plpgsql.chat_id
          AND b.user_id = _resolve_params_plpgsql.user_id
          AND (b.expires_at IS NULL OR b.expires_at > at)
        ORDER BY b.created_at DESC, b.id DESC LIMIT 1;
    END IF;
    IF override IS NOT NULL AND jsonb_typeof(override) <> 'null' THEN
        IF jsonb_typeof(override) = 'object' AND override ? 'preset_id' THEN
            IF (SELECT count(*) FROM jsonb_object_keys(override)) > 1 THEN
                PERFORM rt._field_error('override', 'must be either {"preset_id": N} or a params subset');
            END IF;
            SELECT p.* INTO o FROM rt.presets p
            WHERE p.id = rt._body_int(override, 'preset_id', 1, 9223372036854775807);
            IF NOT FOUND THEN
                RAISE EXCEPTION 'preset % does not exist', override->'preset_id'
                    USING ERRCODE = 'P0002', COLUMN = 'override.preset_id';
            END IF;
        ELSE
            ov := jsonb_strip_nulls(rt._preset_fields(override, 'override.', false, true));
        END IF;
    END IF;
    RETURN jsonb_build_object(
        'temperature', coalesce(ov->'temperature', to_jsonb(o.temperature), to_jsonb(cu.temperature),
                                to_jsonb(u.temperature), to_jsonb(c.temperature), to_jsonb(g.temperature),
                                d->'temperature'),
        'max_tokens', coalesce(ov->'max_tokens', to_jsonb(o.max_tokens), to_jsonb(cu.max_tokens),
                               to_jsonb(u.max_tokens), to_jsonb(c.max_tokens), to_jsonb(g.max_tokens),
                               d->'max_tokens'),
        'tone', coalesce(ov->'tone', to_jsonb(o.tone), to_jsonb(cu.tone), to_jsonb(u.tone),
                         to_jsonb(c.tone), to_jsonb(g.tone), d->'tone'),
        'verbosity', coalesce(ov->'verbosity', to_jsonb(o.verbosity), to_jsonb(cu.verbosity),
                              to_jsonb(u.verbosity), to_jsonb(c.verbosity), to_jsonb(g.verbosity),
                              d->'verbosity'),
        'emotional_intensity', coalesce(ov->'emotional_intensity', to_jsonb(o.emotional_intensity),
                                        to_jsonb(cu.emotional_intensity), to_jsonb(u.emotional_intensity),
                                        to_jsonb(c.emotional_intensity), to_jsonb(g.emotional_intensity),
                                        d->'emotional_intensity'),
        'persona', coalesce(ov->'persona', to_jsonb(o.persona), to_jsonb(cu.persona),
                            to_jsonb(u.persona), to_jsonb(c.persona), to_jsonb(g.persona), d->'persona'));
END
$$;
COMMENT ON FUNCTION rt._resolve_params_plpgsql(bigint, bigint, timestamptz, jsonb) IS 'internal: rt.resolve_params in PL/pgSQL, the executable spec and benchmark baseline (same rules, same result)';

CREATE FUNCTION rt._system_prompt(params jsonb) RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT concat_ws(E'\n\n',
        nullif(btrim(params->>'persona'), ''),
        concat_ws(' ',
            CASE params->>'tone'
                WHEN 'formal' THEN 'Use a formal register.'
                WHEN 'friendly' THEN 'Use a friendly, warm, informal register.'
                WHEN 'neutral' THEN 'Use a neutral, matter-of-fact register.'
                WHEN 'aggressive' THEN 'Use a blunt, confrontational register, but never insult, threaten or harass anyone.'
            END,
            CASE params->>'verbosity'
                WHEN 'short' THEN 'Answer briefly, in at most three sentences.'
                WHEN 'detailed' THEN 'Answer in detail, explaining your reasoning and giving examples where they help.'
            END,
            CASE
                WHEN (params->>'emotional_intensity')::int <= 10 THEN 'Stay calm and unemotional; state things plainly.'
                WHEN (params->>'emotional_intensity')::int <= 35 THEN 'Keep emotion restrained; a light touch of warmth is fine.'
                WHEN (params->>'emotional_intensity')::int <= 65 THEN 'Show a moderate, natural amount of emotion.'
                WHEN (params->>'emotional_intensity')::int <= 90 THEN 'Be expressive and let your feelings show clearly.'
                WHEN (params->>'emotional_intensity')::int <= 100 THEN 'Be intensely emotional and passionate in every reply.'
            END,
            'Reply in the language of the user.'))
$$;
COMMENT ON FUNCTION rt._system_prompt(jsonb) IS 'internal: the system prompt for complete params: persona, then one sentence each for tone, verbosity and emotional intensity (0-10, 11-35, 36-65, 66-90, 91-100), then "Reply in the language of the user."';

CREATE FUNCTION rt.explain_params(body jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    keys constant text[] := ARRAY['temperature', 'max_tokens', 'tone', 'verbosity', 'emotional_intensity', 'persona'];
    f_chat bigint;
    f_user bigint;
    f_at timestamptz;
    f_provider text;
    d jsonb;
    ov jsonb;
    o rt.presets;
    params jsonb;
    sources jsonb;
BEGIN
    PERFORM rt.require_role('viewer');
    PERFORM rt._known_keys(body, ARRAY['chat_id', 'user_id', 'at', 'override', 'provider', 'messages']);
    f_chat := rt._body_int(body, 'chat_id', -9223372036854775807, 9223372036854775807);
    f_user := rt._body_int(body, 'user_id', -9223372036854775807, 9223372036854775807);
    f_at := coalesce(rt._filter_time(body, 'at'), now());
    IF body ? 'provider' AND jsonb_typeof(body->'provider') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('provider', 'must be a string');
    END IF;
    f_provider := coalesce(body->>'provider', 'openai');

    SELECT s.value INTO d FROM rt.settings s WHERE s.key = 'preset.defaults';
    d := '{"temperature":0.7,"max_tokens":512,"tone":"neutral","verbosity":"short","emotional_intensity":50,"persona":""}'::jsonb
         || coalesce(d, '{}');
    ov := body->'override';
    IF ov IS NOT NULL AND jsonb_typeof(ov) <> 'null' THEN
        IF jsonb_typeof(ov) = 'object' AND ov ? 'preset_id' THEN
            IF (SELECT count(*) FROM jsonb_object_keys(ov)) > 1 THEN
                PERFORM rt._field_error('override', 'must be either {"preset_id": N} or a params subset');
            END IF;
            SELECT p.* INTO o FROM rt.presets p
            WHERE p.id = rt._body_int(ov, 'preset_id', 1, 9223372036854775807);
            IF NOT FOUND THEN
                RAISE EXCEPTION 'preset % does not exist', ov->'preset_id'
                    USING ERRCODE = 'P0002', COLUMN = 'override.preset_id';
            END IF;
            ov := jsonb_strip_nulls(jsonb_build_object(
                'temperature', o.temperature, 'max_tokens', o.max_tokens, 'tone', o.tone,
                'verbosity', o.verbosity, 'emotional_intensity', o.emotional_intensity, 'persona', o.persona));
        ELSE
            ov := jsonb_strip_nulls(rt._preset_fields(ov, 'override.', false, true));
        END IF;
    ELSE
        ov := NULL;
    END IF;

    WITH layers (rank, layer, binding_id, preset_id, preset_name, expires_at, vals) AS (
        SELECT 0, 'defaults', NULL::bigint, NULL::bigint, NULL::text, NULL::timestamptz, d
        UNION ALL
        SELECT l.rank, l.layer, b.id, p.id, p.name, b.expires_at,
               jsonb_strip_nulls(jsonb_build_object(
                   'temperature', p.temperature, 'max_tokens', p.max_tokens, 'tone', p.tone,
                   'verbosity', p.verbosity, 'emotional_intensity', p.emotional_intensity,
                   'persona', p.persona))
        FROM (VALUES (1, 'global'), (2, 'chat'), (3, 'user'), (4, 'chat_user')) l (rank, layer)
        CROSS JOIN LATERAL (
            SELECT b.* FROM rt.preset_bindings b
            WHERE b.scope = l.layer
              AND b.chat_id IS NOT DISTINCT FROM CASE WHEN l.layer IN ('chat', 'chat_user') THEN f_chat END
              AND b.user_id IS NOT DISTINCT FROM CASE WHEN l.layer IN ('user', 'chat_user') THEN f_user END
              AND (b.expires_at IS NULL OR b.expires_at > f_at)
            ORDER BY b.created_at DESC, b.id DESC
            LIMIT 1) b
        JOIN rt.presets p ON p.id = b.preset_id
        UNION ALL
        SELECT 5, 'override', NULL, o.id, o.name, NULL, ov WHERE ov IS NOT NULL)
    SELECT jsonb_object_agg(k, w.vals->k),
           jsonb_object_agg(k, jsonb_build_object('layer', w.layer, 'preset_id', w.preset_id,
                                                  'preset_name', w.preset_name, 'binding_id', w.binding_id,
                                                  'expires_at', w.expires_at))
    INTO params, sources
    FROM unnest(keys) k
    CROSS JOIN LATERAL (SELECT * FROM layers x WHERE x.vals ? k ORDER BY x.rank DESC LIMIT 1) w;

    RETURN jsonb_build_object(
        'params', params,
        'sources', sources,
        'request', rt.compile_request(params, f_provider,
                       coalesce(nullif(body->'messages', 'null'), '[{"role":"user","content":"Hello!"}]')));
END
$$;
COMMENT ON FUNCTION rt.explain_params(jsonb) IS 'The params rt.resolve_params would return for {chat_id, user_id, at, override}, the layer, preset and binding each came from, and the request compiled for body.provider (default openai) and body.messages (default one sample user message)';

CREATE TRIGGER presets_cache_invalidate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rt.presets
    FOR EACH STATEMENT EXECUTE FUNCTION rt._preset_cache_invalidate();
COMMENT ON TRIGGER presets_cache_invalidate ON rt.presets IS 'drops rt.resolve_params caches';

CREATE TRIGGER preset_bindings_cache_invalidate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rt.preset_bindings
    FOR EACH STATEMENT EXECUTE FUNCTION rt._preset_cache_invalidate();
COMMENT ON TRIGGER preset_bindings_cache_invalidate ON rt.preset_bindings IS 'drops rt.resolve_params caches';

CREATE TRIGGER settings_preset_cache_invalidate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rt.settings
    FOR EACH STATEMENT EXECUTE FUNCTION rt._preset_cache_invalidate();
COMMENT ON TRIGGER settings_preset_cache_invalidate ON rt.settings IS 'drops rt.resolve_params caches (preset.defaults)';
