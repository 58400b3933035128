-- drafts (contract-delivery.md): rt.create_draft (override, provider, context, bad input inline),
-- the llm.draft job through rt.job_begin / rt.record_reply / rt.job_failed / rt.retry_job,
-- rt.get_draft, audit and roles. Chats 82000xxx, updates 8200xxxx, logins t82_*; rolls back.
BEGIN;
SELECT plan(47);

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
CREATE TEMP TABLE t82_admins AS
WITH a AS (
    INSERT INTO rt.admins (login, password_hash, role)
    SELECT 't82_' || r, 'x', r FROM unnest(ARRAY['owner', 'admin', 'moderator', 'viewer']) r
    RETURNING id, role)
SELECT * FROM a;
CREATE FUNCTION pg_temp.act(r text) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce((SELECT 'admin:' || id FROM t82_admins WHERE role = r), ''), true)
$$;
CREATE FUNCTION pg_temp.actor(r text) RETURNS text LANGUAGE sql AS $$ SELECT 'admin:' || id FROM t82_admins WHERE role = r $$;
CREATE TEMP TABLE t82 (k text PRIMARY KEY, j jsonb);
CREATE FUNCTION pg_temp.got(k text) RETURNS jsonb LANGUAGE sql AS $$ SELECT j FROM t82 WHERE t82.k = got.k $$;
CREATE FUNCTION pg_temp.job(draft jsonb) RETURNS bigint LANGUAGE sql AS $$
    SELECT job_id FROM rt.drafts WHERE id = (draft ->> 'id')::bigint
$$;

-- a known world (rolled back): our providers, no rules, no takeover, a chat with a little history
UPDATE rt.moderation_rules SET enabled = false WHERE enabled;
UPDATE rt.playbooks SET enabled = false WHERE enabled;
DELETE FROM rt.providers;
DELETE FROM rt.settings WHERE key IN ('autoreply.provider', 'context.messages');
DELETE FROM rt.preset_bindings WHERE scope = 'global';
CREATE TEMP TABLE t82_p AS
SELECT k, (rt.create_provider(b) ->> 'id')::bigint AS id
FROM (VALUES
    ('demo', '{"name": "t82 demo", "type": "demo", "model_id": "demo-1", "enabled": true, "position": 0}'::jsonb),
    ('ds', '{"name": "t82 deepseek", "type": "deepseek", "model_id": "deepseek-chat", "enabled": true, "position": 1,
             "prices": {"input_per_m": 0.27, "cached_input_per_m": 0.07, "output_per_m": 1.10}}'),
    ('off', '{"name": "t82 off", "type": "openai", "model_id": "gpt-4o", "enabled": false, "position": 2}')) v (k, b);
CREATE FUNCTION pg_temp.pv(k text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM t82_p WHERE t82_p.k = pv.k $$;
INSERT INTO rt.chats (id, type, title) VALUES (82000001, 'private', 't82'), (82000002, 'private', 't82 empty');
SELECT rt.ingest(jsonb_build_array(
    jsonb_build_object('update_id', 82000001, 'message', jsonb_build_object('message_id', 1, 'date', 1763700000,
        'chat', jsonb_build_object('id', 82000001, 'type', 'private'),
        'from', jsonb_build_object('id', 82000100, 'first_name', 'Bea', 'is_bot', false), 'text', 'what should I cook tonight?')))) \gset _
INSERT INTO rt.presets (name, temperature, tone) VALUES ('t82 calm', 0.2, 'formal');

-- ---------------------------------------------------------------------------
-- create_draft
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('moderator');
INSERT INTO t82 VALUES ('d1', rt.create_draft(82000001, '{"override": {"temperature": 1.5, "verbosity": "detailed"}}'));
SELECT is(pg_temp.keys(pg_temp.got('d1')), ARRAY['chat_id', 'created_at', 'error', 'id', 'llm', 'status', 'text', 'updated_at'],
          'Draft JSON has exactly the contract''s keys');
SELECT is(pg_temp.got('d1') - 'id' - 'created_at' - 'updated_at',
          '{"chat_id": 82000001, "status": "generating", "text": null, "error": null, "llm": null}'::jsonb, 'a new draft is generating');
SELECT is((SELECT kind || ' ' || pg_temp.keys(payload)::text FROM rt.outbox WHERE id = pg_temp.job(pg_temp.got('d1'))),
          'llm.draft {chat_id,context,draft_id,params,provider_id,user_id}', 'an llm.draft job is queued with the draft');
SELECT is((SELECT payload - 'context' - 'params' FROM rt.outbox WHERE id = pg_temp.job(pg_temp.got('d1'))),
          jsonb_build_object('chat_id', 82000001, 'draft_id', (pg_temp.got('d1') ->> 'id')::bigint, 'user_id', 82000100, 'provider_id', NULL),
          'its payload names the chat, the draft and the chat''s latest user');
SELECT is((SELECT payload -> 'params' FROM rt.outbox WHERE id = pg_temp.job(pg_temp.got('d1'))),
          rt.resolve_params(82000001, 82000100, now(), '{"temperature": 1.5, "verbosity": "detailed"}'),
          'params: rt.resolve_params(chat, latest user, now, override)');
SELECT is((SELECT payload -> 'context' FROM rt.outbox WHERE id = pg_temp.job(pg_temp.got('d1'))),
          '[{"role": "user", "name": "Bea", "text": "what should I cook tonight?"}]'::jsonb, 'context: the chat''s recent history');
SELECT is((SELECT created_by FROM rt.drafts WHERE id = (pg_temp.got('d1') ->> 'id')::bigint), pg_temp.actor('moderator'),
          'created_by is the acting admin');
SELECT is((SELECT count(*) FROM rt.audit_log WHERE target = 'draft:' || (pg_temp.got('d1') ->> 'id') AND actor = pg_temp.actor('moderator')
           AND action = 'draft.insert'), 1::bigint, 'one draft.insert audit entry');
INSERT INTO t82 VALUES ('d2', rt.create_draft(82000001, jsonb_build_object('override', jsonb_build_object('preset_id',
    (SELECT id FROM rt.presets WHERE name = 't82 calm')), 'provider_id', pg_temp.pv('ds'))));
SELECT ok((SELECT payload #> '{params,temperature}' = '0.2' AND payload #>> '{params,tone}' = 'formal'
                  AND (payload ->> 'provider_id')::bigint = pg_temp.pv('ds')
           FROM rt.outbox WHERE id = pg_temp.job(pg_temp.got('d2'))), 'override {"preset_id"} and a provider');
INSERT INTO t82 VALUES ('d3', rt.create_draft(82000002));
SELECT is((SELECT payload -> 'context' || jsonb_build_object('user', payload -> 'user_id') FROM rt.outbox WHERE id = pg_temp.job(pg_temp.got('d3'))),
          '[{"user": null}]'::jsonb, 'a chat without history: empty context, no user; body optional');

SELECT is(pg_temp.err(format('SELECT rt.create_draft(%s, %L)', c, b)), want, 'create_draft refuses ' || what)
FROM (VALUES (-1::bigint, '{}', 'P0002:chat_id', 'an unknown chat'),
             (82000001, '{"provider_id": 999999999}', 'P0002:provider_id', 'an unknown provider'),
             (82000001, format('{"provider_id": %s}', pg_temp.pv('off')), '22023:provider_id', 'a disabled provider'),
             (82000001, '{"provider_id": "ds"}', '22023:provider_id', 'a provider_id that is no id'),
             (82000001, '{"override": {"temperature": 9}}', '22023:override.temperature', 'an override out of range'),
             (82000001, '{"override": {"mood": "sunny"}}', '22023:override.mood', 'an unknown override field'),
             (82000001, '{"override": {"preset_id": 999999999}}', 'P0002:override.preset_id', 'an unknown preset'),
             (82000001, '{"override": "calm"}', '22023:override', 'an override that is no object'),
             (82000001, '{"text": "hi"}', '22023:text', 'an unknown field'),
             (82000001, '[]', '22023', 'a body that is no object')) v (c, b, want, what);

-- ---------------------------------------------------------------------------
-- The job: provider named by the draft, record_reply, failure, retry
-- ---------------------------------------------------------------------------
SELECT pg_temp.act(NULL);
INSERT INTO t82 VALUES ('b2', rt.job_begin(pg_temp.job(pg_temp.got('d2'))));
SELECT is(pg_temp.got('b2') #>> '{provider,name}', 't82 deepseek', 'the draft''s provider wins over the default (demo)');
SELECT is(pg_temp.got('b2') ->> 'url', 'https://api.deepseek.com/chat/completions', 'and its endpoint');
SELECT is(rt.job_begin(pg_temp.job(pg_temp.got('d1'))) #>> '{provider,name}', 't82 demo', 'no provider named: the default');
INSERT INTO t82 VALUES ('r2', rt.record_reply(pg_temp.job(pg_temp.got('d2')), jsonb_build_object('text', 'Try a mushroom risotto.',
    'provider_id', pg_temp.pv('ds'), 'model', 'deepseek-chat', 'latency_ms', 900,
    'usage', '{"input": 1000, "cached_input": 400, "output": 100, "estimated": false}'::jsonb)));
SELECT is(pg_temp.got('r2'), jsonb_build_object('draft_id', (pg_temp.got('d2') ->> 'id')::bigint, 'cost', 0.00030000),
          'llm.draft: returns {"draft_id","cost"}');
INSERT INTO t82 VALUES ('g2', rt.get_draft((pg_temp.got('d2') ->> 'id')::bigint));
SELECT is(pg_temp.got('g2') - 'id' - 'created_at' - 'updated_at',
          jsonb_build_object('chat_id', 82000001, 'status', 'ready', 'text', 'Try a mushroom risotto.', 'error', NULL,
              'llm', jsonb_build_object('provider_id', pg_temp.pv('ds'), 'provider', 't82 deepseek', 'type', 'deepseek',
                  'model', 'deepseek-chat', 'demo', false, 'tokens_in', 1000, 'tokens_cached', 400, 'tokens_out', 100,
                  'cost', 0.0003, 'latency_ms', 900, 'estimated', false)),
          'the draft is ready with its text and the call: cost (600*0.27 + 400*0.07 + 100*1.10)/1e6');
SELECT is((SELECT rt._job_state(o) FROM rt.outbox o WHERE o.id = pg_temp.job(pg_temp.got('d2'))), 'done', 'the job is done');
SELECT is((SELECT count(*) FROM rt.messages WHERE chat_id = 82000001), 1::bigint, 'a draft writes no message');
SELECT is((SELECT count(*) FROM rt.outbox WHERE kind = 'telegram.send' AND (payload ->> 'chat_id')::bigint = 82000001), 0::bigint,
          'and sends nothing');
SELECT is(rt.record_reply(pg_temp.job(pg_temp.got('d2')), '{"text": "another idea"}'), pg_temp.got('r2'), 'record_reply twice: the stored result');
SELECT is(rt.get_draft((pg_temp.got('d2') ->> 'id')::bigint) ->> 'text', 'Try a mushroom risotto.', 'and the draft is unchanged');
SELECT is((SELECT after FROM rt.audit_log WHERE target = 'draft:' || (pg_temp.got('d2') ->> 'id') AND action = 'draft.update'
           ORDER BY id DESC LIMIT 1) ->> 'status', 'ready', 'the edge''s write is audited too (draft.update)');
SELECT is(pg_temp.err(format('SELECT rt.record_reply(%s, ''{"text": ""}'')', pg_temp.job(pg_temp.got('d1')))), '22023:text',
          'an empty draft text: 22023');

SELECT is(rt.job_failed(pg_temp.job(pg_temp.got('d1')), 'HTTP 429 rate limited', false) ->> 'state', 'pending', 'not final: pending');
SELECT is(rt.get_draft((pg_temp.got('d1') ->> 'id')::bigint) ->> 'status', 'generating', 'the draft is still generating');
SELECT is(rt.job_failed(pg_temp.job(pg_temp.got('d1')), 'HTTP 401 bad key', true) ->> 'state', 'dead', 'final: dead');
SELECT is(rt.get_draft((pg_temp.got('d1') ->> 'id')::bigint) - 'id' - 'created_at' - 'updated_at',
          '{"chat_id": 82000001, "status": "failed", "text": null, "error": "HTTP 401 bad key", "llm": null}'::jsonb,
          'the draft is failed with the error');
SELECT is((SELECT kind || ' ' || (payload ->> 'kind') FROM rt.notifications WHERE (payload ->> 'job_id')::bigint = pg_temp.job(pg_temp.got('d1'))),
          'error llm.draft', 'an error notification');
SELECT pg_temp.act('admin');
SELECT is(rt.retry_job(pg_temp.job(pg_temp.got('d1'))) ->> 'state', 'pending', 'retry the dead draft job');
SELECT is(rt.get_draft((pg_temp.got('d1') ->> 'id')::bigint) - 'id' - 'created_at' - 'updated_at',
          '{"chat_id": 82000001, "status": "generating", "text": null, "error": null, "llm": null}'::jsonb, 'the draft is generating again');
SELECT pg_temp.act(NULL);
UPDATE rt.providers SET enabled = false;
SELECT is(rt.job_begin(pg_temp.job(pg_temp.got('d3'))), '{"state": "dead", "error": "no enabled provider"}'::jsonb,
          'no enabled provider: dead at once');
SELECT is(rt.get_draft((pg_temp.got('d3') ->> 'id')::bigint) ->> 'error', 'no enabled provider', 'and the draft says why');

-- ---------------------------------------------------------------------------
-- get_draft, roles, events
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('viewer');
SELECT is(pg_temp.err(format('SELECT rt.get_draft(%s)', pg_temp.got('d1') ->> 'id')), 'ok', 'a viewer may read a draft');
SELECT is(pg_temp.err('SELECT rt.get_draft(-1)'), 'P0002:id', 'get_draft of an unknown draft: P0002');
SELECT is(pg_temp.err('SELECT rt.create_draft(82000001)'), '42501', 'a viewer may not ask for a draft');
SELECT pg_temp.act('owner');
SELECT is(pg_temp.err('SELECT rt.create_draft(82000001)'), 'ok', 'an owner may');
SELECT is(ARRAY(SELECT e -> 'data' FROM rt.event_messages('{"type": "changed", "entity": "draft", "ids": [5]}') e),
          ARRAY['{"entity": "draft", "ids": [5]}'::jsonb], 'entity.changed draft expands like every entity');
SELECT ok(has_function_privilege('rt_edge', 'rt.create_draft(bigint,jsonb)', 'execute') AND has_function_privilege('rt_edge', 'rt.get_draft(bigint)', 'execute')
          AND NOT has_function_privilege('rt_analyst', 'rt.create_draft(bigint,jsonb)', 'execute'), 'the edge calls the draft API; analysts do not');

SELECT * FROM finish();
ROLLBACK;
