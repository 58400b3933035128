-- roundtable 0.5.0, part 20: the paging/filter opening every list function shares
-- (rt._page_filter), round-table personalities (CRUD for the console) and the provider's
-- personality (Provider.personality_id). docs/design/contract-roundtable.md is the contract.

-- ---------------------------------------------------------------------------
-- The paging/filter opening of list functions
-- ---------------------------------------------------------------------------

-- Every rt.list_* until 0.4.0 opened with the same twenty lines: known filter keys, q a string of
-- at most 200 characters, limit 1..200 (default 50), cursor a string decoded against the list's
-- own pattern, and the ILIKE pattern of q. New lists (sessions, providers, personalities) call
-- this instead.
CREATE TYPE rt.page_filter AS (
    filter   jsonb,    -- the filter object itself ({} for null), its keys checked
    q        text,     -- the search text as given (null when absent or null)
    like_pat text,     -- '%q%' with \, % and _ escaped for ILIKE; null when q is null or empty
    lim      int,      -- 1..200, default 50
    cursor   text[]    -- the capture groups of cursor_pattern in the decoded cursor; null without a cursor
);
COMMENT ON TYPE rt.page_filter IS 'internal: the validated opening of a list filter (rt._page_filter)';

CREATE FUNCTION rt._page_filter(filter jsonb, extra text[], cursor_pattern text) RETURNS rt.page_filter
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    r rt.page_filter;
    lim bigint;
BEGIN
    r.filter := rt._known_keys(filter, ARRAY['q'] || coalesce(extra, '{}') || ARRAY['cursor', 'limit'], 'filter field');
    IF r.filter ? 'q' AND jsonb_typeof(r.filter -> 'q') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('q', 'must be a string');
    END IF;
    r.q := r.filter ->> 'q';
    IF length(r.q) > 200 THEN
        PERFORM rt._field_error('q', 'must be at most 200 characters');
    END IF;
    lim := coalesce(rt._filter_int(r.filter, 'limit'), 50);
    IF lim NOT BETWEEN 1 AND 200 THEN
        PERFORM rt._field_error('limit', 'must be between 1 and 200');
    END IF;
    r.lim := lim;
    IF r.filter ? 'cursor' AND jsonb_typeof(r.filter -> 'cursor') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('cursor', 'must be a string');
    END IF;
    IF r.filter ->> 'cursor' IS NOT NULL THEN
        r.cursor := rt._cursor_decode(r.filter ->> 'cursor', cursor_pattern);
    END IF;
    IF r.q <> '' THEN
        r.like_pat := '%' || replace(replace(replace(r.q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    END IF;
    RETURN r;
END
$$;
COMMENT ON FUNCTION rt._page_filter(jsonb, text[], text) IS 'internal: the shared opening of list functions: filter keys q, cursor, limit and the list''s own extra keys (else 22023 unknown filter field), q a string of at most 200 characters, limit 1..200 (default 50), cursor a string whose decoded text matches cursor_pattern (its capture groups returned); 22023 naming the field otherwise. Returns rt.page_filter (filter, q, like_pat, lim, cursor)';

-- providers: the same list on the shared opening (behaviour unchanged)
CREATE OR REPLACE FUNCTION rt.list_providers(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    pf rt.page_filter;
    f_enabled boolean;
    items jsonb;
    more boolean;
BEGIN
    PERFORM rt.require_role('viewer');
    pf := rt._page_filter(filter, ARRAY['enabled'], '^pv:([0-9]{1,4}):([0-9]{1,19})$');
    IF pf.filter ? 'enabled' THEN
        IF jsonb_typeof(pf.filter -> 'enabled') = 'boolean' THEN
            f_enabled := (pf.filter -> 'enabled')::text::boolean;
        ELSIF jsonb_typeof(pf.filter -> 'enabled') = 'string' AND pf.filter ->> 'enabled' IN ('true', 'false') THEN
            f_enabled := (pf.filter ->> 'enabled')::boolean;
        ELSIF jsonb_typeof(pf.filter -> 'enabled') <> 'null' THEN
            PERFORM rt._field_error('enabled', 'must be true or false');
        END IF;
    END IF;

    WITH page AS (
        SELECT p, row_number() OVER (ORDER BY p.position, p.id) AS n
        FROM rt.providers p
        WHERE (pf.cursor IS NULL OR (p.position, p.id) > (pf.cursor[1]::int, pf.cursor[2]::bigint))
          AND (f_enabled IS NULL OR p.enabled = f_enabled)
          AND (pf.like_pat IS NULL OR p.name ILIKE pf.like_pat OR p.model_id ILIKE pf.like_pat
               OR p.type ILIKE pf.like_pat)
        ORDER BY p.position, p.id
        LIMIT pf.lim + 1)
    SELECT coalesce(jsonb_agg(rt._provider_json(x.p) ORDER BY x.n) FILTER (WHERE x.n <= pf.lim), '[]'),
           count(*) > pf.lim
    INTO items, more
    FROM page x;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode(format('pv:%s:%s', items -> (pf.lim - 1) ->> 'position',
                                                     items -> (pf.lim - 1) ->> 'id')) END);
END
$$;

-- ---------------------------------------------------------------------------
-- Personalities
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt._personality_json(p rt.personalities) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object('id', p.id, 'title', p.title, 'instructions', p.instructions, 'style', p.style,
                              'version', p.version, 'created_at', p.created_at, 'updated_at', p.updated_at)
$$;
COMMENT ON FUNCTION rt._personality_json(rt.personalities) IS 'internal: a personality as the OpenAPI Personality object';

-- cur with the fields present in body applied, validated whole; the read-only keys of the
-- Personality object are accepted and ignored, so a GET result can be sent back
CREATE FUNCTION rt._personality_apply(cur rt.personalities, body jsonb) RETURNS rt.personalities
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    IF body IS NULL OR jsonb_typeof(body) <> 'object' THEN
        PERFORM rt._field_error('body', 'must be a json object');
    END IF;
    PERFORM rt._known_keys(body, ARRAY['title', 'instructions', 'style', 'version', 'id', 'created_at', 'updated_at']);
    IF body ? 'title' THEN
        IF jsonb_typeof(body -> 'title') IS DISTINCT FROM 'string' THEN
            PERFORM rt._field_error('title', 'must be a string of 1 to 100 characters');
        END IF;
        cur.title := btrim(body ->> 'title');
        IF length(cur.title) NOT BETWEEN 1 AND 100 THEN
            PERFORM rt._field_error('title', 'must be a string of 1 to 100 characters');
        END IF;
        IF cur.title ~ '[[:cntrl:]]' THEN
            PERFORM rt._field_error('title', 'must not contain control characters');
        END IF;
    END IF;
    IF cur.title IS NULL THEN
        PERFORM rt._field_error('title', 'is required');
    END IF;
    IF body ? 'instructions' THEN
        cur.instructions := coalesce(rt._body_text(body, 'instructions', 0, 4000), '');
    END IF;
    IF body ? 'style' THEN
        cur.style := coalesce(rt._body_text(body, 'style', 0, 1000), '');
    END IF;
    IF cur.instructions ~ E'[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]' THEN
        PERFORM rt._field_error('instructions', 'must not contain control characters other than line breaks and tabs');
    END IF;
    IF cur.style ~ E'[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]' THEN
        PERFORM rt._field_error('style', 'must not contain control characters other than line breaks and tabs');
    END IF;
    RETURN cur;
END
$$;
COMMENT ON FUNCTION rt._personality_apply(rt.personalities, jsonb) IS 'internal: applies and validates a PersonalityCreate/PersonalityUpdate body (title 1..100 characters trimmed, instructions 0..4000, style 0..1000); 22023 naming the field';

CREATE FUNCTION rt._personality_title_clash(title text, except_id bigint DEFAULT NULL) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    IF EXISTS (SELECT FROM rt.personalities p WHERE lower(p.title) = lower(_personality_title_clash.title)
               AND p.id IS DISTINCT FROM except_id) THEN
        RAISE EXCEPTION 'personality title "%" already exists', title USING ERRCODE = '23505', COLUMN = 'title';
    END IF;
END
$$;
COMMENT ON FUNCTION rt._personality_title_clash(text, bigint) IS 'internal: 23505 naming title when another personality has this title (case-insensitive)';

CREATE FUNCTION rt.list_personalities(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    pf rt.page_filter;
    after_title text;
    after_id bigint;
    items jsonb;
    more boolean;
BEGIN
    PERFORM rt.require_role('viewer');
    pf := rt._page_filter(filter, '{}', '^ps:([0-9]{1,19})$');
    IF pf.cursor IS NOT NULL THEN
        -- the keyset is (lower(title), id); the cursor names the last row, whose title is read back
        after_id := pf.cursor[1]::bigint;
        SELECT lower(p.title) INTO after_title FROM rt.personalities p WHERE p.id = after_id;
        IF after_title IS NULL THEN
            RAISE EXCEPTION 'invalid cursor: the personality it points at was deleted' USING ERRCODE = '22023',
                COLUMN = 'cursor', HINT = 'Reload the list from the start.';
        END IF;
    END IF;

    WITH page AS (
        SELECT p, row_number() OVER (ORDER BY lower(p.title), p.id) AS n
        FROM rt.personalities p
        WHERE (after_id IS NULL OR (lower(p.title), p.id) > (after_title, after_id))
          AND (pf.like_pat IS NULL OR p.title ILIKE pf.like_pat OR p.instructions ILIKE pf.like_pat
               OR p.style ILIKE pf.like_pat)
        ORDER BY lower(p.title), p.id
        LIMIT pf.lim + 1)
    SELECT coalesce(jsonb_agg(rt._personality_json(x.p) ORDER BY x.n) FILTER (WHERE x.n <= pf.lim), '[]'),
           count(*) > pf.lim
    INTO items, more
    FROM page x;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode('ps:' || (items -> (pf.lim - 1) ->> 'id')) END);
END
$$;
COMMENT ON FUNCTION rt.list_personalities(jsonb) IS 'GET /api/personalities: personalities by title (case-insensitive), then id; filter q (title, instructions or style, case-insensitive), cursor, limit 1..200 (default 50). Returns {"items":[Personality],"next_cursor"} (viewer)';

CREATE FUNCTION rt.get_personality(id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    p rt.personalities;
BEGIN
    PERFORM rt.require_role('viewer');
    SELECT * INTO p FROM rt.personalities WHERE personalities.id = get_personality.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'personality % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    RETURN rt._personality_json(p);
END
$$;
COMMENT ON FUNCTION rt.get_personality(bigint) IS 'GET /api/personalities/{id}: one personality; P0002 when unknown (viewer)';

CREATE FUNCTION rt.create_personality(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    p rt.personalities;
BEGIN
    PERFORM rt.require_role('admin');
    p.instructions := '';
    p.style := '';
    p := rt._personality_apply(p, body);
    PERFORM rt._personality_title_clash(p.title);
    INSERT INTO rt.personalities (title, instructions, style)
    VALUES (p.title, p.instructions, p.style)
    RETURNING * INTO p;
    RETURN rt._personality_json(p);
EXCEPTION WHEN unique_violation THEN
    -- a concurrent create of the same title won the race
    RAISE EXCEPTION 'personality title "%" already exists', p.title USING ERRCODE = '23505', COLUMN = 'title';
END
$$;
COMMENT ON FUNCTION rt.create_personality(jsonb) IS 'POST /api/personalities: {title, instructions, style} -> Personality (admin); 22023 naming a bad field, 23505 (column title) when the title is taken regardless of case';

CREATE FUNCTION rt.update_personality(id bigint, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    want_version bigint;
    p rt.personalities;
    n rt.personalities;
BEGIN
    PERFORM rt.require_role('admin');
    IF jsonb_typeof(body) = 'object' THEN
        want_version := rt._body_int(body, 'version', 1, 2147483647);
    END IF;
    SELECT * INTO p FROM rt.personalities WHERE personalities.id = update_personality.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'personality % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    IF want_version IS NOT NULL AND want_version <> p.version THEN
        RAISE EXCEPTION 'personality % was changed by someone else', id USING ERRCODE = '40001', COLUMN = 'version',
            DETAIL = format('The request is based on version %s; the current version is %s.', want_version, p.version),
            HINT = 'Reload the personality and apply the change again.';
    END IF;
    n := rt._personality_apply(p, body);
    IF lower(n.title) IS DISTINCT FROM lower(p.title) THEN
        PERFORM rt._personality_title_clash(n.title, p.id);
    END IF;
    IF (n.title, n.instructions, n.style) IS DISTINCT FROM (p.title, p.instructions, p.style) THEN
        UPDATE rt.personalities SET title = n.title, instructions = n.instructions, style = n.style,
                                    version = version + 1, updated_at = now()
        WHERE personalities.id = p.id
        RETURNING * INTO p;
    END IF;
    RETURN rt._personality_json(p);
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'personality title "%" already exists', n.title USING ERRCODE = '23505', COLUMN = 'title';
END
$$;
COMMENT ON FUNCTION rt.update_personality(bigint, jsonb) IS 'PATCH /api/personalities/{id}: changes the fields present, bumps version (admin); stale body.version -> 40001, unknown id -> P0002, a taken title -> 23505. Sessions already started keep their copy';

CREATE FUNCTION rt.delete_personality(id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt.require_role('admin');
    DELETE FROM rt.personalities WHERE personalities.id = delete_personality.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'personality % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
END
$$;
COMMENT ON FUNCTION rt.delete_personality(bigint) IS 'DELETE /api/personalities/{id}: deletes a personality; providers that spoke with it speak without one (ON DELETE SET NULL), sessions keep their copy (admin); P0002 when unknown';

-- ---------------------------------------------------------------------------
-- The provider's personality
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION rt._provider_json(p rt.providers) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'name', p.name, 'type', p.type, 'base_url', p.base_url, 'model_id', p.model_id,
        'params', p.params, 'enabled', p.enabled, 'position', p.position,
        'has_key', p.api_key_enc IS NOT NULL, 'api_key_hint', p.api_key_hint, 'demo', p.type = 'demo',
        'prices', (SELECT CASE WHEN pp.id IS NOT NULL AND num_nonnulls(pp.input_per_m, pp.cached_input_per_m, pp.output_per_m) > 0
                               THEN jsonb_build_object('input_per_m', coalesce(pp.input_per_m, 0),
                                                       'cached_input_per_m', coalesce(pp.cached_input_per_m, 0),
                                                       'output_per_m', coalesce(pp.output_per_m, 0),
                                                       'effective_from', pp.effective_from) END
                   FROM rt._price_at(p.id, now()) pp),
        'personality_id', p.personality_id,
        'version', p.version, 'created_at', p.created_at, 'updated_at', p.updated_at)
$$;
COMMENT ON FUNCTION rt._provider_json(rt.providers) IS 'internal: a provider as the OpenAPI Provider object, with the prices in effect now ({input_per_m, cached_input_per_m, output_per_m, effective_from}, a null price as 0; null when none) and personality_id; never api_key_enc';

-- 0.3.0's body rules stay as they are; personality_id is applied around them
ALTER FUNCTION rt._provider_apply(rt.providers, jsonb) RENAME TO _provider_apply_0_3;
COMMENT ON FUNCTION rt._provider_apply_0_3(rt.providers, jsonb) IS 'internal: the ProviderInput rules of 0.3.0 (rt._provider_apply calls it for every field but personality_id)';

CREATE FUNCTION rt._provider_apply(cur rt.providers, body jsonb) RETURNS rt.providers
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    pid bigint;
BEGIN
    IF body IS NULL OR jsonb_typeof(body) <> 'object' THEN
        PERFORM rt._field_error('body', 'must be a json object');
    END IF;
    IF body ? 'personality_id' THEN
        pid := rt._body_int(body, 'personality_id', 1, 9223372036854775807);
        IF pid IS NOT NULL AND NOT EXISTS (SELECT FROM rt.personalities x WHERE x.id = pid) THEN
            RAISE EXCEPTION 'personality % does not exist', pid USING ERRCODE = 'P0002', COLUMN = 'personality_id';
        END IF;
    END IF;
    cur := rt._provider_apply_0_3(cur, body - 'personality_id');
    IF body ? 'personality_id' THEN
        cur.personality_id := pid;
    END IF;
    RETURN cur;
END
$$;
COMMENT ON FUNCTION rt._provider_apply(rt.providers, jsonb) IS 'internal: applies and validates a ProviderInput body (22023 naming the field; a plain api_key is refused; personality_id null or an existing personality, else P0002 naming personality_id); base_url defaults per type, null for demo';

CREATE OR REPLACE FUNCTION rt.create_provider(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    p rt.providers;
    prices jsonb;
BEGIN
    PERFORM rt.require_role('admin');
    p.params := '{}';
    p.enabled := false;
    p.position := 0;
    p := rt._provider_apply(p, body);
    prices := rt._provider_prices_body(body);
    PERFORM rt._provider_name_clash(p.name);
    INSERT INTO rt.providers (name, type, base_url, model_id, params, api_key_enc, api_key_hint, enabled, position,
                              personality_id)
    VALUES (p.name, p.type, p.base_url, p.model_id, p.params, p.api_key_enc, p.api_key_hint, p.enabled, p.position,
            p.personality_id)
    RETURNING * INTO p;
    PERFORM rt._provider_set_prices(p.id, prices);
    RETURN rt._provider_json(p);
EXCEPTION WHEN unique_violation THEN
    -- a concurrent create of the same name won the race
    RAISE EXCEPTION 'provider name "%" already exists', p.name USING ERRCODE = '23505', COLUMN = 'name';
END
$$;
COMMENT ON FUNCTION rt.create_provider(jsonb) IS 'POST /api/providers: {name, type, base_url, model_id, params, enabled, position, prices, api_key_enc, api_key_hint, personality_id} -> Provider (admin); 22023 naming a bad field (a plain api_key included), P0002 for an unknown personality_id, 23505 on a name clash';

CREATE OR REPLACE FUNCTION rt.update_provider(id bigint, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    want_version bigint;
    p rt.providers;
    n rt.providers;
    prices jsonb;
    repriced boolean;
BEGIN
    PERFORM rt.require_role('admin');
    IF jsonb_typeof(body) = 'object' THEN
        want_version := rt._body_int(body, 'version', 1, 2147483647);
    END IF;
    SELECT * INTO p FROM rt.providers WHERE providers.id = update_provider.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'provider % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    IF want_version IS NOT NULL AND want_version <> p.version THEN
        RAISE EXCEPTION 'provider % was changed by someone else', id USING ERRCODE = '40001', COLUMN = 'version',
            DETAIL = format('The request is based on version %s; the current version is %s.', want_version, p.version),
            HINT = 'Reload the provider and apply the change again.';
    END IF;
    n := rt._provider_apply(p, body);
    prices := rt._provider_prices_body(body);
    IF n.name IS DISTINCT FROM p.name THEN
        PERFORM rt._provider_name_clash(n.name, p.id);
    END IF;
    repriced := rt._provider_set_prices(p.id, prices);
    IF repriced OR (n.name, n.type, n.base_url, n.model_id, n.params, n.api_key_enc, n.api_key_hint, n.enabled, n.position,
                    n.personality_id)
                   IS DISTINCT FROM (p.name, p.type, p.base_url, p.model_id, p.params, p.api_key_enc, p.api_key_hint, p.enabled,
                                     p.position, p.personality_id) THEN
        UPDATE rt.providers SET
            name = n.name, type = n.type, base_url = n.base_url, model_id = n.model_id, params = n.params,
            api_key_enc = n.api_key_enc, api_key_hint = n.api_key_hint, enabled = n.enabled,
            position = n.position, personality_id = n.personality_id, version = version + 1, updated_at = now()
        WHERE providers.id = p.id
        RETURNING * INTO p;
    END IF;
    RETURN rt._provider_json(p);
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'provider name "%" already exists', n.name USING ERRCODE = '23505', COLUMN = 'name';
END
$$;
COMMENT ON FUNCTION rt.update_provider(bigint, jsonb) IS 'PUT /api/providers/{id}: changes the fields present (prices add a row effective now; clear_key drops the key; personality_id null or an existing personality, else P0002), bumps version (admin); stale body.version -> 40001, unknown id -> P0002';
