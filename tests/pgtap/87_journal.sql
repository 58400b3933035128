-- the event journal (0.4.0, decision 011): every emitter writes an rt.events row in its own
-- transaction; NOTIFY rt_events carries nothing; no role but the functions may write the
-- journal; PUBLIC may not connect; one row cannot expand to the whole message table; ids follow
-- commit order. Objects tap87_*; what dblink sessions commit is deleted again.
BEGIN;
SELECT plan(28);

SELECT rt.events_position() AS start \gset

-- ---- emitters write their row in the same transaction ---------------------------------------------
SELECT is(rt.ingest($$[
  {"update_id": 870000000001, "message": {"message_id": 1, "date": 1700000000,
    "chat": {"id": -8701, "type": "group", "title": "Journal"}, "from": {"id": 8700000001, "first_name": "Jo"}, "text": "one"}},
  {"update_id": 870000000002, "message": {"message_id": 2, "date": 1700000001,
    "chat": {"id": -8701, "type": "group", "title": "Journal"}, "from": {"id": 8700000001, "first_name": "Jo"}, "text": "two"}}
]$$) -> 'stored', '2', 'ingest stores two messages');
SELECT min(id) AS m1, max(id) AS m2 FROM rt.messages WHERE chat_id = -8701 \gset
SELECT is((SELECT array_agg(type || ' ' || data::text ORDER BY id) FROM rt.events WHERE id > :start),
          ARRAY['messages ' || jsonb_build_object('type', 'messages', 'new', jsonb_build_array(jsonb_build_array(:m1, :m2)),
                                                 'edited', '[]'::jsonb, 'chats', '[-8701]'::jsonb)::text],
          'rt.ingest (C): one journal row in its own transaction, the payload of contract.md');

SELECT rt.events_position() AS mark \gset
SELECT is(rt.ingest($$[{"update_id": 870000000003, "edited_message": {"message_id": 1, "date": 1700000000, "edit_date": 1700000100,
    "chat": {"id": -8701, "type": "group", "title": "Journal"}, "from": {"id": 8700000001, "first_name": "Jo"}, "text": "one, edited"}}]$$)
          -> 'edited', '1', 'an edit');
SELECT is((SELECT data -> 'edited' FROM rt.events WHERE id > :mark), jsonb_build_array(:m1), 'the edit is a journal row too');

SELECT rt.events_position() AS mark \gset
SELECT set_config('rt.actor', 'admin:' || (SELECT id FROM rt.admins WHERE role = 'owner' ORDER BY id LIMIT 1), true) \gset _
SELECT lives_ok(format('SELECT rt.flag_message(%s, %L)', :m2, '{"label": "tap87"}'), 'flag a message by hand');
SELECT is((SELECT array_agg(data ORDER BY id) FROM rt.events WHERE id > :mark),
          ARRAY[jsonb_build_object('type', 'messages', 'new', '[]'::jsonb, 'edited', jsonb_build_array(:m2), 'chats', '[-8701]'::jsonb)],
          'moderation (_notify_message_changed): a journal row');

SELECT rt.events_position() AS mark \gset
SELECT lives_ok($$SELECT rt.update_setting('takeover.minutes', '{"value": 7}')$$, 'change a setting');
SELECT is((SELECT array_agg(type || ' ' || (data ->> 'entity') ORDER BY id) FROM rt.events WHERE id > :mark),
          ARRAY['changed setting'], 'configuration triggers (_notify_changed): a "changed" row');

SELECT rt.events_position() AS mark \gset
SELECT rt.send_message('{"chat_id": -8701, "text": "tap87 by hand"}') ->> 'id' AS sent \gset
SELECT is((SELECT data -> 'new' FROM rt.events WHERE id > :mark AND type = 'messages'), jsonb_build_array(jsonb_build_array(:sent::bigint, :sent::bigint)),
          'send_message: a journal row with the new message');

SELECT rt.events_position() AS mark \gset
SELECT rt._notify_admins('error', NULL, NULL, '{"tap87": true}') AS note \gset
SELECT is((SELECT data -> 'notifications' FROM rt.events WHERE id > :mark), jsonb_build_array(:note::bigint),
          '_notify_admins with ring: a journal row naming the notification');

SELECT rt.events_position() AS mark \gset
SELECT job_id FROM (SELECT (rt.send_message('{"chat_id": -8701, "text": "tap87 second"}') ->> 'id')::bigint AS job_id) x \gset _
SELECT id AS send_job FROM rt.outbox WHERE payload ->> 'text' = 'tap87 second' \gset
SELECT rt.events_position() AS mark \gset
SELECT rt.job_begin(:send_job) \gset _
SELECT is((SELECT data -> 'edited' FROM rt.events WHERE id > :mark AND type = 'messages'),
          (SELECT jsonb_build_array(id) FROM rt.messages WHERE text = 'tap87 second'), 'job_begin (_ring_messages): a journal row');

SAVEPOINT undone;
SELECT rt.events_position() AS mark \gset
SELECT rt._notify_admins('error', NULL, NULL, '{"tap87": "undone"}') \gset _
ROLLBACK TO SAVEPOINT undone;
SELECT is((SELECT count(*) FROM rt.events WHERE id > :mark), 0::bigint, 'a rolled-back change leaves no journal row');
SELECT set_config('rt.actor', '', true) \gset _

-- ---- expansion, the doorbell's cap ----------------------------------------------------------------
SELECT is(ARRAY(SELECT type FROM rt.events_after(:start) WHERE type IS NOT NULL AND id <= (SELECT min(id) FROM rt.events WHERE id > :start)),
          ARRAY['message.created', 'message.created', 'chat.updated'], 'events_after expands a row into its WebSocket events');
SELECT ok((SELECT bool_and(id > :start) FROM rt.events_after(:start)), 'under the journal row''s id');
SELECT is(ARRAY(SELECT DISTINCT type FROM rt.events_after(:start, 1000, NULL, false) WHERE type IS NOT NULL),
          '{}'::text[], 'not expanded (nobody listening): rows are walked past');
-- a row like the analyst's forged {"type":"messages","new":[[1,1000000000]]}, had it reached the journal
INSERT INTO rt.events (type, data) VALUES ('messages', '{"type": "messages", "new": [[1, 1000000000]], "edited": []}')
RETURNING id AS huge \gset
SELECT is(ARRAY(SELECT type || ' ' || (data ->> 'reason') FROM rt.events_after(:huge - 1, 10, :huge)),
          ARRAY['resync event too large'], 'a row covering more than 5000 messages is not expanded: one resync event');
DELETE FROM rt.events WHERE id = :huge;
SELECT throws_ok($$SELECT * FROM rt.events_after(-1)$$, '22023', NULL, 'after must be >= 0');
SELECT throws_ok($$SELECT * FROM rt.events_after(0, 5000)$$, '22023', NULL, 'max_rows is bounded');

-- ---- who may write --------------------------------------------------------------------------------
SET LOCAL ROLE rt_analyst;
SELECT throws_ok($$INSERT INTO rt.events (type, data) VALUES ('messages', '{"type": "messages", "new": [[1, 1000000000]]}')$$,
                 '42501', NULL, 'rt_analyst cannot insert into the journal');
SELECT throws_ok($$SELECT rt._journal_append('changed', '{"type": "changed", "entity": "admin", "ids": [1]}')$$,
                 '42501', NULL, 'rt_analyst cannot call rt._journal_append');
RESET ROLE;
SET LOCAL ROLE rt_edge;
SELECT throws_ok($$INSERT INTO rt.events (type, data) VALUES ('messages', '{}')$$, '42501', NULL, 'rt_edge cannot insert into the journal');
SELECT throws_ok($$DELETE FROM rt.events$$, '42501', NULL, 'rt_edge cannot delete journal rows');
SELECT throws_ok($$SELECT rt._journal_append('messages', '{}')$$, '42501', NULL, 'rt_edge cannot call rt._journal_append');
SELECT lives_ok($$SELECT * FROM rt.events_after(0, 1)$$, 'rt_edge reads through rt.events_after');
RESET ROLE;

-- ---- who may connect ------------------------------------------------------------------------------
CREATE ROLE tap87_nobody LOGIN;
SELECT ok(NOT has_database_privilege('tap87_nobody', current_database(), 'CONNECT'), 'PUBLIC (a login in no rt role) has no CONNECT');
SELECT ok(NOT has_database_privilege('tap87_nobody', current_database(), 'TEMPORARY'), 'PUBLIC has no TEMP');
CREATE ROLE tap87_analyst LOGIN IN ROLE rt_analyst;
SELECT ok(has_database_privilege('tap87_analyst', current_database(), 'CONNECT')
          AND has_database_privilege('rt_edge', current_database(), 'CONNECT'), 'rt_edge and members of rt_analyst connect');

-- ---- ids follow commit order (two committing sessions) ---------------------------------------------
SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'dblink') AS have_dblink \gset
\if :have_dblink
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT format('host=%s port=%s dbname=%s user=%s', split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port'), current_database(), current_user) AS conn \gset
SELECT dblink_connect('t87a', :'conn') \gset _
SELECT dblink_connect('t87b', :'conn') \gset _
SELECT dblink_exec('t87b', $$DELETE FROM rt.events WHERE type LIKE 'tap.eighty.%'$$) \gset _
-- A appends first but commits last
SELECT dblink_exec('t87a', 'BEGIN') \gset _
SELECT id AS a_early FROM dblink('t87a', $$SELECT rt._journal_append('tap.eighty.a', '{}')$$) AS t (id bigint) \gset
SELECT id FROM dblink('t87b', $$SELECT rt._journal_append('tap.eighty.b', '{}')$$) AS t (id bigint) \gset _
SELECT id AS b_id FROM rt.events WHERE type = 'tap.eighty.b' \gset
SELECT dblink_exec('t87a', 'COMMIT') \gset _
SELECT id AS a_id FROM rt.events WHERE type = 'tap.eighty.a' \gset
SELECT ok(:a_early < :b_id AND :a_id > :b_id,
          'a row appended first but committed last gets the later id: a reader past B''s id never skips A');
SELECT dblink_exec('t87b', $$DELETE FROM rt.events WHERE type LIKE 'tap.eighty.%'$$) \gset _
SELECT dblink_disconnect('t87a') \gset _
SELECT dblink_disconnect('t87b') \gset _
\else
SELECT skip('dblink is not available on this server', 1);
\endif

SELECT * FROM finish();
ROLLBACK;
