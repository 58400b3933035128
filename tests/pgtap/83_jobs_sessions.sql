-- jobs across sessions (dblink): rt.outbox_claim skips rows another relay holds (FOR UPDATE
-- SKIP LOCKED) instead of waiting, and each delivery function rings at most one doorbell per
-- channel, delivered at commit (rt_outbox {"jobs":n}; rt_events empty, the event itself a row of
-- the rt.events journal in the 0.2.0 payload shapes).
-- The other sessions commit, so every row they write is tap83-marked and deleted at both ends.
BEGIN;
SELECT plan(15);

SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'dblink') AS have_dblink \gset
\if :have_dblink
CREATE EXTENSION IF NOT EXISTS dblink;
-- a regression to a waiting claim fails here instead of hanging the suite
SET LOCAL lock_timeout = '3s';
SELECT format('host=%s port=%s dbname=%s user=%s', split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port'), current_database(), current_user) AS conn \gset
SELECT dblink_connect('t83w', :'conn') \gset _
SELECT dblink_connect('t83l', :'conn') \gset _
SELECT dblink_connect('t83n', :'conn') \gset _
CREATE FUNCTION pg_temp.cleanup() RETURNS void LANGUAGE sql AS $$
    SELECT dblink_exec('t83w', $c$
        DELETE FROM rt.notifications WHERE chat_id = 83000001;
        DELETE FROM rt.messages WHERE chat_id = 83000001;
        DELETE FROM rt.outbox WHERE kind = 'tap83.test' OR payload ->> 'chat_id' = '83000001';
        DELETE FROM rt.chats WHERE id = 83000001;
        DELETE FROM rt.events WHERE data -> 'chats' @> '[83000001]' $c$);
$$;
SELECT pg_temp.cleanup();

-- ---- SKIP LOCKED ---------------------------------------------------------------------------------
SELECT dblink_exec('t83w', $$INSERT INTO rt.outbox (kind, payload) VALUES ('tap83.test', '{"n": 1}'), ('tap83.test', '{"n": 2}')$$) \gset _
SELECT min(id) AS a, max(id) AS b FROM rt.outbox WHERE kind = 'tap83.test' \gset
-- relay L holds row a; this session claims, and while it holds its rows, L claims too
SELECT dblink_exec('t83l', 'BEGIN') \gset _
SELECT id FROM dblink('t83l', format('SELECT id FROM rt.outbox WHERE id = %s FOR UPDATE', :a)) AS t (id bigint) \gset _
SAVEPOINT claim;
SELECT rt.outbox_claim(10000, 0) AS mine \gset
SELECT c AS theirs FROM dblink('t83l', 'SELECT rt.outbox_claim(10000, 0)') AS t (c jsonb) \gset
ROLLBACK TO SAVEPOINT claim;
SELECT dblink_exec('t83l', 'ROLLBACK') \gset _
SELECT ok(NOT :'mine'::jsonb @> jsonb_build_array(jsonb_build_object('id', :a)), 'a row another relay holds is skipped, not waited for');
SELECT ok(:'mine'::jsonb @> jsonb_build_array(jsonb_build_object('id', :b, 'kind', 'tap83.test')), 'the free rows are claimed');
SELECT ok(:'theirs'::jsonb @> jsonb_build_array(jsonb_build_object('id', :a)), 'the other relay claims the row it holds');
SELECT ok(NOT :'theirs'::jsonb @> jsonb_build_array(jsonb_build_object('id', :b)), 'and skips the rows this session claimed');

-- ---- doorbells: one per channel and transaction, at commit ----------------------------------------
CREATE TEMP TABLE t83_notes (channel text, pid int, payload text, n serial);
-- the journal rows the other session committed since the last collect
CREATE TEMP TABLE t83_journal (id bigint, data jsonb);
CREATE TEMP TABLE t83_mark AS SELECT rt.events_position() AS id;
SELECT dblink_exec('t83n', 'LISTEN rt_outbox') \gset _
SELECT dblink_exec('t83n', 'LISTEN rt_events') \gset _
-- waits until `want` notifications arrived (or 3 s), then a little longer for any extra one
CREATE FUNCTION pg_temp.collect(want int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE t83_notes;
    FOR i IN 1 .. 30 LOOP
        INSERT INTO t83_notes (channel, pid, payload) SELECT * FROM dblink_get_notify('t83n');
        EXIT WHEN (SELECT count(*) FROM t83_notes) >= want;
        PERFORM pg_sleep(0.1);
    END LOOP;
    PERFORM pg_sleep(0.2);
    INSERT INTO t83_notes (channel, pid, payload) SELECT * FROM dblink_get_notify('t83n');
    TRUNCATE t83_journal;
    INSERT INTO t83_journal SELECT e.id, e.data FROM rt.events e WHERE e.id > (SELECT id FROM t83_mark);
    UPDATE t83_mark SET id = (SELECT max(x) FROM (SELECT id FROM t83_mark UNION ALL SELECT id FROM t83_journal) m(x));
END
$$;

-- record_reply of an llm.reply: the bot's message and its telegram.send job in one transaction
SELECT dblink_exec('t83w', $o$DO $d$
DECLARE
    j bigint;
BEGIN
    INSERT INTO rt.chats (id, type, title) VALUES (83000001, 'private', 't83');
    INSERT INTO rt.outbox (kind, payload)
    VALUES ('llm.reply', '{"chat_id": 83000001, "message_pk": null, "reply_to_message_id": null, "params": {}, "context": []}')
    RETURNING id INTO j;
    PERFORM rt.record_reply(j, '{"text": "t83 reply"}');
END
$d$$o$) \gset _
SELECT pg_temp.collect(2);
SELECT id AS bot_pk FROM rt.messages WHERE chat_id = 83000001 \gset
SELECT max(id) AS send_job FROM rt.outbox WHERE kind = 'telegram.send' AND payload ->> 'chat_id' = '83000001' \gset
SELECT is(ARRAY(SELECT channel || ' ' || payload FROM t83_notes WHERE channel = 'rt_outbox'), ARRAY['rt_outbox {"jobs": 1}'],
          'record_reply: one rt_outbox doorbell for the job it wrote');
SELECT is(ARRAY(SELECT payload FROM t83_notes WHERE channel = 'rt_events'), ARRAY[''],
          'and one rt_events doorbell, empty: it carries nothing');
SELECT is(ARRAY(SELECT data FROM t83_journal ORDER BY id),
          ARRAY[jsonb_build_object('type', 'messages', 'new', jsonb_build_array(jsonb_build_array(:bot_pk, :bot_pk)),
                                   'edited', '[]'::jsonb, 'chats', '[83000001]'::jsonb)],
          'and one journal row {"type":"messages","new":[[id,id]],"edited":[],"chats":[..]}');
SELECT is(ARRAY(SELECT e ->> 'type' FROM t83_journal, rt.event_messages(data) e),
          ARRAY['message.created', 'chat.updated'], 'which rt.event_messages expands into the reply and its chat');

-- job_begin of the send: the message goes sending
SELECT r FROM dblink('t83w', format('SELECT rt.job_begin(%s)', :send_job)) AS t (r jsonb) \gset _
SELECT pg_temp.collect(1);
SELECT is(ARRAY(SELECT data FROM t83_journal ORDER BY id),
          ARRAY[jsonb_build_object('type', 'messages', 'new', '[]'::jsonb, 'edited', jsonb_build_array(:bot_pk), 'chats', '[83000001]'::jsonb)],
          'job_begin of a send: one journal row, the message edited');
SELECT is(ARRAY(SELECT e #>> '{data,status}' FROM t83_journal, rt.event_messages(data) e WHERE e ->> 'type' = 'message.updated'),
          ARRAY['sending'], 'which shows the message sending');

-- a final failure: the message failed and a notification, in one rt_events payload
SELECT r FROM dblink('t83w', format('SELECT rt.job_failed(%s, %L, true)', :send_job, 'HTTP 400: chat not found')) AS t (r jsonb) \gset _
SELECT pg_temp.collect(1);
SELECT id AS note FROM rt.notifications WHERE chat_id = 83000001 \gset
SELECT is(ARRAY(SELECT data FROM t83_journal ORDER BY id),
          ARRAY[jsonb_build_object('type', 'messages', 'new', '[]'::jsonb, 'edited', jsonb_build_array(:bot_pk), 'chats', '[83000001]'::jsonb,
                                   'notifications', jsonb_build_array(:note))],
          'job_failed final: one journal row with the edited message and the notification id');
SELECT is(ARRAY(SELECT e ->> 'type' FROM t83_journal, rt.event_messages(data) e),
          ARRAY['message.updated', 'chat.updated', 'notification.created'], 'expanded: the failed message, its chat, the notification');

-- mark_sent on the dead send (Telegram had it after all): sent, one doorbell
SELECT r FROM dblink('t83w', format('SELECT rt.mark_sent(%s, %L)', :send_job, '{"message_id": 77}')) AS t (r jsonb) \gset _
SELECT pg_temp.collect(1);
SELECT is((SELECT count(*) FROM t83_notes), 1::bigint, 'mark_sent: one doorbell');
SELECT is((SELECT status FROM rt.messages WHERE id = :bot_pk), 'sent', 'the truth wins over a dead mark: sent');

-- a duplicate delivery changes nothing and rings nothing
SELECT r FROM dblink('t83w', format('SELECT rt.mark_sent(%s, %L)', :send_job, '{"message_id": 77}')) AS t (r jsonb) \gset _
SELECT pg_temp.collect(0);
SELECT is((SELECT count(*) FROM t83_notes) + (SELECT count(*) FROM t83_journal), 0::bigint, 'mark_sent again: no doorbell, no journal row');

SELECT pg_temp.cleanup();
SELECT dblink_disconnect('t83w') \gset _
SELECT dblink_disconnect('t83l') \gset _
SELECT dblink_disconnect('t83n') \gset _
\else
SELECT skip('dblink is not available on this server', 15);
\endif

SELECT * FROM finish();
ROLLBACK;
