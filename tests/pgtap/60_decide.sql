-- rt.ingest's decisions (decision 008): private vs group, every mention kind, takeover, mute,
-- bots, fixed replies, playbook presets and stop, moderation delete/hide/flag, edits, context,
-- and rt.detect_mention. Update ids 886xxxxx, chats ±886000xx; everything rolls back.
BEGIN;
SELECT plan(51);

-- a known world: no rules but ours, our bot's name and id
UPDATE rt.moderation_rules SET enabled = false WHERE enabled;
UPDATE rt.playbooks SET enabled = false WHERE enabled;
INSERT INTO rt.settings (key, value) VALUES ('bot.username', '"Tap60Bot"'), ('bot.id', '88600042'), ('context.messages', '20')
ON CONFLICT (key) DO UPDATE SET value = excluded.value;

INSERT INTO rt.chats (id, type, title, autoreply, reply_on_mention, takeover_until) VALUES
    (88600001, 'private', 'on', true, true, NULL),
    (88600002, 'private', 'off', false, true, NULL),
    (-88600001, 'supergroup', 'on', true, true, NULL),
    (-88600002, 'supergroup', 'mentions off', true, false, NULL),
    (-88600003, 'supergroup', 'autoreply off', false, true, NULL),
    (-88600004, 'supergroup', 'taken over', true, true, now() + interval '1 hour');
INSERT INTO rt.users (id, first_name, muted) VALUES (88600100, 'Muted', true);

-- one incoming message as an update batch
CREATE FUNCTION pg_temp.msg(uid bigint, chat bigint, txt text, extra jsonb DEFAULT '{}', from_id bigint DEFAULT 88600101,
                            is_bot boolean DEFAULT false, edit boolean DEFAULT false, mid bigint DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_array(jsonb_build_object('update_id', uid,
        CASE WHEN edit THEN 'edited_message' ELSE 'message' END,
        jsonb_build_object('message_id', coalesce(mid, uid), 'date', 1763700000 + uid % 100000,
                           'chat', jsonb_build_object('id', chat, 'type', CASE WHEN chat > 0 THEN 'private' ELSE 'supergroup' END,
                                                      'title', 't'),
                           'from', jsonb_build_object('id', from_id, 'first_name', 'Ann', 'is_bot', is_bot),
                           'text', txt) || CASE WHEN edit THEN '{"edit_date": 1763800000}'::jsonb ELSE '{}' END || extra))
$$;
-- the outbox kinds and notification kinds:reasons one stored message led to
CREATE FUNCTION pg_temp.pk(chat bigint, mid bigint) RETURNS bigint LANGUAGE sql AS $$
    SELECT message_pk FROM rt.message_keys WHERE chat_id = chat AND message_id = mid $$;
CREATE FUNCTION pg_temp.jobs(chat bigint, mid bigint) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(kind, ',' ORDER BY id), '') FROM rt.outbox
    WHERE (payload ->> 'message_pk')::bigint = pg_temp.pk(chat, mid)
       OR (payload ->> 'in_reply_to')::bigint = pg_temp.pk(chat, mid) $$;
CREATE FUNCTION pg_temp.notes(chat bigint, mid bigint) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(kind || coalesce(':' || (payload ->> 'reason'), ''), ',' ORDER BY id), '')
    FROM rt.notifications WHERE message_pk = pg_temp.pk(chat, mid) $$;
CREATE FUNCTION pg_temp.ent(type text, off int, len int, extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('entities', jsonb_build_array(jsonb_build_object('type', type, 'offset', off, 'length', len) || extra)) $$;

-- ---- private chats ------------------------------------------------------------------------------
SELECT is(rt.ingest(pg_temp.msg(88600001, 88600001, 'hello bot')) -> 'jobs', '1'::jsonb, 'ingest result counts jobs');
SELECT is(pg_temp.jobs(88600001, 88600001), 'llm.reply', 'private, autoreply on: llm.reply');
SELECT is((SELECT payload - 'params' - 'context' FROM rt.outbox WHERE (payload ->> 'message_pk')::bigint = pg_temp.pk(88600001, 88600001)),
          jsonb_build_object('chat_id', 88600001, 'message_pk', pg_temp.pk(88600001, 88600001), 'reply_to_message_id', 88600001, 'user_id', 88600101),
          'llm.reply payload');
SELECT ok((SELECT payload -> 'params' ?& ARRAY['temperature', 'max_tokens', 'tone', 'verbosity', 'emotional_intensity', 'persona']
           FROM rt.outbox WHERE (payload ->> 'message_pk')::bigint = pg_temp.pk(88600001, 88600001)), 'llm.reply carries resolved params');
SELECT is((SELECT payload -> 'context' -> -1 FROM rt.outbox WHERE (payload ->> 'message_pk')::bigint = pg_temp.pk(88600001, 88600001)),
          '{"role": "user", "name": "Ann", "text": "hello bot"}'::jsonb, 'context ends with the message itself');
SELECT is(rt.ingest(pg_temp.msg(88600002, 88600002, 'hello?')) -> 'jobs', NULL, 'no jobs: no "jobs" key');
SELECT is(pg_temp.jobs(88600002, 88600002) || '|' || pg_temp.notes(88600002, 88600002), '|', 'private, autoreply off, no mention: nothing');
-- (the round table's own commands /start /new /stop /donate /help are consumed by its router: pgTAP 93)
SELECT rt.ingest(pg_temp.msg(88600003, 88600002, '/ask', pg_temp.ent('bot_command', 0, 4))) \gset _
SELECT is(pg_temp.notes(88600002, 88600003), 'mention:autoreply_off', 'private, autoreply off, a command: mention notification');
SELECT is((SELECT payload - 'text' FROM rt.notifications WHERE message_pk = pg_temp.pk(88600002, 88600003)),
          '{"mention": "command", "reason": "autoreply_off", "user_id": 88600101, "message_id": 88600003}'::jsonb, 'mention payload');
SELECT rt.ingest(pg_temp.msg(88600004, 88600001, 'hello from a muted user', '{}', 88600100)) \gset _
SELECT is(pg_temp.jobs(88600001, 88600004) || '|' || pg_temp.notes(88600001, 88600004), '|', 'muted user: no reply, no notification');
SELECT rt.ingest(pg_temp.msg(88600005, 88600001, 'i am a bot', '{}', 88600102, true)) \gset _
SELECT is(pg_temp.jobs(88600001, 88600005), '', 'never answer another bot');

-- ---- groups and mention kinds ----------------------------------------------------------------------
SELECT rt.ingest(pg_temp.msg(88600010, -88600001, 'just chatting')) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600010) || '|' || pg_temp.notes(-88600001, 88600010), '|', 'group, not addressed: nothing');
SELECT rt.ingest(pg_temp.msg(88600011, -88600001, 'hi @tap60bot how are you', pg_temp.ent('mention', 3, 9))) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600011), 'llm.reply', '@username entity (case-insensitive): reply');
SELECT rt.ingest(pg_temp.msg(88600012, -88600001, 'привет 😀 @Tap60Bot', pg_temp.ent('mention', 10, 9))) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600012), 'llm.reply', 'entity offsets in UTF-16 units (emoji = 2)');
SELECT rt.ingest(pg_temp.msg(88600013, -88600001, 'hi @someoneelse', pg_temp.ent('mention', 3, 12))) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600013), '', 'another @username: nothing');
SELECT rt.ingest(pg_temp.msg(88600014, -88600001, 'and what about this', '{"reply_to_message": {"message_id": 1, "from": {"id": 88600042, "is_bot": true}}}')) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600014), 'llm.reply', 'a reply to the bot: reply');
SELECT rt.ingest(pg_temp.msg(88600015, -88600001, 'and what about this', '{"reply_to_message": {"message_id": 1, "from": {"id": 5, "is_bot": false}}}')) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600015), '', 'a reply to someone else: nothing');
SELECT rt.ingest(pg_temp.msg(88600016, -88600001, 'Robot, help', pg_temp.ent('text_mention', 0, 5, '{"user": {"id": 88600042}}'))) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600016), 'llm.reply', 'text_mention of the bot: reply');
SELECT rt.ingest(pg_temp.msg(88600017, -88600001, '/ask', pg_temp.ent('bot_command', 0, 4))) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600017), 'llm.reply', '/cmd in a group: reply');
SELECT rt.ingest(pg_temp.msg(88600018, -88600001, '/ask@tap60bot', pg_temp.ent('bot_command', 0, 13))) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600018), 'llm.reply', '/cmd@ourbot in a group: reply');
SELECT rt.ingest(pg_temp.msg(88600019, -88600001, '/ask@otherbot', pg_temp.ent('bot_command', 0, 13))) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600019), '', '/cmd@otherbot in a group: nothing');
SELECT rt.ingest(pg_temp.msg(88600020, -88600001, 'yo @tap60bot!')) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600020), 'llm.reply', 'no entities (simulator): @username found in the text');

-- ---- switches, takeover ------------------------------------------------------------------------------
SELECT rt.ingest(pg_temp.msg(88600021, -88600002, '@tap60bot hi', pg_temp.ent('mention', 0, 9))) \gset _
SELECT is(pg_temp.jobs(-88600002, 88600021) || '|' || pg_temp.notes(-88600002, 88600021), '|mention:reply_on_mention_off',
          'reply_on_mention off: no reply, a notification');
SELECT rt.ingest(pg_temp.msg(88600022, -88600003, '@tap60bot hi', pg_temp.ent('mention', 0, 9))) \gset _
SELECT is(pg_temp.jobs(-88600003, 88600022) || '|' || pg_temp.notes(-88600003, 88600022), '|mention:autoreply_off',
          'autoreply off: no reply, a notification');
SELECT rt.ingest(pg_temp.msg(88600023, -88600004, '@tap60bot hi', pg_temp.ent('mention', 0, 9))) \gset _
SELECT is(pg_temp.jobs(-88600004, 88600023) || '|' || pg_temp.notes(-88600004, 88600023), '|mention:takeover',
          'takeover: no reply, a notification');
UPDATE rt.chats SET takeover_until = now() - interval '1 second' WHERE id = -88600004;
SELECT rt.ingest(pg_temp.msg(88600024, -88600004, '@tap60bot hi again', pg_temp.ent('mention', 0, 9))) \gset _
SELECT is(pg_temp.jobs(-88600004, 88600024), 'llm.reply', 'an expired takeover no longer blocks');
SELECT rt.ingest(pg_temp.msg(88600025, -88600001, '@tap60bot hi', pg_temp.ent('mention', 0, 9), 88600100)) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600025) || '|' || pg_temp.notes(-88600001, 88600025), '|', 'muted user''s mention: nothing at all');
INSERT INTO rt.settings (key, value) VALUES ('bot.username', 'null') ON CONFLICT (key) DO UPDATE SET value = excluded.value;
SELECT rt.ingest(pg_temp.msg(88600026, -88600001, 'hi @tap60bot', pg_temp.ent('mention', 3, 9))) \gset _
SELECT is(pg_temp.jobs(-88600001, 88600026), '', 'bot.username unknown: @mentions are not recognised');
UPDATE rt.settings SET value = '"tap60bot"' WHERE key = 'bot.username';

-- ---- playbooks -----------------------------------------------------------------------------------------
SELECT rt.create_preset('{"name": "tap60 hot", "temperature": 1.9}') ->> 'id' AS hot \gset
SELECT rt.create_preset('{"name": "tap60 long", "max_tokens": 4000}') ->> 'id' AS long \gset
SELECT rt.create_playbook('{"name": "tap60 price", "pattern": "прайс", "pattern_kind": "word", "priority": 1,
                            "reply_text": "Прайс: example.com"}') ->> 'id' AS pb_price \gset
SELECT rt.create_playbook(format('{"name": "tap60 hot", "pattern": "жарко", "pattern_kind": "word", "priority": 2, "preset_id": %s}', :hot)::jsonb) \gset _
SELECT rt.create_playbook(format('{"name": "tap60 long", "pattern": "подробно", "pattern_kind": "word", "priority": 3,
                                   "preset_id": %s, "preset_hours": 2, "stop": true}', :long)::jsonb) \gset _
SELECT rt.create_playbook(format('{"name": "tap60 after stop", "pattern": "подробно", "pattern_kind": "word", "priority": 4,
                                   "reply_text": "never sent"}')::jsonb) \gset _
SELECT rt.ingest(pg_temp.msg(88600030, 88600001, 'дайте прайс')) \gset _
SELECT is(pg_temp.jobs(88600001, 88600030), 'telegram.send', 'a fixed reply is the answer: no llm.reply');
SELECT is((SELECT payload - 'message_pk' - 'in_reply_to' FROM rt.outbox WHERE (payload ->> 'in_reply_to')::bigint = pg_temp.pk(88600001, 88600030)),
          jsonb_build_object('chat_id', 88600001, 'text', 'Прайс: example.com', 'reply_to_message_id', 88600030, 'as', 'bot', 'playbook_id', :pb_price),
          'telegram.send payload');
SELECT is((SELECT direction || ' ' || author_type || ' ' || status || ' ' || text FROM rt.messages
           WHERE id = (SELECT (payload ->> 'message_pk')::bigint FROM rt.outbox WHERE (payload ->> 'in_reply_to')::bigint = pg_temp.pk(88600001, 88600030))),
          'out bot queued Прайс: example.com', 'the fixed reply is stored as a queued outgoing message');
SELECT rt.ingest(pg_temp.msg(88600031, 88600001, 'сегодня жарко')) \gset _
SELECT is((SELECT payload -> 'params' -> 'temperature' FROM rt.outbox WHERE (payload ->> 'message_pk')::bigint = pg_temp.pk(88600001, 88600031)),
          '1.9'::jsonb, 'a playbook preset without hours overrides this one reply');
SELECT is((SELECT count(*) FROM rt.preset_bindings WHERE chat_id = 88600001), 0::bigint, 'and leaves no binding');
SELECT rt.ingest(pg_temp.msg(88600032, 88600001, 'расскажи подробно')) \gset _
SELECT is((SELECT created_by || ' ' || scope || ' ' || (expires_at > now() + interval '119 minutes') FROM rt.preset_bindings WHERE chat_id = 88600001),
          'playbook:' || (SELECT id FROM rt.playbooks WHERE name = 'tap60 long') || ' chat true', 'preset with hours: a chat binding for N hours');
SELECT is((SELECT payload -> 'params' -> 'max_tokens' FROM rt.outbox WHERE (payload ->> 'message_pk')::bigint = pg_temp.pk(88600001, 88600032)),
          '4000'::jsonb, 'which the reply already uses');
SELECT is(pg_temp.jobs(88600001, 88600032), 'llm.reply', 'stop: the later playbook''s reply is not sent');

-- ---- moderation ----------------------------------------------------------------------------------------
SELECT rt.create_moderation_rule('{"name": "tap60 spam", "pattern": "казино", "pattern_kind": "word", "label": "spam", "action": "delete"}') \gset _
SELECT rt.create_moderation_rule('{"name": "tap60 rude", "pattern": "дурак", "pattern_kind": "word", "label": "abuse", "action": "hide"}') \gset _
SELECT rt.create_moderation_rule('{"name": "tap60 link", "pattern": "http", "pattern_kind": "substring", "label": "links", "action": "flag"}') \gset _
SELECT rt.ingest(pg_temp.msg(88600040, 88600001, 'лучшее казино тут')) \gset _
SELECT is(pg_temp.jobs(88600001, 88600040), 'telegram.delete', 'moderation delete: telegram.delete and no reply');
SELECT is((SELECT payload FROM rt.outbox WHERE kind = 'telegram.delete' AND (payload ->> 'message_pk')::bigint = pg_temp.pk(88600001, 88600040)),
          jsonb_build_object('chat_id', 88600001, 'message_id', 88600040, 'message_pk', pg_temp.pk(88600001, 88600040)), 'telegram.delete payload');
SELECT is((SELECT moderation || ' ' || array_to_string(labels, ',') || ' ' || moderated_by FROM rt.messages WHERE id = pg_temp.pk(88600001, 88600040)),
          'deleted spam rule:' || (SELECT id FROM rt.moderation_rules WHERE name = 'tap60 spam'), 'the message is marked deleted with its label');
SELECT is(pg_temp.notes(88600001, 88600040), 'moderation', 'a moderation notification');
SELECT rt.ingest(pg_temp.msg(88600041, 88600001, 'ты дурак')) \gset _
SELECT is(pg_temp.jobs(88600001, 88600041) || ' ' || (SELECT moderation FROM rt.messages WHERE id = pg_temp.pk(88600001, 88600041)),
          ' hidden', 'moderation hide: hidden, no reply');
SELECT rt.ingest(pg_temp.msg(88600042, 88600001, 'see http://x.example')) \gset _
SELECT is(pg_temp.jobs(88600001, 88600042) || ' ' || (SELECT moderation FROM rt.messages WHERE id = pg_temp.pk(88600001, 88600042)),
          'llm.reply flagged', 'moderation flag: flagged, the reply still goes');
SELECT ok((SELECT NOT (payload -> 'context')::text LIKE '%дурак%' FROM rt.outbox
           WHERE (payload ->> 'message_pk')::bigint = pg_temp.pk(88600001, 88600042)), 'hidden messages never reach the model''s context');

-- ---- edits: moderated only ----------------------------------------------------------------------------
SELECT rt.ingest(pg_temp.msg(88600050, 88600002, 'a clean message')) \gset _
SELECT rt.ingest(pg_temp.msg(88600051, 88600002, 'now with казино', '{}', 88600101, false, true, 88600050)) \gset _
SELECT is(pg_temp.jobs(88600002, 88600050) || ' ' || (SELECT moderation FROM rt.messages WHERE id = pg_temp.pk(88600002, 88600050)),
          'telegram.delete deleted', 'an edit into spam is moderated');
SELECT rt.ingest(pg_temp.msg(88600052, 88600001, 'first version')) \gset _
SELECT rt.ingest(pg_temp.msg(88600053, 88600001, 'second version', '{}', 88600101, false, true, 88600052)) \gset _
SELECT is(pg_temp.jobs(88600001, 88600052), 'llm.reply', 'an edit never queues another reply');

-- ---- context size ----------------------------------------------------------------------------------------
UPDATE rt.settings SET value = '2' WHERE key = 'context.messages';
SELECT rt.ingest(pg_temp.msg(88600060, 88600001, 'short context please')) \gset _
SELECT is((SELECT jsonb_array_length(payload -> 'context') FROM rt.outbox WHERE (payload ->> 'message_pk')::bigint = pg_temp.pk(88600001, 88600060)),
          2, 'context.messages limits the context');
SELECT is((SELECT payload -> 'context' FROM rt.outbox WHERE (payload ->> 'message_pk')::bigint = pg_temp.pk(88600001, 88600060)),
          rt._reply_context(88600001, pg_temp.pk(88600001, 88600060), 2), 'the kept C plan and rt._reply_context agree');

SELECT is(rt.ingest(pg_temp.msg(88600070, -88600001, 'odd entity', '{"entities": [{"type": "mention", "offset": 1e30, "length": 2.5}, {"type": 7}]}')) ->> 'stored',
          '1', 'a nonsensical entity never rejects the message');

-- ---- rt.detect_mention --------------------------------------------------------------------------------------
SELECT is(rt.detect_mention('{"text": "/start@other", "entities": [{"type": "bot_command", "offset": 0, "length": 12}]}', 'private', 'mybot', 1),
          'command', 'private chat: any command counts');
SELECT is(rt.detect_mention('{"text": "hey @mybotx"}', 'group', 'mybot', 1), NULL, 'no entities: @username must be a whole word');
SELECT is(rt.detect_mention('{"text": "x", "reply_to_message": {"from": {"id": 1}}}', 'group', NULL, 1), 'reply', 'reply by bot id');

SELECT * FROM finish();
ROLLBACK;
