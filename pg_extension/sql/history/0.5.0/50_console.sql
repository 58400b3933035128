-- roundtable 0.5.0, part 50: what the console shows of the round table outside its own pages:
-- a chat names the session running in it (the chat header links to it).

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
                              WHERE m.id = c.last_message_id AND m.created_at = c.last_message_at),
        'provider_id', c.provider_id,
        'session_id', c.session_id)
$$;
COMMENT ON FUNCTION rt._chat_json(rt.chats) IS 'internal: a chat as the OpenAPI Chat object (with takeover_until while it lasts, provider_id, and session_id: the round-table session awaiting its topic or running in it)';
