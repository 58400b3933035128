-- roundtable 0.5.0, part 25: what the round table starts with. The two personalities of the
-- seed document (made by the edge's first start, not by the extension script), the seeded
-- openai/deepseek providers speaking with them, the model names of the .env (OPENAI_MODEL, DEEPSEEK_MODEL) and the round table's
-- settings seeded from the .env on the edge's first start (rt.ensure_roundtable_settings).

-- ---------------------------------------------------------------------------
-- Personalities
-- ---------------------------------------------------------------------------

-- The two personalities of the seed document are data, not part of the extension script: rows
-- that CREATE EXTENSION inserted would be inserted again by pg_restore's COPY of this
-- pg_dump-registered table (and of the audit log and journal their triggers wrote), and that
-- restore would fail and lose the admins' rows. The edge's start-up creates them once instead;
-- the marker row in rt.settings (dumped with the settings) keeps a deleted seed deleted.
CREATE FUNCTION rt._seed_personalities() RETURNS int
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    n int;
BEGIN
    IF EXISTS (SELECT FROM rt.settings x WHERE x.key = 'seed.personalities') THEN
        RETURN 0;
    END IF;
    INSERT INTO rt.settings (key, value) VALUES ('seed.personalities', to_jsonb(now()))
    ON CONFLICT (key) DO NOTHING;
    IF NOT FOUND THEN
        RETURN 0;   -- another edge starting at the same moment seeds them
    END IF;
    INSERT INTO rt.personalities (title, instructions, style)
    VALUES
        ('Оптимист',
         'Ты — Оптимист за круглым столом. Ищи в теме возможности, сильные стороны и реалистичные пути к успеху. '
         'Опирайся на факты, примеры и здравый смысл, а не на пустой восторг. Отвечай на доводы собеседников по существу: '
         'признавай верные замечания и показывай, как можно обойти названные риски. В каждой реплике добавляй новый довод '
         'или пример, не повторяя уже сказанного ни собой, ни другими.',
         'Дружелюбно и энергично, живым разговорным русским языком, 3–5 предложений. Без списков и заголовков. '
         'Обращайся к собеседникам по имени и отвечай на их последние слова.'),
        ('Скептик',
         'Ты — Скептик за круглым столом. Проверяй утверждения на прочность: ищи слабые места, скрытые допущения, '
         'риски и цену ошибки. Требуй доказательств и конкретики, приводи контрпримеры. Критикуй идеи, а не людей; '
         'если довод собеседника убедителен, честно признай это и переходи к следующему спорному вопросу. '
         'Не повторяй уже сказанного ни собой, ни другими.',
         'Спокойно, точно и вежливо, по-русски, 3–5 предложений. Без списков и заголовков. '
         'Заканчивай реплику одним острым вопросом к собеседникам.')
    ON CONFLICT ((lower(title))) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    -- seeded providers made before the personalities existed (an upgrade) get theirs, once
    UPDATE rt.providers p SET personality_id = x.id
    FROM rt.personalities x
    WHERE p.personality_id IS NULL
      AND ((lower(p.name) = 'openai' AND p.type = 'openai' AND lower(x.title) = lower('Оптимист'))
           OR (lower(p.name) = 'deepseek' AND p.type = 'deepseek' AND lower(x.title) = lower('Скептик')));
    RETURN n;
END
$$;
COMMENT ON FUNCTION rt._seed_personalities() IS 'internal (rt.ensure_default_providers): creates the seed personalities Оптимист and Скептик once per database (marker setting seed.personalities), and gives the seeded openai/deepseek providers without one theirs; returns how many were created';

-- ---------------------------------------------------------------------------
-- The seeded providers: models from the .env, the seed's personalities
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION rt.ensure_default_providers(keys jsonb) RETURNS jsonb
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

-- ---------------------------------------------------------------------------
-- The round table's settings from the .env, on the first start only
-- ---------------------------------------------------------------------------

CREATE FUNCTION rt.ensure_roundtable_settings(env jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    m record;
    raw jsonb;
    s text;
    val jsonb;
    err text;
    seeded jsonb := '[]';
    invalid jsonb := '[]';
BEGIN
    PERFORM rt._require_worker('admin');
    env := rt._known_keys(env, ARRAY['MAX_ROUNDS', 'TURN_TIMEOUT_SEC', 'CONTEXT_TOKEN_LIMIT', 'PAYMENT_URL',
                                     'ROUNDTABLE_MAX_TOKENS', 'ROUNDTABLE_MAX_COST']);
    FOR m IN
        SELECT * FROM (VALUES
            ('MAX_ROUNDS', 'roundtable.max_rounds', 'int'),
            ('TURN_TIMEOUT_SEC', 'roundtable.turn_timeout_sec', 'int'),
            ('CONTEXT_TOKEN_LIMIT', 'roundtable.context_token_limit', 'int'),
            ('PAYMENT_URL', 'payment.url', 'text'),
            ('ROUNDTABLE_MAX_TOKENS', 'roundtable.max_tokens', 'int'),
            ('ROUNDTABLE_MAX_COST', 'roundtable.max_cost', 'number')) AS t (env_name, key, kind)
    LOOP
        raw := env -> m.env_name;
        CONTINUE WHEN raw IS NULL OR jsonb_typeof(raw) = 'null';
        -- the console wins once a value is stored (by it or by an earlier start)
        CONTINUE WHEN EXISTS (SELECT FROM rt.settings x WHERE x.key = m.key);
        err := NULL;
        val := NULL;
        IF jsonb_typeof(raw) <> 'string' THEN
            err := 'must be a string, as read from the environment';
        ELSE
            s := btrim(raw #>> '{}');
            CONTINUE WHEN s = '';   -- NAME= in the .env: unset
            IF m.kind = 'int' THEN
                IF s ~ '^[0-9]{1,9}$' THEN
                    val := to_jsonb(s::bigint);
                ELSE
                    err := 'must be a whole number';
                END IF;
            ELSIF m.kind = 'number' THEN
                IF s ~ '^[0-9]{1,9}(\.[0-9]{1,8})?$' THEN
                    val := to_jsonb(s::numeric);
                ELSE
                    err := 'must be a number such as 2.50';
                END IF;
            ELSE
                val := to_jsonb(s);
            END IF;
            IF err IS NULL THEN
                BEGIN
                    val := rt._validate_setting(m.key, val);
                EXCEPTION WHEN invalid_parameter_value OR no_data_found THEN
                    err := regexp_replace(SQLERRM, '^field "value" ', '');
                END;
            END IF;
        END IF;
        IF err IS NOT NULL THEN
            invalid := invalid || jsonb_build_object('key', m.env_name, 'error', err);
            PERFORM rt._notify_admins('error', NULL, NULL, jsonb_build_object(
                'source', 'settings', 'setting', m.key, 'env', m.env_name,
                'error', format('%s (setting %s) %s; it was not stored', m.env_name, m.key, err)), true);
            CONTINUE;
        END IF;
        -- as rt.update_setting writes them (its triggers audit and announce the change); a
        -- concurrent first start stores it once
        INSERT INTO rt.settings AS x (key, value, updated_at) VALUES (m.key, val, now())
        ON CONFLICT ON CONSTRAINT settings_pkey DO NOTHING;
        IF FOUND THEN
            seeded := seeded || to_jsonb(m.env_name);
        END IF;
    END LOOP;
    RETURN jsonb_build_object('seeded', seeded, 'invalid', invalid);
END
$$;
COMMENT ON FUNCTION rt.ensure_roundtable_settings(jsonb) IS 'Edge start-up (worker): env {"MAX_ROUNDS","TURN_TIMEOUT_SEC","CONTEXT_TOKEN_LIMIT","PAYMENT_URL","ROUNDTABLE_MAX_TOKENS","ROUNDTABLE_MAX_COST": string} stores each present, non-empty value as its setting (roundtable.max_rounds, roundtable.turn_timeout_sec, roundtable.context_token_limit, payment.url, roundtable.max_tokens, roundtable.max_cost) only when that setting has no row yet (the console wins afterwards). An invalid value is not stored; an error notification names it. Returns {"seeded":[env names],"invalid":[{"key": env name,"error"}]}';
