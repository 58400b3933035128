-- the round table's personalities (contract-roundtable.md): the seed, CRUD and its errors
-- (22023 naming the field, P0002, 23505 title, 40001 version), roles, audit; the shared paging
-- helper rt._page_filter (bad q, limit, cursor, unknown keys) and list_providers on it;
-- Provider.personality_id; rt.ensure_default_providers' model and personalities;
-- rt.ensure_roundtable_settings (first start seeds, the console wins, invalid values refused
-- and notified), as rt_edge without an actor. Logins t92_*; everything rolls back.
BEGIN;
SELECT plan(108);

-- 'ok', or the SQLSTATE and the COLUMN field the error named (22023:title)
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text;
    col text;
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, col = COLUMN_NAME;
    RETURN st || coalesce(':' || nullif(col, ''), '');
END
$$;
CREATE FUNCTION pg_temp.keys(j jsonb) RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(j) k
$$;
CREATE TEMP TABLE t92_admins AS
WITH a AS (
    INSERT INTO rt.admins (login, password_hash, role)
    SELECT 't92_' || r, 'x', r FROM unnest(ARRAY['owner', 'admin', 'moderator', 'viewer']) r
    RETURNING id, role)
SELECT * FROM a;
CREATE FUNCTION pg_temp.act(r text) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce((SELECT 'admin:' || id FROM t92_admins WHERE role = r), ''), true)
$$;
CREATE TEMP TABLE t92 (k text PRIMARY KEY, j jsonb);
CREATE FUNCTION pg_temp.id(k text) RETURNS bigint LANGUAGE sql AS $$ SELECT (j ->> 'id')::bigint FROM t92 WHERE t92.k = id.k $$;
-- runs sql as role r without an actor; '00000' or the SQLSTATE; always rolled back
CREATE FUNCTION pg_temp.state_as(r text, sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        PERFORM set_config('rt.actor', '', true);
        EXECUTE format('SET LOCAL ROLE %I', r);
        EXECUTE sql;
        RAISE EXCEPTION 'done' USING ERRCODE = 'RT000';
    EXCEPTION WHEN OTHERS THEN
        RETURN CASE WHEN SQLSTATE = 'RT000' THEN '00000' ELSE SQLSTATE END;
    END;
END
$$;

-- ---------------------------------------------------------------------------
-- The seed
-- ---------------------------------------------------------------------------
-- made by the edge's first start (rt.ensure_default_providers), never by the extension script:
-- rows CREATE EXTENSION inserted would collide with pg_restore's COPY of this dumped table
DELETE FROM rt.settings WHERE key = 'seed.personalities';
UPDATE rt.providers SET personality_id = NULL;
DELETE FROM rt.personalities;
SELECT is(rt._seed_personalities(), 2, 'the first start seeds two personalities');
SELECT is(ARRAY(SELECT title FROM rt.personalities ORDER BY id),
          ARRAY['Оптимист', 'Скептик'], 'Оптимист then Скептик');
SELECT ok((SELECT bool_and(length(instructions) > 100 AND length(style) > 20) FROM rt.personalities
           WHERE title IN ('Оптимист', 'Скептик')), 'with Russian instructions and style');
SELECT ok(EXISTS (SELECT FROM rt.settings WHERE key = 'seed.personalities'), 'the marker setting remembers it');
DELETE FROM rt.personalities WHERE title = 'Скептик';
SELECT is(rt._seed_personalities(), 0, 'a later start seeds nothing: a deleted seed stays deleted');
SELECT is(ARRAY(SELECT title FROM rt.personalities ORDER BY id), ARRAY['Оптимист'], 'only the kept one is there');
INSERT INTO rt.personalities (title, instructions, style)
SELECT 'Скептик', 'Ты — Скептик за круглым столом: ищи слабые места доводов и проверяй их фактами, вежливо и по существу.', 'Спокойно и точно, 3–5 предложений.';

-- a known world from here on: no personalities, no providers but ours
DELETE FROM rt.providers;
DELETE FROM rt.personalities;

-- ---------------------------------------------------------------------------
-- CRUD
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('admin');
INSERT INTO t92 VALUES ('a', rt.create_personality('{"title": "  Адвокат дьявола ", "instructions": "Спорь со всеми.\nВсегда.", "style": "коротко"}'));
SELECT is(pg_temp.keys((SELECT j FROM t92 WHERE k = 'a')),
          ARRAY['created_at', 'id', 'instructions', 'style', 'title', 'updated_at', 'version'],
          'Personality JSON has exactly the contract''s keys');
SELECT is((SELECT j - 'id' - 'created_at' - 'updated_at' FROM t92 WHERE k = 'a'),
          jsonb_build_object('title', 'Адвокат дьявола', 'instructions', E'Спорь со всеми.\nВсегда.', 'style', 'коротко', 'version', 1),
          'create: the title trimmed, line breaks kept in instructions, version 1');
INSERT INTO t92 VALUES ('b', rt.create_personality('{"title": "Beta"}'));
SELECT is((SELECT j ->> 'instructions' || '|' || (j ->> 'style') FROM t92 WHERE k = 'b'), '|', 'instructions and style default to empty');
SELECT is(rt.get_personality(pg_temp.id('a')), (SELECT j FROM t92 WHERE k = 'a'), 'get returns what create returned');
SELECT is(pg_temp.err('SELECT rt.get_personality(-1)'), 'P0002:id', 'get of an unknown id: P0002');

SELECT is(pg_temp.err(format('SELECT rt.create_personality(%L)', b)), want, 'create refuses ' || b)
FROM (VALUES ('{}', '22023:title'), ('{"title": ""}', '22023:title'), ('{"title": "   "}', '22023:title'),
             ('{"title": 5}', '22023:title'), (format('{"title": "%s"}', repeat('x', 101)), '22023:title'),
             (E'{"title": "a\\u0007b"}', '22023:title'),
             ('{"title": "ok", "instructions": 1}', '22023:instructions'),
             (format('{"title": "ok", "instructions": "%s"}', repeat('я', 4001)), '22023:instructions'),
             (format('{"title": "ok", "style": "%s"}', repeat('x', 1001)), '22023:style'),
             (E'{"title": "ok", "style": "a\\u0000b"}', '22P05'),
             ('{"title": "ok", "colour": "red"}', '22023:colour'), ('[]', '22023:body'),
             ('{"title": "аДВОКАТ ДЬЯВОЛА"}', '23505:title'), ('{"title": "beta"}', '23505:title')) v (b, want);

-- update: the fields present, version, conflicts
SELECT is((rt.update_personality(pg_temp.id('b'), '{"style": "sharp", "version": 1}') - 'created_at' - 'updated_at' - 'id'),
          '{"title": "Beta", "instructions": "", "style": "sharp", "version": 2}'::jsonb, 'update changes the fields present and bumps version');
SELECT is(rt.update_personality(pg_temp.id('b'), '{"style": "sharp"}') ->> 'version', '2', 'an update that changes nothing keeps the version');
SELECT is(pg_temp.err(format('SELECT rt.update_personality(%s, ''{"style": "x", "version": 1}'')', pg_temp.id('b'))), '40001:version',
          'a stale version: 40001 naming version');
SELECT is(pg_temp.err(format('SELECT rt.update_personality(%s, ''{"title": "АДВОКАТ дьявола"}'')', pg_temp.id('b'))), '23505:title',
          'update to a title taken regardless of case: 23505 naming title');
SELECT is(rt.update_personality(pg_temp.id('b'), '{"title": "BETA"}') ->> 'title', 'BETA', 'a personality may change the case of its own title');
SELECT is(pg_temp.err(format('SELECT rt.update_personality(%s, ''{"title": null}'')', pg_temp.id('b'))), '22023:title', 'title cannot be cleared');
SELECT is(pg_temp.err(format('SELECT rt.update_personality(%s, ''{"version": "1"}'')', pg_temp.id('b'))), '22023:version', 'version must be an integer');
SELECT is(pg_temp.err('SELECT rt.update_personality(-1, ''{}'')'), 'P0002:id', 'update of an unknown id: P0002');
SELECT is(rt.update_personality(pg_temp.id('a'), rt.get_personality(pg_temp.id('a'))) ->> 'version', '1',
          'a GET result sent back as is: accepted, nothing changes');

-- audit
SELECT ok((SELECT count(*) FROM rt.audit_log WHERE action = 'personality.insert' AND target = 'personality:' || pg_temp.id('a')) = 1,
          'create is audited (personality.insert)');
SELECT ok((SELECT count(*) FROM rt.audit_log WHERE action = 'personality.update' AND target = 'personality:' || pg_temp.id('b')
           AND actor = (SELECT 'admin:' || id FROM t92_admins WHERE role = 'admin')) >= 1, 'update is audited with the actor');

-- roles: viewers read, admins write
SELECT pg_temp.act('viewer');
SELECT is(pg_temp.err(q), 'ok', 'a viewer may ' || q)
FROM unnest(ARRAY['SELECT rt.list_personalities()', format('SELECT rt.get_personality(%s)', pg_temp.id('a'))]) q;
SELECT is(pg_temp.err(q), '42501', 'a viewer may not ' || q)
FROM unnest(ARRAY['SELECT rt.create_personality(''{"title": "t92 v"}'')',
                  format('SELECT rt.update_personality(%s, ''{"style": "v"}'')', pg_temp.id('a')),
                  format('SELECT rt.delete_personality(%s)', pg_temp.id('a'))]) q;
SELECT pg_temp.act('moderator');
SELECT is(pg_temp.err('SELECT rt.create_personality(''{"title": "t92 m"}'')'), '42501', 'a moderator may not create one');
SELECT is(pg_temp.state_as('rt_edge', 'SELECT rt.list_personalities()'), '42501', 'rt_edge without an actor reads no personalities');
SELECT pg_temp.act('admin');

-- ---------------------------------------------------------------------------
-- List: by title, q, paging through rt._page_filter
-- ---------------------------------------------------------------------------
INSERT INTO t92 SELECT 'p' || i, rt.create_personality(jsonb_build_object('title', format('t92 %s', chr(96 + i)),
                                                                          'style', CASE WHEN i = 3 THEN '100% прямо_так' ELSE '' END))
FROM generate_series(1, 5) i;
SELECT is(ARRAY(SELECT x ->> 'title' FROM jsonb_array_elements(rt.list_personalities() -> 'items') x),
          ARRAY(SELECT title FROM rt.personalities ORDER BY lower(title), id), 'listed by lower(title), then id');
SELECT is(ARRAY(SELECT x ->> 'title' FROM jsonb_array_elements(rt.list_personalities('{"q": "T92"}') -> 'items') x),
          ARRAY['t92 a', 't92 b', 't92 c', 't92 d', 't92 e'], 'q searches titles, case-insensitive');
SELECT is(ARRAY(SELECT x ->> 'title' FROM jsonb_array_elements(rt.list_personalities('{"q": "0% прямо_"}') -> 'items') x),
          ARRAY['t92 c'], 'q searches style; % and _ are literal');
SELECT is(jsonb_array_length(rt.list_personalities('{"q": "спорь со"}') -> 'items'), 1, 'q searches instructions');
CREATE TEMP TABLE t92_pages AS
WITH RECURSIVE pages(n, page) AS (
    SELECT 1, rt.list_personalities('{"q": "t92", "limit": 2}')
    UNION ALL
    SELECT n + 1, rt.list_personalities(jsonb_build_object('q', 't92', 'limit', '2', 'cursor', page ->> 'next_cursor'))
    FROM pages WHERE page ->> 'next_cursor' IS NOT NULL AND n < 10)
SELECT * FROM pages;
SELECT is(ARRAY(SELECT x ->> 'title' FROM t92_pages, jsonb_array_elements(page -> 'items') x ORDER BY n),
          ARRAY['t92 a', 't92 b', 't92 c', 't92 d', 't92 e'], 'pages of 2 (limit as a digit string) walk the list once');
SELECT is((SELECT count(*)::int FROM t92_pages), 3, 'three pages, the last without next_cursor');
SELECT is(pg_temp.err(format('SELECT rt.list_personalities(%L)', f)), want, 'list_personalities refuses ' || f)
FROM (VALUES ('{"limit": 0}', '22023:limit'), ('{"limit": 201}', '22023:limit'), ('{"limit": "ten"}', '22023:limit'),
             ('{"limit": 1.5}', '22023:limit'), ('{"q": 5}', '22023:q'), (format('{"q": "%s"}', repeat('q', 201)), '22023:q'),
             ('{"cursor": 5}', '22023:cursor'), ('{"cursor": "!!"}', '22023:cursor'),
             (format('{"cursor": "%s"}', rt._cursor_encode('pv:1:2')), '22023:cursor'),
             ('{"sort": "title"}', '22023:sort'), ('"x"', '22023')) v (f, want);
SELECT is(pg_temp.err(format('SELECT rt.list_personalities(''{"cursor": "%s"}'')', rt._cursor_encode('ps:999999999'))), '22023:cursor',
          'a cursor naming a deleted personality: 22023 cursor, not a silent restart');

-- the helper itself
SELECT is((SELECT row(f.q, f.like_pat, f.lim, f.cursor)::text FROM rt._page_filter('{"q": "a_b%c\\d"}', '{}', '^x$') f),
          row('a_b%c\d', '%a\_b\%c\\d%', 50, NULL::text[])::text, 'the helper: like pattern escaped, default limit 50, no cursor');
SELECT is((SELECT f.cursor FROM rt._page_filter(jsonb_build_object('cursor', rt._cursor_encode('ss:7:9'), 'status', 'x'),
                                               ARRAY['status'], '^ss:([0-9]+):([0-9]+)$') f),
          ARRAY['7', '9'], 'the helper: extra keys allowed, the cursor''s capture groups returned');
SELECT is((SELECT f.like_pat IS NULL AND f.lim = 200 FROM rt._page_filter('{"q": "", "limit": 200}', NULL, '^x$') f), true,
          'the helper: an empty q is no filter; limit 200 is allowed');
SELECT is(pg_temp.err('SELECT rt._page_filter(''{"status": "x"}'', ''{}'', ''^x$'')'), '22023:status', 'the helper: keys not named are refused');

-- list_providers on the helper: same filters and errors as before
INSERT INTO t92 VALUES ('pv1', rt.create_provider('{"name": "t92 one", "type": "demo", "model_id": "d", "position": 1, "enabled": true}')),
                       ('pv2', rt.create_provider('{"name": "t92 two", "type": "demo", "model_id": "d", "position": 2}')),
                       ('pv3', rt.create_provider('{"name": "t92 three", "type": "demo", "model_id": "d", "position": 3, "enabled": true}'));
SELECT is(ARRAY(SELECT x ->> 'name' FROM jsonb_array_elements(rt.list_providers('{"enabled": "true"}') -> 'items') x),
          ARRAY['t92 one', 't92 three'], 'list_providers: enabled filter');
SELECT is(ARRAY(SELECT x ->> 'name' FROM jsonb_array_elements(rt.list_providers(jsonb_build_object('limit', 1,
              'cursor', rt.list_providers('{"limit": 1}') ->> 'next_cursor')) -> 'items') x),
          ARRAY['t92 two'], 'list_providers: keyset cursor (position, id)');
SELECT is(pg_temp.err(format('SELECT rt.list_providers(%L)', f)), want, 'list_providers refuses ' || f)
FROM (VALUES ('{"limit": 0}', '22023:limit'), ('{"enabled": "yes"}', '22023:enabled'), ('{"q": []}', '22023:q'),
             ('{"cursor": "AAAA"}', '22023:cursor'), ('{"x": 1}', '22023:x')) v (f, want);

-- ---------------------------------------------------------------------------
-- Provider.personality_id
-- ---------------------------------------------------------------------------
SELECT is(rt.create_provider(jsonb_build_object('name', 't92 four', 'type', 'demo', 'model_id', 'd',
                                                'personality_id', pg_temp.id('a'))) -> 'personality_id',
          to_jsonb(pg_temp.id('a')), 'create_provider with a personality');
SELECT is(pg_temp.err('SELECT rt.create_provider(''{"name": "t92 five", "type": "demo", "model_id": "d", "personality_id": 999999999}'')'),
          'P0002:personality_id', 'create_provider with an unknown personality: P0002 naming personality_id');
SELECT is(pg_temp.err('SELECT rt.create_provider(''{"name": "t92 five", "type": "demo", "model_id": "d", "personality_id": "x"}'')'),
          '22023:personality_id', 'personality_id must be an integer');
SELECT is((rt.update_provider(pg_temp.id('pv1'), jsonb_build_object('personality_id', pg_temp.id('b'), 'version', 1))
           - 'created_at' - 'updated_at' - 'id') -> 'personality_id', to_jsonb(pg_temp.id('b')), 'update_provider sets it');
SELECT is(rt.get_provider(pg_temp.id('pv1')) ->> 'version', '2', 'and bumps the version');
SELECT is(rt.update_provider(pg_temp.id('pv1'), '{"personality_id": null}') -> 'personality_id', 'null'::jsonb, 'null clears it');
SELECT is(rt.update_provider(pg_temp.id('pv1'), '{"enabled": false}') -> 'personality_id', 'null'::jsonb,
          'an update without personality_id keeps it');
SELECT is(pg_temp.err(format('SELECT rt.update_provider(%s, ''{"personality_id": 999999999}'')', pg_temp.id('pv1'))),
          'P0002:personality_id', 'update_provider with an unknown personality: P0002');
SELECT lives_ok(format('SELECT rt.delete_personality(%s)', pg_temp.id('a')), 'delete a personality a provider speaks with');
SELECT is((SELECT personality_id FROM rt.providers WHERE name = 't92 four'), NULL, 'the provider speaks without one now');
SELECT is(pg_temp.err(format('SELECT rt.delete_personality(%s)', pg_temp.id('a'))), 'P0002:id', 'delete twice: P0002');
SELECT ok((SELECT count(*) FROM rt.audit_log WHERE action = 'personality.delete' AND target = 'personality:' || pg_temp.id('a')) = 1,
          'delete is audited');

-- ---------------------------------------------------------------------------
-- rt.ensure_default_providers: models, personalities (as rt_edge, a worker function)
-- ---------------------------------------------------------------------------
SELECT pg_temp.act(NULL);
DELETE FROM rt.providers;
INSERT INTO rt.personalities (title) VALUES ('Оптимист'), ('Скептик');
SELECT is(pg_temp.state_as('rt_edge', $$SELECT rt.ensure_default_providers('{"openai": {"model": "gpt-4.1-mini"}}')$$), '00000',
          'rt_edge may seed providers without an actor');
SELECT is(rt.ensure_default_providers('{"openai": {"model": " gpt-4.1-mini "}, "deepseek": {"enc": "gAAAAABn-t92-ds==", "hint": "sk-…92", "model": "deepseek-reasoner"}}'),
          '{"created": ["demo", "openai", "deepseek"], "keyed": ["deepseek"]}'::jsonb, 'a model without a key, a key with a model');
SELECT is(ARRAY(SELECT format('%s %s %s %s', p.name, p.model_id, p.enabled, coalesce(x.title, '-'))
                FROM rt.providers p LEFT JOIN rt.personalities x ON x.id = p.personality_id ORDER BY p.position),
          ARRAY['openai gpt-4.1-mini f Оптимист', 'deepseek deepseek-reasoner t Скептик', 'demo demo-1 t -'],
          'created with the model given; openai speaks as Оптимист, deepseek as Скептик, demo as none (it plays them all)');
UPDATE rt.providers SET model_id = 'console-model', personality_id = NULL WHERE name = 'openai';
SELECT is(rt.ensure_default_providers('{"openai": {"model": "gpt-5"}}'), '{"created": [], "keyed": []}'::jsonb, 'a second start');
SELECT is((SELECT model_id || ' ' || coalesce(personality_id::text, '-') FROM rt.providers WHERE name = 'openai'), 'console-model -',
          'an existing provider keeps the console''s model and personality');
SELECT is(pg_temp.err(format('SELECT rt.ensure_default_providers(%L)', k)), want, 'ensure_default_providers refuses ' || k)
FROM (VALUES ('{"openai": {"model": ""}}', '22023:openai.model'), ('{"openai": {"model": 4}}', '22023:openai.model'),
             (format('{"openai": {"model": "%s"}}', repeat('m', 201)), '22023:openai.model'),
             ('{"openai": {}}', '22023:openai.enc'), ('{"openai": {"enc": null}}', '22023:openai.enc')) v (k, want);

-- ---------------------------------------------------------------------------
-- rt.ensure_roundtable_settings: the .env on the first start only
-- ---------------------------------------------------------------------------
DELETE FROM rt.settings WHERE key LIKE 'roundtable.%' OR key = 'payment.url';
CREATE TEMP TABLE t92_notes AS SELECT coalesce(max(id), 0) AS last FROM rt.notifications;
SELECT is(pg_temp.state_as('rt_edge', $$SELECT rt.ensure_roundtable_settings('{"MAX_ROUNDS": "3"}')$$), '00000',
          'rt_edge may seed the settings without an actor');
SELECT is(pg_temp.state_as('rt_analyst', $$SELECT rt.ensure_roundtable_settings('{}')$$), '42501', 'rt_analyst may not');
SELECT is(rt.ensure_roundtable_settings('{"MAX_ROUNDS": "7", "TURN_TIMEOUT_SEC": " 90 ", "CONTEXT_TOKEN_LIMIT": "8000",
                                          "PAYMENT_URL": "https://pay.example/roundtable?x=1", "ROUNDTABLE_MAX_TOKENS": "",
                                          "ROUNDTABLE_MAX_COST": "2.50"}'),
          '{"seeded": ["MAX_ROUNDS", "TURN_TIMEOUT_SEC", "CONTEXT_TOKEN_LIMIT", "PAYMENT_URL", "ROUNDTABLE_MAX_COST"], "invalid": []}'::jsonb,
          'first start: every valid value is seeded (an empty one is unset)');
SELECT is((SELECT jsonb_object_agg(key, value) FROM rt.settings WHERE key LIKE 'roundtable.%' OR key = 'payment.url'),
          '{"roundtable.max_rounds": 7, "roundtable.turn_timeout_sec": 90, "roundtable.context_token_limit": 8000,
            "payment.url": "https://pay.example/roundtable?x=1", "roundtable.max_cost": 2.50}'::jsonb, 'stored as typed settings');
SELECT pg_temp.act('admin');
SELECT lives_ok($$SELECT rt.update_setting('roundtable.max_rounds', '{"value": 12}')$$, 'the console changes max_rounds');
SELECT pg_temp.act(NULL);
SELECT is(rt.ensure_roundtable_settings('{"MAX_ROUNDS": "7", "ROUNDTABLE_MAX_TOKENS": "5000"}'),
          '{"seeded": ["ROUNDTABLE_MAX_TOKENS"], "invalid": []}'::jsonb, 'second start: only what has no row yet');
SELECT is(rt.setting('roundtable.max_rounds'), '12'::jsonb, 'the console''s value wins over the .env');
DELETE FROM rt.settings WHERE key IN ('roundtable.max_rounds', 'payment.url', 'roundtable.max_cost');
SELECT is(rt.ensure_roundtable_settings('{"MAX_ROUNDS": "500", "PAYMENT_URL": "javascript:alert(1)", "ROUNDTABLE_MAX_COST": "1e9"}'),
          '{"seeded": [], "invalid": [{"key": "MAX_ROUNDS", "error": "must be an integer between 1 and 100 (rounds)"},
                                      {"key": "PAYMENT_URL", "error": "must be an absolute http:// or https:// URL without spaces"},
                                      {"key": "ROUNDTABLE_MAX_COST", "error": "must be a number such as 2.50"}]}'::jsonb,
          'invalid values are returned with the reason');
SELECT is((SELECT count(*)::int FROM rt.settings WHERE key IN ('roundtable.max_rounds', 'payment.url', 'roundtable.max_cost')), 0,
          'and not stored');
SELECT is(ARRAY(SELECT kind || ' ' || (payload ->> 'source') || ' ' || (payload ->> 'env') FROM rt.notifications
                WHERE id > (SELECT last FROM t92_notes) ORDER BY id),
          ARRAY['error settings MAX_ROUNDS', 'error settings PAYMENT_URL', 'error settings ROUNDTABLE_MAX_COST'],
          'each invalid value is an error notification for the admins');
SELECT is(pg_temp.err($$SELECT rt.ensure_roundtable_settings('{"OPENAI_MODEL": "x"}')$$), '22023:OPENAI_MODEL',
          'an unknown variable is refused (models go to ensure_default_providers)');
SELECT is(rt.ensure_roundtable_settings('{"MAX_ROUNDS": 5}') -> 'invalid' -> 0 ->> 'key', 'MAX_ROUNDS',
          'a non-string value is invalid (values come from the environment as strings)');

-- ---------------------------------------------------------------------------
-- Analyst views (sql/roles.sql grants them)
-- ---------------------------------------------------------------------------
SELECT ok(has_table_privilege('rt_analyst', 'rt.v_sessions', 'select') AND has_table_privilege('rt_analyst', 'rt.v_session_turns', 'select')
          AND has_table_privilege('rt_analyst', 'rt.v_personalities', 'select'), 'rt_analyst reads v_sessions, v_session_turns, v_personalities');
SELECT ok(NOT has_table_privilege('rt_analyst', 'rt.sessions', 'select') AND NOT has_table_privilege('rt_analyst', 'rt.personalities', 'select')
          AND NOT has_table_privilege('rt_analyst', 'rt.session_participants', 'select'), 'but none of the round table''s tables');

SELECT * FROM finish();
ROLLBACK;
