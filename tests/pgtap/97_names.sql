-- names next to ids (issue 9, 0.5.0 part 65): AuditEntry actor_name / target_name, Binding
-- target_name / created_by_name, Notification chat_title / user_name / rule_name; a playbook's
-- binding is audited as the rule (rule:playbook:<id>), not as the edge (db:rt_edge), and rt.actor
-- is back as it was afterwards; names survive deleted objects; the audit actor filter takes a
-- login, "system" and "rule". Ids 8897xxxx, chats ±889700xx, logins tap97_*; all rolls back.
BEGIN;
SELECT plan(34);

UPDATE rt.moderation_rules SET enabled = false WHERE enabled;
UPDATE rt.playbooks SET enabled = false WHERE enabled;
INSERT INTO rt.settings (key, value) VALUES ('bot.username', '"tap97bot"'), ('bot.id', '88970042')
ON CONFLICT (key) DO UPDATE SET value = excluded.value;

INSERT INTO rt.users (id, first_name, last_name, username) VALUES
    (88970101, 'Анна', 'Петрова', 'anna97'), (88970102, NULL, NULL, 'bob97'), (88970103, NULL, NULL, NULL);
INSERT INTO rt.chats (id, type, title, autoreply, reply_on_mention) VALUES
    (-88970001, 'supergroup', 'Клуб любителей чая', false, true),
    (88970101, 'private', NULL, true, true),
    (88970103, 'private', NULL, true, true);

CREATE FUNCTION pg_temp.msg(uid bigint, chat bigint, txt text, extra jsonb DEFAULT '{}', from_id bigint DEFAULT 88970101)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_array(jsonb_build_object('update_id', uid, 'message',
        jsonb_build_object('message_id', uid, 'date', 1763700000 + uid % 100000,
                           'chat', CASE WHEN chat > 0 THEN jsonb_build_object('id', chat, 'type', 'private', 'first_name', 'Анна')
                                        ELSE jsonb_build_object('id', chat, 'type', 'supergroup', 'title', 'Клуб любителей чая') END,
                           'from', jsonb_build_object('id', from_id, 'first_name', 'Анна', 'last_name', 'Петрова',
                                                      'username', 'anna97', 'is_bot', false),
                           'text', txt) || extra))
$$;
CREATE FUNCTION pg_temp.act(login text) RETURNS text LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce('admin:' || (SELECT id FROM rt.admins a WHERE a.login = act.login), ''), true)
$$;
CREATE FUNCTION pg_temp.audit(action text, target text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT rt._audit_json(a) FROM rt.audit_log a WHERE a.action = audit.action AND a.target = audit.target ORDER BY a.id DESC LIMIT 1
$$;

SELECT rt.create_admin('tap97_admin', 'admin-password-97', 'admin') ->> 'id' AS admin_id \gset
SELECT rt.create_admin('tap97_viewer', 'viewer-password-97', 'viewer') ->> 'id' AS viewer_id \gset

-- ---- a playbook's binding is the rule's act -----------------------------------------------------
SELECT pg_temp.act('tap97_admin') \gset _
SELECT rt.create_preset('{"name": "tap97 long", "max_tokens": 4000}') ->> 'id' AS long \gset
SELECT rt.create_playbook(format('{"name": "tap97 подробно", "pattern": "подробно", "pattern_kind": "word",
                                   "preset_id": %s, "preset_hours": 2}', :long)::jsonb) ->> 'id' AS pb \gset
SELECT set_config('rt.actor', '', true) \gset _

-- the edge's worker ingests without an actor, as rt_edge
SET LOCAL ROLE rt_edge;
SELECT rt.ingest(pg_temp.msg(88970001, -88970001, 'расскажи подробно')) \gset _
SELECT is(current_setting('rt.actor', true), '', 'rt.actor is unset again after the playbook''s binding');
RESET ROLE;
SELECT is((SELECT a.actor FROM rt.audit_log a WHERE a.action = 'binding.insert' AND (a.after ->> 'chat_id')::bigint = -88970001),
          'rule:playbook:' || :pb, 'the playbook''s binding is audited as the rule, not as db:rt_edge');
SELECT is((SELECT rt._audit_json(a) ->> 'actor_name' FROM rt.audit_log a
           WHERE a.action = 'binding.insert' AND (a.after ->> 'chat_id')::bigint = -88970001),
          'rule: tap97 подробно', 'actor_name says which rule');
SELECT is((SELECT rt._audit_json(a) ->> 'target_name' FROM rt.audit_log a
           WHERE a.action = 'binding.insert' AND (a.after ->> 'chat_id')::bigint = -88970001),
          'tap97 long → Клуб любителей чая', 'a binding target names its preset and chat');
SELECT is((SELECT rt._binding_json(b) ->> 'created_by_name' FROM rt.preset_bindings b WHERE b.chat_id = -88970001),
          'rule: tap97 подробно', 'the binding itself names the rule that made it');
SELECT is((SELECT rt._binding_json(b) ->> 'target_name' FROM rt.preset_bindings b WHERE b.chat_id = -88970001),
          'Клуб любителей чая', 'a chat binding names the chat');

-- an admin's simulated message keeps the admin as actor after the rule's insert
SELECT pg_temp.act('tap97_admin') \gset _
SELECT rt.ingest(pg_temp.msg(88970002, -88970001, 'ещё подробно')) \gset _
SELECT is(current_setting('rt.actor', true), 'admin:' || :admin_id, 'an admin''s rt.actor is restored after the rule''s insert');
SELECT is((SELECT count(*) FROM rt.audit_log a WHERE a.action = 'binding.insert' AND a.actor = 'rule:playbook:' || :pb),
          2::bigint, 'both bindings are the rule''s');

-- ---- bindings: every scope ---------------------------------------------------------------------
SELECT rt.create_binding(format('{"scope": "chat", "chat_id": 88970101, "preset_id": %s}', :long)::jsonb) AS b_private \gset
SELECT rt.create_binding(format('{"scope": "chat", "chat_id": 88970103, "preset_id": %s}', :long)::jsonb) AS b_nameless \gset
SELECT rt.create_binding(format('{"scope": "user", "user_id": 88970102, "preset_id": %s}', :long)::jsonb) AS b_user \gset
SELECT rt.create_binding(format('{"scope": "chat_user", "chat_id": -88970001, "user_id": 88970101, "preset_id": %s}', :long)::jsonb) AS b_cu \gset
SELECT rt.create_binding(format('{"scope": "global", "preset_id": %s, "hours": 1}', :long)::jsonb) AS b_global \gset
SELECT is(:'b_private'::jsonb ->> 'target_name', 'Анна Петрова', 'a private chat without a title: its user''s name');
SELECT is(:'b_nameless'::jsonb ->> 'target_name', '88970103', 'a chat with no name at all: its id');
SELECT is(:'b_user'::jsonb ->> 'target_name', '@bob97', 'a user without a name: @username');
SELECT is(:'b_cu'::jsonb ->> 'target_name', 'Клуб любителей чая · Анна Петрова', 'chat_user: chat · user');
SELECT is(:'b_global'::jsonb -> 'target_name', 'null'::jsonb, 'global: no target');
SELECT is(:'b_global'::jsonb ->> 'created_by_name', 'tap97_admin', 'made by an admin: the login');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(:'b_global'::jsonb) k),
          ARRAY['active', 'chat_id', 'created_at', 'created_by', 'created_by_name', 'expires_at', 'id', 'preset_id',
                'preset_name', 'scope', 'target_name', 'user_id'], 'Binding keys as in openapi.yaml');

-- ---- audit entries ------------------------------------------------------------------------------
SELECT is(pg_temp.audit('preset.insert', 'preset:' || :long) ->> 'actor_name', 'tap97_admin', 'an admin acts: the login');
SELECT is(pg_temp.audit('preset.insert', 'preset:' || :long) ->> 'target_name', 'tap97 long', 'a preset: its name');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(pg_temp.audit('preset.insert', 'preset:' || :long)) k),
          ARRAY['action', 'actor', 'actor_name', 'after', 'at', 'before', 'id', 'target', 'target_name'],
          'AuditEntry keys as in openapi.yaml');
SELECT rt.create_preset('{"name": "tap97 gone"}') ->> 'id' AS gone \gset
SELECT rt.delete_preset(:gone) \gset _
SELECT is(pg_temp.audit('preset.delete', 'preset:' || :gone) ->> 'target_name', 'tap97 gone',
          'a deleted preset keeps its name (from the entry''s before)');
SELECT is(pg_temp.audit('preset.insert', 'preset:' || :gone) ->> 'target_name', 'tap97 gone',
          'and so do its older entries (from their after)');
UPDATE rt.chats SET autoreply = true WHERE id = -88970001;
SELECT is(pg_temp.audit('chat.update', 'chat:-88970001') ->> 'target_name', 'Клуб любителей чая', 'a chat: its title');
SELECT is(pg_temp.audit('admin.insert', 'admin:' || :viewer_id) ->> 'target_name', 'tap97_viewer', 'an admin: the login');
SELECT is(rt._actor_name('admin:999999999'), 'admin:999999999', 'an unknown admin: the id');
SELECT is(rt._actor_name('rule:playbook:999999999'), 'rule: playbook:999999999', 'a deleted playbook: the rule''s id');
SELECT is(rt._actor_name('db:rt_edge'), 'system', 'the edge''s workers: system');
SELECT is(rt._actor_name('db:postgres'), 'db:postgres', 'a DBA: the role');
SELECT is(rt._audit_target_name('setting:takeover.minutes', NULL, NULL), 'takeover.minutes', 'a setting: its key');
SELECT is(rt._audit_target_name('chat:12345678901', NULL, NULL), NULL, 'an unknown chat: null (the SPA shows the id)');

-- ---- the actor filter by name --------------------------------------------------------------------
SELECT pg_temp.act('tap97_viewer') \gset _
SELECT is((SELECT count(*) FROM jsonb_array_elements(rt.list_audit('{"actor": "tap97_admin", "limit": 200}') -> 'items') e
           WHERE e ->> 'actor' <> 'admin:' || :admin_id), 0::bigint, 'actor=<login>: only that admin''s entries');
SELECT ok(jsonb_array_length(rt.list_audit('{"actor": "tap97_admin"}') -> 'items') > 0, 'actor=<login> finds them');
SELECT is((SELECT array_agg(DISTINCT e ->> 'actor_name') FROM jsonb_array_elements(rt.list_audit('{"actor": "rule", "limit": 200}') -> 'items') e
           WHERE e ->> 'actor' = 'rule:playbook:' || :pb), ARRAY['rule: tap97 подробно'], 'actor=rule finds the rule''s entries');

-- ---- notifications --------------------------------------------------------------------------------
SELECT set_config('rt.actor', '', true) \gset _
UPDATE rt.chats SET autoreply = false WHERE id = -88970001;
SELECT rt.ingest(pg_temp.msg(88970003, -88970001, '@tap97bot помоги', '{"entities": [{"type": "mention", "offset": 0, "length": 9}]}')) \gset _
SELECT is((SELECT rt._notification_json(n) - 'id' - 'created_at' - 'message_pk' - 'payload'
           FROM rt.notifications n WHERE n.kind = 'mention' AND n.chat_id = -88970001),
          '{"kind": "mention", "chat_id": -88970001, "acked_at": null, "acked_by": null, "chat_title": "Клуб любителей чая",
            "user_name": "Анна Петрова", "rule_name": null}', 'a mention names the chat and the sender');
SELECT rt.create_moderation_rule('{"name": "tap97 казино", "pattern": "казино", "label": "spam", "action": "flag"}') \gset _
SELECT rt.ingest(pg_temp.msg(88970004, 88970101, 'лучшее казино')) \gset _
SELECT is((SELECT rt._notification_json(n) ->> 'rule_name' FROM rt.notifications n WHERE n.kind = 'moderation' AND n.chat_id = 88970101),
          'tap97 казино', 'a moderation hit names the rule');
SELECT is((SELECT (rt._notification_json(n) ->> 'chat_title') || ' / ' || (rt._notification_json(n) ->> 'user_name')
           FROM rt.notifications n WHERE n.kind = 'moderation' AND n.chat_id = 88970101),
          'Анна / Анна Петрова', 'the chat as Telegram titled it; the sender from the message');

SELECT * FROM finish();
ROLLBACK;
