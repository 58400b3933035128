-- roundtable 0.3.0, part 70: analyst views (sql/roles.sql grants them to rt_analyst). Messages
-- gain the model call and its cost at their end, chats their provider; providers and prices are
-- new, so cost can be broken down by provider. No view shows api_key_enc.

CREATE OR REPLACE VIEW rt.v_messages AS
SELECT id, chat_id, message_id, user_id, update_id, direction, author_type, kind, text,
       edited_at, jsonb_array_length(edit_history) AS edit_count, created_at, received_at,
       status, labels, moderation, moderated_at,
       provider_id, provider_name, provider_type, model, tokens_in, tokens_cached, tokens_out,
       cost, latency_ms, usage_estimated, error, sent_at, in_reply_to
FROM rt.messages;
COMMENT ON VIEW rt.v_messages IS 'Messages for analysts: no raw Telegram payload, edit count instead of history; bot replies carry their model call (provider, model, tokens, cost in USD, latency)';

CREATE OR REPLACE VIEW rt.v_chats AS
SELECT id, type, title, username, autoreply, reply_on_mention, created_at, last_message_at,
       takeover_until, provider_id
FROM rt.chats;

CREATE VIEW rt.v_providers AS
SELECT id, name, type, base_url, model_id, params, enabled, position,
       api_key_enc IS NOT NULL AS has_key, created_at, updated_at
FROM rt.providers;
COMMENT ON VIEW rt.v_providers IS 'LLM providers for analysts: whether a key is set, never the key itself';

CREATE VIEW rt.v_provider_prices AS
SELECT id, provider_id, input_per_m, cached_input_per_m, output_per_m, effective_from
FROM rt.provider_prices;
COMMENT ON VIEW rt.v_provider_prices IS 'Provider prices over time, USD per 1M tokens (a call costs by the row with the greatest effective_from <= its start)';
