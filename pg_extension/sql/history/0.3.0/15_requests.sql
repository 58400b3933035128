-- roundtable 0.3.0, part 15: from a job to a provider request. rt.compile_request learns the
-- model (reasoning models take max_completion_tokens and no temperature); the provider of a
-- call is chosen, its endpoint named, and its cost priced here.

-- ---------------------------------------------------------------------------
-- The provider-request compiler, now with the model
-- ---------------------------------------------------------------------------

DROP FUNCTION rt.compile_request(jsonb, text, jsonb);

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
    PERFORM rt.require_role('viewer');
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

-- ---------------------------------------------------------------------------
-- Which provider answers, where, and what it costs
-- ---------------------------------------------------------------------------

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
