-- roundtable 0.3.0, part 10: LLM providers (endpoint, model, Fernet-encrypted key, order), their
-- prices over time, the chat's provider, provider CRUD for the console, and the defaults the
-- edge seeds at start. PostgreSQL never sees a plain key: the edge encrypts it first.

-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------

CREATE TABLE rt.providers (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    type         text NOT NULL CHECK (type IN ('openai', 'deepseek', 'openai_compatible', 'anthropic', 'demo')),
    base_url     text CHECK (length(base_url) <= 500),
    model_id     text NOT NULL CHECK (length(model_id) BETWEEN 1 AND 200),
    params       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
    api_key_enc  text CHECK (length(api_key_enc) BETWEEN 1 AND 4096),
    api_key_hint text CHECK (length(api_key_hint) <= 100),
    enabled      boolean NOT NULL DEFAULT false,
    position     int NOT NULL DEFAULT 0 CHECK (position BETWEEN 0 AND 1000),
    version      int NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT providers_base_url_check1 CHECK (type <> 'openai_compatible' OR base_url IS NOT NULL)
);
COMMENT ON TABLE rt.providers IS 'LLM endpoints the edge calls for replies and drafts; auto-replies use the chat''s provider, else setting autoreply.provider, else the first enabled one by (position, id)';
COMMENT ON COLUMN rt.providers.type IS 'request dialect: openai, deepseek, openai_compatible (chat completions), anthropic (messages) or demo (offline, answered by the edge)';
COMMENT ON COLUMN rt.providers.base_url IS 'API root without the endpoint (https://api.openai.com/v1); null for demo';
COMMENT ON COLUMN rt.providers.model_id IS 'model sent in every request (gpt-4o-mini, deepseek-chat, ...)';
COMMENT ON COLUMN rt.providers.params IS 'extra request body fields (top_p, reasoning_effort, ...); the compiled parameters win over them';
COMMENT ON COLUMN rt.providers.api_key_enc IS 'Fernet token of the API key, made by the edge with SECRETS_KEY; never returned by the API, never audited';
COMMENT ON COLUMN rt.providers.api_key_hint IS 'a recognisable fragment of the key for the console ("sk-…abcd")';
COMMENT ON COLUMN rt.providers.position IS 'order among providers (0..1000, lower first): the default provider is the first enabled one';
COMMENT ON COLUMN rt.providers.version IS 'bumped on every change; update_provider with a stale version raises 40001';

CREATE UNIQUE INDEX providers_name_key ON rt.providers (lower(name));
CREATE INDEX providers_order_idx ON rt.providers (position, id);
COMMENT ON INDEX rt.providers_name_key IS 'provider names are unique regardless of case';
COMMENT ON INDEX rt.providers_order_idx IS 'default provider (first enabled) and the keyset of rt.list_providers';

CREATE TABLE rt.provider_prices (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id        bigint NOT NULL REFERENCES rt.providers (id) ON DELETE CASCADE,
    input_per_m        numeric CHECK (input_per_m BETWEEN 0 AND 1000000),
    cached_input_per_m numeric CHECK (cached_input_per_m BETWEEN 0 AND 1000000),
    output_per_m       numeric CHECK (output_per_m BETWEEN 0 AND 1000000),
    effective_from     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.provider_prices IS 'Prices of a provider over time, USD per 1M tokens; a call costs by the row with the greatest effective_from <= the call''s start (null prices cost 0)';
COMMENT ON COLUMN rt.provider_prices.cached_input_per_m IS 'price of prompt tokens served from the provider''s cache';

CREATE INDEX provider_prices_lookup_idx ON rt.provider_prices (provider_id, effective_from DESC, id DESC);
COMMENT ON INDEX rt.provider_prices_lookup_idx IS 'the price row in effect at a time: one probe per call';

ALTER TABLE rt.chats ADD COLUMN provider_id bigint REFERENCES rt.providers (id) ON DELETE SET NULL;
COMMENT ON COLUMN rt.chats.provider_id IS 'provider of this chat''s auto-replies; null = setting autoreply.provider, else the first enabled provider';
CREATE INDEX chats_provider_idx ON rt.chats (provider_id) WHERE provider_id IS NOT NULL;
COMMENT ON INDEX rt.chats_provider_idx IS 'ON DELETE SET NULL from rt.providers';

DO $$
BEGIN
    PERFORM pg_catalog.pg_extension_config_dump('rt.providers', '');
    PERFORM pg_catalog.pg_extension_config_dump('rt.provider_prices', '');
    PERFORM pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('rt.providers', 'id'), '');
    PERFORM pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('rt.provider_prices', 'id'), '');
END
$$;

-- audit (provider.*: api_key_enc never stored, a change shows as "api_key_changed": true) and
-- entity.changed provider; price rows are audited but ring no doorbell of their own: the
-- provider row changes with them (version)
SELECT rt._attach_audit('rt.providers', 'provider');
CREATE TRIGGER provider_prices_audit AFTER INSERT OR UPDATE OR DELETE ON rt.provider_prices
    FOR EACH ROW EXECUTE FUNCTION rt.audit_row('provider_price');

-- the chat's provider is a switch like autoreply: audited and announced (chat.update, entity chat)
DROP TRIGGER chats_audit ON rt.chats;
DROP TRIGGER chats_changed_row ON rt.chats;
DROP TRIGGER chats_changed ON rt.chats;
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

-- ---------------------------------------------------------------------------
-- JSON shapes
-- ---------------------------------------------------------------------------

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
                              WHERE m.id = c.last_message_id AND m.created_at = c.last_message_at),
        'provider_id', c.provider_id)
$$;
COMMENT ON FUNCTION rt._chat_json(rt.chats) IS 'internal: a chat as the OpenAPI Chat object (with takeover_until while it lasts and provider_id)';

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
        'version', p.version, 'created_at', p.created_at, 'updated_at', p.updated_at)
$$;
COMMENT ON FUNCTION rt._provider_json(rt.providers) IS 'internal: a provider as the OpenAPI Provider object, with the prices in effect now ({input_per_m, cached_input_per_m, output_per_m, effective_from}, a null price as 0; null when none); never api_key_enc';

-- ---------------------------------------------------------------------------
-- Validation
-- ---------------------------------------------------------------------------

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
CREATE FUNCTION rt._provider_apply(cur rt.providers, body jsonb) RETURNS rt.providers
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
COMMENT ON FUNCTION rt._provider_apply(rt.providers, jsonb) IS 'internal: applies and validates a ProviderInput body (22023 naming the field; a plain api_key is refused); base_url defaults per type, null for demo';

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

-- ---------------------------------------------------------------------------
-- Provider CRUD
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt.list_providers(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_q text;
    f_enabled boolean;
    f_limit bigint;
    like_pat text;
    parts text[];
    after_pos int;
    after_id bigint;
    items jsonb;
    more boolean;
BEGIN
    PERFORM rt.require_role('viewer');
    filter := rt._known_keys(filter, ARRAY['q', 'enabled', 'cursor', 'limit'], 'filter field');
    IF filter ? 'q' AND jsonb_typeof(filter -> 'q') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('q', 'must be a string');
    END IF;
    f_q := filter ->> 'q';
    IF length(f_q) > 200 THEN
        PERFORM rt._field_error('q', 'must be at most 200 characters');
    END IF;
    IF filter ? 'enabled' THEN
        IF jsonb_typeof(filter -> 'enabled') = 'boolean' THEN
            f_enabled := (filter -> 'enabled')::text::boolean;
        ELSIF jsonb_typeof(filter -> 'enabled') = 'string' AND filter ->> 'enabled' IN ('true', 'false') THEN
            f_enabled := (filter ->> 'enabled')::boolean;
        ELSIF jsonb_typeof(filter -> 'enabled') <> 'null' THEN
            PERFORM rt._field_error('enabled', 'must be true or false');
        END IF;
    END IF;
    f_limit := coalesce(rt._filter_int(filter, 'limit'), 50);
    IF f_limit NOT BETWEEN 1 AND 200 THEN
        PERFORM rt._field_error('limit', 'must be between 1 and 200');
    END IF;
    IF filter ? 'cursor' AND jsonb_typeof(filter -> 'cursor') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('cursor', 'must be a string');
    END IF;
    IF filter ->> 'cursor' IS NOT NULL THEN
        parts := rt._cursor_decode(filter ->> 'cursor', '^pv:([0-9]{1,4}):([0-9]{1,19})$');
        after_pos := parts[1]::int;
        after_id := parts[2]::bigint;
    END IF;
    IF f_q <> '' THEN
        like_pat := '%' || replace(replace(replace(f_q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    END IF;

    WITH page AS (
        SELECT p, row_number() OVER (ORDER BY p.position, p.id) AS n
        FROM rt.providers p
        WHERE (after_id IS NULL OR (p.position, p.id) > (after_pos, after_id))
          AND (f_enabled IS NULL OR p.enabled = f_enabled)
          AND (like_pat IS NULL OR p.name ILIKE like_pat OR p.model_id ILIKE like_pat OR p.type ILIKE like_pat)
        ORDER BY p.position, p.id
        LIMIT f_limit + 1)
    SELECT coalesce(jsonb_agg(rt._provider_json(x.p) ORDER BY x.n) FILTER (WHERE x.n <= f_limit), '[]'),
           count(*) > f_limit
    INTO items, more
    FROM page x;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode(format('pv:%s:%s', items -> (f_limit::int - 1) ->> 'position',
                                                     items -> (f_limit::int - 1) ->> 'id')) END);
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
    INSERT INTO rt.providers (name, type, base_url, model_id, params, api_key_enc, api_key_hint, enabled, position)
    VALUES (p.name, p.type, p.base_url, p.model_id, p.params, p.api_key_enc, p.api_key_hint, p.enabled, p.position)
    RETURNING * INTO p;
    PERFORM rt._provider_set_prices(p.id, prices);
    RETURN rt._provider_json(p);
EXCEPTION WHEN unique_violation THEN
    -- a concurrent create of the same name won the race
    RAISE EXCEPTION 'provider name "%" already exists', p.name USING ERRCODE = '23505', COLUMN = 'name';
END
$$;
COMMENT ON FUNCTION rt.create_provider(jsonb) IS 'POST /api/providers: {name, type, base_url, model_id, params, enabled, position, prices, api_key_enc, api_key_hint} -> Provider (admin); 22023 naming a bad field (a plain api_key included), 23505 on a name clash';

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
    IF repriced OR (n.name, n.type, n.base_url, n.model_id, n.params, n.api_key_enc, n.api_key_hint, n.enabled, n.position)
                   IS DISTINCT FROM (p.name, p.type, p.base_url, p.model_id, p.params, p.api_key_enc, p.api_key_hint, p.enabled, p.position) THEN
        UPDATE rt.providers SET
            name = n.name, type = n.type, base_url = n.base_url, model_id = n.model_id, params = n.params,
            api_key_enc = n.api_key_enc, api_key_hint = n.api_key_hint, enabled = n.enabled,
            position = n.position, version = version + 1, updated_at = now()
        WHERE providers.id = p.id
        RETURNING * INTO p;
    END IF;
    RETURN rt._provider_json(p);
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'provider name "%" already exists', n.name USING ERRCODE = '23505', COLUMN = 'name';
END
$$;
COMMENT ON FUNCTION rt.update_provider(bigint, jsonb) IS 'PUT /api/providers/{id}: changes the fields present (prices add a row effective now; clear_key drops the key), bumps version (admin); stale body.version -> 40001, unknown id -> P0002';

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

-- ---------------------------------------------------------------------------
-- The chat's provider
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION rt.update_chat(id bigint, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    c rt.chats;
    f_autoreply boolean;
    f_mention boolean;
    f_provider bigint;
BEGIN
    PERFORM rt.require_role('admin');
    body := rt._known_keys(body, ARRAY['autoreply', 'reply_on_mention', 'provider_id']);
    f_autoreply := rt._body_bool(body, 'autoreply');
    f_mention := rt._body_bool(body, 'reply_on_mention');
    f_provider := rt._body_int(body, 'provider_id', 1, 9223372036854775807);
    IF f_provider IS NOT NULL AND NOT EXISTS (SELECT FROM rt.providers p WHERE p.id = f_provider) THEN
        RAISE EXCEPTION 'provider % does not exist', f_provider USING ERRCODE = 'P0002', COLUMN = 'provider_id';
    END IF;
    c := rt._lock_chat(id);
    UPDATE rt.chats SET autoreply = coalesce(f_autoreply, autoreply),
                        reply_on_mention = coalesce(f_mention, reply_on_mention),
                        provider_id = CASE WHEN body ? 'provider_id' THEN f_provider ELSE chats.provider_id END
    WHERE chats.id = c.id
      AND (autoreply IS DISTINCT FROM coalesce(f_autoreply, autoreply)
           OR reply_on_mention IS DISTINCT FROM coalesce(f_mention, reply_on_mention)
           OR (body ? 'provider_id' AND chats.provider_id IS DISTINCT FROM f_provider));
    SELECT * INTO c FROM rt.chats WHERE chats.id = update_chat.id;
    RETURN rt._chat_json(c);
END
$$;
COMMENT ON FUNCTION rt.update_chat(bigint, jsonb) IS 'PATCH /api/chats/{id}: {autoreply, reply_on_mention (booleans), provider_id (an existing provider or null = the default)}, each optional; returns the Chat (admin); P0002 for an unknown chat or provider';

-- ---------------------------------------------------------------------------
-- Defaults the edge seeds at start (its OPENAI_API_KEY / DEEPSEEK_API_KEY, already encrypted)
-- ---------------------------------------------------------------------------

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
    created jsonb := '[]';
    keyed jsonb := '[]';
BEGIN
    PERFORM rt.require_role('admin');
    keys := rt._known_keys(keys, ARRAY['openai', 'deepseek']);
    FOR seed IN
        SELECT * FROM (VALUES
            ('demo', 'demo', NULL, 'demo-1', 100, NULL::numeric, NULL::numeric, NULL::numeric),
            ('openai', 'openai', 'https://api.openai.com/v1', 'gpt-4o-mini', 1, 0.15, 0.075, 0.60),
            ('deepseek', 'deepseek', 'https://api.deepseek.com', 'deepseek-chat', 2, 0.27, 0.07, 1.10))
            AS s (name, type, base_url, model_id, position, input_per_m, cached_input_per_m, output_per_m)
    LOOP
        enc := NULL;
        hint := NULL;
        k := keys -> seed.name;
        IF k IS NOT NULL AND jsonb_typeof(k) <> 'null' THEN
            IF jsonb_typeof(k) <> 'object' THEN
                PERFORM rt._field_error(seed.name, 'must be {"enc","hint"} or null');
            END IF;
            PERFORM rt._known_keys(k, ARRAY['enc', 'hint'], 'field', seed.name || '.');
            IF jsonb_typeof(k -> 'enc') IS DISTINCT FROM 'string' OR length(k ->> 'enc') NOT BETWEEN 1 AND 4096
               OR k ->> 'enc' ~ '[[:space:][:cntrl:]]' THEN
                PERFORM rt._field_error(seed.name || '.enc', 'must be an encrypted key (a token of 1 to 4096 characters without spaces)');
            END IF;
            IF k ? 'hint' AND jsonb_typeof(k -> 'hint') <> 'null'
               AND (jsonb_typeof(k -> 'hint') <> 'string' OR length(k ->> 'hint') > 100) THEN
                PERFORM rt._field_error(seed.name || '.hint', 'must be a string of at most 100 characters');
            END IF;
            enc := k ->> 'enc';
            hint := k ->> 'hint';
        END IF;

        -- two edges starting at once: the unique name index lets one insert win, quietly
        INSERT INTO rt.providers (name, type, base_url, model_id, position, enabled, api_key_enc, api_key_hint)
        VALUES (seed.name, seed.type, seed.base_url, seed.model_id, seed.position,
                seed.type = 'demo' OR enc IS NOT NULL, enc, hint)
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
            -- the seed's own type, so a key never goes to an endpoint that merely took the name
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
COMMENT ON FUNCTION rt.ensure_default_providers(jsonb) IS 'Edge start-up: creates the missing providers demo (enabled, position 100 so that keyed real providers answer first, demo-1), openai (gpt-4o-mini, position 1, 0.15/0.075/0.60 USD per 1M) and deepseek (deepseek-chat, position 2, 0.27/0.07/1.10) by name; keys {"openai"|"deepseek": {"enc","hint"}|null} (Fernet tokens) are stored on a seeded provider without one, which is then enabled. Returns {"created":[names],"keyed":[names]}';
