-- roundtable base, personalities: Round table: personalities and their seed

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
