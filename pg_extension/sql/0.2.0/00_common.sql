-- roundtable 0.2.0, part 00: shared pieces of the behaviour engine (actor, audit, change events).
-- Runs on a fresh install after sql/roundtable.sql and as the 0.1.0 -> 0.2.0 upgrade.

CREATE FUNCTION rt.current_actor() RETURNS text
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$ SELECT coalesce(nullif(current_setting('rt.actor', true), ''), 'db:' || session_user) $$;
COMMENT ON FUNCTION rt.current_actor() IS 'The acting admin (rt.actor = admin:<id>) or, from the DBA door, db:<session user>';

-- ---------------------------------------------------------------------------
-- Columns the behaviour engine adds to 0.1.0 tables, and their JSON
-- ---------------------------------------------------------------------------

ALTER TABLE rt.messages
    ADD COLUMN status text CHECK (status IN ('queued', 'sent', 'failed')),
    ADD COLUMN labels text[] NOT NULL DEFAULT '{}',
    ADD COLUMN moderation text CHECK (moderation IN ('flagged', 'hidden', 'deleted')),
    ADD COLUMN moderated_at timestamptz,
    ADD COLUMN moderated_by text;
COMMENT ON COLUMN rt.messages.status IS 'delivery of an outgoing message: queued, sent or failed; null for incoming ones';
COMMENT ON COLUMN rt.messages.labels IS 'moderation labels (spam, abuse, links, ...) from rules or an admin';
COMMENT ON COLUMN rt.messages.moderation IS 'strongest moderation action applied: flagged, hidden or deleted';
COMMENT ON COLUMN rt.messages.moderated_at IS 'when the moderation state last changed';
COMMENT ON COLUMN rt.messages.moderated_by IS 'rule:<id>, admin:<id> or db:<role> that last changed the moderation state';

ALTER TABLE rt.chats
    ADD COLUMN takeover_until timestamptz,
    ADD COLUMN takeover_by text;
COMMENT ON COLUMN rt.chats.takeover_until IS 'auto-reply is paused for this chat until then (a human took over)';
COMMENT ON COLUMN rt.chats.takeover_by IS 'actor who took over the chat';

ALTER TABLE rt.users ADD COLUMN muted boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN rt.users.muted IS 'never auto-reply to this user';

CREATE OR REPLACE FUNCTION rt._message_json(m rt.messages) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', m.id, 'chat_id', m.chat_id, 'message_id', m.message_id, 'user_id', m.user_id,
        'update_id', m.update_id, 'direction', m.direction, 'author_type', m.author_type,
        'kind', m.kind, 'text', m.text,
        'sender', (SELECT jsonb_build_object('id', u.id, 'username', u.username,
                                             'first_name', u.first_name, 'last_name', u.last_name)
                   FROM rt.users u WHERE u.id = m.user_id),
        'created_at', m.created_at, 'edited_at', m.edited_at,
        'edit_history', m.edit_history, 'received_at', m.received_at,
        'status', m.status, 'labels', to_jsonb(m.labels), 'moderation', m.moderation)
$$;

CREATE OR REPLACE FUNCTION rt._chat_json(c rt.chats) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'type', c.type, 'title', c.title, 'username', c.username,
        'autoreply', c.autoreply, 'reply_on_mention', c.reply_on_mention,
        'takeover_until', CASE WHEN c.takeover_until > now() THEN c.takeover_until END,
        'last_message_at', c.last_message_at,
        'last_message_text', (SELECT m.text FROM rt.messages m
                              WHERE m.id = c.last_message_id AND m.created_at = c.last_message_at))
$$;

-- ---------------------------------------------------------------------------
-- Settings the behaviour engine reads (rt.settings key -> jsonb value)
-- ---------------------------------------------------------------------------

-- Built-in defaults live in code, not as rows: rt.settings is dumped by pg_dump as extension
-- configuration, and rows inserted by the install script would clash on restore.
CREATE FUNCTION rt.setting(key text) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT coalesce(
        (SELECT s.value FROM rt.settings s WHERE s.key = setting.key),
        CASE setting.key
            WHEN 'preset.defaults' THEN '{"temperature":0.7,"max_tokens":512,"tone":"neutral","verbosity":"short","emotional_intensity":50,"persona":""}'::jsonb
            WHEN 'takeover.minutes' THEN '30'::jsonb
            WHEN 'context.messages' THEN '20'::jsonb
            WHEN 'matcher.version' THEN '1'::jsonb
        END,
        'null'::jsonb)
$$;
COMMENT ON FUNCTION rt.setting(text) IS 'A setting''s value, or its built-in default (preset.defaults, takeover.minutes, context.messages, matcher.version), or JSON null (bot.username, bot.id)';
