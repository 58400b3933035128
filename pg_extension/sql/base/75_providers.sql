-- roundtable base, providers: LLM providers, prices and model requests

-- the price row in effect at a time: the greatest effective_from <= at (ties: the newest row)
CREATE FUNCTION rt._price_at(provider_id bigint, at timestamptz) RETURNS rt.provider_prices
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT pp.* FROM rt.provider_prices pp
    WHERE pp.provider_id = _price_at.provider_id AND pp.effective_from <= _price_at.at
    ORDER BY pp.effective_from DESC, pp.id DESC
    LIMIT 1
$$;
COMMENT ON FUNCTION rt._price_at(bigint, timestamptz) IS 'internal: the price row of a provider in effect at a time (greatest effective_from <= at), or a null row';

CREATE FUNCTION rt._provider_json(p rt.providers) RETURNS jsonb
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

CREATE FUNCTION rt._provider_default_url(type text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE type
        WHEN 'openai' THEN 'https://api.openai.com/v1'
        WHEN 'deepseek' THEN 'https://api.deepseek.com'
        WHEN 'anthropic' THEN 'https://api.anthropic.com/v1'
    END
$$;
COMMENT ON FUNCTION rt._provider_default_url(text) IS 'internal: the API root of a provider type when the body names none (null for demo and openai_compatible)';

-- cur with the fields present in body applied, validated whole. Read-only keys of the Provider
-- object are accepted and ignored, so a GET result can be sent back.
CREATE FUNCTION rt._provider_apply_0_3(cur rt.providers, body jsonb) RETURNS rt.providers
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    old_type text := cur.type;
    url text;
    k text;
BEGIN
    IF body IS NULL OR jsonb_typeof(body) <> 'object' THEN
        PERFORM rt._field_error('body', 'must be a json object');
    END IF;
    -- the REST field api_key is the edge's to encrypt: a plain key must never be stored
    IF body ? 'api_key' THEN
        PERFORM rt._field_error('api_key', 'must not reach the database: send api_key_enc (a Fernet token made by the edge) and api_key_hint, or clear_key');
    END IF;
    body := rt._known_keys(body, ARRAY['name', 'type', 'base_url', 'model_id', 'params', 'enabled', 'position',
                                       'prices', 'api_key_enc', 'api_key_hint', 'clear_key', 'version',
                                       'id', 'has_key', 'demo', 'created_at', 'updated_at']);
    IF body ? 'name' THEN
        IF jsonb_typeof(body -> 'name') IS DISTINCT FROM 'string' THEN
            PERFORM rt._field_error('name', 'must be a string of 1 to 100 characters');
        END IF;
        cur.name := btrim(body ->> 'name');
        IF length(cur.name) NOT BETWEEN 1 AND 100 THEN
            PERFORM rt._field_error('name', 'must be a string of 1 to 100 characters');
        END IF;
        IF cur.name ~ '[[:cntrl:]]' THEN
            PERFORM rt._field_error('name', 'must not contain control characters');
        END IF;
    END IF;
    IF cur.name IS NULL THEN
        PERFORM rt._field_error('name', 'is required');
    END IF;
    IF body ? 'type' THEN
        IF jsonb_typeof(body -> 'type') IS DISTINCT FROM 'string'
           OR body ->> 'type' NOT IN ('openai', 'deepseek', 'openai_compatible', 'anthropic', 'demo') THEN
            PERFORM rt._field_error('type', 'must be one of openai, deepseek, openai_compatible, anthropic, demo');
        END IF;
        cur.type := body ->> 'type';
    END IF;
    IF cur.type IS NULL THEN
        PERFORM rt._field_error('type', 'is required');
    END IF;
    IF body ? 'base_url' AND jsonb_typeof(body -> 'base_url') <> 'null' THEN
        IF jsonb_typeof(body -> 'base_url') <> 'string' THEN
            PERFORM rt._field_error('base_url', 'must be an http or https URL of at most 500 characters');
        END IF;
        url := rtrim(btrim(body ->> 'base_url'), '/');
        -- no user:password@ (a secret in plain text), no query or fragment (endpoints are appended)
        IF length(url) > 500
           OR url !~ '^https?://([A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?(/[^[:space:][:cntrl:]?#]*)?$' THEN
            PERFORM rt._field_error('base_url', 'must be an http or https URL of at most 500 characters');
        END IF;
        cur.base_url := url;
    ELSIF body ? 'base_url' OR cur.type IS DISTINCT FROM old_type THEN
        -- null, absent on create, or a new type without a URL: the type's own API root
        cur.base_url := CASE WHEN cur.type = 'openai_compatible' AND NOT body ? 'base_url' THEN cur.base_url
                             ELSE rt._provider_default_url(cur.type) END;
    END IF;
    IF cur.type = 'demo' THEN
        cur.base_url := NULL;
    ELSIF cur.base_url IS NULL THEN
        IF cur.type = 'openai_compatible' THEN
            PERFORM rt._field_error('base_url', 'is required for type openai_compatible');
        END IF;
        cur.base_url := rt._provider_default_url(cur.type);
    END IF;
    IF body ? 'model_id' THEN
        cur.model_id := rt._body_text(body, 'model_id', 1, 200);
        IF btrim(cur.model_id) = '' OR cur.model_id ~ '[[:cntrl:]]' THEN
            PERFORM rt._field_error('model_id', 'must be a string of 1 to 200 characters');
        END IF;
    END IF;
    IF cur.model_id IS NULL THEN
        PERFORM rt._field_error('model_id', 'must be a string of 1 to 200 characters');
    END IF;
    IF body ? 'params' THEN
        IF jsonb_typeof(body -> 'params') = 'null' THEN
            cur.params := '{}';
        ELSIF jsonb_typeof(body -> 'params') <> 'object' OR octet_length((body -> 'params')::text) > 8000 THEN
            PERFORM rt._field_error('params', 'must be an object of at most 8000 bytes');
        ELSE
            -- the request's own structure is roundtable's: a provider adds fields, never replaces these
            FOREACH k IN ARRAY ARRAY['messages', 'model', 'stream', 'stream_options', 'system'] LOOP
                IF body -> 'params' ? k THEN
                    PERFORM rt._field_error('params.' || k, 'is set by roundtable for every request');
                END IF;
            END LOOP;
            cur.params := body -> 'params';
        END IF;
    END IF;
    IF body ? 'enabled' THEN
        cur.enabled := coalesce(rt._body_flag(body, 'enabled'), false);
    END IF;
    IF body ? 'position' THEN
        cur.position := coalesce(rt._body_int(body, 'position', 0, 1000), 0);
    END IF;
    IF body ? 'clear_key' THEN
        IF rt._body_flag(body, 'clear_key') THEN
            IF body ? 'api_key_enc' AND jsonb_typeof(body -> 'api_key_enc') <> 'null' THEN
                PERFORM rt._field_error('clear_key', 'cannot be combined with api_key_enc');
            END IF;
            cur.api_key_enc := NULL;
            cur.api_key_hint := NULL;
        END IF;
    END IF;
    IF body ? 'api_key_enc' AND jsonb_typeof(body -> 'api_key_enc') <> 'null' THEN
        IF jsonb_typeof(body -> 'api_key_enc') <> 'string' OR length(body ->> 'api_key_enc') NOT BETWEEN 1 AND 4096
           OR body ->> 'api_key_enc' ~ '[[:space:][:cntrl:]]' THEN
            PERFORM rt._field_error('api_key_enc', 'must be an encrypted key (a token of 1 to 4096 characters without spaces)');
        END IF;
        cur.api_key_enc := body ->> 'api_key_enc';
        cur.api_key_hint := rt._body_text(body, 'api_key_hint', 0, 100);
    ELSIF body ? 'api_key_hint' AND jsonb_typeof(body -> 'api_key_hint') <> 'null' THEN
        PERFORM rt._field_error('api_key_hint', 'comes only with api_key_enc');
    END IF;
    RETURN cur;
END
$$;
COMMENT ON FUNCTION rt._provider_apply_0_3(rt.providers, jsonb) IS 'internal: the ProviderInput rules of 0.3.0 (rt._provider_apply calls it for every field but personality_id)';

-- the prices of a body: null when the body names none, else the triple to record (all three
-- numbers, or all null for "prices": null); effective_from of a GET result is ignored
CREATE FUNCTION rt._provider_prices_body(body jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    v jsonb;
    k text;
    result jsonb := '{}';
BEGIN
    IF NOT body ? 'prices' THEN
        RETURN NULL;
    END IF;
    v := body -> 'prices';
    IF jsonb_typeof(v) = 'null' THEN
        RETURN '{"input_per_m": null, "cached_input_per_m": null, "output_per_m": null}';
    END IF;
    IF jsonb_typeof(v) <> 'object' THEN
        PERFORM rt._field_error('prices', 'must be an object {input_per_m, cached_input_per_m, output_per_m} or null');
    END IF;
    PERFORM rt._known_keys(v, ARRAY['input_per_m', 'cached_input_per_m', 'output_per_m', 'effective_from'], 'field', 'prices.');
    FOREACH k IN ARRAY ARRAY['input_per_m', 'cached_input_per_m', 'output_per_m'] LOOP
        IF jsonb_typeof(v -> k) IS DISTINCT FROM 'number' OR (v -> k)::numeric NOT BETWEEN 0 AND 1000000 THEN
            PERFORM rt._field_error('prices.' || k, 'must be a number of USD per 1M tokens between 0 and 1000000');
        END IF;
        result := result || jsonb_build_object(k, v -> k);
    END LOOP;
    RETURN result;
END
$$;
COMMENT ON FUNCTION rt._provider_prices_body(jsonb) IS 'internal: body.prices validated ({input_per_m, cached_input_per_m, output_per_m}, each a number >= 0; prices null = no prices from now on); null when absent';

-- a new price row effective now, unless the prices in effect are the same
CREATE FUNCTION rt._provider_set_prices(provider_id bigint, prices jsonb) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    cur rt.provider_prices := rt._price_at(provider_id, now());
BEGIN
    IF prices IS NULL THEN
        RETURN false;
    END IF;
    IF (cur.id IS NULL AND num_nonnulls(prices ->> 'input_per_m', prices ->> 'cached_input_per_m', prices ->> 'output_per_m') = 0)
       OR (cur.id IS NOT NULL
           AND cur.input_per_m IS NOT DISTINCT FROM (prices ->> 'input_per_m')::numeric
           AND cur.cached_input_per_m IS NOT DISTINCT FROM (prices ->> 'cached_input_per_m')::numeric
           AND cur.output_per_m IS NOT DISTINCT FROM (prices ->> 'output_per_m')::numeric) THEN
        RETURN false;
    END IF;
    INSERT INTO rt.provider_prices (provider_id, input_per_m, cached_input_per_m, output_per_m)
    VALUES (provider_id, (prices ->> 'input_per_m')::numeric, (prices ->> 'cached_input_per_m')::numeric,
            (prices ->> 'output_per_m')::numeric);
    RETURN true;
END
$$;
COMMENT ON FUNCTION rt._provider_set_prices(bigint, jsonb) IS 'internal: records prices as a provider_prices row effective now when they differ from those in effect; returns whether it did';

CREATE FUNCTION rt._provider_name_clash(name text, except_id bigint DEFAULT NULL) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    IF EXISTS (SELECT FROM rt.providers p WHERE lower(p.name) = lower(_provider_name_clash.name)
               AND p.id IS DISTINCT FROM except_id) THEN
        RAISE EXCEPTION 'provider name "%" already exists', name USING ERRCODE = '23505', COLUMN = 'name';
    END IF;
END
$$;
COMMENT ON FUNCTION rt._provider_name_clash(text, bigint) IS 'internal: 23505 when another provider has this name (case-insensitive)';

-- providers: the same list on the shared opening (behaviour unchanged)
CREATE FUNCTION rt.list_providers(filter jsonb DEFAULT '{}') RETURNS jsonb
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
COMMENT ON FUNCTION rt.list_providers(jsonb) IS 'GET /api/providers: providers in order (position, id); filter q (name, model_id or type, case-insensitive), enabled, cursor, limit 1..200 (default 50). Returns {"items":[Provider],"next_cursor"} (viewer)';

CREATE FUNCTION rt.get_provider(id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    p rt.providers;
BEGIN
    PERFORM rt.require_role('viewer');
    SELECT * INTO p FROM rt.providers WHERE providers.id = get_provider.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'provider % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    RETURN rt._provider_json(p);
END
$$;
COMMENT ON FUNCTION rt.get_provider(bigint) IS 'GET /api/providers/{id}: one provider (never its key); P0002 when unknown (viewer)';

CREATE FUNCTION rt.create_provider(body jsonb) RETURNS jsonb
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

CREATE FUNCTION rt.update_provider(id bigint, body jsonb) RETURNS jsonb
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

CREATE FUNCTION rt.delete_provider(id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt.require_role('admin');
    DELETE FROM rt.providers WHERE providers.id = delete_provider.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'provider % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    -- the auto-reply default falls back to the first enabled provider instead of pointing nowhere
    DELETE FROM rt.settings WHERE key = 'autoreply.provider' AND value = to_jsonb(delete_provider.id);
END
$$;
COMMENT ON FUNCTION rt.delete_provider(bigint) IS 'DELETE /api/providers/{id}: deletes a provider and its prices; chats using it and setting autoreply.provider fall back to the default (admin); P0002 when unknown';

CREATE FUNCTION rt.ensure_default_providers(keys jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    seed record;
    k jsonb;
    p rt.providers;
    enc text;
    hint text;
    model text;
    created jsonb := '[]';
    keyed jsonb := '[]';
BEGIN
    PERFORM rt._require_worker('admin');
    keys := rt._known_keys(keys, ARRAY['openai', 'deepseek']);
    PERFORM rt._seed_personalities();
    FOR seed IN
        SELECT * FROM (VALUES
            ('demo', 'demo', NULL, 'demo-1', 100, NULL::numeric, NULL::numeric, NULL::numeric, NULL),
            ('openai', 'openai', 'https://api.openai.com/v1', 'gpt-4o-mini', 1, 0.15, 0.075, 0.60, 'Оптимист'),
            ('deepseek', 'deepseek', 'https://api.deepseek.com', 'deepseek-chat', 2, 0.27, 0.07, 1.10, 'Скептик'))
            AS s (name, type, base_url, model_id, position, input_per_m, cached_input_per_m, output_per_m, personality)
    LOOP
        enc := NULL;
        hint := NULL;
        model := NULL;
        k := keys -> seed.name;
        IF k IS NOT NULL AND jsonb_typeof(k) <> 'null' THEN
            IF jsonb_typeof(k) <> 'object' THEN
                PERFORM rt._field_error(seed.name, 'must be {"enc","hint","model"} or null');
            END IF;
            PERFORM rt._known_keys(k, ARRAY['enc', 'hint', 'model'], 'field', seed.name || '.');
            IF k ? 'enc' AND jsonb_typeof(k -> 'enc') <> 'null' THEN
                IF jsonb_typeof(k -> 'enc') <> 'string' OR length(k ->> 'enc') NOT BETWEEN 1 AND 4096
                   OR k ->> 'enc' ~ '[[:space:][:cntrl:]]' THEN
                    PERFORM rt._field_error(seed.name || '.enc', 'must be an encrypted key (a token of 1 to 4096 characters without spaces)');
                END IF;
                enc := k ->> 'enc';
            ELSIF NOT k ? 'model' THEN
                -- an object brings a key, a model or both
                PERFORM rt._field_error(seed.name || '.enc', 'must be an encrypted key (a token of 1 to 4096 characters without spaces)');
            END IF;
            IF k ? 'hint' AND jsonb_typeof(k -> 'hint') <> 'null'
               AND (jsonb_typeof(k -> 'hint') <> 'string' OR length(k ->> 'hint') > 100) THEN
                PERFORM rt._field_error(seed.name || '.hint', 'must be a string of at most 100 characters');
            END IF;
            IF enc IS NOT NULL THEN
                hint := k ->> 'hint';
            END IF;
            IF k ? 'model' AND jsonb_typeof(k -> 'model') <> 'null' THEN
                IF jsonb_typeof(k -> 'model') <> 'string' OR length(btrim(k ->> 'model')) NOT BETWEEN 1 AND 200
                   OR k ->> 'model' ~ '[[:cntrl:]]' THEN
                    PERFORM rt._field_error(seed.name || '.model', 'must be a model name of 1 to 200 characters');
                END IF;
                model := btrim(k ->> 'model');
            END IF;
        END IF;

        -- two edges starting at once: the unique name index lets one insert win, quietly
        INSERT INTO rt.providers (name, type, base_url, model_id, position, enabled, api_key_enc, api_key_hint,
                                  personality_id)
        VALUES (seed.name, seed.type, seed.base_url, coalesce(model, seed.model_id), seed.position,
                seed.type = 'demo' OR enc IS NOT NULL, enc, hint,
                (SELECT x.id FROM rt.personalities x WHERE lower(x.title) = lower(seed.personality)))
        ON CONFLICT ((lower(name))) DO NOTHING
        RETURNING * INTO p;
        IF FOUND THEN
            created := created || to_jsonb(seed.name);
            IF enc IS NOT NULL THEN
                keyed := keyed || to_jsonb(seed.name);
            END IF;
            IF seed.input_per_m IS NOT NULL THEN
                INSERT INTO rt.provider_prices (provider_id, input_per_m, cached_input_per_m, output_per_m)
                VALUES (p.id, seed.input_per_m, seed.cached_input_per_m, seed.output_per_m);
            END IF;
        ELSIF enc IS NOT NULL THEN
            -- a seeded provider without a key gets the one the edge was started with; only one of
            -- the seed's own type, so a key never goes to an endpoint that merely took the name.
            -- Its model stays the console's.
            UPDATE rt.providers SET api_key_enc = enc, api_key_hint = hint, enabled = true,
                                    version = version + 1, updated_at = now()
            WHERE lower(providers.name) = seed.name AND providers.api_key_enc IS NULL
              AND providers.type = seed.type;
            IF FOUND THEN
                keyed := keyed || to_jsonb(seed.name);
            END IF;
        END IF;
    END LOOP;
    RETURN jsonb_build_object('created', created, 'keyed', keyed);
END
$$;
COMMENT ON FUNCTION rt.ensure_default_providers(jsonb) IS 'Edge start-up (worker): creates the seed personalities once (rt._seed_personalities), then the missing providers demo (enabled, position 100 so that keyed real providers answer first, demo-1), openai (gpt-4o-mini, position 1, 0.15/0.075/0.60 USD per 1M, personality Оптимист) and deepseek (deepseek-chat, position 2, 0.27/0.07/1.10, personality Скептик) by name; keys {"openai"|"deepseek": {"enc","hint","model"}|null}: enc (a Fernet token) is stored on a seeded provider without a key, which is then enabled; model (OPENAI_MODEL, DEEPSEEK_MODEL) is the model of a provider created now (an existing one keeps the console''s). Returns {"created":[names],"keyed":[names]}';

CREATE FUNCTION rt.compile_request(params jsonb, provider text, messages jsonb DEFAULT '[]', model text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    p jsonb;
    d jsonb;
    prompt text;
    msgs jsonb := '[]';
    m jsonb;
    i int := 0;
    content jsonb;
    body jsonb;
BEGIN
    PERFORM rt._require_worker('viewer');
    IF provider IS NULL OR provider NOT IN ('openai', 'deepseek', 'openai_compatible', 'demo', 'anthropic') THEN
        PERFORM rt._field_error('provider', 'must be one of openai, deepseek, openai_compatible, demo, anthropic');
    END IF;
    IF model IS NOT NULL AND (length(model) NOT BETWEEN 1 AND 200 OR model ~ '[[:cntrl:]]') THEN
        PERFORM rt._field_error('model', 'must be a model id of 1 to 200 characters');
    END IF;
    -- parameters missing from params come from the defaults, so a subset compiles too
    SELECT s.value INTO d FROM rt.settings s WHERE s.key = 'preset.defaults';
    d := '{"temperature":0.7,"max_tokens":512,"tone":"neutral","verbosity":"short","emotional_intensity":50,"persona":""}'::jsonb
         || coalesce(d, '{}');
    p := d || jsonb_strip_nulls(rt._preset_fields(coalesce(params, '{}'), 'params.', false, true));

    messages := coalesce(messages, '[]');
    IF jsonb_typeof(messages) <> 'array' THEN
        PERFORM rt._field_error('messages', 'must be an array');
    END IF;
    FOR m IN SELECT x FROM jsonb_array_elements(messages) x LOOP
        IF jsonb_typeof(m) <> 'object' THEN
            PERFORM rt._field_error(format('messages[%s]', i), 'must be an object');
        END IF;
        IF m->>'role' IS NULL OR m->>'role' NOT IN ('user', 'assistant') THEN
            PERFORM rt._field_error(format('messages[%s].role', i), 'must be one of user, assistant');
        END IF;
        -- the decision engine's context uses "text", providers use "content"
        content := coalesce(m->'content', m->'text');
        IF jsonb_typeof(content) IS DISTINCT FROM 'string' THEN
            PERFORM rt._field_error(format('messages[%s].content', i), 'must be a string');
        END IF;
        IF provider = 'anthropic' THEN
            msgs := msgs || jsonb_build_object('role', m->>'role', 'content', content);
        ELSE
            -- chat-completions accepts a speaker name of [A-Za-z0-9_-]{1,64} only
            msgs := msgs || (jsonb_build_object('role', m->>'role', 'content', content)
                             || CASE WHEN m->>'name' ~ '^[A-Za-z0-9_-]{1,64}$'
                                     THEN jsonb_build_object('name', m->>'name') ELSE '{}' END);
        END IF;
        i := i + 1;
    END LOOP;

    prompt := rt._system_prompt(p);
    IF provider = 'anthropic' THEN
        body := jsonb_build_object(
            'system', prompt,
            'messages', msgs,
            'temperature', (p->>'temperature')::numeric / 2,
            'max_tokens', (p->'max_tokens')::int);
    ELSIF model ~ '^(o[1-9]|gpt-5)' THEN
        -- reasoning models refuse temperature and count their hidden reasoning in this limit
        body := jsonb_build_object(
            'messages', jsonb_build_array(jsonb_build_object('role', 'system', 'content', prompt)) || msgs,
            'max_completion_tokens', (p->'max_tokens')::int);
    ELSE
        body := jsonb_build_object(
            'messages', jsonb_build_array(jsonb_build_object('role', 'system', 'content', prompt)) || msgs,
            'temperature', (p->'temperature')::numeric,
            'max_tokens', (p->'max_tokens')::int);
    END IF;
    IF model IS NOT NULL THEN
        body := jsonb_build_object('model', model) || body;
    END IF;
    RETURN body;
END
$$;
COMMENT ON FUNCTION rt.compile_request(jsonb, text, jsonb, text) IS 'The one mapping from params to a provider request body: openai, deepseek, openai_compatible, demo -> chat completions {model, messages (system first), temperature, max_tokens}, for a reasoning model (^(o[1-9]|gpt-5)) max_completion_tokens and no temperature; anthropic -> {model, system, messages, temperature scaled 0..2 -> 0..1, max_tokens}. "model" only when given';

-- wanted (an llm.draft's choice), else the chat's provider, else setting autoreply.provider,
-- each only when enabled, else the first enabled provider by (position, id); a null row if none
CREATE FUNCTION rt._pick_provider(wanted bigint, chat_provider bigint) RETURNS rt.providers
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    p rt.providers;
    setting jsonb := rt.setting('autoreply.provider');
    candidate bigint;
BEGIN
    FOREACH candidate IN ARRAY ARRAY[wanted, chat_provider,
                                     CASE WHEN jsonb_typeof(setting) = 'number' AND setting::text ~ '^[0-9]{1,18}$'
                                          THEN setting::text::bigint END] LOOP
        CONTINUE WHEN candidate IS NULL;
        SELECT * INTO p FROM rt.providers pr WHERE pr.id = candidate AND pr.enabled;
        IF FOUND THEN
            RETURN p;
        END IF;
    END LOOP;
    SELECT * INTO p FROM rt.providers pr WHERE pr.enabled ORDER BY pr.position, pr.id LIMIT 1;
    RETURN p;
END
$$;
COMMENT ON FUNCTION rt._pick_provider(bigint, bigint) IS 'internal: the provider of an LLM job: wanted, else the chat''s, else setting autoreply.provider (each if enabled), else the first enabled by (position, id); null row when none is enabled';

CREATE FUNCTION rt._provider_url(p rt.providers) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE p.type
        WHEN 'demo' THEN NULL
        WHEN 'anthropic' THEN rtrim(p.base_url, '/') || '/messages'
        ELSE rtrim(p.base_url, '/') || '/chat/completions'
    END
$$;
COMMENT ON FUNCTION rt._provider_url(rt.providers) IS 'internal: the endpoint a provider is called at: base_url + /chat/completions, anthropic base_url + /messages, demo null (answered by the edge)';

-- USD of one call at the prices in effect at "at"; no price row (or null prices) costs 0
CREATE FUNCTION rt._call_cost(provider_id bigint, at timestamptz, tokens_in int, tokens_cached int, tokens_out int)
RETURNS numeric
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT round(
        (greatest(coalesce(tokens_in, 0) - coalesce(tokens_cached, 0), 0) * coalesce(pp.input_per_m, 0)
         + coalesce(tokens_cached, 0) * coalesce(pp.cached_input_per_m, 0)
         + coalesce(tokens_out, 0) * coalesce(pp.output_per_m, 0)) / 1000000, 8)
    FROM (SELECT 1) one LEFT JOIN rt._price_at(provider_id, at) pp ON true
$$;
COMMENT ON FUNCTION rt._call_cost(bigint, timestamptz, int, int, int) IS 'internal: (in - cached) * input_per_m / 1e6 + cached * cached_input_per_m / 1e6 + out * output_per_m / 1e6 at the prices in effect at "at" (null prices cost 0)';

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

CREATE FUNCTION rt.reorder_providers(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    ids bigint[];
    twice bigint;
    unknown bigint;
    missing text;
    before_ids bigint[];
BEGIN
    PERFORM rt.require_role('admin');
    IF body IS NULL OR jsonb_typeof(body) <> 'object' THEN
        PERFORM rt._field_error('body', 'must be a json object');
    END IF;
    body := rt._known_keys(body, ARRAY['ids']);
    IF jsonb_typeof(body -> 'ids') IS DISTINCT FROM 'array' THEN
        PERFORM rt._field_error('ids', 'must be an array naming every provider''s id once, first to last');
    END IF;
    IF EXISTS (SELECT FROM jsonb_array_elements(body -> 'ids') e
               WHERE jsonb_typeof(e) <> 'number' OR e::text !~ '^-?[0-9]{1,18}$') THEN
        PERFORM rt._field_error('ids', 'must contain integer ids only');
    END IF;
    IF jsonb_array_length(body -> 'ids') > 1001 THEN
        PERFORM rt._field_error('ids', 'must name at most 1001 providers (positions 0..1000)');
    END IF;
    SELECT array_agg(e::text::bigint ORDER BY n) INTO ids
    FROM jsonb_array_elements(body -> 'ids') WITH ORDINALITY AS x(e, n);
    ids := coalesce(ids, '{}');

    -- every provider locked in one order, so two concurrent reorders serialise, not deadlock
    SELECT array_agg(p.id ORDER BY p.position, p.id) INTO before_ids
    FROM (SELECT pr.id, pr.position FROM rt.providers pr ORDER BY pr.id FOR UPDATE) p;
    before_ids := coalesce(before_ids, '{}');

    SELECT x INTO twice FROM unnest(ids) x GROUP BY x HAVING count(*) > 1 ORDER BY x LIMIT 1;
    IF twice IS NOT NULL THEN
        PERFORM rt._field_error('ids', format('names provider %s more than once', twice));
    END IF;
    SELECT x INTO unknown FROM unnest(ids) x WHERE x <> ALL (before_ids) ORDER BY x LIMIT 1;
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'field "ids": provider % does not exist', unknown USING ERRCODE = 'P0002', COLUMN = 'ids';
    END IF;
    SELECT string_agg(x::text, ', ' ORDER BY x) INTO missing FROM unnest(before_ids) x WHERE x <> ALL (ids);
    IF missing IS NOT NULL THEN
        PERFORM rt._field_error('ids', format('must name every provider; missing: %s', missing));
    END IF;

    -- positions 0, 1, 2, ...; only rows that move change (and get their provider.update entry)
    UPDATE rt.providers p SET position = o.n - 1, version = p.version + 1, updated_at = now()
    FROM unnest(ids) WITH ORDINALITY AS o(id, n)
    WHERE p.id = o.id AND p.position <> o.n - 1;
    IF ids IS DISTINCT FROM before_ids THEN
        PERFORM rt.audit('provider.reorder', 'providers', jsonb_build_object('ids', to_jsonb(before_ids)),
                         jsonb_build_object('ids', to_jsonb(ids)));
    END IF;

    RETURN jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(rt._provider_json(p) ORDER BY p.position, p.id) FROM rt.providers p), '[]'),
        'next_cursor', NULL);
END
$$;
COMMENT ON FUNCTION rt.reorder_providers(jsonb) IS 'PUT /api/providers/order: body {"ids":[...]} names every provider once, first to last; positions become 0, 1, 2, ... in one transaction (moved rows get provider.update audit entries, the whole move one provider.reorder entry). Returns {"items":[Provider] in the new order, "next_cursor":null} (admin); 22023 naming ids when one is missing, repeated or not an integer, P0002 naming ids for an unknown one';

CREATE FUNCTION rt.provider_test_target(id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    p rt.providers;
BEGIN
    PERFORM rt.require_role('admin');
    SELECT * INTO p FROM rt.providers WHERE providers.id = provider_test_target.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'provider % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    RETURN jsonb_build_object('id', p.id, 'name', p.name, 'type', p.type, 'base_url', p.base_url,
                              'model_id', p.model_id, 'api_key_enc', p.api_key_enc);
END
$$;
COMMENT ON FUNCTION rt.provider_test_target(bigint) IS 'POST /api/providers/{id}/test, read by rt-edge only (never passed to a client): {"id","name","type","base_url","model_id","api_key_enc"} of the provider the edge then calls once (admin); P0002 when unknown';
