-- Examples of docs/sql-api.md, one block per function under a "-- rt.name(argtypes)" header
-- (the signature as regprocedure prints it). tests/docs/sql-api.test.mjs runs every block as
-- rt_admin in a transaction it rolls back, after the fixture; a "-- role: ..." line right under a
-- header names the role check of a C function, whose source the generator cannot read.

-- fixture
-- a private chat with Alice (1001) and a group (-1002) where Bob mentions the bot
SELECT rt.ingest('[
  {"update_id": 7700001, "message": {"message_id": 1, "date": 1765000000,
   "chat": {"id": 1001, "type": "private", "first_name": "Alice"},
   "from": {"id": 1001, "is_bot": false, "first_name": "Alice", "username": "alice"},
   "text": "Hello, bot"}},
  {"update_id": 7700002, "message": {"message_id": 5, "date": 1765000060,
   "chat": {"id": -1002, "type": "group", "title": "Book club"},
   "from": {"id": 1002, "is_bot": false, "first_name": "Bob"},
   "text": "@roundtable_demo_bot what should we read?",
   "entities": [{"type": "mention", "offset": 0, "length": 20}]}}]');
-- the providers and personalities the edge seeds at start-up (demo, openai, deepseek)
SELECT rt.ensure_default_providers('{}');
-- a preset, and a manual message queued for Alice (an outbox telegram.send job)
SELECT rt.create_preset('{"name": "docs: calm", "temperature": 0.3, "tone": "neutral"}');
SELECT rt.send_message('{"chat_id": 1001, "text": "Hi Alice, a human here."}');

-- rt.ack_all_notifications()
SELECT rt.ack_all_notifications();

-- rt.ack_notification(bigint)
SELECT rt.ack_notification(id) FROM rt.notifications ORDER BY id DESC LIMIT 1;

-- rt.admin_get(bigint)
SELECT rt.admin_get(id) FROM rt.admins WHERE login = 'admin';

-- rt.admin_login(text,text)
-- a wrong password raises 28P01 invalid login or password
DO $$
BEGIN
    PERFORM rt.admin_login('admin', 'not the password');
EXCEPTION WHEN invalid_password THEN
    RAISE NOTICE 'refused: %', SQLERRM;
END
$$;

-- rt.admin_session_epochs()
SELECT rt.admin_session_epochs();

-- rt.audit(text,text,jsonb,jsonb)
SELECT rt.audit('note.manual', 'chat:1001', NULL, '{"note": "called Alice back"}');

-- rt.compile_request(jsonb,text,jsonb,text)
SELECT rt.compile_request('{"temperature": 0.7, "max_tokens": 200, "persona": "a librarian"}',
                          'anthropic', '[{"role": "user", "content": "Hi"}]', 'claude-3-5-haiku-latest');

-- rt.compress_context(jsonb,integer)
SELECT rt.compress_context('[{"round": 0, "content": "Topic: tea or coffee?"},
                             {"round": 1, "content": "Tea. It calms. It is cheap. It grows everywhere."},
                             {"round": 2, "content": "Coffee wakes you up."}]', 20);

-- rt.create_admin(text,text,text)
SELECT rt.create_admin('carol', 'a long passphrase', 'viewer');

-- rt.create_admin_api(jsonb)
SELECT rt.create_admin_api('{"login": "dave", "password": "another passphrase", "role": "moderator"}');

-- rt.create_binding(jsonb)
-- the preset for chat 1001 for the next 3 hours
SELECT rt.create_binding(jsonb_build_object('scope', 'chat', 'chat_id', 1001, 'hours', 3,
       'preset_id', (SELECT id FROM rt.presets WHERE name = 'docs: calm')));

-- rt.create_draft(bigint,jsonb)
SELECT rt.create_draft(1001, '{"override": {"temperature": 0.2}}');

-- rt.create_moderation_rule(jsonb)
SELECT rt.create_moderation_rule('{"name": "casino spam", "pattern": "casino", "pattern_kind": "word",
                                   "evasion": true, "label": "spam", "action": "hide"}');

-- rt.create_personality(jsonb)
SELECT rt.create_personality('{"title": "Historian", "instructions": "Argue from history.", "style": "calm"}');

-- rt.create_playbook(jsonb)
SELECT rt.create_playbook('{"name": "opening hours", "pattern": "when are you open", "pattern_kind": "phrase",
                            "reply_text": "Every day from 9 to 18.", "stop": true}');

-- rt.create_preset(jsonb)
SELECT rt.create_preset('{"name": "docs: friendly", "temperature": 1.1, "tone": "friendly"}');

-- rt.create_provider(jsonb)
-- an OpenAI-compatible local server (Ollama); its key, if any, is sealed by rt-edge, never passed here in clear
SELECT rt.create_provider('{"name": "local llama", "type": "openai_compatible", "base_url": "http://127.0.0.1:11434/v1",
                            "model_id": "llama3.1:8b", "enabled": true,
                            "prices": {"input_per_m": 0, "cached_input_per_m": 0, "output_per_m": 0}}');

-- rt.create_session(jsonb)
SELECT rt.create_session('{"topic": "Is a hot dog a sandwich?", "chat_id": 1001, "max_rounds": 2}');

-- rt.current_actor()
SELECT rt.current_actor();

-- rt.delete_binding(bigint)
SELECT rt.delete_binding((rt.create_binding(jsonb_build_object('scope', 'global',
       'preset_id', (SELECT id FROM rt.presets WHERE name = 'docs: calm'))) ->> 'id')::bigint);

-- rt.delete_message(bigint)
SELECT rt.delete_message(id) FROM rt.messages WHERE chat_id = -1002 AND message_id = 5;

-- rt.delete_moderation_rule(bigint)
SELECT rt.delete_moderation_rule((rt.create_moderation_rule(
       '{"name": "tmp", "pattern": "xyz", "pattern_kind": "word", "label": "tmp", "action": "flag"}') ->> 'id')::bigint);

-- rt.delete_personality(bigint)
SELECT rt.delete_personality((rt.create_personality('{"title": "Temporary"}') ->> 'id')::bigint);

-- rt.delete_playbook(bigint)
SELECT rt.delete_playbook((rt.create_playbook(
       '{"name": "tmp", "pattern": "xyz", "pattern_kind": "word", "reply_text": "ok"}') ->> 'id')::bigint);

-- rt.delete_preset(bigint)
SELECT rt.delete_preset(id) FROM rt.presets WHERE name = 'docs: calm';

-- rt.delete_provider(bigint)
SELECT rt.delete_provider(id) FROM rt.providers WHERE name = 'deepseek';

-- rt.detect_mention(jsonb,text,text,bigint)
SELECT rt.detect_mention('{"text": "@roundtable_demo_bot hi", "entities": [{"type": "mention", "offset": 0, "length": 20}]}',
                         'group', 'roundtable_demo_bot');

-- rt.discard_job(bigint)
-- only a dead job can be discarded: make the queued send dead first (a permanent failure)
SELECT rt.job_failed(id, 'Bad Request: chat not found', true) FROM rt.outbox WHERE kind = 'telegram.send' ORDER BY id DESC LIMIT 1;
SELECT rt.discard_job(id) FROM rt.outbox WHERE kind = 'telegram.send' ORDER BY id DESC LIMIT 1;

-- rt.ensure_default_providers(jsonb)
SELECT rt.ensure_default_providers('{}');

-- rt.ensure_roundtable_settings(jsonb)
SELECT rt.ensure_roundtable_settings('{"MAX_ROUNDS": "3", "TURN_TIMEOUT_SEC": "45"}');

-- rt.estimate_tokens(text)
SELECT rt.estimate_tokens('Привет, как дела? Hello, how are you?');

-- rt.event_messages(jsonb)
SELECT * FROM rt.event_messages('{"type": "changed", "entity": "preset", "ids": [1]}');

-- rt.events_after(bigint,integer,bigint,boolean)
-- what a reader that stopped at journal row 0 has missed, at most 10 rows
SELECT * FROM rt.events_after(0, 10);

-- rt.events_position()
SELECT rt.events_position();

-- rt.explain_params(jsonb)
SELECT rt.explain_params('{"chat_id": 1001, "user_id": 1001, "override": {"temperature": 0.9}}');

-- rt.export_presets(jsonb)
SELECT rt.export_presets();

-- rt.flag_message(bigint,jsonb)
SELECT rt.flag_message(id, '{"label": "rude"}') FROM rt.messages WHERE chat_id = -1002 AND message_id = 5;

-- rt.get_draft(bigint)
SELECT rt.create_draft(1001);
SELECT rt.get_draft(max(id)) FROM rt.drafts;

-- rt.get_moderation_rule(bigint)
SELECT rt.create_moderation_rule('{"name": "links", "pattern": "https?://", "pattern_kind": "regex", "label": "link", "action": "flag"}');
SELECT rt.get_moderation_rule(id) FROM rt.moderation_rules WHERE name = 'links';

-- rt.get_personality(bigint)
SELECT rt.get_personality(id) FROM rt.personalities ORDER BY id LIMIT 1;

-- rt.get_playbook(bigint)
SELECT rt.create_playbook('{"name": "greeting", "pattern": "hello", "pattern_kind": "word", "reply_text": "Hello!"}');
SELECT rt.get_playbook(id) FROM rt.playbooks WHERE name = 'greeting';

-- rt.get_preset(bigint)
SELECT rt.get_preset(id) FROM rt.presets WHERE name = 'docs: calm';

-- rt.get_provider(bigint)
SELECT rt.get_provider(id) FROM rt.providers WHERE name = 'demo';

-- rt.get_session(bigint)
SELECT rt.create_session('{"chat_id": 1001, "topic": "Is a hot dog a sandwich?"}');
SELECT rt.get_session(max(id)) FROM rt.sessions WHERE chat_id = 1001;

-- rt.import_presets(jsonb,text)
-- copy the presets of one database into another: export there, import here (clashes renamed)
SELECT rt.import_presets(rt.export_presets(), 'rename');

-- rt.ingest(jsonb)
-- role: edge worker, checked by `rt._require_worker('admin')` (from C): `rt_edge` without an actor; with an actor an admin with at least `admin`; the DB door
SELECT rt.ingest('[{"update_id": 7700010, "message": {"message_id": 2, "date": 1765000100,
  "chat": {"id": 1001, "type": "private", "first_name": "Alice"},
  "from": {"id": 1001, "is_bot": false, "first_name": "Alice"}, "text": "Are you there?"}}]');

-- rt.job_begin(bigint)
SELECT rt.job_begin(id) FROM rt.outbox WHERE kind = 'telegram.send' ORDER BY id DESC LIMIT 1;

-- rt.job_failed(bigint,text,boolean)
-- a transient failure (final = false): the message goes back to queued and the job will be retried
SELECT rt.job_failed(id, 'Too Many Requests: retry after 3', false) FROM rt.outbox WHERE kind = 'telegram.send' ORDER BY id DESC LIMIT 1;

-- rt.list_admins()
SELECT rt.list_admins();

-- rt.list_audit(jsonb)
SELECT rt.list_audit('{"action": "preset", "limit": 20}');

-- rt.list_bindings(jsonb)
SELECT rt.list_bindings('{"active": true}');

-- rt.list_chats(jsonb)
SELECT rt.list_chats('{"type": "group", "mentions": true, "limit": 20}');

-- rt.list_chats(text,text,integer)
SELECT rt.list_chats('book', NULL, 20);

-- rt.list_jobs(jsonb)
SELECT rt.list_jobs('{"state": "dead"}');

-- rt.list_messages(jsonb)
SELECT rt.list_messages('{"chat_id": -1002, "q": "read", "from": "2025-12-01T00:00:00Z", "limit": 50}');

-- rt.list_moderation_rules(jsonb)
SELECT rt.list_moderation_rules('{"q": "spam"}');

-- rt.list_notifications(jsonb)
SELECT rt.list_notifications('{"unacked": true, "kind": "mention"}');

-- rt.list_personalities(jsonb)
SELECT rt.list_personalities();

-- rt.list_playbooks(jsonb)
SELECT rt.list_playbooks();

-- rt.list_presets(jsonb)
SELECT rt.list_presets('{"q": "calm"}');

-- rt.list_providers(jsonb)
SELECT rt.list_providers('{"enabled": true}');

-- rt.list_sessions(jsonb)
SELECT rt.list_sessions('{"status": "running"}');

-- rt.list_settings()
SELECT rt.list_settings();

-- rt.list_users(jsonb)
SELECT rt.list_users('{"chat_id": -1002}');

-- rt.maintain_partitions(integer)
SELECT rt.maintain_partitions(6);

-- rt.mark_chat_read(bigint)
-- needs an admin (the DB door has no read marks of its own)
SELECT set_config('rt.actor', 'admin:' || id, true) FROM rt.admins WHERE login = 'admin';
SELECT rt.mark_chat_read(1001);

-- rt.mark_sent(bigint,jsonb)
-- what the sender records after Telegram accepted the message
SELECT rt.job_begin(id) FROM rt.outbox WHERE kind = 'telegram.send' ORDER BY id DESC LIMIT 1;
SELECT rt.mark_sent(id, '{"message_id": 2, "message_ids": [2], "date": 1765000200}')
FROM rt.outbox WHERE kind = 'telegram.send' ORDER BY id DESC LIMIT 1;

-- rt.match_text(text,text)
-- role: none in the function (C); the EXECUTE grant decides
SELECT rt.create_moderation_rule('{"name": "casino", "pattern": "casino", "pattern_kind": "word",
                                   "evasion": true, "label": "spam", "action": "hide"}');
SELECT * FROM rt.match_text('best c@s1n0 in town', 'moderation');

-- rt.moderation_verdict(bigint,text)
SELECT rt.create_moderation_rule('{"name": "casino", "pattern": "casino", "pattern_kind": "word",
                                   "evasion": true, "label": "spam", "action": "delete"}');
SELECT rt.moderation_verdict(-1002, 'к@з1н0 and c a s i n o');

-- rt.normalize(text,boolean)
SELECT rt.normalize('ЁЖИК  Hello', false), rt.normalize('c@s1n0', true);

-- rt.outbox_backlog()
SELECT rt.outbox_backlog();

-- rt.outbox_claim(integer,integer)
SELECT rt.outbox_claim(100, 300);

-- rt.outbox_touch(bigint[])
SELECT rt.outbox_touch(ARRAY(SELECT id FROM rt.outbox WHERE done_at IS NULL));

-- rt.playbook_matches(bigint,text)
SELECT rt.create_playbook('{"name": "hours", "pattern": "open", "pattern_kind": "word", "reply_text": "9 to 18"}');
SELECT * FROM rt.playbook_matches(1001, 'When are you open?');

-- rt.provider_test_target(bigint)
SELECT rt.provider_test_target(id) FROM rt.providers WHERE name = 'demo';

-- rt.record_reply(bigint,jsonb)
-- what the LLM worker records after a model answered a draft job
SELECT rt.create_draft(1001);
SELECT rt.job_begin(id) FROM rt.outbox WHERE kind = 'llm.draft' ORDER BY id DESC LIMIT 1;
SELECT rt.record_reply(o.id, jsonb_build_object('text', 'Hello Alice!', 'provider_id', p.id, 'model', 'demo-1',
       'usage', jsonb_build_object('input', 12, 'cached_input', 0, 'output', 3), 'latency_ms', 240, 'finish_reason', 'stop'))
FROM rt.outbox o, rt.providers p WHERE o.kind = 'llm.draft' AND p.name = 'demo' ORDER BY o.id DESC LIMIT 1;

-- rt.reject_update(text,text)
SELECT rt.reject_update('{"update_id": 1, "message": "\xff"}', 'invalid UTF-8');

-- rt.reorder_providers(jsonb)
-- demo first, then the others in their current order
SELECT rt.reorder_providers(jsonb_build_object('ids',
       (SELECT jsonb_agg(id ORDER BY name <> 'demo', position, id) FROM rt.providers)));

-- rt.require_role(text)
SELECT rt.require_role('admin');

-- rt.resolve_params(bigint,bigint,timestamp with time zone,jsonb)
-- role: none in the function (C); the EXECUTE grant decides (rt_admin; the edge calls it inside rt.ingest)
SELECT rt.resolve_params(1001, 1001, now(), '{"max_tokens": 300}');

-- rt.resume_chat(bigint)
SELECT rt.takeover_chat(1001, '{"minutes": 30}');
SELECT rt.resume_chat(1001);

-- rt.retry_job(bigint)
SELECT rt.job_failed(id, 'Forbidden: bot was blocked by the user', true) FROM rt.outbox WHERE kind = 'telegram.send' ORDER BY id DESC LIMIT 1;
SELECT rt.retry_job(id) FROM rt.outbox WHERE kind = 'telegram.send' ORDER BY id DESC LIMIT 1;

-- rt.send_message(jsonb)
SELECT rt.send_message('{"chat_id": -1002, "text": "We read Borges this month.", "as": "bot"}');

-- rt.session_next_turn(bigint)
SELECT rt.start_session((rt.create_session('{"chat_id": 1001, "topic": "Tea or coffee?"}') ->> 'id')::bigint);
SELECT rt.session_next_turn(id) FROM rt.sessions WHERE chat_id = 1001 AND status = 'running';

-- rt.session_reap()
SELECT rt.session_reap();

-- rt.session_record_turn(bigint,jsonb)
-- what the LLM worker records after a speaker of a running debate answered
SELECT rt.start_session((rt.create_session('{"chat_id": 1001, "topic": "Tea or coffee?"}') ->> 'id')::bigint);
SELECT rt.job_begin(id) FROM rt.outbox WHERE kind = 'llm.turn' ORDER BY id DESC LIMIT 1;
SELECT rt.session_record_turn(o.id, jsonb_build_object('text', 'Tea, obviously.', 'provider_id', p.id, 'model', 'demo-1',
       'usage', jsonb_build_object('input', 40, 'cached_input', 0, 'output', 4), 'latency_ms', 300, 'finish_reason', 'stop'))
FROM rt.outbox o, rt.providers p
WHERE o.kind = 'llm.turn' AND p.id = (o.payload ->> 'provider_id')::bigint ORDER BY o.id DESC LIMIT 1;

-- rt.session_transition(text,text)
SELECT rt.session_transition('running', 'stop');

-- rt.set_bot_identity(bigint,text,boolean)
SELECT rt.set_bot_identity(7000000001, 'my_company_bot', true);

-- rt.setting(text)
SELECT rt.setting('takeover.minutes');

-- rt.sim_next_id()
-- what POST /api/simulator/messages takes as the update id (message id = id - 9000000000000 + 1)
SELECT rt.sim_next_id();

-- rt.start_session(bigint,jsonb)
SELECT rt.start_session((rt.create_session('{"chat_id": 1001}') ->> 'id')::bigint, '{"topic": "Cats or dogs?"}');

-- rt.stop_session(bigint)
SELECT rt.stop_session((rt.start_session((rt.create_session('{"chat_id": 1001, "topic": "Tabs or spaces?"}') ->> 'id')::bigint) ->> 'id')::bigint);

-- rt.takeover_chat(bigint,jsonb)
SELECT rt.takeover_chat(1001, '{"minutes": 60}');

-- rt.test_rules(jsonb)
SELECT rt.create_moderation_rule('{"name": "casino", "pattern": "casino", "pattern_kind": "word",
                                   "evasion": true, "label": "spam", "action": "hide"}');
SELECT rt.test_rules('{"text": "best c@s1n0 in town", "rule_set": "moderation"}');

-- rt.text_similarity(text,text)
SELECT rt.text_similarity('Tea is better than coffee.', 'tea is better than coffee!');

-- rt.unflag_message(bigint)
SELECT rt.flag_message(id) FROM rt.messages WHERE chat_id = -1002 AND message_id = 5;
SELECT rt.unflag_message(id) FROM rt.messages WHERE chat_id = -1002 AND message_id = 5;

-- rt.update_admin(bigint,jsonb)
SELECT rt.update_admin((rt.create_admin('erin', 'a long passphrase', 'viewer') ->> 'id')::bigint, '{"role": "moderator"}');

-- rt.update_chat(bigint,jsonb)
SELECT rt.update_chat(-1002, jsonb_build_object('autoreply', true, 'reply_on_mention', true,
       'provider_id', (SELECT id FROM rt.providers WHERE name = 'demo')));

-- rt.update_moderation_rule(bigint,jsonb)
SELECT rt.update_moderation_rule((rt.create_moderation_rule(
       '{"name": "caps", "pattern": "BUY NOW", "pattern_kind": "phrase", "label": "ad", "action": "flag"}') ->> 'id')::bigint,
       '{"action": "hide"}');

-- rt.update_personality(bigint,jsonb)
SELECT rt.update_personality(id, '{"style": "short sentences, dry humour"}') FROM rt.personalities ORDER BY id LIMIT 1;

-- rt.update_playbook(bigint,jsonb)
SELECT rt.update_playbook((rt.create_playbook(
       '{"name": "hours", "pattern": "open", "pattern_kind": "word", "reply_text": "9 to 18"}') ->> 'id')::bigint,
       '{"reply_text": "Every day from 9 to 18.", "enabled": false}');

-- rt.update_preset(bigint,jsonb)
SELECT rt.update_preset(id, '{"temperature": 0.5, "persona": null}') FROM rt.presets WHERE name = 'docs: calm';

-- rt.update_provider(bigint,jsonb)
-- new prices take effect now; replies before keep the price of their time
SELECT rt.update_provider(id, '{"model_id": "gpt-4o", "prices": {"input_per_m": 2.5, "cached_input_per_m": 1.25, "output_per_m": 10}}')
FROM rt.providers WHERE name = 'openai';

-- rt.update_setting(text,jsonb)
SELECT rt.update_setting('takeover.minutes', '{"value": 45}');

-- rt.update_user(bigint,jsonb)
SELECT rt.update_user(1002, '{"muted": true}');

-- rt.usage_report(jsonb)
SELECT rt.usage_report('{"group_by": "provider", "from": "2025-12-01T00:00:00Z"}');
