-- roundtable base, settings: Settings (rt.settings key -> jsonb value), the bot's texts and identity

-- Built-in defaults live in code, not as rows: rt.settings is dumped by pg_dump as extension
-- configuration, and rows inserted by the install script would clash on restore.
CREATE FUNCTION rt.setting(key text) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT coalesce(
        (SELECT s.value FROM rt.settings s WHERE s.key = setting.key),
        CASE setting.key
            WHEN 'preset.defaults' THEN '{"temperature":0.7,"max_tokens":512,"tone":"neutral","verbosity":"short","emotional_intensity":50,"persona":""}'::jsonb
            WHEN 'takeover.minutes' THEN '30'::jsonb
            WHEN 'context.messages' THEN '20'::jsonb
            WHEN 'matcher.version' THEN '1'::jsonb
            WHEN 'admin.signature' THEN '""'::jsonb
            WHEN 'telegram.streaming' THEN 'true'::jsonb
            WHEN 'roundtable.max_rounds' THEN '5'::jsonb
            WHEN 'roundtable.turn_timeout_sec' THEN '60'::jsonb
            WHEN 'roundtable.context_token_limit' THEN '6000'::jsonb
            WHEN 'bot.texts' THEN '{}'::jsonb
        END,
        'null'::jsonb)
$$;
COMMENT ON FUNCTION rt.setting(text) IS 'A setting''s value, or its built-in default (preset.defaults, takeover.minutes, context.messages, matcher.version, admin.signature "", telegram.streaming true, roundtable.max_rounds 5, roundtable.turn_timeout_sec 60, roundtable.context_token_limit 6000, bot.texts {} = every text its default), or JSON null (bot.username, bot.id, autoreply.provider, roundtable.max_tokens, roundtable.max_cost, roundtable.summary_provider, payment.url)';

CREATE FUNCTION rt._setting_keys() RETURNS text[]
LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['preset.defaults', 'takeover.minutes', 'context.messages', 'bot.username', 'bot.id',
                   'autoreply.provider', 'admin.signature', 'telegram.streaming',
                   'roundtable.max_rounds', 'roundtable.turn_timeout_sec', 'roundtable.context_token_limit',
                   'roundtable.max_tokens', 'roundtable.max_cost', 'roundtable.summary_provider',
                   'payment.url', 'bot.texts'] $$;
COMMENT ON FUNCTION rt._setting_keys() IS 'internal: the settings an admin may read and change through the API';

CREATE FUNCTION rt._validate_setting_0_3(key text, value jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    t text := jsonb_typeof(value);
    k text;
    v jsonb;
BEGIN
    CASE key
    WHEN 'preset.defaults' THEN
        IF t IS DISTINCT FROM 'object' THEN
            RAISE EXCEPTION 'field "value" must be an object with temperature, max_tokens, tone, verbosity, emotional_intensity and persona'
                USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
        PERFORM rt._known_keys(value, ARRAY['temperature', 'max_tokens', 'tone', 'verbosity', 'emotional_intensity', 'persona'], 'field', 'value.');
        FOREACH k IN ARRAY ARRAY['temperature', 'max_tokens', 'tone', 'verbosity', 'emotional_intensity', 'persona'] LOOP
            IF NOT value ? k OR jsonb_typeof(value -> k) = 'null' THEN
                RAISE EXCEPTION 'field "value.%" is required', k USING ERRCODE = '22023', COLUMN = 'value.' || k;
            END IF;
        END LOOP;
        v := value -> 'temperature';
        IF jsonb_typeof(v) <> 'number' OR v::text::numeric NOT BETWEEN 0 AND 2 THEN
            RAISE EXCEPTION 'field "value.temperature" must be between 0 and 2' USING ERRCODE = '22023', COLUMN = 'value.temperature';
        END IF;
        v := value -> 'max_tokens';
        IF jsonb_typeof(v) <> 'number' OR v::text !~ '^[0-9]{1,9}$' OR v::text::int NOT BETWEEN 1 AND 32000 THEN
            RAISE EXCEPTION 'field "value.max_tokens" must be an integer between 1 and 32000' USING ERRCODE = '22023', COLUMN = 'value.max_tokens';
        END IF;
        IF jsonb_typeof(value -> 'tone') <> 'string' OR value ->> 'tone' NOT IN ('formal', 'friendly', 'neutral', 'aggressive') THEN
            RAISE EXCEPTION 'field "value.tone" must be one of formal, friendly, neutral, aggressive' USING ERRCODE = '22023', COLUMN = 'value.tone';
        END IF;
        IF jsonb_typeof(value -> 'verbosity') <> 'string' OR value ->> 'verbosity' NOT IN ('short', 'detailed') THEN
            RAISE EXCEPTION 'field "value.verbosity" must be one of short, detailed' USING ERRCODE = '22023', COLUMN = 'value.verbosity';
        END IF;
        v := value -> 'emotional_intensity';
        IF jsonb_typeof(v) <> 'number' OR v::text !~ '^[0-9]{1,9}$' OR v::text::int NOT BETWEEN 0 AND 100 THEN
            RAISE EXCEPTION 'field "value.emotional_intensity" must be an integer between 0 and 100' USING ERRCODE = '22023', COLUMN = 'value.emotional_intensity';
        END IF;
        IF jsonb_typeof(value -> 'persona') <> 'string' OR length(value ->> 'persona') > 4000 THEN
            RAISE EXCEPTION 'field "value.persona" must be a string of at most 4000 characters' USING ERRCODE = '22023', COLUMN = 'value.persona';
        END IF;
    WHEN 'takeover.minutes' THEN
        IF t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,9}$' OR value::text::int NOT BETWEEN 1 AND 10080 THEN
            RAISE EXCEPTION 'field "value" must be an integer between 1 and 10080' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'context.messages' THEN
        IF t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,9}$' OR value::text::int NOT BETWEEN 0 AND 100 THEN
            RAISE EXCEPTION 'field "value" must be an integer between 0 and 100' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'bot.username' THEN
        IF t = 'string' AND left(value #>> '{}', 1) = '@' THEN
            RAISE EXCEPTION 'field "value" must be the username without "@"' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
        IF t IS DISTINCT FROM 'null' AND (t IS DISTINCT FROM 'string' OR value #>> '{}' !~ '^[A-Za-z0-9_]{1,64}$') THEN
            RAISE EXCEPTION 'field "value" must be a Telegram username (letters, digits, _) or null' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'bot.id' THEN
        IF t IS DISTINCT FROM 'null' AND (t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,18}$') THEN
            RAISE EXCEPTION 'field "value" must be a positive integer or null' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'autoreply.provider' THEN
        IF t IS DISTINCT FROM 'null' AND (t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,18}$') THEN
            RAISE EXCEPTION 'field "value" must be a provider id or null' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
        IF t = 'number' AND NOT EXISTS (SELECT FROM rt.providers p WHERE p.id = value::text::bigint) THEN
            RAISE EXCEPTION 'provider % does not exist', value USING ERRCODE = 'P0002', COLUMN = 'value';
        END IF;
    WHEN 'admin.signature' THEN
        IF t IS DISTINCT FROM 'string' OR length(value #>> '{}') > 500 THEN
            RAISE EXCEPTION 'field "value" must be a string of at most 500 characters' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'telegram.streaming' THEN
        IF t IS DISTINCT FROM 'boolean' THEN
            RAISE EXCEPTION 'field "value" must be true or false' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    ELSE
        RAISE EXCEPTION 'unknown setting "%"', key USING ERRCODE = 'P0002',
            HINT = 'Known settings: ' || array_to_string(rt._setting_keys(), ', ') || '.';
    END CASE;
    RETURN value;
END
$$;
COMMENT ON FUNCTION rt._validate_setting_0_3(text, jsonb) IS 'internal: the rules of the settings up to 0.3.0 (rt._validate_setting calls it for those keys); P0002 for an unknown key';

CREATE FUNCTION rt._setting_json(key text) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object('key', _setting_json.key, 'value', rt.setting(_setting_json.key),
                              'is_default', s.key IS NULL, 'updated_at', s.updated_at)
    FROM (SELECT 1) one LEFT JOIN rt.settings s ON s.key = _setting_json.key
$$;
COMMENT ON FUNCTION rt._setting_json(text) IS 'internal: a setting as {key, value, is_default, updated_at}';

CREATE FUNCTION rt.list_settings() RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
BEGIN
    PERFORM rt.require_role('viewer');
    RETURN jsonb_build_object('items',
        (SELECT jsonb_agg(rt._setting_json(k) ORDER BY k) FROM unnest(rt._setting_keys()) k));
END
$$;
COMMENT ON FUNCTION rt.list_settings() IS 'GET /api/settings: {"items":[{key, value, is_default, updated_at}]} for every API setting (viewer)';

CREATE FUNCTION rt.update_setting(key text, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
BEGIN
    PERFORM rt.require_role('admin');
    IF key IS NULL OR NOT key = ANY (rt._setting_keys()) THEN
        RAISE EXCEPTION 'unknown setting "%"', key USING ERRCODE = 'P0002',
            HINT = 'Known settings: ' || array_to_string(rt._setting_keys(), ', ') || '.';
    END IF;
    body := rt._known_keys(body, ARRAY['value']);
    IF NOT body ? 'value' THEN
        RAISE EXCEPTION 'field "value" is required' USING ERRCODE = '22023', COLUMN = 'value';
    END IF;
    PERFORM rt._validate_setting(key, body -> 'value');
    INSERT INTO rt.settings AS s (key, value, updated_at) VALUES (update_setting.key, body -> 'value', now())
    ON CONFLICT ON CONSTRAINT settings_pkey DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
    WHERE s.value IS DISTINCT FROM excluded.value;
    RETURN rt._setting_json(key);
END
$$;
COMMENT ON FUNCTION rt.update_setting(text, jsonb) IS 'PUT /api/settings/{key}: {"value": ...} validated per key (admin); P0002 for an unknown or internal key';

-- The bot's identity, stored by the Telegram poller (getMe) and, in the demo without a token,
-- at start-up; a worker function, so the edge calls it without an actor.
CREATE FUNCTION rt.set_bot_identity(bot_id bigint, username text, only_if_unset boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt._require_worker('admin');
    IF bot_id IS NULL OR bot_id <= 0 THEN
        RAISE EXCEPTION 'bot_id must be a positive integer' USING ERRCODE = '22023';
    END IF;
    IF username IS NULL OR username !~ '^[A-Za-z0-9_]{1,64}$' THEN
        RAISE EXCEPTION 'username must be 1 to 64 letters, digits or underscores' USING ERRCODE = '22023';
    END IF;
    IF only_if_unset AND rt.setting('bot.username') <> 'null'::jsonb THEN
        RETURN false;
    END IF;
    -- as rt.update_setting writes them (its triggers audit and announce the change)
    INSERT INTO rt.settings AS s (key, value, updated_at)
    VALUES ('bot.id', to_jsonb(bot_id), now()), ('bot.username', to_jsonb(username), now())
    ON CONFLICT ON CONSTRAINT settings_pkey DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
    WHERE s.value IS DISTINCT FROM excluded.value;
    RETURN true;
END
$$;
COMMENT ON FUNCTION rt.set_bot_identity(bigint, text, boolean) IS 'Edge worker: stores the bot''s Telegram identity (settings bot.id and bot.username, audited); with only_if_unset nothing changes when bot.username is already set. Returns whether it stored';

-- the bot's texts and their Russian defaults (contract-roundtable.md); admins override any of them
CREATE FUNCTION rt._bot_text_defaults() RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$ SELECT jsonb_build_object(
    'button_new', 'Новое обсуждение',
    'button_stop', 'Остановить диалог',
    'button_donate', 'Отблагодарить создателя',
    'welcome', 'Здравствуйте! Я устраиваю круглый стол нейросетей: назовите тему, и модели обсудят её по очереди. Кнопки внизу: начать, остановить, поблагодарить.',
    'help', E'/new — новое обсуждение: я спрошу тему, и модели будут отвечать по очереди.\n/stop — остановить обсуждение.\n/donate — отблагодарить создателя.',
    'ask_topic', 'О чём поговорим? Напишите тему обсуждения одним сообщением.',
    'started', 'Тема: «{topic}». Участники: {names}. Раундов: {rounds}.',
    'already_running', 'Обсуждение уже идёт. Остановите его (/stop), чтобы начать новое.',
    'nothing_to_stop', 'Сейчас нет обсуждения, которое можно остановить.',
    'excluded', '{name} исключён из обсуждения: {reason}.',
    'ended_rounds_done', 'Обсуждение завершено: все раунды пройдены ({rounds}).',
    'ended_timeout', 'Обсуждение прервано: модель не ответила вовремя.',
    'ended_token_limit', 'Обсуждение завершено: исчерпан лимит токенов.',
    'ended_cost_limit', 'Обсуждение завершено: исчерпан лимит стоимости.',
    'ended_stopped_by_user', 'Обсуждение остановлено по вашей команде.',
    'ended_stopped_by_admin', 'Обсуждение остановлено администратором.',
    'ended_no_participants', 'Обсуждение завершено: не осталось участников.',
    'ended_error', 'Обсуждение прервано из-за ошибки.',
    'donate', 'Спасибо, что хотите поддержать проект!',
    'donate_button', 'Поддержать',
    'donate_unavailable', 'Спасибо! Ссылка для поддержки пока не настроена.') $$;
COMMENT ON FUNCTION rt._bot_text_defaults() IS 'internal: every key of setting bot.texts with its Russian default';

-- the one validity rule of a payment link, shared by the setting and by /donate
CREATE FUNCTION rt._payment_url_error(url text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
        WHEN url IS NULL THEN 'is not set'
        WHEN length(url) > 2000 THEN 'must be at most 2000 characters'
        WHEN url !~ '^https?://[^/?#[:space:][:cntrl:]@]+(:[0-9]{1,5})?([/?#][^[:space:][:cntrl:]]*)?$'
            THEN 'must be an absolute http:// or https:// URL without spaces'
    END
$$;
COMMENT ON FUNCTION rt._payment_url_error(text) IS 'internal: why a payment link cannot be used (null = it can): absolute http(s) URL of at most 2000 characters, no spaces, control characters or user info';

CREATE FUNCTION rt._validate_setting(key text, value jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    t text := jsonb_typeof(value);
    k text;
    err text;
BEGIN
    CASE key
    WHEN 'roundtable.max_rounds' THEN
        IF t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,9}$' OR value::text::int NOT BETWEEN 1 AND 100 THEN
            RAISE EXCEPTION 'field "value" must be an integer between 1 and 100 (rounds)' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'roundtable.turn_timeout_sec' THEN
        IF t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,9}$' OR value::text::int NOT BETWEEN 5 AND 3600 THEN
            RAISE EXCEPTION 'field "value" must be an integer between 5 and 3600 (seconds)' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'roundtable.context_token_limit' THEN
        IF t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,9}$' OR value::text::int NOT BETWEEN 500 AND 1000000 THEN
            RAISE EXCEPTION 'field "value" must be an integer between 500 and 1000000 (tokens)' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'roundtable.max_tokens' THEN
        IF t IS DISTINCT FROM 'null' AND (t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,9}$'
                                          OR value::text::bigint NOT BETWEEN 1 AND 100000000) THEN
            RAISE EXCEPTION 'field "value" must be null (no limit) or an integer between 1 and 100000000 (tokens)' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'roundtable.max_cost' THEN
        IF t IS DISTINCT FROM 'null' AND (t IS DISTINCT FROM 'number' OR value::text::numeric <= 0
                                          OR value::text::numeric > 100000) THEN
            RAISE EXCEPTION 'field "value" must be null (no limit) or a number of USD above 0 and at most 100000' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    WHEN 'roundtable.summary_provider' THEN
        IF t IS DISTINCT FROM 'null' AND (t IS DISTINCT FROM 'number' OR value::text !~ '^[0-9]{1,18}$') THEN
            RAISE EXCEPTION 'field "value" must be a provider id or null' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
        IF t = 'number' AND NOT EXISTS (SELECT FROM rt.providers p WHERE p.id = value::text::bigint) THEN
            RAISE EXCEPTION 'provider % does not exist', value USING ERRCODE = 'P0002', COLUMN = 'value';
        END IF;
    WHEN 'payment.url' THEN
        IF t IS DISTINCT FROM 'null' THEN
            err := CASE WHEN t <> 'string' THEN 'must be a string' ELSE rt._payment_url_error(value #>> '{}') END;
            IF err IS NOT NULL THEN
                RAISE EXCEPTION 'field "value" %', CASE WHEN t <> 'string' THEN 'must be null or an absolute http:// or https:// URL' ELSE err END
                    USING ERRCODE = '22023', COLUMN = 'value';
            END IF;
        END IF;
    WHEN 'bot.texts' THEN
        IF t IS DISTINCT FROM 'object' THEN
            RAISE EXCEPTION 'field "value" must be an object of bot texts' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
        FOR k IN SELECT jsonb_object_keys(value) LOOP
            IF NOT rt._bot_text_defaults() ? k THEN
                RAISE EXCEPTION 'field "value.%" is not a bot text', k USING ERRCODE = '22023', COLUMN = 'value.' || k,
                    HINT = 'Known texts: ' || (SELECT string_agg(x, ', ' ORDER BY x) FROM jsonb_object_keys(rt._bot_text_defaults()) x) || '.';
            END IF;
            IF jsonb_typeof(value -> k) <> 'string' OR length(value ->> k) NOT BETWEEN 1 AND 2000
               OR btrim(value ->> k) = '' THEN
                RAISE EXCEPTION 'field "value.%" must be a non-empty string of at most 2000 characters', k
                    USING ERRCODE = '22023', COLUMN = 'value.' || k;
            END IF;
            IF k LIKE 'button_%' AND (length(value ->> k) > 100 OR value ->> k ~ '^/') THEN
                RAISE EXCEPTION 'field "value.%" must be a button label of at most 100 characters not starting with "/"', k
                    USING ERRCODE = '22023', COLUMN = 'value.' || k;
            END IF;
        END LOOP;
        IF (SELECT count(DISTINCT lower(btrim(coalesce(value ->> x, rt._bot_text_defaults() ->> x))))
            FROM unnest(ARRAY['button_new', 'button_stop', 'button_donate']) x) < 3 THEN
            RAISE EXCEPTION 'field "value" must give the three menu buttons different labels' USING ERRCODE = '22023', COLUMN = 'value';
        END IF;
    ELSE
        -- the settings of earlier releases: 0.3.0's rules (rt._validate_setting_0_3 is that body)
        RETURN rt._validate_setting_0_3(key, value);
    END CASE;
    RETURN value;
END
$$;
COMMENT ON FUNCTION rt._validate_setting(text, jsonb) IS 'internal: 22023 naming the field unless value is valid for the setting key (the round table''s: roundtable.max_rounds 1..100, roundtable.turn_timeout_sec 5..3600, roundtable.context_token_limit 500..1000000, roundtable.max_tokens null|1..1e8, roundtable.max_cost null|(0, 100000], roundtable.summary_provider null|provider id (P0002 unknown), payment.url null|http(s) URL, bot.texts known keys, 1..2000 characters, distinct buttons); earlier keys as 0.3.0; P0002 for an unknown key';

-- a text by key, the admin's version when set, with {name} placeholders replaced from vars
CREATE FUNCTION rt._bot_text(key text, vars jsonb DEFAULT '{}') RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    custom jsonb := rt.setting('bot.texts');
    t text;
    v record;
BEGIN
    IF NOT rt._bot_text_defaults() ? key THEN
        RAISE EXCEPTION 'unknown bot text "%"', key USING ERRCODE = '22023';
    END IF;
    t := CASE WHEN jsonb_typeof(custom) = 'object' AND jsonb_typeof(custom -> key) = 'string'
                   AND btrim(custom ->> key) <> ''
              THEN custom ->> key ELSE rt._bot_text_defaults() ->> key END;
    FOR v IN SELECT e.key AS k, e.value AS val FROM jsonb_each(coalesce(vars, '{}')) e LOOP
        t := replace(t, '{' || v.k || '}', coalesce(v.val #>> '{}', ''));
    END LOOP;
    RETURN left(t, 4096);
END
$$;
COMMENT ON FUNCTION rt._bot_text(text, jsonb) IS 'internal: the bot text key (setting bot.texts, else its Russian default) with {placeholders} replaced from vars, cut to 4096 characters; 22023 for an unknown key';

-- the reply keyboard of the round table: new discussion; stop, thank the creator
CREATE FUNCTION rt._menu_keyboard() RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'keyboard', jsonb_build_array(
            jsonb_build_array(jsonb_build_object('text', rt._bot_text('button_new'))),
            jsonb_build_array(jsonb_build_object('text', rt._bot_text('button_stop')),
                              jsonb_build_object('text', rt._bot_text('button_donate')))),
        'resize_keyboard', true,
        'is_persistent', true)
$$;
COMMENT ON FUNCTION rt._menu_keyboard() IS 'internal: the reply_markup of /start and /help: the three menu buttons of bot.texts';

-- every bot message of the round table: a queued outgoing message (in the session's history when
-- session_id is given) and its telegram.send job, whose payload carries reply_markup when given
CREATE FUNCTION rt._queue_bot_text(chat_id bigint, text text, reply_markup jsonb DEFAULT NULL,
                                   session_id bigint DEFAULT NULL, reply_to_message_id bigint DEFAULT NULL,
                                   in_reply_to bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    pk bigint;
    job bigint;
    at timestamptz := clock_timestamp();
BEGIN
    IF chat_id IS NULL THEN
        RETURN jsonb_build_object('message_pk', NULL, 'job', NULL);   -- a console-only session: nobody to tell
    END IF;
    INSERT INTO rt.messages (chat_id, direction, author_type, kind, text, created_at, status, in_reply_to, session_id,
                             reply_markup)
    VALUES (chat_id, 'out', 'bot', 'text', text, at, 'queued', in_reply_to, session_id, reply_markup)
    RETURNING id INTO pk;
    INSERT INTO rt.outbox (kind, payload)
    VALUES ('telegram.send', jsonb_build_object('chat_id', chat_id, 'text', text,
                                                'reply_to_message_id', reply_to_message_id,
                                                'message_pk', pk, 'as', 'bot', 'in_reply_to', in_reply_to)
                             || CASE WHEN reply_markup IS NOT NULL THEN jsonb_build_object('reply_markup', reply_markup) ELSE '{}' END
                             || CASE WHEN session_id IS NOT NULL THEN jsonb_build_object('session_id', session_id) ELSE '{}' END)
    RETURNING id INTO job;
    UPDATE rt.chats c SET last_message_at = at, last_message_id = pk
    WHERE c.id = _queue_bot_text.chat_id
      AND (c.last_message_at IS NULL OR (c.last_message_at, c.last_message_id) < (at, pk));
    RETURN jsonb_build_object('message_pk', pk, 'job', job);
END
$$;
COMMENT ON FUNCTION rt._queue_bot_text(bigint, text, jsonb, bigint, bigint, bigint) IS 'internal: stores a queued outgoing bot message (session_id, in_reply_to, reply_markup when given) and its telegram.send job (reply_markup, session_id in the payload when given); returns {"message_pk","job"}, both null for a null chat. The caller rings rt_outbox and the journal once per transaction';
