-- roundtable schema: tables, partitions, indexes and a comment on every object
BEGIN;
SELECT plan(23);

SELECT has_schema('rt');
SELECT has_table('rt', t, 'table rt.' || t || ' exists')
FROM unnest(ARRAY['admins', 'users', 'chats', 'messages', 'message_keys', 'update_keys',
                  'ingest_rejects', 'outbox', 'audit_log', 'settings']) AS t;
SELECT has_view('rt', v, 'view rt.' || v || ' exists')
FROM unnest(ARRAY['v_messages', 'v_chats', 'v_users']) AS v;

SELECT is((SELECT relkind::text FROM pg_class WHERE oid = 'rt.messages'::regclass), 'p',
          'rt.messages is partitioned');
SELECT is((SELECT pg_get_partkeydef('rt.messages'::regclass)), 'RANGE (created_at)',
          'partitioned by range of created_at');
SELECT ok(EXISTS (SELECT FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                  WHERE i.inhparent = 'rt.messages'::regclass
                    AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'),
          'rt.messages has a default partition');
SELECT is((SELECT count(*) FROM generate_series(0, 3) AS i
           WHERE to_regclass('rt.messages_' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC')
                                                        + make_interval(months => i), 'YYYY_MM')) IS NOT NULL),
          4::bigint, 'current month and 3 ahead have partitions');

-- 0.5.0: each partition carries the indexes (rt.messages has none, so a pg_dump restores cleanly)
SELECT ok((SELECT bool_and((SELECT string_agg(pg_get_indexdef(x.indexrelid), ' ') FROM pg_index x
                            WHERE x.indrelid = i.inhrelid) ~ 'chat_id, id DESC')
           FROM pg_inherits i WHERE i.inhparent = 'rt.messages'::regclass),
          'messages indexed by (chat_id, id desc) in every partition');
SELECT ok((SELECT bool_and((SELECT string_agg(pg_get_indexdef(x.indexrelid), ' ') FROM pg_index x
                            WHERE x.indrelid = i.inhrelid) ~ 'user_id, id DESC')
           FROM pg_inherits i WHERE i.inhparent = 'rt.messages'::regclass),
          'messages indexed by (user_id, id desc) in every partition');

-- COMMENT ON every table, view, sequence and function of the extension
SELECT is(ARRAY(
    SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'rt' AND c.relkind IN ('r', 'p', 'v', 'S')
      AND obj_description(c.oid, 'pg_class') IS NULL
      AND c.relname NOT LIKE '%_id_seq' -- identity sequences
    UNION ALL
    SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'rt' AND obj_description(p.oid, 'pg_proc') IS NULL),
    '{}'::text[], 'every rt table, view, sequence and function has a comment');

SELECT ok((SELECT bool_and(p.prosecdef) FROM pg_proc p
           WHERE p.oid IN ('rt.ingest(jsonb)'::regprocedure, 'rt.list_messages(jsonb)'::regprocedure,
                           'rt.list_chats(text,text,int)'::regprocedure,
                           'rt.admin_login(text,text)'::regprocedure,
                           'rt.event_messages(jsonb)'::regprocedure,
                           'rt.reject_update(text,text)'::regprocedure)),
          'API functions are SECURITY DEFINER');
SELECT ok((SELECT bool_and(array_to_string(p.proconfig, ',') LIKE '%search_path=rt, pg_catalog%')
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'rt' AND p.prosecdef),
          'SECURITY DEFINER functions pin search_path = rt, pg_catalog');

SELECT * FROM finish();
ROLLBACK;
