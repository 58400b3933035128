-- Data a 0.1.0 installation had (tests/upgrade/run.sh runs this right after CREATE EXTENSION
-- roundtable VERSION '0.1.0', then ALTER EXTENSION UPDATE and checks it with the current API).
--
-- 0.1.0's SQL functions write what they can (rt.create_admin, rt.reject_update,
-- rt.maintain_partitions). 0.1.0's rt.ingest is C, and the library installed is the current one
-- (one .so serves every version; it needs objects of later versions), so the rows its ingest
-- wrote are inserted here as it wrote them: users, chats, message_keys, update_keys, messages.
-- Chats 4242 (private) and -100777 (a group); messages now, one edited, from 2023 (default
-- partition), two months ahead, and in a partition rt.maintain_partitions made after the install.
\set ON_ERROR_STOP 1
SET TimeZone = 'UTC';

SELECT rt.create_admin('dba', 'upgrade-secret-1', 'owner') IS NOT NULL AS admin_created;
SELECT rt.maintain_partitions(5) AS partitions_added;
SELECT rt.reject_update('{"update_id": 5000099, "message": "broken"}', 'message is not an object') IS NOT NULL AS rejected;

INSERT INTO rt.users (id, first_name, username, language_code) VALUES
    (4242, 'Ada', 'ada', 'en'), (7, 'Charles', NULL, NULL), (8, 'Mary', NULL, NULL);
INSERT INTO rt.chats (id, type, title, username) VALUES
    (4242, 'private', 'Ada', 'ada'), (-100777, 'supergroup', 'Upgraders', NULL);

CREATE TEMP TABLE m0 (chat_id bigint, message_id bigint, user_id bigint, update_id bigint, text text,
                      created_at timestamptz, edited_at timestamptz, edit_history jsonb);
INSERT INTO m0 VALUES
    (4242, 1, 4242, 5000001, 'upgrade: hello from 0.1.0', now() - interval '60 seconds', NULL, '[]'),
    (4242, 2, 4242, 5000002, 'upgrade: typo here', now() - interval '30 seconds', now() - interval '20 seconds',
     '[{"text": "upgrade: typo hre"}]'),
    (-100777, 10, 7, 5000004, 'upgrade: from 2023', to_timestamp(1700000000), NULL, '[]'),
    (-100777, 11, 8, 5000005, 'upgrade: two months ahead', now() + interval '2 months', NULL, '[]'),
    (-100777, 12, 7, 5000006, 'upgrade: in a later partition', date_trunc('month', now()) + interval '5 months 1 day', NULL, '[]');

INSERT INTO rt.update_keys (update_id) SELECT update_id FROM m0 UNION ALL SELECT 5000003;
INSERT INTO rt.message_keys (chat_id, message_id, message_pk, created_at)
SELECT chat_id, message_id, nextval('rt.messages_id_seq'), created_at FROM m0;
INSERT INTO rt.messages (id, chat_id, message_id, user_id, update_id, direction, author_type, kind, text,
                         edited_at, edit_history, raw, created_at)
SELECT k.message_pk, m0.chat_id, m0.message_id, m0.user_id, m0.update_id, 'in', 'user', 'text', m0.text,
       m0.edited_at, m0.edit_history,
       jsonb_build_object('message_id', m0.message_id, 'date', extract(epoch FROM m0.created_at)::bigint,
                          'chat', jsonb_build_object('id', m0.chat_id), 'text', m0.text),
       m0.created_at
FROM m0 JOIN rt.message_keys k USING (chat_id, message_id);
UPDATE rt.chats c SET last_message_at = x.at, last_message_id = x.id
FROM (SELECT DISTINCT ON (chat_id) chat_id, created_at AS at, id FROM rt.messages ORDER BY chat_id, id DESC) x
WHERE x.chat_id = c.id;

SELECT count(DISTINCT tableoid) AS partitions_used FROM rt.messages;
