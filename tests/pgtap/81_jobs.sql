-- jobs (contract-delivery.md): rt.outbox_claim (stale re-relay, limits), rt.job_begin per kind
-- (signature, provider choice, endpoint, request, reasoning models, no provider), rt.record_reply
-- and rt.mark_sent (effects, cost from the price in effect, idempotency), rt.job_failed (final or
-- not), list/retry/discard of dead jobs, bad input inline, roles and privileges.
-- SKIP LOCKED and the doorbells need a second session: 83_jobs_sessions.sql.
-- Chats 81000xxx, updates 8100xxxx, logins t81_*; everything rolls back.
BEGIN;
SELECT plan(178);

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
CREATE TEMP TABLE t81_admins AS
WITH a AS (
    INSERT INTO rt.admins (login, password_hash, role)
    SELECT 't81_' || r, 'x', r FROM unnest(ARRAY['owner', 'admin', 'moderator', 'viewer']) r
    RETURNING id, role)
SELECT * FROM a;
CREATE FUNCTION pg_temp.act(r text) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce((SELECT 'admin:' || id FROM t81_admins WHERE role = r), ''), true)
$$;
-- one incoming private message as an update batch
CREATE FUNCTION pg_temp.msg(uid bigint, chat bigint, txt text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_array(jsonb_build_object('update_id', uid, 'message',
        jsonb_build_object('message_id', uid % 100000, 'date', 1763700000 + uid % 100000,
                           'chat', jsonb_build_object('id', chat, 'type', 'private'),
                           'from', jsonb_build_object('id', 81000100, 'first_name', 'Ann', 'is_bot', false),
                           'text', txt)))
$$;
-- the newest job of a kind in a chat
CREATE FUNCTION pg_temp.job(k text, chat bigint) RETURNS bigint LANGUAGE sql AS $$
    SELECT max(id) FROM rt.outbox WHERE kind = k AND (payload ->> 'chat_id')::bigint = chat
$$;
CREATE FUNCTION pg_temp.st(id bigint) RETURNS text LANGUAGE sql AS $$
    SELECT rt._job_state(o) FROM rt.outbox o WHERE o.id = st.id
$$;
CREATE FUNCTION pg_temp.msgpk(job bigint) RETURNS bigint LANGUAGE sql AS $$
    SELECT (payload ->> 'message_pk')::bigint FROM rt.outbox WHERE id = job
$$;
-- a manual send; the takeover it starts is ended so auto-replies go on in the chat
CREATE FUNCTION pg_temp.send(body jsonb) RETURNS void LANGUAGE sql AS $$
    SELECT rt.send_message(body);
    UPDATE rt.chats SET takeover_until = NULL, takeover_by = NULL WHERE id = (body ->> 'chat_id')::bigint;
$$;
CREATE TEMP TABLE t81 (k text PRIMARY KEY, j jsonb);
CREATE FUNCTION pg_temp.got(k text) RETURNS jsonb LANGUAGE sql AS $$ SELECT j FROM t81 WHERE t81.k = got.k $$;

-- a known world: our providers only, no rules, no other unfinished jobs, default settings (rolled back)
UPDATE rt.outbox SET done_at = now() WHERE done_at IS NULL AND dead_at IS NULL;
UPDATE rt.moderation_rules SET enabled = false WHERE enabled;
UPDATE rt.playbooks SET enabled = false WHERE enabled;
DELETE FROM rt.providers;
DELETE FROM rt.settings WHERE key IN ('autoreply.provider', 'admin.signature', 'telegram.streaming', 'context.messages');
CREATE TEMP TABLE t81_p AS
SELECT k, (rt.create_provider(b) ->> 'id')::bigint AS id
FROM (VALUES
    ('demo', '{"name": "t81 demo", "type": "demo", "model_id": "demo-1", "enabled": true, "position": 0}'::jsonb),
    ('oa', '{"name": "t81 openai", "type": "openai", "model_id": "gpt-4o-mini", "enabled": true, "position": 1,
             "params": {"top_p": 0.5, "temperature": 0.1}, "api_key_enc": "gAAAAABn-t81-fake-openai==", "api_key_hint": "sk-…t81"}'),
    ('ant', '{"name": "t81 claude", "type": "anthropic", "model_id": "claude-t81", "enabled": true, "position": 2}'),
    ('o3', '{"name": "t81 o3", "type": "openai", "model_id": "o3-mini", "enabled": true, "position": 3}'),
    ('off', '{"name": "t81 off", "type": "openai", "model_id": "gpt-4o", "enabled": false, "position": 4}')) v (k, b);
CREATE FUNCTION pg_temp.pv(k text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM t81_p WHERE t81_p.k = pv.k $$;
-- openai's prices over time: two days ago, an hour ago, and tomorrow (not yet in effect)
INSERT INTO rt.provider_prices (provider_id, input_per_m, cached_input_per_m, output_per_m, effective_from) VALUES
    (pg_temp.pv('oa'), 1, 0.5, 2, now() - interval '2 days'),
    (pg_temp.pv('oa'), 10, 5, 20, now() - interval '1 hour'),
    (pg_temp.pv('oa'), 1000, 1000, 1000, now() + interval '1 day');
INSERT INTO rt.chats (id, type, title, autoreply, provider_id) VALUES
    (81000001, 'private', 't81 default', true, NULL),
    (81000002, 'private', 't81 claude', true, pg_temp.pv('ant')),
    (81000003, 'private', 't81 disabled', true, pg_temp.pv('off'));

-- ---------------------------------------------------------------------------
-- rt.outbox_claim
-- ---------------------------------------------------------------------------
SELECT rt.ingest(pg_temp.msg(81000001, 81000001, 'hello bot')) \gset _
SELECT pg_temp.send('{"chat_id": 81000001, "text": "hello from a human", "as": "admin"}') \gset _
SELECT pg_temp.job('llm.reply', 81000001) AS j_reply, pg_temp.job('telegram.send', 81000001) AS j_send \gset
SELECT is(pg_temp.err(q), want, q)
FROM (VALUES ('SELECT rt.outbox_claim(0, 300)', '22023:lim'), ('SELECT rt.outbox_claim(10001, 300)', '22023:lim'),
             ('SELECT rt.outbox_claim(NULL, 300)', '22023:lim'), ('SELECT rt.outbox_claim(10, -1)', '22023:stale_sec'),
             ('SELECT rt.outbox_claim(10, NULL)', '22023:stale_sec')) v (q, want);
SELECT is(rt.outbox_claim(10, 300), jsonb_build_array(jsonb_build_object('id', :j_reply, 'kind', 'llm.reply'),
                                                      jsonb_build_object('id', :j_send, 'kind', 'telegram.send')),
          'claim: unfinished jobs, oldest first, as [{"id","kind"}]');
SELECT ok((SELECT bool_and(relays = 1 AND relayed_at = now()) FROM rt.outbox WHERE id IN (:j_reply, :j_send)),
          'claimed jobs: relayed_at now, relays 1');
SELECT is(rt.outbox_claim(10, 300), '[]'::jsonb, 'a job relayed within stale_sec is not claimed again');
UPDATE rt.outbox SET relayed_at = now() - interval '10 minutes' WHERE id IN (:j_reply, :j_send);
SELECT is(rt.outbox_claim(1, 300), jsonb_build_array(jsonb_build_object('id', :j_reply, 'kind', 'llm.reply')),
          'stale: relayed 10 minutes ago and unfinished, claimed again (lim 1: the oldest)');
SELECT is((SELECT relays FROM rt.outbox WHERE id = :j_reply), 2, 'a re-relay counts');
SELECT is(rt.outbox_claim(10, 900), '[]'::jsonb, 'with stale_sec 900 the other one is not stale yet');
SELECT is(rt.outbox_claim(10, 300), jsonb_build_array(jsonb_build_object('id', :j_send, 'kind', 'telegram.send')), 'but with 300 it is');
-- the workers' heartbeat keeps a held job from looking stale
UPDATE rt.outbox SET relayed_at = now() - interval '10 minutes' WHERE id IN (:j_send, :j_reply);
SELECT is(rt.outbox_touch(ARRAY[:j_send, :j_reply, 0]::bigint[]), 2, 'outbox_touch: the held unfinished jobs are touched, unknown ids ignored');
SELECT is(rt.outbox_claim(10, 300), '[]'::jsonb, 'a touched job is not stale, so no other edge gets it');
SELECT is(pg_temp.err('SELECT rt.outbox_touch(NULL)'), '22023:ids', 'outbox_touch(NULL): 22023 naming ids');

-- ---------------------------------------------------------------------------
-- rt.job_begin: telegram.send
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.err('SELECT rt.job_begin(-1)'), 'P0002:job', 'job_begin of an unknown job: P0002');
INSERT INTO rt.settings (key, value) VALUES ('admin.signature', '"— t81 team"');
INSERT INTO t81 VALUES ('send', rt.job_begin(:j_send));
SELECT is(pg_temp.keys(pg_temp.got('send')), ARRAY['attempts', 'chat_type', 'id', 'kind', 'payload', 'state', 'text'],
          'telegram.send: state, id, kind, attempts, payload, text, chat_type');
SELECT is(pg_temp.got('send') - 'payload', jsonb_build_object('state', 'run', 'id', :j_send, 'kind', 'telegram.send', 'attempts', 1,
          'text', E'hello from a human\n\n— t81 team', 'chat_type', 'private'), 'as admin: the signature is appended as a paragraph');
SELECT is((SELECT status FROM rt.messages WHERE id = pg_temp.msgpk(:j_send)), 'sending', 'the message goes sending');
SELECT ok((SELECT started_at = now() AND attempts = 1 FROM rt.outbox WHERE id = :j_send), 'started_at set, attempts 1');
SELECT is(rt.job_begin(:j_send) -> 'attempts', '2'::jsonb, 'every begin counts an attempt');
SELECT pg_temp.send('{"chat_id": 81000001, "text": "as the bot", "as": "bot"}') \gset _
SELECT is(rt.job_begin(pg_temp.job('telegram.send', 81000001)) ->> 'text', 'as the bot', 'as bot: no signature');
SELECT pg_temp.send(jsonb_build_object('chat_id', 81000001, 'text', repeat('x', 4090))) \gset _
SELECT is(length(rt.job_begin(pg_temp.job('telegram.send', 81000001)) ->> 'text'), 4090,
          'a signature that would pass 4096 characters is left off, never the message');
INSERT INTO rt.outbox (kind, payload) VALUES ('telegram.delete', '{"chat_id": 81000001, "message_id": 7, "message_pk": null}');
SELECT is(pg_temp.keys(rt.job_begin(pg_temp.job('telegram.delete', 81000001))), ARRAY['attempts', 'id', 'kind', 'payload', 'state'],
          'telegram.delete: nothing beyond the payload');

-- ---------------------------------------------------------------------------
-- rt.job_begin: llm.reply (the payload rt.ingest writes, unchanged) and the provider choice
-- ---------------------------------------------------------------------------
INSERT INTO t81 VALUES ('reply', rt.job_begin(:j_reply));
SELECT is(pg_temp.keys(pg_temp.got('reply')),
          ARRAY['attempts', 'chat_type', 'id', 'kind', 'payload', 'provider', 'request', 'state', 'streaming', 'url'],
          'llm.reply: chat_type, streaming, provider, url, request besides the job');
SELECT is(pg_temp.keys(pg_temp.got('reply') -> 'payload'), ARRAY['chat_id', 'context', 'message_pk', 'params', 'reply_to_message_id', 'user_id'],
          'the payload is rt.ingest''s, unchanged');
SELECT is(pg_temp.got('reply') -> 'provider', jsonb_build_object('id', pg_temp.pv('demo'), 'name', 't81 demo', 'type', 'demo',
          'base_url', NULL, 'model_id', 'demo-1', 'api_key_enc', NULL),
          'no chat provider, no setting: the first enabled provider by position (demo)');
SELECT ok((SELECT j -> 'url' = 'null' AND j -> 'streaming' = 'true' AND j ->> 'chat_type' = 'private' FROM t81 WHERE k = 'reply'),
          'demo: url null; streaming from telegram.streaming (default true)');
SELECT is(pg_temp.got('reply') -> 'request',
          rt.compile_request(pg_temp.got('reply') #> '{payload,params}', 'demo', pg_temp.got('reply') #> '{payload,context}', 'demo-1')
          || '{"stream": true, "stream_options": {"include_usage": true}}',
          'request: compile_request(params, type, context, model_id) with stream and include_usage');
SELECT is(pg_temp.got('reply') #> '{request,messages,-1}', '{"role": "user", "content": "hello bot", "name": "Ann"}',
          'the context becomes the conversation');

INSERT INTO rt.settings (key, value) VALUES ('autoreply.provider', to_jsonb(pg_temp.pv('oa'))), ('telegram.streaming', 'false');
SELECT rt.ingest(pg_temp.msg(81000002, 81000001, 'second')) \gset _
INSERT INTO t81 VALUES ('oa', rt.job_begin(pg_temp.job('llm.reply', 81000001)));
SELECT is(pg_temp.got('oa') -> 'provider', jsonb_build_object('id', pg_temp.pv('oa'), 'name', 't81 openai', 'type', 'openai',
          'base_url', 'https://api.openai.com/v1', 'model_id', 'gpt-4o-mini', 'api_key_enc', 'gAAAAABn-t81-fake-openai=='),
          'setting autoreply.provider: that provider, with its encrypted key for the worker');
SELECT is(pg_temp.got('oa') ->> 'url', 'https://api.openai.com/v1/chat/completions', 'url: base_url + /chat/completions');
SELECT is(pg_temp.got('oa') -> 'streaming', 'false'::jsonb, 'streaming follows the setting');
SELECT ok((SELECT j #> '{request,model}' = '"gpt-4o-mini"' AND j #> '{request,top_p}' = '0.5' AND j #> '{request,temperature}' = '0.7'
           AND j #> '{request,max_tokens}' = '512' FROM t81 WHERE k = 'oa'),
          'request: the model, the provider''s extra params, the compiled params winning over them');
SELECT rt.ingest(pg_temp.msg(81000003, 81000002, 'to claude')) \gset _
INSERT INTO t81 VALUES ('ant', rt.job_begin(pg_temp.job('llm.reply', 81000002)));
SELECT is(pg_temp.got('ant') #>> '{provider,name}', 't81 claude', 'the chat''s provider wins over the setting');
SELECT is(pg_temp.got('ant') ->> 'url', 'https://api.anthropic.com/v1/messages', 'anthropic: base_url + /messages');
SELECT is(pg_temp.keys(pg_temp.got('ant') -> 'request'), ARRAY['max_tokens', 'messages', 'model', 'stream', 'system', 'temperature'],
          'anthropic request: system on top, stream, no stream_options');
SELECT rt.ingest(pg_temp.msg(81000004, 81000003, 'disabled chat provider')) \gset _
SELECT is(rt.job_begin(pg_temp.job('llm.reply', 81000003)) #>> '{provider,name}', 't81 openai',
          'a disabled chat provider: the setting''s');
UPDATE rt.settings SET value = to_jsonb(pg_temp.pv('off')) WHERE key = 'autoreply.provider';
SELECT rt.ingest(pg_temp.msg(81000005, 81000003, 'disabled everywhere')) \gset _
SELECT is(rt.job_begin(pg_temp.job('llm.reply', 81000003)) #>> '{provider,name}', 't81 demo',
          'a disabled setting provider too: the first enabled one');
UPDATE rt.chats SET provider_id = pg_temp.pv('o3') WHERE id = 81000003;
SELECT rt.ingest(pg_temp.msg(81000006, 81000003, 'think hard')) \gset _
INSERT INTO t81 VALUES ('o3', rt.job_begin(pg_temp.job('llm.reply', 81000003)));
SELECT is(pg_temp.keys(pg_temp.got('o3') -> 'request'), ARRAY['max_completion_tokens', 'messages', 'model', 'stream', 'stream_options'],
          'a reasoning model (o3-mini): max_completion_tokens and no temperature');
SELECT is(pg_temp.got('o3') #> '{request,max_completion_tokens}', '512', 'with the max_tokens value');

-- no enabled provider: dead at once
UPDATE rt.providers SET enabled = false;
SELECT rt.ingest(pg_temp.msg(81000007, 81000001, 'nobody home')) \gset _
SELECT pg_temp.job('llm.reply', 81000001) AS j_none \gset
SELECT is(rt.job_begin(:j_none), '{"state": "dead", "error": "no enabled provider"}'::jsonb, 'no enabled provider: dead at once');
SELECT is(pg_temp.st(:j_none), 'dead', 'the job is dead');
SELECT is((SELECT kind || ' ' || payload::text FROM rt.notifications WHERE (payload ->> 'job_id')::bigint = :j_none),
          'error ' || jsonb_build_object('job_id', :j_none, 'kind', 'llm.reply', 'chat_id', 81000001, 'error', 'no enabled provider')::text,
          'an error notification {"job_id","kind","chat_id","error"}');
SELECT is(rt.job_begin(:j_none), '{"state": "dead"}'::jsonb, 'job_begin of a dead job: {"state":"dead"}');
UPDATE rt.providers SET enabled = true WHERE id <> pg_temp.pv('off');
UPDATE rt.chats SET provider_id = NULL WHERE id = 81000003;
DELETE FROM rt.settings WHERE key = 'autoreply.provider';
INSERT INTO rt.outbox (kind, payload) VALUES ('llm.reply', '{"chat_id": 81000001, "message_pk": 1, "params": {}, "context": "oops"}');
SELECT ok(rt.job_begin(pg_temp.job('llm.reply', 81000001)) ->> 'error' LIKE 'bad job payload: field "messages" must be an array',
          'a payload no provider can be asked with: dead at once, naming the problem');

-- ---------------------------------------------------------------------------
-- rt.compile_request with a model (rt.explain_params keeps the 0.2.0 shape)
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.keys(rt.compile_request('{}', 'openai', '[]', m)), want, 'compile_request model ' || m)
FROM (VALUES ('gpt-5', ARRAY['max_completion_tokens', 'messages', 'model']),
             ('gpt-5-mini', ARRAY['max_completion_tokens', 'messages', 'model']),
             ('o1', ARRAY['max_completion_tokens', 'messages', 'model']),
             ('o4-mini', ARRAY['max_completion_tokens', 'messages', 'model']),
             ('gpt-4o', ARRAY['max_tokens', 'messages', 'model', 'temperature']),
             ('omni-1', ARRAY['max_tokens', 'messages', 'model', 'temperature'])) v (m, want);
SELECT is(rt.compile_request('{"temperature": 1.2}', 'anthropic', '[]', 'o3') -> 'temperature', '0.6'::jsonb,
          'anthropic is never mapped as a reasoning model');
SELECT is(pg_temp.keys(rt.compile_request('{}', 'openai', '[]')), ARRAY['max_tokens', 'messages', 'temperature'],
          'without a model: the 0.2.0 body, no "model"');
SELECT is(pg_temp.keys(rt.explain_params('{}') -> 'request'), ARRAY['max_tokens', 'messages', 'temperature'], 'explain_params still works');
SELECT is(pg_temp.err('SELECT rt.compile_request(''{}'', ''openai'', ''[]'', '''')'), '22023:model', 'an empty model: 22023');
SELECT ok(to_regprocedure('rt.compile_request(jsonb,text,jsonb)') IS NULL
          AND to_regprocedure('rt.compile_request(jsonb,text,jsonb,text)') IS NOT NULL, 'the three-argument version is replaced');

-- ---------------------------------------------------------------------------
-- rt.record_reply
-- ---------------------------------------------------------------------------
INSERT INTO t81 VALUES ('rec', rt.record_reply(:j_reply, jsonb_build_object('text', 'Hi Ann!', 'provider_id', pg_temp.pv('demo'),
    'model', 'demo-1', 'usage', '{"input": 100, "cached_input": 0, "output": 20, "estimated": true}'::jsonb,
    'latency_ms', 42, 'finish_reason', 'stop')));
SELECT is(pg_temp.keys(pg_temp.got('rec')), ARRAY['cost', 'message_pk', 'send_job'], 'llm.reply: returns {"message_pk","send_job","cost"}');
SELECT (j ->> 'message_pk')::bigint AS bot_pk, (j ->> 'send_job')::bigint AS bot_send FROM t81 WHERE k = 'rec' \gset
SELECT is((SELECT rt._message_json(m) - 'id' - 'created_at' - 'received_at' FROM rt.messages m WHERE m.id = :bot_pk),
          jsonb_build_object('chat_id', 81000001, 'message_id', NULL, 'user_id', NULL, 'update_id', NULL, 'direction', 'out',
              'author_type', 'bot', 'kind', 'text', 'text', 'Hi Ann!', 'sender', NULL, 'edited_at', NULL, 'edit_history', '[]'::jsonb,
              'status', 'queued', 'labels', '[]'::jsonb, 'moderation', NULL, 'error', NULL, 'sent_at', NULL,
              'in_reply_to', pg_temp.msgpk(:j_reply), 'session_id', NULL, 'speaker', NULL, 'round', NULL, 'reply_markup', NULL,
              'llm', jsonb_build_object('provider_id', pg_temp.pv('demo'), 'provider', 't81 demo', 'type', 'demo', 'model', 'demo-1',
                                        'demo', true, 'tokens_in', 100, 'tokens_cached', 0, 'tokens_out', 20, 'cost', 0,
                                        'latency_ms', 42, 'estimated', true)),
          'the bot''s reply: queued, in_reply_to the message answered, the model call (no prices: cost 0)');
SELECT is((SELECT payload FROM rt.outbox WHERE id = :bot_send),
          jsonb_build_object('chat_id', 81000001, 'text', 'Hi Ann!', 'reply_to_message_id', 1, 'message_pk', :bot_pk,
                             'as', 'bot', 'in_reply_to', pg_temp.msgpk(:j_reply)),
          'its telegram.send job replies to the Telegram message of the payload');
SELECT is((SELECT rt._job_state(o) || ' ' || o.result::text FROM rt.outbox o WHERE o.id = :j_reply),
          'done ' || pg_temp.got('rec')::text, 'the llm job is done and keeps its result');
SELECT is((SELECT last_message_id FROM rt.chats WHERE id = 81000001), :bot_pk::bigint, 'the reply is the chat''s last message');
CREATE TEMP TABLE t81_count AS SELECT (SELECT count(*) FROM rt.messages WHERE chat_id = 81000001) AS m, (SELECT count(*) FROM rt.outbox) AS o;
SELECT is(rt.record_reply(:j_reply, '{"text": "a second answer"}'), pg_temp.got('rec'), 'record_reply twice: the stored result');
SELECT ok((SELECT m = (SELECT count(*) FROM rt.messages WHERE chat_id = 81000001) AND o = (SELECT count(*) FROM rt.outbox) FROM t81_count),
          'and no second message or job');
SELECT is(rt.job_begin(:j_reply), '{"state": "done"}'::jsonb, 'job_begin after done: {"state":"done"}');
-- a group saw the reply grow in one Telegram message: the send edits that message
INSERT INTO rt.outbox (kind, payload) VALUES ('llm.reply', jsonb_build_object('chat_id', 81000001, 'message_pk', pg_temp.msgpk(:j_reply),
    'reply_to_message_id', 1, 'params', '{}'::jsonb, 'context', '[]'::jsonb)) RETURNING id AS j_grown \gset
SELECT rt.record_reply(:j_grown, jsonb_build_object('text', 'grown', 'provider_id', pg_temp.pv('demo'),
                                                    'telegram_message_id', 777)) ->> 'send_job' AS j_grown_send \gset
SELECT is((SELECT payload -> 'edit_message_id' FROM rt.outbox WHERE id = :j_grown_send),
          '777'::jsonb, 'telegram_message_id becomes the send''s edit_message_id');
SELECT is(pg_temp.err('SELECT rt.record_reply(' || :j_grown || ', ''{"text": "x", "telegram_message_id": "777"}'')'),
          'ok', 'a finished job ignores a second result (even a bad one)');

-- a human took over while the model wrote: the reply is held (stored as failed, not sent), and the
-- group's message that showed it growing is deleted
SELECT pg_temp.act('moderator');
SELECT rt.takeover_chat(81000001) \gset _
SELECT pg_temp.act(NULL);
INSERT INTO rt.outbox (kind, payload) VALUES ('llm.reply', jsonb_build_object('chat_id', 81000001, 'message_pk', pg_temp.msgpk(:j_reply),
    'reply_to_message_id', 1, 'params', '{}'::jsonb, 'context', '[]'::jsonb)) RETURNING id AS j_held \gset
CREATE TEMP TABLE t81_sends AS SELECT count(*) AS n FROM rt.outbox WHERE kind = 'telegram.send';
INSERT INTO t81 VALUES ('held', rt.record_reply(:j_held, jsonb_build_object('text', 'too late', 'provider_id', pg_temp.pv('demo'),
    'usage', '{"input": 10, "output": 3}'::jsonb, 'telegram_message_id', 778)));
SELECT is(pg_temp.keys(pg_temp.got('held')), ARRAY['cost', 'held', 'message_pk', 'send_job'], 'held: {"message_pk","send_job","cost","held"}');
SELECT is((SELECT format('%s|%s|%s|%s', m.status, m.error, m.text, m.tokens_out) FROM rt.messages m
           WHERE m.id = (pg_temp.got('held') ->> 'message_pk')::bigint),
          'failed|t81_moderator took over the chat while the model was writing|too late|3',
          'the held reply is kept with its text and usage, failed, saying who took over');
SELECT is((SELECT count(*) FROM rt.outbox WHERE kind = 'telegram.send'), (SELECT n FROM t81_sends), 'and nothing is sent');
SELECT is((SELECT kind || ' ' || payload::text FROM rt.outbox WHERE id = (pg_temp.got('held') ->> 'send_job')::bigint),
          'telegram.delete {"chat_id": 81000001, "message_id": 778}', 'the grown group message is deleted');
SELECT is(pg_temp.st(:j_held), 'done', 'the llm job is done');
UPDATE rt.chats SET takeover_until = now() - interval '1 second' WHERE id = 81000001;
INSERT INTO rt.outbox (kind, payload) VALUES ('llm.reply', jsonb_build_object('chat_id', 81000001, 'message_pk', pg_temp.msgpk(:j_reply),
    'reply_to_message_id', 1, 'params', '{}'::jsonb, 'context', '[]'::jsonb)) RETURNING id AS j_after \gset
SELECT rt.record_reply(:j_after, '{"text": "after"}') ->> 'message_pk' AS after_pk \gset
SELECT is((SELECT status FROM rt.messages WHERE id = :after_pk), 'queued', 'once the takeover is over, replies are sent again');
UPDATE rt.chats SET takeover_until = NULL, takeover_by = NULL WHERE id = 81000001;

-- rt.sim_next_id: the simulator's ids come from a sequence in the database (kept by pg_dump)
SELECT pg_temp.act('admin');
SELECT rt.sim_next_id() AS sim1 \gset
SELECT rt.sim_next_id() AS sim2 \gset
SELECT ok(:sim1 >= 9000000000000 AND :sim2 > :sim1, 'sim_next_id: increasing ids from 9000000000000');
SELECT pg_temp.act('moderator');
SELECT is(pg_temp.err('SELECT rt.sim_next_id()'), '42501', 'sim_next_id needs the admin role');
SELECT pg_temp.act(NULL);
SELECT ok('rt.sim_ids'::regclass::oid IN (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'roundtable'),
          'rt.sim_ids is dumped with the data, so a restore goes on from it');

-- bad results name the field and write nothing
SELECT rt.ingest(pg_temp.msg(81000008, 81000001, 'bad results ahead')) \gset _
SELECT pg_temp.job('llm.reply', 81000001) AS j_bad \gset
SELECT is(pg_temp.err(format('SELECT rt.record_reply(%s, %L)', :j_bad, r)), want, 'record_reply refuses ' || r)
FROM (VALUES ('{"text": ""}', '22023:text'), ('{"text": "  \n "}', '22023:text'), ('{"model": "m"}', '22023:text'),
             ('{"text": 5}', '22023:text'), ('{"text": "x", "usage": {"input": -1}}', '22023:usage.input'),
             ('{"text": "x", "usage": {"output": 1.5}}', '22023:usage.output'),
             ('{"text": "x", "usage": {"input": 5, "cached_input": 10}}', '22023:usage.cached_input'),
             ('{"text": "x", "usage": {"estimated": "yes"}}', '22023:usage.estimated'),
             ('{"text": "x", "usage": {"prompt": 1}}', '22023:usage.prompt'), ('{"text": "x", "usage": 7}', '22023:usage'),
             ('{"text": "x", "latency_ms": -1}', '22023:latency_ms'), ('{"text": "x", "provider_id": "one"}', '22023:provider_id'),
             ('{"text": "x", "colour": "red"}', '22023:colour'), ('[]', '22023:result')) v (r, want);
SELECT is(pg_temp.st(:j_bad), 'pending', 'a refused result leaves the job pending');
SELECT is(pg_temp.err(format('SELECT rt.record_reply(%s, ''{"text": "x"}'')', :j_send)), '22023:job', 'record_reply of a telegram job: 22023');
SELECT is(pg_temp.err('SELECT rt.record_reply(-1, ''{"text": "x"}'')'), 'P0002:job', 'record_reply of an unknown job: P0002');

-- cost: the price row in effect when the call started
SELECT is(rt._call_cost(pg_temp.pv('oa'), now(), 1000, 200, 500), 0.019,
          'cost at now: (1000-200)*10/1e6 + 200*5/1e6 + 500*20/1e6 (the row of an hour ago; tomorrow''s is not in effect)');
SELECT is(rt._call_cost(pg_temp.pv('oa'), now() - interval '1 day', 1000, 200, 500), 0.0019, 'a day ago: the older row');
SELECT is(rt._call_cost(pg_temp.pv('oa'), now() - interval '3 days', 1000, 200, 500), 0::numeric, 'before any price: 0');
SELECT is(rt._call_cost(pg_temp.pv('demo'), now(), 1000, 200, 500), 0::numeric, 'a provider without prices: 0');
INSERT INTO rt.settings (key, value) VALUES ('autoreply.provider', to_jsonb(pg_temp.pv('oa')));
SELECT rt.ingest(pg_temp.msg(81000009, 81000001, 'priced now')) \gset _
SELECT pg_temp.job('llm.reply', 81000001) AS j_now \gset
SELECT rt.job_begin(:j_now) \gset _
SELECT rt.record_reply(:j_now, jsonb_build_object('text', 'priced', 'provider_id', pg_temp.pv('oa'),
                       'usage', '{"input": 1000, "cached_input": 200, "output": 500}'::jsonb)) \gset _
SELECT is((SELECT format('%s %s %s %s', m.cost, m.model, m.provider_name, m.usage_estimated) FROM rt.messages m
           WHERE m.id = (SELECT (result ->> 'message_pk')::bigint FROM rt.outbox WHERE id = :j_now)),
          '0.01900000 gpt-4o-mini t81 openai f', 'record_reply prices the call at its start; model defaults to the provider''s');
SELECT rt.ingest(pg_temp.msg(81000010, 81000001, 'priced yesterday')) \gset _
SELECT pg_temp.job('llm.reply', 81000001) AS j_old \gset
UPDATE rt.outbox SET started_at = now() - interval '1 day' WHERE id = :j_old;
SELECT rt.record_reply(:j_old, '{"text": "old price", "usage": {"input": 1000, "cached_input": 200, "output": 500}}') \gset _
SELECT is((SELECT format('%s %s', m.cost, m.provider_name) FROM rt.messages m
           WHERE m.id = (SELECT (result ->> 'message_pk')::bigint FROM rt.outbox WHERE id = :j_old)),
          '0.00190000 t81 openai', 'a call that started yesterday costs yesterday''s price; no provider_id: the provider job_begin picks');

-- ---------------------------------------------------------------------------
-- rt.mark_sent
-- ---------------------------------------------------------------------------
INSERT INTO t81 VALUES ('sent', rt.mark_sent(:j_send, '{"message_id": 555, "message_ids": [556, 555], "date": 1763700500}'));
SELECT is(pg_temp.got('sent'), jsonb_build_object('message_pk', pg_temp.msgpk(:j_send), 'message_id', 555, 'message_ids', '[555, 556]'::jsonb,
                                                  'sent_at', '2025-11-21T04:48:20+00:00'), 'mark_sent returns what it recorded');
SELECT is((SELECT format('%s %s %s %s', status, message_id, sent_at = to_timestamp(1763700500), error) FROM rt.messages
           WHERE id = pg_temp.msgpk(:j_send)), 'sent 555 t ', 'the message is sent with its Telegram id and time');
SELECT is((SELECT array_agg(message_id ORDER BY message_id) FROM rt.message_keys WHERE chat_id = 81000001 AND message_pk = pg_temp.msgpk(:j_send)),
          '{555,556}'::bigint[], 'every part is keyed to the message, so replies to the bot are recognised');
SELECT is(pg_temp.st(:j_send), 'done', 'the job is done');
SELECT is(rt.mark_sent(:j_send, '{"message_id": 999}'), pg_temp.got('sent'), 'mark_sent twice: the stored result');
SELECT is((SELECT message_id FROM rt.messages WHERE id = pg_temp.msgpk(:j_send)), 555::bigint, 'and the message is unchanged');
SELECT is(rt.job_begin(:j_send), '{"state": "done"}'::jsonb, 'job_begin after mark_sent: done');
SELECT pg_temp.send('{"chat_id": 81000001, "text": "bad results ahead"}') \gset _
SELECT pg_temp.job('telegram.send', 81000001) AS j_send2 \gset
SELECT is(pg_temp.err(format('SELECT rt.mark_sent(%s, %L)', :j_send2, r)), want, 'mark_sent refuses ' || r)
FROM (VALUES ('{}', '22023:message_id'), ('{"message_id": "x"}', '22023:message_id'), ('{"message_id": 0}', '22023:message_id'),
             ('{"message_id": 1, "message_ids": ["a"]}', '22023:message_ids'), ('{"message_id": 1, "message_ids": 1}', '22023:message_ids'),
             ('{"message_id": 1, "date": "now"}', '22023:date'), ('{"message_id": 1, "chat": 1}', '22023:chat'),
             ('[1]', '22023:result')) v (r, want);
SELECT is(pg_temp.st(:j_send2), 'pending', 'a refused result leaves the job pending');
SELECT is(pg_temp.err(format('SELECT rt.mark_sent(%s, ''{"message_id": 1}'')', :j_bad)), '22023:job', 'mark_sent of an llm job: 22023');
SELECT is(pg_temp.err('SELECT rt.mark_sent(-1, ''{}'')'), 'P0002:job', 'mark_sent of an unknown job: P0002');
SELECT is(rt.mark_sent(pg_temp.job('telegram.delete', 81000001), '{}'), '{}'::jsonb, 'telegram.delete: {} and done');
SELECT is(pg_temp.st(pg_temp.job('telegram.delete', 81000001)), 'done', 'the delete job is done');
INSERT INTO rt.outbox (kind, payload) VALUES ('telegram.delete', '{"chat_id": 81000001, "message_id": 8}');
SELECT is(pg_temp.err(format('SELECT rt.mark_sent(%s, ''{"ok": true}'')', pg_temp.job('telegram.delete', 81000001))), '22023:ok',
          'telegram.delete takes {} only');

-- ---------------------------------------------------------------------------
-- rt.job_failed
-- ---------------------------------------------------------------------------
SELECT rt.job_begin(:j_send2) \gset _
SELECT is(rt.job_failed(:j_send2, 'HTTP 502', false) - 'created_at' - 'relayed_at' - 'done_at' - 'dead_at' - 'payload',
          jsonb_build_object('id', :j_send2, 'kind', 'telegram.send', 'state', 'pending', 'chat_id', 81000001,
                             'message_pk', pg_temp.msgpk(:j_send2), 'attempts', 1, 'relays', 0, 'last_error', 'HTTP 502'),
          'not final: still pending, last_error kept; returns the Job');
SELECT is((SELECT status FROM rt.messages WHERE id = pg_temp.msgpk(:j_send2)), 'queued', 'a sending message goes back to queued');
SELECT is(rt.job_failed(:j_send2, repeat('e', 2000), true) ->> 'state', 'dead', 'final: dead');
SELECT is((SELECT length(last_error) FROM rt.outbox WHERE id = :j_send2), 1000, 'last_error is cut to 1000 characters');
SELECT is((SELECT format('%s %s', status, length(error)) FROM rt.messages WHERE id = pg_temp.msgpk(:j_send2)), 'failed 1000',
          'the message is failed, with the error');
SELECT is((SELECT format('%s %s %s', n.kind, n.message_pk = pg_temp.msgpk(:j_send2), pg_temp.keys(n.payload)) FROM rt.notifications n
           WHERE (n.payload ->> 'job_id')::bigint = :j_send2), 'delivery_failed t {chat_id,error,job_id,kind}',
          'a delivery_failed notification about the message');
SELECT is(rt.job_failed(:j_send2, 'late', true) ->> 'last_error', repeat('e', 1000), 'a dead job is left unchanged');
SELECT is(rt.job_failed(:j_send, 'late', false) ->> 'state', 'done', 'a done job is left unchanged');
SELECT is((SELECT last_error FROM rt.outbox WHERE id = :j_send), NULL, 'really unchanged');
SELECT is(rt.job_begin(:j_send2), '{"state": "dead"}'::jsonb, 'job_begin of a dead job: dead');
SELECT is(pg_temp.err(format('SELECT rt.job_failed(%s, ''x'', NULL)', :j_bad)), '22023:final', 'final null: 22023');
SELECT is(pg_temp.err('SELECT rt.job_failed(-1, ''x'', true)'), 'P0002:job', 'job_failed of an unknown job: P0002');
SELECT is(rt.job_failed(:j_bad, NULL, true) ->> 'last_error', 'unknown error', 'no error text: "unknown error"');
SELECT is((SELECT kind FROM rt.notifications WHERE (payload ->> 'job_id')::bigint = :j_bad), 'error', 'an llm job''s death: an error notification');
UPDATE rt.outbox SET relayed_at = NULL WHERE id IN (:j_send, :j_send2);
SELECT ok(NOT rt.outbox_claim(10000, 0) @> ANY (ARRAY[jsonb_build_array(jsonb_build_object('id', :j_send2, 'kind', 'telegram.send')),
                                                      jsonb_build_array(jsonb_build_object('id', :j_send, 'kind', 'telegram.send'))]),
          'dead and done jobs are never claimed');

-- ---------------------------------------------------------------------------
-- list, retry, discard
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('viewer');
INSERT INTO t81 VALUES ('dead', rt.list_jobs('{"state": "dead", "kind": "telegram.send"}'));
SELECT is(pg_temp.keys(pg_temp.got('dead') #> '{items,0}'),
          ARRAY['attempts', 'chat_id', 'created_at', 'dead_at', 'done_at', 'id', 'kind', 'last_error', 'message_pk', 'payload', 'relayed_at', 'relays', 'state'],
          'Job JSON has exactly the contract''s keys');
SELECT is(ARRAY(SELECT (e ->> 'id')::bigint FROM jsonb_array_elements(pg_temp.got('dead') -> 'items') e), ARRAY[:j_send2::bigint],
          'state dead and kind filter');
SELECT ok(NOT rt.list_jobs('{"state": "pending"}') -> 'items' @> jsonb_build_array(jsonb_build_object('id', :j_send2))
          AND rt.list_jobs('{"state": "done"}') -> 'items' @> jsonb_build_array(jsonb_build_object('id', :j_send)), 'pending and done filters');
CREATE TEMP TABLE t81_page AS SELECT rt.list_jobs('{"limit": 1}') AS p;
SELECT ok((SELECT (p #>> '{items,0,id}')::bigint > (rt.list_jobs(jsonb_build_object('limit', 1, 'cursor', p ->> 'next_cursor')) #>> '{items,0,id}')::bigint
           FROM t81_page), 'newest first; the cursor pages on');
SELECT is(pg_temp.err(format('SELECT rt.list_jobs(%L)', f)), want, 'list_jobs refuses ' || f)
FROM (VALUES ('{"state": "lost"}', '22023:state'), ('{"kind": "email"}', '22023:kind'), ('{"limit": 201}', '22023:limit'),
             ('{"job": 1}', '22023:job'), ('{"cursor": "zz"}', '22023:cursor')) v (f, want);
SELECT is(pg_temp.err(format('SELECT rt.retry_job(%s)', :j_send2)), '42501', 'a viewer may not retry');
SELECT pg_temp.act('moderator');
SELECT is(pg_temp.err(format('SELECT rt.discard_job(%s)', :j_send2)), '42501', 'a moderator may not discard');
SELECT pg_temp.act('admin');
SELECT is(pg_temp.err(format('SELECT rt.retry_job(%s)', :j_now)), '22023:id', 'retry_job of a done job: 22023');
SELECT is(pg_temp.err('SELECT rt.retry_job(-1)'), 'P0002:id', 'retry_job of an unknown job: P0002');
SELECT is(pg_temp.err(format('SELECT rt.discard_job(%s)', :j_send)), '22023:id', 'discard_job of a done job: 22023');
SELECT rt.ingest(pg_temp.msg(81000011, 81000001, 'still pending')) \gset _
SELECT is(pg_temp.err(format('SELECT rt.retry_job(%s)', pg_temp.job('llm.reply', 81000001))), '22023:id', 'retry_job of a pending job: 22023');
INSERT INTO t81 VALUES ('retry', rt.retry_job(:j_send2));
SELECT ok((SELECT j ->> 'state' = 'pending' AND j -> 'attempts' = '0' AND j -> 'relayed_at' = 'null' AND j -> 'dead_at' = 'null'
           FROM t81 WHERE k = 'retry'), 'retry: pending, attempts 0, relayed_at and dead_at cleared');
SELECT is((SELECT format('%s %s', status, error) FROM rt.messages WHERE id = pg_temp.msgpk(:j_send2)), 'queued ',
          'its message is queued again');
SELECT is((SELECT actor || ' ' || action FROM rt.audit_log WHERE target = 'job:' || :j_send2 ORDER BY id DESC LIMIT 1),
          (SELECT 'admin:' || id FROM t81_admins WHERE role = 'admin') || ' job.retry', 'a retry is audited');
SELECT ok(rt.outbox_claim(10000, 300) @> jsonb_build_array(jsonb_build_object('id', :j_send2)), 'and the relay claims it again');
SELECT rt.job_failed(:j_send2, 'HTTP 403 blocked by the user', true) \gset _
INSERT INTO t81 VALUES ('discard', rt.discard_job(:j_send2));
SELECT ok((SELECT j ->> 'state' = 'discarded' AND j -> 'done_at' <> 'null' FROM t81 WHERE k = 'discard'), 'discard: state discarded, done_at set');
SELECT ok((SELECT discarded_at = done_at FROM rt.outbox WHERE id = :j_send2), 'done_at = discarded_at');
SELECT is((SELECT status FROM rt.messages WHERE id = pg_temp.msgpk(:j_send2)), 'failed', 'its message stays failed');
SELECT is(rt.job_begin(:j_send2), '{"state": "done"}'::jsonb, 'a discarded job is finished for workers');
SELECT is(pg_temp.err(format('SELECT rt.retry_job(%s)', :j_send2)), '22023:id', 'a discarded job cannot be retried');
SELECT is(rt.list_jobs('{"state": "discarded"}') #> '{items,0,id}', to_jsonb(:j_send2::bigint), 'state discarded filter');
SELECT is(rt.record_reply(:j_send2, '{"text": "x"}'), '{"state": "discarded"}'::jsonb, 'a late effect on a discarded job records nothing');

-- a playbook's fixed reply (0.2.0's writer) names the message it answers too
SELECT rt.create_playbook('{"name": "t81 price", "pattern": "price", "reply_text": "see example.com"}') \gset _
SELECT rt.ingest(pg_temp.msg(81000012, 81000001, 'what is the price')) \gset _
SELECT is((SELECT m.in_reply_to FROM rt.messages m WHERE m.chat_id = 81000001 AND m.text = 'see example.com'),
          (SELECT k.message_pk FROM rt.message_keys k WHERE k.chat_id = 81000001 AND k.message_id = 12),
          'a playbook reply has in_reply_to');

-- ---------------------------------------------------------------------------
-- Roles and privileges of the edge functions
-- ---------------------------------------------------------------------------
SELECT pg_temp.act('viewer');
SELECT is(pg_temp.err(q), '42501', 'with rt.actor a viewer, not ' || q)
FROM unnest(ARRAY['SELECT rt.outbox_claim(1, 300)', 'SELECT rt.job_begin(1)', 'SELECT rt.record_reply(1, ''{}'')',
                  'SELECT rt.mark_sent(1, ''{}'')', 'SELECT rt.job_failed(1, ''x'', true)']) q;
SELECT pg_temp.act(NULL);
SELECT ok((SELECT bool_and(p.prosecdef) FROM pg_proc p WHERE p.oid = ANY (ARRAY[
              'rt.outbox_claim(int,int)', 'rt.job_begin(bigint)', 'rt.record_reply(bigint,jsonb)', 'rt.mark_sent(bigint,jsonb)',
              'rt.job_failed(bigint,text,boolean)', 'rt.ensure_default_providers(jsonb)', 'rt.list_jobs(jsonb)',
              'rt.retry_job(bigint)', 'rt.discard_job(bigint)']::regprocedure[])), 'edge and jobs functions are SECURITY DEFINER');
SELECT ok(has_function_privilege('rt_edge', f, 'execute') AND has_function_privilege('rt_admin', f, 'execute')
          AND NOT has_function_privilege('rt_analyst', f, 'execute') AND NOT has_function_privilege('public', f, 'execute'),
          f || ': rt_edge and rt_admin, not rt_analyst nor PUBLIC')
FROM unnest(ARRAY['rt.outbox_claim(int,int)', 'rt.job_begin(bigint)', 'rt.record_reply(bigint,jsonb)', 'rt.mark_sent(bigint,jsonb)',
                  'rt.job_failed(bigint,text,boolean)', 'rt.ensure_default_providers(jsonb)']) f;
SELECT ok(NOT has_function_privilege('rt_edge', f, 'execute'), 'rt_edge may not call the internal ' || f)
FROM unnest(ARRAY['rt._job_kill(rt.outbox,text)', 'rt._pick_provider(bigint,bigint)', 'rt._call_cost(bigint,timestamptz,int,int,int)']) f;
SELECT is(ARRAY(SELECT e -> 'data' FROM rt.event_messages('{"type": "changed", "entity": "job", "ids": [7]}') e),
          ARRAY['{"entity": "job", "ids": [7]}'::jsonb], 'entity.changed job expands like every entity');

SELECT * FROM finish();
ROLLBACK;
