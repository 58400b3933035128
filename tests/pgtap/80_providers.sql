-- providers (contract-delivery.md): CRUD and its validation (a plain api_key never stored),
-- versions, prices over time, the key in audit and views, list filters and paging, the chat's
-- provider, delivery settings, rt.ensure_default_providers with and without keys, roles.
-- Chats 80xxxxxx, logins t80_*; providers are cleared first; everything rolls back.
BEGIN;
SELECT plan(123);

-- 'ok', or the SQLSTATE and the COLUMN field the error named (22023:name)
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
CREATE TEMP TABLE t80_admins AS
WITH a AS (
    INSERT INTO rt.admins (login, password_hash, role)
    SELECT 't80_' || r, 'x', r FROM unnest(ARRAY['owner', 'admin', 'moderator', 'viewer']) r
    RETURNING id, role)
SELECT * FROM a;
CREATE FUNCTION pg_temp.act(r text) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce((SELECT 'admin:' || id FROM t80_admins WHERE role = r), ''), true)
$$;
CREATE TEMP TABLE t80 (k text PRIMARY KEY, j jsonb);
CREATE FUNCTION pg_temp.pid(k text) RETURNS bigint LANGUAGE sql AS $$ SELECT (j ->> 'id')::bigint FROM t80 WHERE t80.k = pid.k $$;

-- a known world: no providers but ours (rolled back)
DELETE FROM rt.providers;
DELETE FROM rt.settings WHERE key IN ('autoreply.provider', 'admin.signature', 'telegram.streaming');
INSERT INTO rt.chats (id, type, title) VALUES (80000001, 'private', 't80');

-- ---------------------------------------------------------------------------
-- Create: defaults per type, the Provider shape, never the key
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('admin');
INSERT INTO t80 VALUES ('oa', rt.create_provider('{"name": "t80 OpenAI", "type": "openai", "model_id": "gpt-4o-mini",
    "prices": {"input_per_m": 0.15, "cached_input_per_m": 0.075, "output_per_m": 0.6}}'));
SELECT is(pg_temp.keys((SELECT j FROM t80 WHERE k = 'oa')),
          ARRAY['api_key_hint', 'base_url', 'created_at', 'demo', 'enabled', 'has_key', 'id', 'model_id', 'name', 'params',
                'personality_id', 'position', 'prices', 'type', 'updated_at', 'version'],
          'Provider JSON has exactly the contract''s keys (no api_key_enc; personality_id since 0.5.0)');
SELECT is((SELECT j - 'id' - 'created_at' - 'updated_at' #- '{prices,effective_from}' FROM t80 WHERE k = 'oa'),
          '{"name": "t80 OpenAI", "type": "openai", "base_url": "https://api.openai.com/v1", "model_id": "gpt-4o-mini",
            "params": {}, "enabled": false, "position": 0, "has_key": false, "api_key_hint": null, "demo": false,
            "prices": {"input_per_m": 0.15, "cached_input_per_m": 0.075, "output_per_m": 0.6}, "version": 1,
            "personality_id": null}'::jsonb,
          'defaults: base_url per type, disabled, position 0, params {}, version 1, no personality; prices as sent');
INSERT INTO t80 VALUES ('ds', rt.create_provider('{"name": "t80 DeepSeek", "type": "deepseek", "model_id": "deepseek-chat",
    "enabled": true, "position": 5, "api_key_enc": "gAAAAABn-t80-fake-fernet-token_deepseek==", "api_key_hint": "sk-…ds80"}'));
SELECT ok((SELECT j ->> 'base_url' = 'https://api.deepseek.com' AND (j -> 'has_key')::boolean AND j ->> 'api_key_hint' = 'sk-…ds80'
                  AND NOT j ? 'api_key_enc' AND j -> 'prices' = 'null' FROM t80 WHERE k = 'ds'),
          'a keyed provider: has_key and the hint, never the token; no prices -> null');
SELECT is((SELECT api_key_enc FROM rt.providers WHERE id = pg_temp.pid('ds')), 'gAAAAABn-t80-fake-fernet-token_deepseek==',
          'the encrypted key is stored as given (opaque to SQL)');
INSERT INTO t80 VALUES ('demo', rt.create_provider('{"name": "t80 demo", "type": "demo", "model_id": "demo-1",
    "base_url": "https://example.com", "enabled": true, "position": 9}'));
SELECT ok((SELECT j -> 'base_url' = 'null' AND (j -> 'demo')::boolean FROM t80 WHERE k = 'demo'), 'demo: base_url is null, demo true');
INSERT INTO t80 VALUES ('compat', rt.create_provider('{"name": "t80 local", "type": "openai_compatible", "model_id": "llama3",
    "base_url": "http://127.0.0.1:11434/v1/", "params": {"top_p": 0.9}, "enabled": true, "position": 7}'));
SELECT is((SELECT j ->> 'base_url' FROM t80 WHERE k = 'compat'), 'http://127.0.0.1:11434/v1', 'base_url kept, trailing slash dropped');
SELECT is(rt.get_provider(pg_temp.pid('oa')), (SELECT j FROM t80 WHERE k = 'oa'), 'get_provider returns what create_provider returned');
SELECT is(pg_temp.err('SELECT rt.get_provider(-1)'), 'P0002:id', 'get_provider of an unknown id: P0002');

-- bad input names the field
SELECT is(pg_temp.err(format('SELECT rt.create_provider(%L)', b)), want, 'create_provider refuses ' || what)
FROM (VALUES
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "api_key": "sk-plain"}', '22023:api_key', 'a plain api_key'),
    ('{"type": "openai", "model_id": "m"}', '22023:name', 'no name'),
    ('{"name": "  ", "type": "openai", "model_id": "m"}', '22023:name', 'a blank name'),
    (jsonb_build_object('name', repeat('n', 101), 'type', 'openai', 'model_id', 'm')::text, '22023:name', 'a name of 101 characters'),
    ('{"name": "t80 x", "model_id": "m"}', '22023:type', 'no type'),
    ('{"name": "t80 x", "type": "gemini", "model_id": "m"}', '22023:type', 'an unknown type'),
    ('{"name": "t80 x", "type": "openai"}', '22023:model_id', 'no model_id'),
    ('{"name": "t80 x", "type": "openai", "model_id": 5}', '22023:model_id', 'a numeric model_id'),
    ('{"name": "t80 x", "type": "openai_compatible", "model_id": "m"}', '22023:base_url', 'openai_compatible without base_url'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "base_url": "ftp://host"}', '22023:base_url', 'a non-http base_url'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "base_url": "https://u:p@host"}', '22023:base_url', 'credentials in base_url'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "base_url": "https://host/v1?k=1"}', '22023:base_url', 'a query in base_url'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "params": []}', '22023:params', 'params not an object'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "params": {"messages": []}}', '22023:params.messages', 'params overriding messages'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "enabled": "yes"}', '22023:enabled', 'enabled not a boolean'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "position": 1001}', '22023:position', 'position above 1000'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "position": 1.5}', '22023:position', 'a fractional position'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "prices": {"input_per_m": -1}}', '22023:prices.input_per_m', 'a negative price'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "prices": {"input_per_m": 1, "cached_input_per_m": 1, "output_per_m": "1"}}',
     '22023:prices.output_per_m', 'a price as a string'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "prices": {"input_per_m": 1, "output_per_m": 1}}',
     '22023:prices.cached_input_per_m', 'a price left out'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "prices": {"input": 1}}', '22023:prices.input', 'an unknown price key'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "prices": 3}', '22023:prices', 'prices not an object'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "api_key_enc": ""}', '22023:api_key_enc', 'an empty api_key_enc'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "api_key_enc": "a b"}', '22023:api_key_enc', 'api_key_enc with a space'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "api_key_hint": "sk-…x"}', '22023:api_key_hint', 'a hint without a key'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "api_key_enc": "gAAAAABx", "clear_key": true}', '22023:clear_key', 'clear_key with a key'),
    ('{"name": "t80 x", "type": "openai", "model_id": "m", "colour": "red"}', '22023:colour', 'an unknown field'),
    ('[]', '22023:body', 'a body that is not an object'),
    ('{"name": "T80 OPENAI", "type": "openai", "model_id": "m"}', '23505:name', 'a name taken (case-insensitive)')
) v (b, want, what);
SELECT is((SELECT count(*) FROM rt.providers), 4::bigint, 'nothing of a refused body was written');

-- ---------------------------------------------------------------------------
-- Update: version, partial change, prices over time, the key
-- ---------------------------------------------------------------------------
INSERT INTO t80 VALUES ('oa2', rt.update_provider(pg_temp.pid('oa'), '{"model_id": "gpt-4.1-mini", "version": 1}'));
SELECT ok((SELECT j ->> 'model_id' = 'gpt-4.1-mini' AND j ->> 'name' = 't80 OpenAI' AND (j ->> 'version')::int = 2 FROM t80 WHERE k = 'oa2'),
          'update_provider changes the fields sent, keeps the others, bumps version');
SELECT is(pg_temp.err(format('SELECT rt.update_provider(%s, ''{"enabled": true, "version": 1}'')', pg_temp.pid('oa'))), '40001:version',
          'a stale version: 40001');
SELECT is(pg_temp.err('SELECT rt.update_provider(-1, ''{}'')'), 'P0002:id', 'update_provider of an unknown id: P0002');
SELECT is(pg_temp.err(format('SELECT rt.update_provider(%s, ''{"name": "t80 deepseek"}'')', pg_temp.pid('oa'))), '23505:name',
          'renaming onto another provider''s name: 23505');
SELECT is(pg_temp.err(format('SELECT rt.update_provider(%s, ''{"api_key": "sk-plain"}'')', pg_temp.pid('oa'))), '22023:api_key',
          'update_provider refuses a plain api_key too');
SELECT is(rt.update_provider(pg_temp.pid('oa'), (SELECT j FROM t80 WHERE k = 'oa2')) -> 'version', '2'::jsonb,
          'sending a GET result back changes nothing (read-only keys ignored, no new version)');
SELECT is((SELECT count(*) FROM rt.provider_prices WHERE provider_id = pg_temp.pid('oa')), 1::bigint, 'one price row so far');
SELECT is(rt.update_provider(pg_temp.pid('oa'), '{"prices": {"input_per_m": 0.15, "cached_input_per_m": 0.075, "output_per_m": 0.6}}') -> 'version',
          '2'::jsonb, 'the same prices again: no new row, no new version');
SELECT is(rt.update_provider(pg_temp.pid('oa'), '{"prices": {"input_per_m": 0.2, "cached_input_per_m": 0.1, "output_per_m": 0.8}}') -> 'prices',
          jsonb_build_object('input_per_m', 0.2, 'cached_input_per_m', 0.1, 'output_per_m', 0.8, 'effective_from', now()),
          'new prices are in effect at once (effective_from now)');
SELECT is((SELECT count(*) FROM rt.provider_prices WHERE provider_id = pg_temp.pid('oa')), 2::bigint, 'a price change adds a row, history kept');
SELECT is(rt.update_provider(pg_temp.pid('oa'), '{"prices": null}') -> 'prices', 'null'::jsonb, 'prices null: no prices from now on');
SELECT is((rt.update_provider(pg_temp.pid('oa'), '{"type": "anthropic"}')) ->> 'base_url', 'https://api.anthropic.com/v1',
          'a new type without a base_url takes the type''s own');
SELECT is((rt.update_provider(pg_temp.pid('compat'), '{"type": "openai_compatible", "model_id": "qwen"}')) ->> 'base_url',
          'http://127.0.0.1:11434/v1', 'openai_compatible keeps its base_url');
SELECT is(pg_temp.err(format('SELECT rt.update_provider(%s, ''{"base_url": null}'')', pg_temp.pid('compat'))), '22023:base_url',
          'openai_compatible cannot drop its base_url');

-- the key: stored, replaced, cleared; never in the audit log
SELECT is((rt.update_provider(pg_temp.pid('oa'), '{"api_key_enc": "gAAAAABn-t80-fake-fernet-token_openai==", "api_key_hint": "sk-…oa80"}'))
          -> 'has_key', 'true'::jsonb, 'a key is set');
SELECT is((SELECT after FROM rt.audit_log WHERE target = 'provider:' || pg_temp.pid('oa') AND action = 'provider.update' ORDER BY id DESC LIMIT 1),
          '{"api_key_changed": true, "api_key_hint": "sk-…oa80", "version": 6}'::jsonb,
          'a key change is audited as api_key_changed (and the hint), never the token');
SELECT is((rt.update_provider(pg_temp.pid('oa'), '{"clear_key": true}')) -> 'has_key', 'false'::jsonb, 'clear_key removes the key');
SELECT is((SELECT api_key_enc IS NULL AND api_key_hint IS NULL FROM rt.providers WHERE id = pg_temp.pid('oa')), true, 'and its hint');
SELECT is((SELECT count(*) FROM rt.audit_log WHERE before::text LIKE '%gAAAAAB%' OR after::text LIKE '%gAAAAAB%'), 0::bigint,
          'no encrypted key anywhere in the audit log');
SELECT is((SELECT count(*) FROM rt.audit_log WHERE action = 'provider_price.insert'
           AND (after ->> 'provider_id')::bigint = pg_temp.pid('oa')), 3::bigint, 'price rows are audited (provider_price.insert)');
SELECT is((SELECT actor FROM rt.audit_log WHERE target = 'provider:' || pg_temp.pid('ds') AND action = 'provider.insert'),
          (SELECT 'admin:' || id FROM t80_admins WHERE role = 'admin'), 'provider.insert carries the acting admin');

-- ---------------------------------------------------------------------------
-- List: order (position, id), filters, paging
-- ---------------------------------------------------------------------------
SELECT is(ARRAY(SELECT e ->> 'name' FROM jsonb_array_elements(rt.list_providers('{}') -> 'items') e),
          ARRAY['t80 OpenAI', 't80 DeepSeek', 't80 local', 't80 demo'], 'ordered by position, then id');
SELECT is(ARRAY(SELECT e ->> 'name' FROM jsonb_array_elements(rt.list_providers('{"enabled": true}') -> 'items') e),
          ARRAY['t80 DeepSeek', 't80 local', 't80 demo'], 'enabled filter');
SELECT is(ARRAY(SELECT e ->> 'name' FROM jsonb_array_elements(rt.list_providers('{"enabled": "false"}') -> 'items') e),
          ARRAY['t80 OpenAI'], 'enabled filter as a query string');
SELECT is(ARRAY(SELECT e ->> 'name' FROM jsonb_array_elements(rt.list_providers('{"q": "QWEN"}') -> 'items') e),
          ARRAY['t80 local'], 'q searches name, model_id and type, case-insensitive');
CREATE TEMP TABLE t80_page AS SELECT rt.list_providers('{"limit": 2}') AS p;
SELECT is(ARRAY(SELECT e ->> 'name' FROM t80_page, jsonb_array_elements(p -> 'items') e), ARRAY['t80 OpenAI', 't80 DeepSeek'], 'first page');
SELECT is(ARRAY(SELECT e ->> 'name' FROM jsonb_array_elements(rt.list_providers(jsonb_build_object('limit', 2, 'cursor',
              (SELECT p ->> 'next_cursor' FROM t80_page))) -> 'items') e), ARRAY['t80 local', 't80 demo'], 'the cursor pages on');
SELECT is(pg_temp.err(format('SELECT rt.list_providers(%L)', f)), want, 'list_providers refuses ' || f)
FROM (VALUES ('{"enabled": "maybe"}', '22023:enabled'), ('{"limit": 0}', '22023:limit'), ('{"q": 5}', '22023:q'),
             ('{"cursor": "!!"}', '22023:cursor'), ('{"type": "demo"}', '22023:type')) v (f, want);

-- ---------------------------------------------------------------------------
-- The chat's provider (update_chat) and delete
-- ---------------------------------------------------------------------------
SELECT is((rt.update_chat(80000001, jsonb_build_object('provider_id', pg_temp.pid('ds')))) -> 'provider_id', to_jsonb(pg_temp.pid('ds')),
          'update_chat sets the chat''s provider; the Chat shows it');
SELECT is((SELECT after FROM rt.audit_log WHERE target = 'chat:80000001' ORDER BY id DESC LIMIT 1),
          jsonb_build_object('provider_id', pg_temp.pid('ds')), 'the chat''s provider is audited like a switch');
SELECT is(pg_temp.err('SELECT rt.update_chat(80000001, ''{"provider_id": 999999999}'')'), 'P0002:provider_id',
          'an unknown provider: P0002 naming provider_id');
SELECT is(pg_temp.err('SELECT rt.update_chat(80000001, ''{"provider_id": "x"}'')'), '22023:provider_id', 'a provider_id that is no id: 22023');
SELECT is((rt.update_chat(80000001, '{"autoreply": true}')) -> 'provider_id', to_jsonb(pg_temp.pid('ds')),
          'a change of another switch keeps the provider');
SELECT is(rt.update_setting('autoreply.provider', jsonb_build_object('value', pg_temp.pid('ds'))) -> 'value', to_jsonb(pg_temp.pid('ds')),
          'setting autoreply.provider takes a provider id');
SELECT is(pg_temp.err('SELECT rt.delete_provider(-1)'), 'P0002:id', 'delete_provider of an unknown id: P0002');
SELECT lives_ok(format('SELECT rt.delete_provider(%s)', pg_temp.pid('ds')), 'delete_provider');
SELECT is((SELECT provider_id FROM rt.chats WHERE id = 80000001), NULL, 'chats using it fall back to the default');
SELECT is(rt.setting('autoreply.provider'), 'null'::jsonb, 'so does the autoreply.provider setting');
SELECT is((SELECT count(*) FROM rt.provider_prices WHERE provider_id = pg_temp.pid('ds')), 0::bigint, 'its prices go with it');
SELECT is(rt.update_chat(80000001, '{"provider_id": null}') -> 'provider_id', 'null'::jsonb, 'provider_id null: the default');

-- ---------------------------------------------------------------------------
-- Delivery settings
-- ---------------------------------------------------------------------------
SELECT is((SELECT jsonb_object_agg(s ->> 'key', s -> 'value') FROM jsonb_array_elements(rt.list_settings() -> 'items') s
           WHERE s ->> 'key' IN ('autoreply.provider', 'admin.signature', 'telegram.streaming')),
          '{"autoreply.provider": null, "admin.signature": "", "telegram.streaming": true}'::jsonb, 'delivery settings and their defaults');
SELECT is(pg_temp.err(format('SELECT rt.update_setting(%L, %L)', k, b)), want, format('update_setting %s %s', k, b))
FROM (VALUES ('autoreply.provider', '{"value": 999999999}', 'P0002:value'),
             ('autoreply.provider', '{"value": "1"}', '22023:value'),
             ('autoreply.provider', '{"value": null}', 'ok'),
             ('admin.signature', '{"value": "— the team"}', 'ok'),
             ('admin.signature', '{"value": 5}', '22023:value'),
             ('admin.signature', jsonb_build_object('value', repeat('s', 501))::text, '22023:value'),
             ('telegram.streaming', '{"value": false}', 'ok'),
             ('telegram.streaming', '{"value": "no"}', '22023:value')) v (k, b, want);

-- ---------------------------------------------------------------------------
-- Roles
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('viewer');
SELECT is(pg_temp.err(q), 'ok', 'viewer may ' || q)
FROM unnest(ARRAY['SELECT rt.list_providers(''{}'')', format('SELECT rt.get_provider(%s)', pg_temp.pid('oa'))]) q;
SELECT is(pg_temp.err(q), '42501', 'viewer may not ' || q)
FROM unnest(ARRAY['SELECT rt.create_provider(''{"name": "t80 v", "type": "demo", "model_id": "d"}'')',
                  format('SELECT rt.update_provider(%s, ''{}'')', pg_temp.pid('oa')),
                  format('SELECT rt.delete_provider(%s)', pg_temp.pid('oa')),
                  'SELECT rt.ensure_default_providers(''{}'')']) q;
SELECT pg_temp.act('moderator');
SELECT is(pg_temp.err(q), '42501', 'moderator may not ' || q)
FROM unnest(ARRAY['SELECT rt.create_provider(''{"name": "t80 m", "type": "demo", "model_id": "d"}'')',
                  format('SELECT rt.update_provider(%s, ''{}'')', pg_temp.pid('oa')),
                  format('SELECT rt.update_chat(80000001, ''{"provider_id": %s}'')', pg_temp.pid('oa'))]) q;
SELECT pg_temp.act('owner');
SELECT is(pg_temp.err(format('SELECT rt.update_provider(%s, ''{"position": 3}'')', pg_temp.pid('oa'))), 'ok', 'owners may change providers');

-- ---------------------------------------------------------------------------
-- rt.ensure_default_providers: the edge's seed at start
-- ---------------------------------------------------------------------------
SELECT pg_temp.act(NULL);
DELETE FROM rt.providers;
SELECT is(rt.ensure_default_providers('{}'), '{"created": ["demo", "openai", "deepseek"], "keyed": []}'::jsonb,
          'without keys: demo, openai and deepseek are created, none keyed');
SELECT is(ARRAY(SELECT format('%s %s %s %s %s %s', name, type, coalesce(base_url, '-'), model_id, position, enabled)
                FROM rt.providers ORDER BY position),
          ARRAY['openai openai https://api.openai.com/v1 gpt-4o-mini 1 f',
                'deepseek deepseek https://api.deepseek.com deepseek-chat 2 f', 'demo demo - demo-1 100 t'],
          'the seeds: demo enabled at position 100 (keyed real providers answer first); openai and deepseek disabled without a key');
SELECT is((SELECT jsonb_object_agg(p.name, rt._provider_json(p) #- '{prices,effective_from}' -> 'prices') FROM rt.providers p),
          '{"demo": null, "openai": {"input_per_m": 0.15, "cached_input_per_m": 0.075, "output_per_m": 0.60},
            "deepseek": {"input_per_m": 0.27, "cached_input_per_m": 0.07, "output_per_m": 1.10}}'::jsonb, 'seeded prices');
SELECT is(rt.ensure_default_providers('{"openai": {"enc": "gAAAAABn-t80-seed-openai==", "hint": "sk-…seed"}, "deepseek": null}'),
          '{"created": [], "keyed": ["openai"]}'::jsonb, 'a key for a seeded provider without one: stored');
SELECT is((SELECT format('%s %s %s', enabled, api_key_enc, api_key_hint) FROM rt.providers WHERE name = 'openai'),
          't gAAAAABn-t80-seed-openai== sk-…seed', 'and the provider is enabled');
SELECT is(rt.ensure_default_providers('{"openai": {"enc": "gAAAAABn-t80-other==", "hint": null}}'),
          '{"created": [], "keyed": []}'::jsonb, 'a provider that has a key keeps it (the console''s key wins)');
UPDATE rt.providers SET type = 'openai_compatible', base_url = 'https://elsewhere.example' WHERE name = 'deepseek';
SELECT is(rt.ensure_default_providers('{"deepseek": {"enc": "gAAAAABn-t80-seed-deepseek=="}}') -> 'keyed', '[]'::jsonb,
          'a key never goes to a provider of another type that took the seed''s name');
DELETE FROM rt.providers;
SELECT is(rt.ensure_default_providers('{"deepseek": {"enc": "gAAAAABn-t80-seed-deepseek==", "hint": "sk-…ds"}}'),
          '{"created": ["demo", "openai", "deepseek"], "keyed": ["deepseek"]}'::jsonb, 'created with a key: keyed');
SELECT is((SELECT enabled FROM rt.providers WHERE name = 'deepseek'), true, 'and enabled');
SELECT is(pg_temp.err(format('SELECT rt.ensure_default_providers(%L)', k)), want, 'ensure_default_providers refuses ' || k)
FROM (VALUES ('{"openai": "sk-plain"}', '22023:openai'), ('{"openai": {"enc": ""}}', '22023:openai.enc'),
             ('{"openai": {"enc": "gAAAAAB", "key": "x"}}', '22023:openai.key'), ('{"claude": null}', '22023:claude'),
             ('{"openai": {"enc": "gAAAAAB", "hint": 4}}', '22023:openai.hint'), ('[]', '22023')) v (k, want);

-- ---------------------------------------------------------------------------
-- The key stays out of analysts' and DBAs' reach; events
-- ---------------------------------------------------------------------------
SELECT ok(NOT has_column_privilege('rt_analyst', 'rt.providers', 'api_key_enc', 'select'), 'rt_analyst cannot read api_key_enc');
SELECT ok(NOT has_table_privilege('rt_analyst', 'rt.providers', 'select'), 'rt_analyst cannot read rt.providers at all');
SELECT ok(has_table_privilege('rt_analyst', 'rt.v_providers', 'select') AND has_table_privilege('rt_analyst', 'rt.v_provider_prices', 'select'),
          'rt_analyst reads v_providers and v_provider_prices');
SELECT is(ARRAY(SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'rt' AND table_name = 'v_providers'
                AND column_name LIKE 'api_key%'), '{}'::text[], 'v_providers has no key column');
SELECT ok(NOT has_column_privilege('rt_admin', 'rt.providers', 'api_key_enc', 'select')
          AND has_column_privilege('rt_admin', 'rt.providers', 'api_key_hint', 'select'), 'rt_admin reads providers but not api_key_enc');
SELECT ok(NOT has_table_privilege('rt_edge', 'rt.providers', 'select'), 'rt_edge has no table privilege on providers');
SELECT is(ARRAY(SELECT e -> 'data' FROM rt.event_messages('{"type": "changed", "entity": "provider", "ids": [3, 4]}') e),
          ARRAY['{"entity": "provider", "ids": [3, 4]}'::jsonb], 'entity.changed provider expands like every entity');

SELECT * FROM finish();
ROLLBACK;
