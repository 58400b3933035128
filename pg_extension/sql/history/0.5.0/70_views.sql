-- roundtable 0.5.0, part 70: analyst views of the round table (sql/roles.sql grants them to
-- rt_analyst): sessions with their limits, outcome and totals, every row of a session's history
-- with its speaker, round, tokens and cost, and the personalities. Nothing here is secret: the
-- provider keys stay in rt.providers, which analysts cannot read.

-- history rows gain the round table's columns (appended, so existing queries keep working)
CREATE OR REPLACE VIEW rt.v_messages AS
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
