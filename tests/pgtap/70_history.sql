-- history at scale: pg_trgm required, the trigram index on every partition of rt.messages,
-- the keyword filter can use it, analyst views carry the behaviour columns. Chat -88700001.
BEGIN;
SELECT plan(8);

SELECT ok(EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_trgm'), 'pg_trgm is installed');
SELECT ok((SELECT 'pg_trgm' = ANY (requires) FROM pg_available_extension_versions
           WHERE name = 'roundtable' AND version = (SELECT extversion FROM pg_extension WHERE extname = 'roundtable')),
          'roundtable requires pg_trgm');
-- 0.5.0: the parent has no partitioned indexes (a pg_dump restores without duplicates, 80_backup.sql)
SELECT ok(pg_get_indexdef((SELECT x.indexrelid FROM pg_index x WHERE x.indrelid = 'rt.messages_default'::regclass
                           AND pg_get_indexdef(x.indexrelid) ~ 'gin_trgm_ops')) ~ 'USING gin \(text .*gin_trgm_ops\)', 'GIN trigram index on the default partition');
SELECT is((SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'rt.messages'::regclass
             AND NOT EXISTS (SELECT FROM pg_index x WHERE x.indrelid = c.oid AND pg_get_indexdef(x.indexrelid) ~ 'gin_trgm_ops')),
          0::bigint, 'every partition has its trigram index');

INSERT INTO rt.chats (id, type, title) VALUES (-88700001, 'supergroup', 'tap70');
INSERT INTO rt.messages (chat_id, message_id, direction, author_type, kind, text, created_at)
SELECT -88700001, g, 'in', 'user', 'text', CASE WHEN g % 50 = 0 THEN 'Ищем СЕРВЕР базы 50%_off' ELSE 'обычный текст ' || g END, now() - g * interval '1 minute'
FROM generate_series(1, 500) g;
SET LOCAL enable_seqscan = off;
CREATE FUNCTION pg_temp.plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; out text := '';
BEGIN
    FOR r IN EXECUTE 'EXPLAIN SELECT id FROM rt.messages WHERE text ILIKE ' || quote_literal(q) LOOP out := out || r || E'\n'; END LOOP;
    RETURN out;
END $$;
SELECT ok(pg_temp.plan('%сервер%') ~ 'text_idx|trgm', 'ILIKE ''%word%'' can use the trigram index');
RESET enable_seqscan;
SELECT is(jsonb_array_length(rt.list_messages('{"chat_id": -88700001, "q": "сервер"}') -> 'items'), 10, 'keyword search is case-insensitive (Cyrillic)');
SELECT is(jsonb_array_length(rt.list_messages('{"chat_id": -88700001, "q": "50%_"}') -> 'items'), 10, '% and _ are literal');
SELECT ok((SELECT count(*) = 6 FROM information_schema.columns WHERE table_schema = 'rt'
           AND (table_name, column_name) IN (('v_messages', 'labels'), ('v_messages', 'moderation'), ('v_messages', 'status'),
                                             ('v_chats', 'takeover_until'), ('v_users', 'muted'), ('v_notifications', 'kind'))),
          'analyst views carry the behaviour columns');

SELECT * FROM finish();
ROLLBACK;
