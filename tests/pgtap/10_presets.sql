-- presets, bindings, resolution (C and PL/pgSQL), explain, compile_request, export/import, roles
BEGIN;
SELECT plan(157);

-- 'ok', or the SQLSTATE and the COLUMN field the error named (22023:temperature)
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

-- admins of each role; pg_temp.act(role) makes the next calls theirs, act(NULL) is the DBA door
CREATE TEMP TABLE t10_admins AS
WITH a AS (
    INSERT INTO rt.admins (login, password_hash, role)
    SELECT 't10_' || r, 'x', r FROM unnest(ARRAY['owner', 'admin', 'moderator', 'viewer']) r
    RETURNING id, role)
SELECT * FROM a;
CREATE FUNCTION pg_temp.act(r text) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce((SELECT 'admin:' || id FROM t10_admins WHERE role = r), ''), true)
$$;

-- a clean slate for resolution: no global binding or defaults row from elsewhere (rolled back)
DELETE FROM rt.preset_bindings WHERE scope = 'global';
DELETE FROM rt.settings WHERE key = 'preset.defaults';

-- ---------------------------------------------------------------------------
-- CRUD and version
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('admin');
CREATE TEMP TABLE t10 (k text PRIMARY KEY, j jsonb);
INSERT INTO t10 VALUES ('a', rt.create_preset('{"name": "t10 Alpha", "description": "first", "temperature": 0.4, "tone": "formal"}'));

SELECT is(pg_temp.keys((SELECT j FROM t10 WHERE k = 'a')),
          ARRAY['created_at', 'description', 'emotional_intensity', 'id', 'max_tokens', 'name', 'persona',
                'temperature', 'tone', 'updated_at', 'verbosity', 'version'],
          'Preset JSON: id, name, description, temperature, max_tokens, tone, verbosity, emotional_intensity, persona, version, created_at, updated_at');
SELECT is((SELECT j->>'version' FROM t10 WHERE k = 'a'), '1', 'a new preset has version 1');
SELECT ok((SELECT j->'max_tokens' = 'null' AND j->'temperature' = '0.4' FROM t10 WHERE k = 'a'),
          'unset parameters are null, set ones keep their value');
SELECT is(rt.get_preset((SELECT (j->>'id')::bigint FROM t10 WHERE k = 'a')), (SELECT j FROM t10 WHERE k = 'a'),
          'get_preset returns what create_preset returned');

INSERT INTO t10 VALUES ('a2', rt.update_preset((SELECT (j->>'id')::bigint FROM t10 WHERE k = 'a'),
                                               '{"max_tokens": 300, "version": 1}'));
SELECT is((SELECT j->>'version' FROM t10 WHERE k = 'a2'), '2', 'update_preset bumps the version');
SELECT ok((SELECT j->'max_tokens' = '300' AND j->'temperature' = '0.4' AND j->>'name' = 't10 Alpha' FROM t10 WHERE k = 'a2'),
          'update_preset changes the fields sent and keeps the others');
SELECT is(pg_temp.err(format('SELECT rt.update_preset(%s, ''{"tone": "friendly", "version": 1}'')',
                             (SELECT j->>'id' FROM t10 WHERE k = 'a'))), '40001:version',
          'a stale version is refused with 40001');
SELECT is((rt.update_preset((SELECT (j->>'id')::bigint FROM t10 WHERE k = 'a'), '{"temperature": null, "version": 2}'))->'temperature',
          'null'::jsonb, 'null clears a parameter (falls through to lower layers)');
SELECT is(pg_temp.err('SELECT rt.create_preset(''{"name": "T10 ALPHA"}'')'), '23505:name',
          'names are unique regardless of case');
INSERT INTO t10 VALUES ('b', rt.create_preset('{"name": "t10 Beta"}'));
SELECT is(pg_temp.err(format('SELECT rt.update_preset(%s, ''{"name": "t10 alpha"}'')', (SELECT j->>'id' FROM t10 WHERE k = 'b'))),
          '23505:name', 'renaming onto another preset''s name is a clash');
SELECT is(pg_temp.err('SELECT rt.get_preset(-1)'), 'P0002:id', 'get_preset of an unknown id: P0002');
SELECT is(pg_temp.err('SELECT rt.update_preset(-1, ''{}'')'), 'P0002:id', 'update_preset of an unknown id: P0002');
SELECT is(pg_temp.err('SELECT rt.delete_preset(-1)'), 'P0002:id', 'delete_preset of an unknown id: P0002');
SELECT throws_ok('SELECT rt.create_preset(''{"name": "t10 x", "temperature": 2.5}'')', '22023',
                 'field "temperature" must be between 0 and 2', 'the message names the field and the range');

-- validation names the field (COLUMN -> problem.field)
SELECT is(pg_temp.err(format('SELECT rt.create_preset(%L)', b)), 'ok' || '', 'valid: ' || b)
FROM unnest(ARRAY['{"name": "t10 v1", "temperature": 0, "max_tokens": 1, "emotional_intensity": 0}',
                  '{"name": "t10 v2", "temperature": 2, "max_tokens": 32000, "emotional_intensity": 100, "verbosity": "detailed", "tone": "aggressive"}']) b;
SELECT is(pg_temp.err(format('SELECT rt.create_preset(%L)', t.body)), t.want, 'invalid: ' || t.body)
FROM (VALUES
    ('{"name": "t10 x", "temperature": 2.01}', '22023:temperature'),
    ('{"name": "t10 x", "temperature": -0.1}', '22023:temperature'),
    ('{"name": "t10 x", "temperature": "hot"}', '22023:temperature'),
    ('{"name": "t10 x", "max_tokens": 1.5}', '22023:max_tokens'),
    ('{"name": "t10 x", "max_tokens": 0}', '22023:max_tokens'),
    ('{"name": "t10 x", "max_tokens": 32001}', '22023:max_tokens'),
    ('{"name": "t10 x", "tone": "angry"}', '22023:tone'),
    ('{"name": "t10 x", "verbosity": "long"}', '22023:verbosity'),
    ('{"name": "t10 x", "emotional_intensity": 101}', '22023:emotional_intensity'),
    ('{"name": "t10 x", "emotional_intensity": 50.5}', '22023:emotional_intensity'),
    ('{"name": "t10 x", "persona": 5}', '22023:persona'),
    ('{"name": "t10 x", "description": false}', '22023:description'),
    ('{"temperature": 1}', '22023:name'),
    ('{"name": ""}', '22023:name'),
    ('{"name": null}', '22023:name'),
    ('{"name": "t10 x", "colour": "red"}', '22023:colour')) t (body, want);
SELECT is(pg_temp.err(format('SELECT rt.create_preset(%L)', jsonb_build_object('name', 't10 x', 'persona', repeat('ж', 4001)))),
          '22023:persona', 'persona longer than 4000 characters is refused');
SELECT is(pg_temp.err('SELECT rt.create_preset(''[1]'')'), '22023:body', 'a non-object body is refused');

-- list: creation order, q, keyset cursor
SELECT is(jsonb_array_length(rt.list_presets('{"q": "t10 ", "limit": 200}')->'items'), 4, 'list_presets q finds the four t10 presets');
SELECT ok((SELECT p->'items'->0->>'name' = 't10 Alpha' AND p->>'next_cursor' IS NOT NULL
           FROM rt.list_presets('{"q": "t10 ", "limit": 1}') p), 'list_presets pages in creation order with a next_cursor');
SELECT is((rt.list_presets(jsonb_build_object('q', 't10 ', 'limit', 1,
              'cursor', rt.list_presets('{"q": "t10 ", "limit": 1}')->>'next_cursor')))->'items'->0->>'name',
          't10 Beta', 'the cursor gives the next page');
SELECT is(pg_temp.err('SELECT rt.list_presets(''{"cursor": "!!"}'')'), '22023:cursor', 'a bad cursor is 22023');
SELECT is(pg_temp.err('SELECT rt.list_presets(''{"limit": 0}'')'), '22023:limit', 'limit 0 is 22023');
SELECT is(pg_temp.err('SELECT rt.list_presets(''{"sort": "name"}'')'), '22023:sort', 'an unknown filter field is 22023');

-- ---------------------------------------------------------------------------
-- Bindings
-- ---------------------------------------------------------------------------
INSERT INTO t10 VALUES ('bind', rt.create_binding(jsonb_build_object('scope', 'chat', 'chat_id', 10000000001,
                                       'preset_id', (SELECT (j->>'id')::bigint FROM t10 WHERE k = 'b'), 'hours', 2)));
SELECT is(pg_temp.keys((SELECT j FROM t10 WHERE k = 'bind')),
          ARRAY['active', 'chat_id', 'created_at', 'created_by', 'created_by_name', 'expires_at', 'id', 'preset_id', 'preset_name', 'scope',
                'target_name', 'user_id'],
          'Binding JSON: id, scope, chat_id, user_id, preset_id, preset_name, expires_at, created_at, created_by, active');
SELECT ok((SELECT j->>'preset_name' = 't10 Beta' AND (j->>'active')::boolean
                  AND (j->>'created_by') = (SELECT 'admin:' || id FROM t10_admins WHERE role = 'admin')
                  AND (j->>'expires_at')::timestamptz = now() + interval '2 hours' FROM t10 WHERE k = 'bind'),
          'hours: 2 expires two hours from now; created_by is the acting admin');
SELECT is(pg_temp.err(format('SELECT rt.create_binding(%L)', t.body)), t.want, 'create_binding refuses ' || t.body)
FROM (VALUES
    ('{"scope": "chat", "preset_id": 1}', '22023:chat_id'),
    ('{"scope": "global", "user_id": 5, "preset_id": 1}', '22023:user_id'),
    ('{"scope": "chat_user", "chat_id": 5, "preset_id": 1}', '22023:user_id'),
    ('{"scope": "room", "preset_id": 1}', '22023:scope'),
    ('{"scope": "global"}', '22023:preset_id'),
    ('{"scope": "global", "preset_id": -5}', '22023:preset_id'),
    ('{"scope": "global", "preset_id": 1, "hours": 1, "expires_at": "2099-01-01T00:00:00Z"}', '22023:hours'),
    ('{"scope": "global", "preset_id": 1, "hours": 0}', '22023:hours'),
    ('{"scope": "global", "preset_id": 1, "expires_at": "2000-01-01T00:00:00Z"}', '22023:expires_at'),
    ('{"scope": "global", "preset_id": 1, "expires_at": "soon"}', '22023:expires_at')) t (body, want);
SELECT is(pg_temp.err('SELECT rt.create_binding(''{"scope": "global", "preset_id": 999999999999}'')'), 'P0002:preset_id',
          'binding an unknown preset: P0002 naming preset_id');
SELECT is(jsonb_array_length(rt.list_bindings('{"chat_id": 10000000001}')->'items'), 1, 'list_bindings filters by chat_id');
SELECT is(jsonb_array_length(rt.list_bindings('{"chat_id": 10000000001, "active": false}')->'items'), 0,
          'list_bindings active=false leaves out bindings in force');
SELECT is(pg_temp.err('SELECT rt.list_bindings(''{"scope": "room"}'')'), '22023:scope', 'list_bindings validates scope');
SELECT is(pg_temp.err('SELECT rt.delete_binding(-1)'), 'P0002:id', 'delete_binding of an unknown id: P0002');
SELECT lives_ok(format('SELECT rt.delete_binding(%s)', (SELECT j->>'id' FROM t10 WHERE k = 'bind')), 'delete_binding');

-- ---------------------------------------------------------------------------
-- Layer order with expiry, at explicit instants T = 2030-01-01
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE t10p AS
SELECT k, b->>'name' AS name, (rt.create_preset(b)->>'id')::bigint AS id FROM (VALUES
    ('global', '{"name": "t10 L global", "temperature": 0.1, "tone": "formal", "max_tokens": 100}'::jsonb),
    ('chat', '{"name": "t10 L chat", "temperature": 0.2, "tone": "aggressive"}'),
    ('chat_3h', '{"name": "t10 L chat for 3 hours", "temperature": 1.5}'),
    ('user', '{"name": "t10 L user", "tone": "friendly", "emotional_intensity": 20}'),
    ('chat_user', '{"name": "t10 L chat+user", "verbosity": "detailed", "emotional_intensity": 80}'),
    ('other', '{"name": "t10 L other", "temperature": 1.9, "persona": "You are a pirate.", "max_tokens": 42}')) v (k, b);
CREATE FUNCTION pg_temp.pid(k text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM t10p WHERE t10p.k = pid.k $$;

INSERT INTO rt.preset_bindings (scope, chat_id, user_id, preset_id, expires_at, created_at) VALUES
    ('global', NULL, NULL, pg_temp.pid('global'), NULL, '2029-12-01Z'),
    ('chat', 10000000001, NULL, pg_temp.pid('chat'), NULL, '2029-12-01Z'),
    ('chat', 10000000001, NULL, pg_temp.pid('chat_3h'), '2030-01-01 03:00Z', '2030-01-01 00:00Z'),
    ('chat', 10000000001, NULL, pg_temp.pid('other'), '2029-12-31Z', '2029-12-30Z'),   -- newest once, expired at T
    ('user', NULL, 10000000101, pg_temp.pid('user'), NULL, '2029-12-01Z'),
    ('chat_user', 10000000001, 10000000101, pg_temp.pid('chat_user'), NULL, '2029-12-01Z');

SELECT is(rt.resolve_params(10000000001, 10000000101, '2030-01-01 01:00Z'),
          '{"temperature": 1.5, "max_tokens": 100, "tone": "friendly", "verbosity": "detailed", "emotional_intensity": 80, "persona": ""}',
          'per parameter: chat_user > user > chat (newest unexpired) > global > defaults');
SELECT is(rt.resolve_params(10000000001, 10000000101, '2030-01-01 03:00Z')->'temperature', '0.2',
          'at expires_at the 3-hour binding no longer applies: the permanent chat preset is back');
SELECT is(rt.resolve_params(10000000001, 10000000101, '2030-01-01 02:59:59.999999Z')->'temperature', '1.5',
          'one microsecond before expires_at it still applies');
SELECT is(rt.resolve_params(10000000001, NULL, '2030-01-01 01:00Z'),
          '{"temperature": 1.5, "max_tokens": 100, "tone": "formal", "verbosity": "short", "emotional_intensity": 50, "persona": ""}',
          'no user: chat over global over defaults; only the newest chat binding counts, so tone falls to global, not to the older chat preset');
SELECT is(rt.resolve_params(10000000002, 10000000101, '2030-01-01 01:00Z')->>'tone', 'friendly',
          'a user binding applies in every chat');
SELECT is(rt.resolve_params(10000000002, 10000000102, '2030-01-01 01:00Z'),
          '{"temperature": 0.1, "max_tokens": 100, "tone": "formal", "verbosity": "short", "emotional_intensity": 50, "persona": ""}',
          'a stranger gets the global preset over the defaults');
SELECT is(rt.resolve_params(10000000001, 10000000101, '2030-01-01 01:00Z', '{"temperature": 0.9, "persona": null}')->'temperature',
          '0.9', 'an override params subset wins (null in it means not set)');
SELECT is(rt.resolve_params(10000000001, 10000000101, '2030-01-01 01:00Z', jsonb_build_object('preset_id', pg_temp.pid('other'))),
          '{"temperature": 1.9, "max_tokens": 42, "tone": "friendly", "verbosity": "detailed", "emotional_intensity": 80, "persona": "You are a pirate."}',
          'an override preset wins where it sets a parameter, the layers below fill the rest');
SELECT is(pg_temp.err('SELECT rt.resolve_params(1, 1, now(), ''{"temperature": 3}'')'), '22023:override.temperature',
          'a bad override names override.<field>');
SELECT is(pg_temp.err('SELECT rt.resolve_params(1, 1, now(), ''{"colour": 3}'')'), '22023:override.colour',
          'an unknown override field is refused');
SELECT is(pg_temp.err('SELECT rt.resolve_params(1, 1, now(), ''{"preset_id": 999999999999}'')'), 'P0002:override.preset_id',
          'an unknown override preset: P0002');
SELECT is(pg_temp.err('SELECT rt.resolve_params(1, 1, now(), ''[1]'')'), '22023:override', 'a non-object override is refused');
SELECT is(pg_temp.err('SELECT rt._resolve_params_plpgsql(1, 1, now(), ''{"temperature": 3}'')'), '22023:override.temperature',
          'the PL/pgSQL spec raises the same error');

-- the C function and the PL/pgSQL spec agree on every combination
SELECT is(rt.resolve_params(c, u, t, o), rt._resolve_params_plpgsql(c, u, t, o),
          format('C = PL/pgSQL for chat %s, user %s, at %s, override %s', c, u, t, o))
FROM (VALUES (10000000001::bigint, 10000000101::bigint, '2030-01-01 01:00Z'::timestamptz, NULL::jsonb),
             (10000000001, 10000000101, '2030-01-01 05:00Z', NULL),
             (10000000001, NULL, '2029-12-30 12:00Z', NULL),
             (NULL, 10000000101, '2030-01-01 01:00Z', NULL),
             (NULL, NULL, '2030-01-01 01:00Z', NULL),
             (10000000001, 10000000101, '2030-01-01 01:00Z', '{"tone": "neutral", "max_tokens": 7}'),
             (10000000001, 10000000101, '2030-01-01 01:00Z', jsonb_build_object('preset_id', pg_temp.pid('chat')))) v (c, u, t, o);

-- built-in defaults give way to the preset.defaults setting, key by key
INSERT INTO rt.settings (key, value) VALUES ('preset.defaults', '{"temperature": 0.3, "max_tokens": 777, "tone": "neutral", "verbosity": "detailed", "emotional_intensity": 10, "persona": "Be kind."}');
SELECT is(rt.resolve_params(NULL, NULL, '2030-01-01 01:00Z'),
          '{"temperature": 0.1, "max_tokens": 100, "tone": "formal", "verbosity": "detailed", "emotional_intensity": 10, "persona": "Be kind."}',
          'the preset.defaults setting fills what no binding sets');
SELECT is(rt.resolve_params(10000000001, 10000000101, '2030-01-01 01:00Z'),
          rt._resolve_params_plpgsql(10000000001, 10000000101, '2030-01-01 01:00Z'), 'C = PL/pgSQL with a defaults setting');
DELETE FROM rt.settings WHERE key = 'preset.defaults';
SELECT is(rt.resolve_params(NULL, NULL, '2030-01-01 01:00Z')->'persona', '""', 'deleting the setting drops the cached defaults');

-- the per-backend caches follow every change (statement triggers raise relcache invalidations)
SELECT is(rt.resolve_params(10000000001, 10000000101, '2030-01-01 01:00Z')->'temperature', '1.5', 'cached: the 3-hour preset');
UPDATE rt.presets SET temperature = 1.25 WHERE id = pg_temp.pid('chat_3h');
SELECT is(rt.resolve_params(10000000001, 10000000101, '2030-01-01 01:00Z')->'temperature', '1.25', 'a preset change is seen at once');
UPDATE rt.presets SET temperature = 1.5 WHERE id = pg_temp.pid('chat_3h');
INSERT INTO rt.preset_bindings (scope, chat_id, user_id, preset_id, created_at)
VALUES ('chat_user', 10000000001, 10000000102, pg_temp.pid('other'), '2029-12-01Z');
SELECT is(rt.resolve_params(10000000001, 10000000102, '2030-01-01 01:00Z')->'max_tokens', '42', 'a new binding is seen at once');
DELETE FROM rt.preset_bindings WHERE chat_id = 10000000001 AND user_id = 10000000102;
SELECT is(rt.resolve_params(10000000001, 10000000102, '2030-01-01 01:00Z')->'max_tokens', '100', 'a deleted binding stops applying at once');

-- more bindings than the cache keeps per target (64): the index is read instead
INSERT INTO rt.preset_bindings (scope, chat_id, preset_id, expires_at, created_at)
SELECT 'chat', 10000000003, pg_temp.pid('other'), '2030-01-01 00:00Z', '2029-12-31Z'::timestamptz + i * interval '1 second'
FROM generate_series(1, 70) i;
INSERT INTO rt.preset_bindings (scope, chat_id, preset_id, created_at) VALUES ('chat', 10000000003, pg_temp.pid('chat'), '2029-01-01Z');
SELECT is(rt.resolve_params(10000000003, NULL, '2030-01-01 01:00Z')->'temperature', '0.2',
          'behind 70 expired bindings the permanent one is found');
SELECT is(rt.resolve_params(10000000003, NULL, '2029-12-31 12:00Z')->'temperature', '1.9',
          'and at an earlier instant the newest of them');
INSERT INTO rt.preset_bindings (scope, chat_id, user_id, preset_id, created_at)
SELECT 'chat_user', 10000000004, 20000000000 + i, CASE WHEN i = 70 THEN pg_temp.pid('other') ELSE pg_temp.pid('chat') END, '2029-12-01Z'
FROM generate_series(1, 70) i;
SELECT is(rt.resolve_params(10000000004, 20000000070, '2030-01-01 01:00Z')->'max_tokens', '42',
          'a chat with more chat_user bindings than one cache entry keeps still resolves each member');
SELECT is(rt.resolve_params(10000000004, 20000000071, '2030-01-01 01:00Z'),
          rt._resolve_params_plpgsql(10000000004, 20000000071, '2030-01-01 01:00Z'), 'and a member without one');

-- ---------------------------------------------------------------------------
-- explain_params
-- ---------------------------------------------------------------------------
INSERT INTO t10 VALUES ('ex', rt.explain_params('{"chat_id": 10000000001, "user_id": 10000000101, "at": "2030-01-01T01:00:00Z"}'));
SELECT is((SELECT j->'params' FROM t10 WHERE k = 'ex'), rt.resolve_params(10000000001, 10000000101, '2030-01-01 01:00Z'),
          'explain params = resolve_params');
SELECT is((SELECT j->'sources'->'temperature' FROM t10 WHERE k = 'ex'),
          jsonb_build_object('layer', 'chat', 'preset_id', pg_temp.pid('chat_3h'), 'preset_name', 't10 L chat for 3 hours',
                             'binding_id', (SELECT id FROM rt.preset_bindings WHERE preset_id = pg_temp.pid('chat_3h')),
                             'expires_at', '2030-01-01T03:00:00+00:00'),
          'sources name layer, preset, binding and expiry');
SELECT is((SELECT jsonb_object_agg(key, value->>'layer') FROM t10, jsonb_each(j->'sources') WHERE k = 'ex'),
          '{"temperature": "chat", "max_tokens": "global", "tone": "user", "verbosity": "chat_user", "emotional_intensity": "chat_user", "persona": "defaults"}',
          'each parameter''s layer');
SELECT is((SELECT j->'sources'->'persona' FROM t10 WHERE k = 'ex'),
          '{"layer": "defaults", "preset_id": null, "preset_name": null, "binding_id": null, "expires_at": null}',
          'built-in defaults are the default layer');
SELECT is((rt.explain_params('{"chat_id": 10000000001, "at": "2030-01-01T01:00:00Z", "override": {"tone": "neutral"}}'))->'sources'->'tone'->>'layer',
          'override', 'an override is the override layer');
SELECT is((rt.explain_params(jsonb_build_object('override', jsonb_build_object('preset_id', pg_temp.pid('other')))))->'sources'->'persona'->>'preset_name',
          't10 L other', 'an override preset is named');
SELECT ok((SELECT r ? 'system' AND r->'temperature' = '0.75'
           FROM (SELECT (rt.explain_params('{"chat_id": 10000000001, "at": "2030-01-01T01:00:00Z", "provider": "anthropic"}'))->'request' r) x),
          'the request is compiled for body.provider');
SELECT is((rt.explain_params('{}'))->'request'->'messages'->1, '{"role": "user", "content": "Hello!"}',
          'without messages the request carries one sample user message');
SELECT is(pg_temp.err('SELECT rt.explain_params(''{"chat": 1}'')'), '22023:chat', 'explain refuses unknown fields');
SELECT is(pg_temp.err('SELECT rt.explain_params(''{"provider": "skynet"}'')'), '22023:provider', 'explain refuses an unknown provider');

-- ---------------------------------------------------------------------------
-- compile_request: the one mapping from params to a provider request
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE t10c AS
SELECT '{"temperature": 1.5, "max_tokens": 256, "tone": "formal", "verbosity": "short", "emotional_intensity": 0, "persona": "You are Ada, a librarian."}'::jsonb AS p,
       '[{"role": "user", "content": "Hi", "name": "bob_1"}, {"role": "assistant", "text": "Hello"}]'::jsonb AS m;
SELECT is(rt.compile_request(p, 'openai', m),
          jsonb_build_object(
              'messages', jsonb_build_array(
                  jsonb_build_object('role', 'system', 'content',
                      E'You are Ada, a librarian.\n\nUse a formal register. Answer briefly, in at most three sentences. '
                      'Stay calm and unemotional; state things plainly. Reply in the language of the user.'),
                  '{"role": "user", "content": "Hi", "name": "bob_1"}'::jsonb,
                  '{"role": "assistant", "content": "Hello"}'::jsonb),
              'temperature', 1.5, 'max_tokens', 256),
          'openai: chat-completions body, system prompt first (persona, tone, verbosity, intensity, language), no model')
FROM t10c;
SELECT is(rt.compile_request(p, prov, m), rt.compile_request(p, 'openai', m), prov || ' maps like openai')
FROM t10c, unnest(ARRAY['deepseek', 'openai_compatible', 'demo']) prov;
SELECT is(rt.compile_request(p, 'anthropic', m),
          jsonb_build_object(
              'system', E'You are Ada, a librarian.\n\nUse a formal register. Answer briefly, in at most three sentences. '
                        'Stay calm and unemotional; state things plainly. Reply in the language of the user.',
              'messages', '[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]'::jsonb,
              'temperature', 0.75, 'max_tokens', 256),
          'anthropic: top-level system, temperature scaled 0..2 -> 0..1, no speaker names')
FROM t10c;
SELECT is(rt._system_prompt(jsonb_build_object('tone', t, 'verbosity', 'detailed', 'emotional_intensity', 50, 'persona', '')), want,
          'tone ' || t)
FROM (VALUES
    ('formal', 'Use a formal register. Answer in detail, explaining your reasoning and giving examples where they help. Show a moderate, natural amount of emotion. Reply in the language of the user.'),
    ('friendly', 'Use a friendly, warm, informal register. Answer in detail, explaining your reasoning and giving examples where they help. Show a moderate, natural amount of emotion. Reply in the language of the user.'),
    ('neutral', 'Use a neutral, matter-of-fact register. Answer in detail, explaining your reasoning and giving examples where they help. Show a moderate, natural amount of emotion. Reply in the language of the user.'),
    ('aggressive', 'Use a blunt, confrontational register, but never insult, threaten or harass anyone. Answer in detail, explaining your reasoning and giving examples where they help. Show a moderate, natural amount of emotion. Reply in the language of the user.')) v (t, want);
SELECT is(count(DISTINCT s), 5::bigint,
          'emotional intensity is graded in five steps over 0..100')
FROM (SELECT rt._system_prompt(jsonb_build_object('tone', 'neutral', 'verbosity', 'short', 'emotional_intensity', i)) s
      FROM unnest(ARRAY[0, 10, 11, 35, 36, 65, 66, 90, 91, 100]) i) x;
SELECT ok(rt._system_prompt('{"tone": "neutral", "verbosity": "short", "emotional_intensity": 100}') LIKE '%Be intensely emotional and passionate in every reply.%'
          AND rt._system_prompt('{"tone": "neutral", "verbosity": "short", "emotional_intensity": 10}') LIKE '%Stay calm and unemotional%',
          'intensity 100 is intense, 10 is calm');
SELECT is(rt.compile_request('{"tone": "friendly"}', 'openai', '[]'),
          jsonb_build_object('messages', jsonb_build_array(jsonb_build_object('role', 'system', 'content',
              'Use a friendly, warm, informal register. Answer briefly, in at most three sentences. Show a moderate, natural amount of emotion. Reply in the language of the user.')),
              'temperature', 0.7, 'max_tokens', 512),
          'missing parameters come from the defaults; no persona, no persona paragraph');
SELECT is(pg_temp.err(format('SELECT rt.compile_request(%L, %L, %L)', t.p, t.prov, t.m)), t.want, 'compile_request refuses ' || t.what)
FROM (VALUES
    ('{}', 'skynet', '[]', '22023:provider', 'an unknown provider'),
    ('{}', NULL, '[]', '22023:provider', 'a null provider'),
    ('{"temperature": 9}', 'openai', '[]', '22023:params.temperature', 'bad params'),
    ('{}', 'openai', '{}', '22023:messages', 'messages that are not an array'),
    ('{}', 'openai', '[{"role": "system", "content": "x"}]', '22023:messages[0].role', 'a system message'),
    ('{}', 'openai', '[{"role": "user", "content": "x"}, {"role": "user"}]', '22023:messages[1].content', 'a message without content')) t (p, prov, m, want, what);

-- ---------------------------------------------------------------------------
-- Export and import
-- ---------------------------------------------------------------------------
INSERT INTO t10 VALUES ('exp', rt.export_presets(jsonb_build_object('ids', jsonb_build_array(pg_temp.pid('other'), pg_temp.pid('user')))));
SELECT is(pg_temp.keys((SELECT j FROM t10 WHERE k = 'exp')), ARRAY['exported_at', 'presets', 'schema', 'schema_version'],
          'export: schema, schema_version, exported_at, presets');
SELECT ok((SELECT j->>'schema' = 'roundtable.presets' AND j->'schema_version' = '1' FROM t10 WHERE k = 'exp'),
          'schema roundtable.presets, schema_version 1');
SELECT is((SELECT j->'presets'->0 FROM t10 WHERE k = 'exp'),
          '{"name": "t10 L user", "description": null, "temperature": null, "max_tokens": null, "tone": "friendly", "verbosity": null, "emotional_intensity": 20, "persona": null}',
          'exported presets carry every field but no id, in id order');
SELECT is(pg_temp.err('SELECT rt.export_presets(''{"ids": [999999999999]}'')'), 'P0002:ids', 'export of an unknown id: P0002');

-- round trip: export, delete, import, export again
INSERT INTO t10 VALUES ('all', rt.export_presets(jsonb_build_object('ids', (SELECT jsonb_agg(id ORDER BY id) FROM t10p))));
DELETE FROM rt.presets WHERE id IN (SELECT id FROM t10p);
SELECT is(rt.import_presets((SELECT j FROM t10 WHERE k = 'all'), 'error'),
          jsonb_build_object('created', (SELECT jsonb_agg(p->'name') FROM t10, jsonb_array_elements(j->'presets') p WHERE k = 'all'),
                             'skipped', '[]'::jsonb, 'renamed', '[]'::jsonb, 'overwritten', '[]'::jsonb),
          'import creates every preset of the file');
UPDATE t10p SET id = p.id FROM rt.presets p WHERE p.name = t10p.name;
SELECT is((rt.export_presets(jsonb_build_object('ids', (SELECT jsonb_agg(id ORDER BY id) FROM t10p))))->'presets',
          (SELECT j->'presets' FROM t10 WHERE k = 'all'), 'export -> import -> export round-trips');

SELECT is(pg_temp.err(format('SELECT rt.import_presets(%L, ''error'')', (SELECT j FROM t10 WHERE k = 'exp'))), '23505:on_conflict',
          'on_conflict error: a clash is 23505');
SELECT throws_like(format('SELECT rt.import_presets(%L)', (SELECT j FROM t10 WHERE k = 'exp')),
                   '%t10 L other, t10 L user%', 'the 23505 lists the clashing names (error is the default)');
SELECT is(rt.import_presets((SELECT j FROM t10 WHERE k = 'exp'), 'skip'),
          '{"created": [], "skipped": ["t10 L user", "t10 L other"], "renamed": [], "overwritten": []}', 'on_conflict skip');
SELECT is(rt.import_presets((SELECT j FROM t10 WHERE k = 'exp'), 'rename'),
          '{"created": [], "skipped": [], "renamed": [{"from": "t10 L user", "to": "t10 L user (2)"}, {"from": "t10 L other", "to": "t10 L other (2)"}], "overwritten": []}',
          'on_conflict rename: "name (2)"');
SELECT is((rt.import_presets((SELECT j FROM t10 WHERE k = 'exp'), 'rename'))->'renamed'->0->>'to', 't10 L user (3)',
          'rename skips names already taken');
UPDATE rt.presets SET tone = 'formal' WHERE name = 't10 L user';
SELECT is(rt.import_presets((SELECT j FROM t10 WHERE k = 'exp'), 'overwrite'),
          '{"created": [], "skipped": [], "renamed": [], "overwritten": ["t10 L user", "t10 L other"]}', 'on_conflict overwrite');
SELECT ok((SELECT tone = 'friendly' AND version > 1 FROM rt.presets WHERE name = 't10 L user'),
          'overwrite replaces the values and bumps the version');

-- a bad file is rejected whole, naming the field
SELECT is(pg_temp.err(format('SELECT rt.import_presets(%L, %L)', t.doc, t.mode)), t.want, 'import refuses ' || t.what)
FROM (VALUES
    ('{"schema": "roundtable.presets", "schema_version": 1, "presets": [{"name": "t10 new 1"}, {"name": "t10 new 2"}, {"name": "t10 new 3"}, {"name": "t10 new 4", "temperature": 7}]}',
     'skip', '22023:presets[3].temperature', 'a bad fourth preset'),
    ('{"schema": "roundtable.presets", "schema_version": 2, "presets": []}', 'skip', '22023:schema_version', 'another schema version'),
    ('{"schema": "something", "schema_version": 1, "presets": []}', 'skip', '22023:schema', 'another schema'),
    ('{"schema": "roundtable.presets", "schema_version": 1, "presets": {}}', 'skip', '22023:presets', 'presets that are not an array'),
    ('{"schema": "roundtable.presets", "schema_version": 1, "presets": [{"name": "t10 d"}, {"name": "T10 D"}]}', 'skip', '22023:presets[1].name', 'the same name twice'),
    ('{"schema": "roundtable.presets", "schema_version": 1, "presets": [{"tone": "formal"}]}', 'skip', '22023:presets[0].name', 'a preset without a name'),
    ('{"schema": "roundtable.presets", "schema_version": 1, "presets": [{"name": "t10 e", "mood": 1}]}', 'skip', '22023:presets[0].mood', 'an unknown field'),
    ('{"schema": "roundtable.presets", "schema_version": 1, "presets": []}', 'merge', '22023:on_conflict', 'an unknown on_conflict'),
    ('[]', 'skip', '22023:body', 'a file that is not an object')) t (doc, mode, want, what);
SELECT is((SELECT count(*) FROM rt.presets WHERE name LIKE 't10 new %'), 0::bigint, 'nothing of a rejected file was written');

-- ---------------------------------------------------------------------------
-- Roles: viewers read, admins write; audit rows carry the actor
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('viewer');
SELECT is(pg_temp.err(q), 'ok', 'viewer may ' || q)
FROM unnest(ARRAY['SELECT rt.list_presets(''{}'')',
                  format('SELECT rt.get_preset(%s)', pg_temp.pid('global')),
                  'SELECT rt.list_bindings(''{}'')',
                  'SELECT rt.explain_params(''{}'')',
                  'SELECT rt.compile_request(''{}'', ''openai'', ''[]'')']) q;
SELECT is(pg_temp.err(q), '42501', 'viewer may not ' || q)
FROM unnest(ARRAY['SELECT rt.create_preset(''{"name": "t10 viewer"}'')',
                  format('SELECT rt.update_preset(%s, ''{}'')', pg_temp.pid('global')),
                  format('SELECT rt.delete_preset(%s)', pg_temp.pid('global')),
                  format('SELECT rt.create_binding(''{"scope": "global", "preset_id": %s}'')', pg_temp.pid('global')),
                  'SELECT rt.delete_binding(1)',
                  'SELECT rt.export_presets(''{}'')',
                  'SELECT rt.import_presets(''{"schema": "roundtable.presets", "schema_version": 1, "presets": []}'')']) q;
SELECT pg_temp.act('moderator');
SELECT is(pg_temp.err('SELECT rt.create_preset(''{"name": "t10 moderator"}'')'), '42501', 'moderators may not change presets');
SELECT is(pg_temp.err(format('SELECT rt.create_binding(''{"scope": "global", "preset_id": %s}'')', pg_temp.pid('global'))), '42501',
          'moderators may not bind presets');
SELECT pg_temp.act('owner');
SELECT is(pg_temp.err('SELECT rt.create_preset(''{"name": "t10 owner"}'')'), 'ok', 'owners may change presets');

SELECT pg_temp.act('admin');
INSERT INTO t10 VALUES ('aud', rt.create_preset('{"name": "t10 audited", "tone": "neutral"}'));
SELECT is((SELECT jsonb_build_object('actor', actor, 'action', action) FROM rt.audit_log
           WHERE target = 'preset:' || (SELECT j->>'id' FROM t10 WHERE k = 'aud') ORDER BY id DESC LIMIT 1),
          jsonb_build_object('actor', (SELECT 'admin:' || id FROM t10_admins WHERE role = 'admin'), 'action', 'preset.insert'),
          'creating a preset writes preset.insert with the acting admin');
SELECT pg_temp.act(NULL);
UPDATE rt.presets SET tone = 'formal' WHERE name = 't10 audited';
SELECT is((SELECT jsonb_build_object('actor', actor, 'action', action, 'before', before, 'after', after) FROM rt.audit_log
           WHERE target = 'preset:' || (SELECT j->>'id' FROM t10 WHERE k = 'aud') ORDER BY id DESC LIMIT 1),
          jsonb_build_object('actor', 'db:' || session_user, 'action', 'preset.update',
                             'before', '{"tone": "neutral"}'::jsonb, 'after', '{"tone": "formal"}'::jsonb),
          'a DBA update from psql is audited too (actor db:<role>, changed keys only)');

SELECT * FROM finish();
ROLLBACK;
