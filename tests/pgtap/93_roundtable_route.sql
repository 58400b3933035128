-- the round table's Telegram commands through rt.ingest itself (contract-roundtable.md,
-- "Telegram commands"): /start and /help with the menu keyboard, /donate with and without a
-- valid payment.url, /new -> ask_topic -> the topic from the same user starts the session,
-- other users ignored while it awaits its topic, /stop, the menu buttons (a custom label from
-- bot.texts too), /new@otherbot is not ours, interjections, a consumed message never reaches
-- the auto-reply, and what is never routed (edits, hidden messages). Update ids 893xxxxx,
-- chats ±893000xx, users 8930010x; everything rolls back.
BEGIN;
SELECT plan(71);

-- a known world: our bot, no rules, no bot texts or payment link, one demo provider playing
-- two personalities (so a session has speakers)
UPDATE rt.moderation_rules SET enabled = false WHERE enabled;
UPDATE rt.playbooks SET enabled = false WHERE enabled;
DELETE FROM rt.settings WHERE key IN ('bot.texts', 'payment.url', 'roundtable.summary_provider');
INSERT INTO rt.settings (key, value) VALUES ('bot.username', '"Tap93Bot"'), ('bot.id', '89300042')
ON CONFLICT (key) DO UPDATE SET value = excluded.value;
DELETE FROM rt.providers;
DELETE FROM rt.personalities;
INSERT INTO rt.personalities (title, instructions) VALUES ('Оптимист', 'за'), ('Скептик', 'против');
INSERT INTO rt.providers (name, type, model_id, enabled, position) VALUES ('demo', 'demo', 'demo-1', true, 100);
-- auto-reply on everywhere: a consumed message must still queue no llm.reply
INSERT INTO rt.chats (id, type, title, autoreply, reply_on_mention) VALUES
    (89300001, 'private', 'p1', true, true), (89300002, 'private', 'p2', true, true),
    (89300003, 'private', 'p3', true, true), (-89300001, 'supergroup', 'g1', true, true),
    (-89300002, 'supergroup', 'g2', true, true);

-- one incoming message (or several) as an update batch; chat > 0 private, < 0 supergroup
CREATE FUNCTION pg_temp.upd(uid bigint, chat bigint, txt text, from_id bigint DEFAULT 89300101, edit boolean DEFAULT false,
                            mid bigint DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('update_id', uid,
        CASE WHEN edit THEN 'edited_message' ELSE 'message' END,
        jsonb_build_object('message_id', coalesce(mid, uid), 'date', 1763700000 + uid % 100000,
                           'chat', jsonb_build_object('id', chat, 'type', CASE WHEN chat > 0 THEN 'private' ELSE 'supergroup' END,
                                                      'title', 't'),
                           'from', jsonb_build_object('id', from_id, 'first_name', 'U' || from_id, 'is_bot', false),
                           'text', txt) || CASE WHEN edit THEN '{"edit_date": 1763800000}'::jsonb ELSE '{}' END)
$$;
CREATE FUNCTION pg_temp.msg(uid bigint, chat bigint, txt text, from_id bigint DEFAULT 89300101) RETURNS jsonb
LANGUAGE sql AS $$ SELECT jsonb_build_array(pg_temp.upd(uid, chat, txt, from_id)) $$;
CREATE FUNCTION pg_temp.pk(chat bigint, mid bigint) RETURNS bigint LANGUAGE sql AS $$
    SELECT message_pk FROM rt.message_keys WHERE chat_id = chat AND message_id = mid $$;
-- the jobs a message led to: kind, and for telegram.send the text's first 20 characters
CREATE FUNCTION pg_temp.jobs(chat bigint, mid bigint) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(kind || CASE WHEN kind = 'telegram.send' THEN ':' || left(payload ->> 'text', 20) ELSE '' END,
                               ',' ORDER BY id), '')
    FROM rt.outbox
    WHERE (payload ->> 'message_pk')::bigint = pg_temp.pk(chat, mid)
       OR (payload ->> 'in_reply_to')::bigint = pg_temp.pk(chat, mid) $$;
CREATE FUNCTION pg_temp.send(chat bigint, mid bigint) RETURNS jsonb LANGUAGE sql AS $$
    SELECT payload FROM rt.outbox WHERE kind = 'telegram.send' AND (payload ->> 'in_reply_to')::bigint = pg_temp.pk(chat, mid)
    ORDER BY id LIMIT 1 $$;
CREATE FUNCTION pg_temp.notes(chat bigint, mid bigint) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(kind || coalesce(':' || (payload ->> 'source'), '') || coalesce(':' || (payload ->> 'reason'), ''),
                               ',' ORDER BY id), '')
    FROM rt.notifications WHERE message_pk = pg_temp.pk(chat, mid) $$;
CREATE FUNCTION pg_temp.session(chat bigint) RETURNS rt.sessions LANGUAGE sql AS $$
    SELECT * FROM rt.sessions WHERE chat_id = chat ORDER BY id DESC LIMIT 1 $$;
CREATE FUNCTION pg_temp.session_texts(chat bigint) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(left(o.payload ->> 'text', 20), ',' ORDER BY o.id), '') FROM rt.outbox o
    WHERE o.kind = 'telegram.send' AND (o.payload ->> 'session_id')::bigint = (pg_temp.session(chat)).id $$;
-- the reply_markup the history keeps for the message a telegram.send job posts, as the REST Message shows it
CREATE FUNCTION pg_temp.kept_markup(chat bigint, mid bigint) RETURNS jsonb LANGUAGE sql AS $$
    SELECT rt._message_json(m, NULL::rt.users) -> 'reply_markup' FROM rt.messages m
    WHERE m.id = (pg_temp.send(chat, mid) ->> 'message_pk')::bigint $$;
CREATE TEMP TABLE menu AS SELECT '{"keyboard": [[{"text": "Новое обсуждение"}], [{"text": "Остановить диалог"}, {"text": "Отблагодарить создателя"}]],
                                   "resize_keyboard": true, "is_persistent": true}'::jsonb AS k;

-- ---- the common message costs no routing ---------------------------------------------------------
SET LOCAL track_functions = 'all';
CREATE FUNCTION pg_temp.routed() RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions WHERE schemaname = 'rt' AND funcname = '_roundtable_route' $$;
SELECT rt.ingest(pg_temp.msg(89300090, -89300002, 'just a group message')) \gset _
SELECT rt.ingest(pg_temp.msg(89300091, 89300003, 'hello, bot')) \gset _
SELECT is(pg_temp.routed(), 0::bigint, 'messages that are no command or button, in chats without a session: rt._roundtable_route never runs');
SELECT rt.ingest(pg_temp.msg(89300092, 89300003, '/help')) \gset _
SELECT is(pg_temp.routed(), 1::bigint, 'a command of ours runs it once');

-- ---- /start, /help ---------------------------------------------------------------------------------
SELECT is(rt.ingest(pg_temp.msg(89300001, 89300001, '/start')) -> 'jobs', '1'::jsonb, '/start: one job');
SELECT is(pg_temp.jobs(89300001, 89300001), 'telegram.send:' || left(rt._bot_text('welcome'), 20),
          '/start: the welcome text, and no llm.reply although auto-reply is on');
SELECT is(pg_temp.send(89300001, 89300001) -> 'reply_markup', (SELECT k FROM menu), '/start: the menu keyboard in the telegram.send payload');
SELECT is(pg_temp.send(89300001, 89300001) ->> 'as', 'bot', 'sent as the bot');
SELECT is(pg_temp.kept_markup(89300001, 89300001), (SELECT k FROM menu),
          '/start: the stored message keeps the menu keyboard (Message.reply_markup, for the console and the simulator)');
SELECT is((SELECT direction || ' ' || author_type || ' ' || status FROM rt.messages WHERE id = (pg_temp.send(89300001, 89300001) ->> 'message_pk')::bigint),
          'out bot queued', 'the welcome is a queued outgoing bot message in the history');
SELECT is(pg_temp.notes(89300001, 89300001), '', 'a consumed command is no mention notification');
SELECT rt.ingest(pg_temp.msg(89300002, 89300001, '/help')) \gset _
SELECT is(pg_temp.send(89300001, 89300002) ->> 'text', rt._bot_text('help'), '/help: the help text');
SELECT is(pg_temp.send(89300001, 89300002) -> 'reply_markup', (SELECT k FROM menu), '/help: the same keyboard');
SELECT is(pg_temp.kept_markup(89300001, 89300002), (SELECT k FROM menu), '/help: kept with the stored message too');
SELECT rt.ingest(pg_temp.msg(89300003, 89300001, '/HELP@tap93bot')) \gset _
SELECT is(pg_temp.jobs(89300001, 89300003), 'telegram.send:/new — новое обсужде', '/HELP@<our bot, any case>: ours');
SELECT rt.ingest(pg_temp.msg(89300004, 89300001, '/helper')) \gset _
SELECT is(pg_temp.jobs(89300001, 89300004), 'llm.reply', '/helper is not /help: an ordinary message (auto-reply)');

-- ---- /donate ---------------------------------------------------------------------------------------
SELECT rt.ingest(pg_temp.msg(89300010, 89300001, '/donate')) \gset _
SELECT is(pg_temp.jobs(89300001, 89300010), 'telegram.send:' || left(rt._bot_text('donate_unavailable'), 20), '/donate without payment.url: the polite text');
SELECT is(pg_temp.send(89300001, 89300010) ? 'reply_markup', false, 'and no button');
SELECT is(pg_temp.kept_markup(89300001, 89300010), 'null'::jsonb, 'and the stored message has reply_markup null');
SELECT is(pg_temp.notes(89300001, 89300010), 'error:payment.url', 'and one error notification for the admins, source payment.url');
SELECT ok((SELECT payload ->> 'error' LIKE '%payment.url is not set%' FROM rt.notifications WHERE message_pk = pg_temp.pk(89300001, 89300010)),
          'naming the problem');
INSERT INTO rt.settings (key, value) VALUES ('payment.url', '"https://pay.example/rt?from=bot"');
SELECT rt.ingest(pg_temp.msg(89300011, 89300001, '/donate')) \gset _
SELECT is(pg_temp.send(89300001, 89300011) ->> 'text', rt._bot_text('donate'), '/donate with payment.url: the donate text');
SELECT is(pg_temp.send(89300001, 89300011) -> 'reply_markup',
          '{"inline_keyboard": [[{"text": "Поддержать", "url": "https://pay.example/rt?from=bot"}]]}'::jsonb, 'with the URL button');
SELECT is(pg_temp.notes(89300001, 89300011), '', 'and no notification');
SELECT is(pg_temp.kept_markup(89300001, 89300011),
          '{"inline_keyboard": [[{"text": "Поддержать", "url": "https://pay.example/rt?from=bot"}]]}'::jsonb,
          '/donate: the stored message keeps the URL button');
-- a link that got past validation (written by hand): never sent as a button
UPDATE rt.settings SET value = '"javascript:alert(1)"' WHERE key = 'payment.url';
SELECT rt.ingest(pg_temp.msg(89300012, 89300001, '/donate')) \gset _
SELECT is(pg_temp.jobs(89300001, 89300012) || '|' || pg_temp.notes(89300001, 89300012),
          'telegram.send:' || left(rt._bot_text('donate_unavailable'), 20) || '|error:payment.url', 'an invalid payment.url: the polite text and a notification, no button');
UPDATE rt.settings SET value = '"https://pay.example/rt?from=bot"' WHERE key = 'payment.url';

-- ---- /new, the topic, other users, interjections, /stop (a group) ---------------------------------
SELECT rt.ingest(pg_temp.msg(89300020, -89300001, '/new', 89300101)) \gset _
SELECT is(pg_temp.jobs(-89300001, 89300020), 'telegram.send:О чём поговорим? Нап', '/new: ask_topic');
SELECT is((SELECT format('%s %s %s', s.status, s.user_id, s.created_by) FROM pg_temp.session(-89300001) s),
          'awaiting_topic 89300101 telegram:89300101', 'a session awaiting its topic, asked by the user');
SELECT is((SELECT session_id FROM rt.chats WHERE id = -89300001), (pg_temp.session(-89300001)).id, 'chats.session_id set');
SELECT is(pg_temp.send(-89300001, 89300020) ->> 'reply_to_message_id', '89300020', 'in a group the bot replies to the command');
SELECT is((pg_temp.send(-89300001, 89300020) ->> 'session_id')::bigint, (pg_temp.session(-89300001)).id, 'ask_topic belongs to the session');
SELECT rt.ingest(pg_temp.msg(89300021, -89300001, '@tap93bot what is going on?', 89300102)) \gset _
SELECT is(pg_temp.jobs(-89300001, 89300021) || '|' || pg_temp.notes(-89300001, 89300021), '|',
          'another user''s message while it awaits the topic: consumed silently (no reply, no mention notification)');
SELECT is((pg_temp.session(-89300001)).status, 'awaiting_topic', 'and it is not the topic');
SELECT rt.ingest(pg_temp.msg(89300022, -89300001, 'Нужен ли городу новый мост?', 89300101)) \gset _
SELECT is((SELECT format('%s «%s»', s.status, s.topic) FROM pg_temp.session(-89300001) s), 'running «Нужен ли городу новый мост?»',
          'the same user''s next message is the topic: running');
SELECT is((SELECT string_agg(name, ', ' ORDER BY position) FROM rt.session_participants WHERE session_id = (pg_temp.session(-89300001)).id),
          'demo · Оптимист, demo · Скептик', 'the demo plays both personalities');
SELECT is((SELECT count(*)::int FROM rt.outbox WHERE kind = 'llm.turn' AND (payload ->> 'session_id')::bigint = (pg_temp.session(-89300001)).id), 1,
          'the first turn is queued');
SELECT is(pg_temp.jobs(-89300001, 89300022), '', 'the topic message itself gets no reply of its own (no llm.reply)');
SELECT rt.ingest(pg_temp.msg(89300023, -89300001, '/new', 89300102)) \gset _
SELECT is(pg_temp.jobs(-89300001, 89300023), 'telegram.send:Обсуждение уже идёт.', '/new while it runs: already_running');
SELECT is((SELECT count(*)::int FROM rt.sessions WHERE chat_id = -89300001), 1, 'and no second session');
SELECT rt.ingest(pg_temp.msg(89300024, -89300001, '@tap93bot а как же пробки?', 89300102)) \gset _
SELECT is((SELECT session_id FROM rt.messages WHERE id = pg_temp.pk(-89300001, 89300024)), (pg_temp.session(-89300001)).id,
          'a message while it runs is an interjection: session_id set on its row');
SELECT is(pg_temp.jobs(-89300001, 89300024) || '|' || pg_temp.notes(-89300001, 89300024), '|',
          'an interjection mentioning the bot: no llm.reply, no mention notification');
SELECT rt.ingest(pg_temp.msg(89300025, -89300001, '/stop', 89300102)) \gset _
SELECT is((SELECT s.status || ' ' || s.stop_reason FROM pg_temp.session(-89300001) s), 'stopped stopped_by_user', '/stop: stopped_by_user');
SELECT is((SELECT session_id FROM rt.chats WHERE id = -89300001), NULL, 'chats.session_id cleared');
SELECT ok(pg_temp.session_texts(-89300001) LIKE '%Обсуждение останов%', 'the chat is told why it ended');
SELECT rt.ingest(pg_temp.msg(89300026, -89300001, '/stop', 89300102)) \gset _
SELECT is(pg_temp.jobs(-89300001, 89300026), 'telegram.send:' || left(rt._bot_text('nothing_to_stop'), 20), '/stop without a session: nothing_to_stop');
SELECT rt.ingest(pg_temp.msg(89300027, -89300001, 'just chatting', 89300102)) \gset _
SELECT is((SELECT session_id FROM rt.messages WHERE id = pg_temp.pk(-89300001, 89300027)), NULL, 'after the end, messages are ordinary again');

-- ---- commands addressed to another bot ---------------------------------------------------------------
SELECT rt.ingest(pg_temp.msg(89300030, -89300002, '/new@OtherBot')) \gset _
SELECT is(pg_temp.jobs(-89300002, 89300030), '', '/new@otherbot in a group is not ours: nothing');
SELECT is((SELECT count(*)::int FROM rt.sessions WHERE chat_id = -89300002), 0, 'and no session');
SELECT rt.ingest(pg_temp.msg(89300031, 89300002, '/new@OtherBot')) \gset _
SELECT is((SELECT count(*)::int FROM rt.sessions WHERE chat_id = 89300002), 0, '/new@otherbot in a private chat is not ours either');
SELECT rt.ingest(pg_temp.msg(89300032, -89300002, '/new@Tap93Bot')) \gset _
SELECT is((pg_temp.session(-89300002)).status, 'awaiting_topic', '/new@<our bot> in a group: ours');
SELECT rt.ingest(pg_temp.msg(89300033, -89300002, '/stop@tap93bot please')) \gset _
SELECT is((pg_temp.session(-89300002)).stop_reason, 'stopped_by_user', '/stop@<our bot> with more words: ours; an awaiting session stops too');

-- ---- the menu buttons --------------------------------------------------------------------------------
SELECT rt.ingest(pg_temp.msg(89300040, 89300002, 'Новое обсуждение')) \gset _
SELECT is(pg_temp.jobs(89300002, 89300040), 'telegram.send:О чём поговорим? Нап', 'the button Новое обсуждение: ask_topic');
SELECT rt.ingest(pg_temp.msg(89300041, 89300002, 'Остановить диалог')) \gset _
SELECT is((pg_temp.session(89300002)).stop_reason, 'stopped_by_user', 'the button Остановить диалог stops it');
SELECT rt.ingest(pg_temp.msg(89300042, 89300002, 'Отблагодарить создателя')) \gset _
SELECT is(pg_temp.send(89300002, 89300042) -> 'reply_markup' -> 'inline_keyboard' -> 0 -> 0 ->> 'url', 'https://pay.example/rt?from=bot',
          'the button Отблагодарить создателя: the donate button');
SELECT rt.ingest(pg_temp.msg(89300043, 89300002, 'новое обсуждение')) \gset _
SELECT is(pg_temp.jobs(89300002, 89300043), 'llm.reply', 'a label in another case is an ordinary message');
-- an admin's own labels
INSERT INTO rt.settings (key, value) VALUES ('bot.texts', '{"button_new": "Поехали!", "ask_topic": "Тема?"}');
SELECT rt.ingest(pg_temp.msg(89300044, 89300003, '/start')) \gset _
SELECT is(pg_temp.send(89300003, 89300044) -> 'reply_markup' -> 'keyboard' -> 0 -> 0 ->> 'text', 'Поехали!', 'the keyboard shows the custom label');
SELECT rt.ingest(pg_temp.msg(89300045, 89300003, 'Поехали!')) \gset _
SELECT is(pg_temp.jobs(89300003, 89300045), 'telegram.send:Тема?', 'a custom button label from bot.texts starts a session, with the custom text');
SELECT is((pg_temp.session(89300003)).status, 'awaiting_topic', 'awaiting its topic');
SELECT rt.ingest(pg_temp.msg(89300046, 89300003, '/stop')) \gset _
SELECT rt.ingest(pg_temp.msg(89300047, 89300003, 'Новое обсуждение')) \gset _
SELECT is(pg_temp.jobs(89300003, 89300047), 'llm.reply', 'the default label, replaced, is an ordinary message now');
DELETE FROM rt.settings WHERE key = 'bot.texts';

-- ---- one batch: /new and the topic together (the chat is read again after a route) ------------------
SELECT rt.ingest(jsonb_build_array(pg_temp.upd(89300050, 89300002, '/new'), pg_temp.upd(89300051, 89300002, 'Кошки или собаки?'),
                                   pg_temp.upd(89300052, 89300002, 'Я за кошек'))) \gset _
SELECT is((SELECT format('%s «%s»', s.status, s.topic) FROM pg_temp.session(89300002) s), 'running «Кошки или собаки?»',
          'in one batch: /new, then the topic starts it');
SELECT is((SELECT session_id FROM rt.messages WHERE id = pg_temp.pk(89300002, 89300052)), (pg_temp.session(89300002)).id,
          'and the third message is an interjection');
SELECT is(pg_temp.jobs(89300002, 89300051) || '|' || pg_temp.jobs(89300002, 89300052), '|', 'none of them an auto-reply');

-- one message's failing route costs the batch nothing else (the session function breaks here,
-- inside this rolled-back transaction)
CREATE OR REPLACE FUNCTION rt._session_interject(session_id bigint, message_pk bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 't93 broken interjection' USING ERRCODE = 'XX000'; END $$;
SELECT rt.ingest(jsonb_build_array(pg_temp.upd(89300055, 89300002, 'а если аллергия?'), pg_temp.upd(89300056, 89300001, 'hello again'))) \gset _
SELECT is(pg_temp.notes(89300002, 89300055), 'error:roundtable', 'a failing route: an error notification, source roundtable');
SELECT is(pg_temp.jobs(89300002, 89300055), '', 'the message stays consumed (no auto-reply)');
SELECT is(pg_temp.jobs(89300001, 89300056), 'llm.reply', 'and the other message of the batch keeps its decision');

-- a chat has a session now (89300002 runs): other chats' ordinary messages are still not routed
CREATE TEMP TABLE t93_calls AS SELECT pg_temp.routed() AS n;
SELECT rt.ingest(pg_temp.msg(89300093, -89300001, 'ordinary talk elsewhere')) \gset _
SELECT is(pg_temp.routed() - (SELECT n FROM t93_calls), 0::bigint,
          'with a session in another chat, an ordinary message in a chat without one is not routed');

-- ---- never routed: edits, hidden messages, other bots ----------------------------------------------
SELECT rt.ingest(pg_temp.msg(89300060, 89300001, 'hello')) \gset _
SELECT rt.ingest(jsonb_build_array(pg_temp.upd(89300061, 89300001, '/new', 89300101, true, 89300060))) \gset _
SELECT is((SELECT count(*)::int FROM rt.sessions WHERE chat_id = 89300001), 0, 'an edit to /new is not a command');
SELECT rt.ingest(jsonb_build_array(jsonb_build_object('update_id', 89300062, 'message', jsonb_build_object(
    'message_id', 89300062, 'date', 1763700000, 'chat', jsonb_build_object('id', -89300002, 'type', 'supergroup', 'title', 't'),
    'from', jsonb_build_object('id', 89300199, 'first_name', 'Bot', 'is_bot', true), 'text', '/new')))) \gset _
SELECT is((SELECT count(*)::int FROM rt.sessions WHERE chat_id = -89300002 AND status = 'awaiting_topic'), 0, 'another bot''s /new is ignored');
SELECT lives_ok($$SELECT rt.create_moderation_rule('{"name": "t93", "pattern": "запрещёнка", "label": "t93", "action": "hide"}')$$, 'a hiding rule');
SELECT rt.ingest(pg_temp.msg(89300063, -89300002, '/new запрещёнка')) \gset _
SELECT is((SELECT moderation FROM rt.messages WHERE id = pg_temp.pk(-89300002, 89300063)), 'hidden', 'the message is hidden');
SELECT is((SELECT count(*)::int FROM rt.sessions WHERE chat_id = -89300002 AND status = 'awaiting_topic'), 0,
          'a hidden message is never routed: no session');
SELECT is(pg_temp.jobs(-89300002, 89300063), '', 'and no reply');

-- the router's internal function is nobody's to call
SELECT ok(NOT has_function_privilege('rt_edge', 'rt._roundtable_route(bigint,bigint,bigint,bigint,text,text)', 'execute'),
          'rt_edge cannot call rt._roundtable_route directly');

SELECT * FROM finish();
ROLLBACK;
