-- roundtable base, views: Read-only views for analysts (sql/roles.sql grants them to rt_analyst)

CREATE VIEW rt.v_users AS
SELECT id, is_bot, first_name, last_name, username, language_code, first_seen_at, last_seen_at,
       muted
FROM rt.users;
COMMENT ON VIEW rt.v_users IS 'Telegram users for analysts';

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

CREATE VIEW rt.v_chats AS
SELECT id, type, title, username, autoreply, reply_on_mention, created_at, last_message_at,
       takeover_until, provider_id
FROM rt.chats;
COMMENT ON VIEW rt.v_chats IS 'Chats for analysts';

CREATE VIEW rt.v_providers AS
SELECT id, name, type, base_url, model_id, params, enabled, position,
       api_key_enc IS NOT NULL AS has_key, created_at, updated_at
FROM rt.providers;
COMMENT ON VIEW rt.v_providers IS 'LLM providers for analysts: whether a key is set, never the key itself';

CREATE VIEW rt.v_provider_prices AS
SELECT id, provider_id, input_per_m, cached_input_per_m, output_per_m, effective_from
FROM rt.provider_prices;
COMMENT ON VIEW rt.v_provider_prices IS 'Provider prices over time, USD per 1M tokens (a call costs by the row with the greatest effective_from <= its start)';

CREATE VIEW rt.v_messages AS
SELECT id, chat_id, message_id, user_id, update_id, direction, author_type, kind, text,
       edited_at, jsonb_array_length(edit_history) AS edit_count, created_at, received_at,
       status, labels, moderation, moderated_at,
       provider_id, provider_name, provider_type, model, tokens_in, tokens_cached, tokens_out,
       cost, latency_ms, usage_estimated, error, sent_at, in_reply_to,
       session_id, speaker, round, participant
FROM rt.messages;
COMMENT ON VIEW rt.v_messages IS 'Messages for analysts: no raw Telegram payload, edit count instead of history; bot replies carry their model call (provider, model, tokens, cost in USD, latency); round-table rows their session, speaker, round and participant position';

CREATE VIEW rt.v_sessions AS
SELECT s.id, s.chat_id, s.user_id, s.created_by, s.topic, s.status, s.stop_reason, s.stop_detail,
       s.max_rounds, s.current_round, s.turns, s.turn_timeout_sec, s.context_token_limit,
       s.max_tokens, s.max_cost, s.summary_provider_id, s.summary_state,
       s.tokens_in, s.tokens_out, s.cost, s.created_at, s.started_at, s.finished_at,
       s.finished_at - s.started_at AS duration,
       (SELECT count(*) FROM rt.session_participants p WHERE p.session_id = s.id) AS participants,
       (SELECT count(*) FROM rt.session_participants p WHERE p.session_id = s.id AND p.status = 'excluded') AS excluded
FROM rt.sessions s;
COMMENT ON VIEW rt.v_sessions IS 'Round-table sessions for analysts: topic, state and why it ended, limits, rounds and turns played, tokens and cost in USD, duration, participants and how many were excluded';

CREATE VIEW rt.v_session_turns AS
SELECT m.id, m.session_id, m.chat_id, m.round, m.participant, m.speaker,
       CASE WHEN m.direction = 'in' THEN 'interjection'
            WHEN m.speaker IS NOT NULL THEN 'turn'
            ELSE 'notice' END AS entry,
       m.user_id, m.text, m.provider_id, m.provider_name, m.provider_type, m.model,
       m.tokens_in, m.tokens_cached, m.tokens_out, m.cost, m.latency_ms, m.usage_estimated,
       m.status, m.created_at
FROM rt.messages m
WHERE m.session_id IS NOT NULL;
COMMENT ON VIEW rt.v_session_turns IS 'Every history row of a round-table session in order of id: entry turn (a speaker''s reply: round, participant position, speaker label, model, tokens, cost in USD), interjection (a chat user''s message during the debate) or notice (the bot''s texts about the session)';

CREATE VIEW rt.v_personalities AS
SELECT id, title, instructions, style, version, created_at, updated_at
FROM rt.personalities;
COMMENT ON VIEW rt.v_personalities IS 'Round-table personalities: title, instructions and style (the speaker''s system prompt)';
