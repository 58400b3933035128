-- roundtable 0.2.0, part 70: history at scale. A pg_trgm GIN index serves rt.list_messages'
-- keyword filter (q, a case-insensitive substring, ILIKE), in Russian and English alike:
-- trigrams work on characters, so no language configuration or stemming is involved.

-- pg_trgm is a required extension (roundtable.control); its operator class lives in whatever
-- schema it was installed in, so the index names it through that schema
DO $$
DECLARE
    s name := (SELECT n.nspname FROM pg_catalog.pg_extension e
               JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
               WHERE e.extname = 'pg_trgm');
BEGIN
    IF s IS NULL THEN
        RAISE EXCEPTION 'required extension "pg_trgm" is not installed'
            USING ERRCODE = '42704', HINT = 'Run CREATE EXTENSION pg_trgm first (or CREATE EXTENSION roundtable CASCADE).';
    END IF;
    -- on the partitioned parent: every partition, present and future, gets its own index
    EXECUTE format('CREATE INDEX messages_text_trgm_idx ON rt.messages USING gin (text %I.gin_trgm_ops)', s);
END
$$;
COMMENT ON INDEX rt.messages_text_trgm_idx IS 'pg_trgm GIN index for rt.list_messages keyword search (ILIKE ''%q%''); needs 3+ characters to narrow the search';

-- ---------------------------------------------------------------------------
-- Read-only views for analysts (sql/roles.sql grants them to rt_analyst): the 0.1.0 views
-- gain the behaviour-engine columns at their end; notifications, audit and admins are new.
-- None shows a raw Telegram payload, a password hash or an encrypted key.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE VIEW rt.v_messages AS
SELECT id, chat_id, message_id, user_id, update_id, direction, author_type, kind, text,
       edited_at, jsonb_array_length(edit_history) AS edit_count, created_at, received_at,
       status, labels, moderation, moderated_at
FROM rt.messages;

CREATE OR REPLACE VIEW rt.v_chats AS
SELECT id, type, title, username, autoreply, reply_on_mention, created_at, last_message_at,
       takeover_until
FROM rt.chats;

CREATE OR REPLACE VIEW rt.v_users AS
SELECT id, is_bot, first_name, last_name, username, language_code, first_seen_at, last_seen_at,
       muted
FROM rt.users;

CREATE VIEW rt.v_notifications AS
SELECT id, kind, chat_id, message_pk, payload, created_at, acked_at, acked_by
FROM rt.notifications;
COMMENT ON VIEW rt.v_notifications IS 'Notifications for analysts (mentions, moderation hits, errors, delivery failures) and when they were acknowledged';

CREATE VIEW rt.v_audit_log AS
SELECT id, at, actor, action, target, before, after
FROM rt.audit_log;
COMMENT ON VIEW rt.v_audit_log IS 'Audit trail for analysts; entries never hold password hashes or keys (rt.audit_row records "<name>_changed" instead)';

CREATE VIEW rt.v_admins AS
SELECT id, login, role, created_at, disabled_at
FROM rt.admins;
COMMENT ON VIEW rt.v_admins IS 'Console admins without password hashes, to name the actors of rt.v_audit_log (admin:<id>)';
