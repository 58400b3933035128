-- Example read-only queries for analysts (role rt_analyst): only the rt.v_* views are readable.
-- psql -d roundtable -f sql/analyst_queries.sql

-- Messages per day and kind over the last 30 days.
SELECT date_trunc('day', created_at) AS day, kind, count(*) AS messages
FROM rt.v_messages
WHERE created_at >= now() - interval '30 days'
GROUP BY 1, 2
ORDER BY 1 DESC, 2;

-- The 10 most active chats this week, with their title.
SELECT c.id, c.type, c.title, count(*) AS messages
FROM rt.v_messages m
JOIN rt.v_chats c ON c.id = m.chat_id
WHERE m.created_at >= now() - interval '7 days'
GROUP BY c.id, c.type, c.title
ORDER BY messages DESC
LIMIT 10;

-- New users per week, and which languages they use.
SELECT date_trunc('week', first_seen_at) AS week, coalesce(language_code, '?') AS language, count(*) AS users
FROM rt.v_users
WHERE NOT is_bot
GROUP BY 1, 2
ORDER BY 1 DESC, 3 DESC;

-- How often messages get edited, per chat type.
SELECT c.type, count(*) FILTER (WHERE m.edit_count > 0) AS edited, count(*) AS total,
       round(100.0 * count(*) FILTER (WHERE m.edit_count > 0) / nullif(count(*), 0), 2) AS edited_pct
FROM rt.v_messages m
JOIN rt.v_chats c ON c.id = m.chat_id
GROUP BY c.type;

-- Hour-of-day activity (UTC) of incoming messages in the last 7 days.
SELECT extract(hour FROM created_at AT TIME ZONE 'UTC') AS hour_utc, count(*) AS messages
FROM rt.v_messages
WHERE direction = 'in' AND created_at >= now() - interval '7 days'
GROUP BY 1
ORDER BY 1;

-- Moderation: hits per label and action over the last 30 days.
SELECT l.label, m.moderation AS action, count(*) AS messages
FROM rt.v_messages m, unnest(m.labels) AS l(label)
WHERE m.created_at >= now() - interval '30 days'
GROUP BY 1, 2
ORDER BY 3 DESC;

-- Mentions of the bot that got no auto-reply, per chat and reason, and how fast admins looked.
SELECT n.chat_id, c.title, n.payload ->> 'reason' AS reason, count(*) AS mentions,
       count(*) FILTER (WHERE n.acked_at IS NULL) AS unacked,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM n.acked_at - n.created_at)) AS median_ack_seconds
FROM rt.v_notifications n
LEFT JOIN rt.v_chats c ON c.id = n.chat_id
WHERE n.kind = 'mention'
GROUP BY 1, 2, 3
ORDER BY mentions DESC;

-- Who changed what this week: audit entries per admin and action.
SELECT coalesce(a.login, l.actor) AS who, l.action, count(*) AS changes, max(l.at) AS last_change
FROM rt.v_audit_log l
LEFT JOIN rt.v_admins a ON l.actor = 'admin:' || a.id
WHERE l.at >= now() - interval '7 days'
GROUP BY 1, 2
ORDER BY 1, 3 DESC;

-- Chats where a human took over, and who is muted.
SELECT id, title, takeover_until FROM rt.v_chats WHERE takeover_until > now() ORDER BY takeover_until;
SELECT id, first_name, username FROM rt.v_users WHERE muted ORDER BY id;

-- Bot replies vs. incoming messages per day (outgoing rows carry a delivery status).
SELECT date_trunc('day', created_at) AS day,
       count(*) FILTER (WHERE direction = 'in') AS incoming,
       count(*) FILTER (WHERE direction = 'out' AND status = 'sent') AS sent,
       count(*) FILTER (WHERE direction = 'out' AND status = 'failed') AS failed
FROM rt.v_messages
WHERE created_at >= now() - interval '14 days'
GROUP BY 1
ORDER BY 1 DESC;

-- Round table: what the debates cost, per provider and day (turns, tokens, USD), last 30 days.
SELECT date_trunc('day', t.created_at) AS day, coalesce(t.provider_name, '(unknown)') AS provider,
       count(*) AS turns, count(DISTINCT t.session_id) AS sessions,
       sum(t.tokens_in) AS tokens_in, sum(t.tokens_out) AS tokens_out, sum(t.cost) AS cost_usd
FROM rt.v_session_turns t
WHERE t.entry = 'turn' AND t.created_at >= now() - interval '30 days'
GROUP BY 1, 2
ORDER BY 1 DESC, cost_usd DESC NULLS LAST;

-- Round table: how sessions end (stop reason), with rounds played, duration and cost, last 30 days.
SELECT coalesce(s.stop_reason, s.status) AS outcome, count(*) AS sessions,
       round(avg(s.current_round), 1) AS avg_rounds, sum(s.excluded) AS participants_excluded,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.duration)) AS median_seconds,
       sum(s.cost) AS cost_usd
FROM rt.v_sessions s
WHERE s.created_at >= now() - interval '30 days'
GROUP BY 1
ORDER BY sessions DESC;

-- Bot replies: model calls, tokens and cost per provider and model, last 30 days.
SELECT coalesce(provider_name, '(deleted)') AS provider, model, count(*) AS replies,
       sum(tokens_in) AS tokens_in, sum(tokens_cached) AS tokens_cached, sum(tokens_out) AS tokens_out,
       sum(cost) AS cost_usd, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95_latency_ms
FROM rt.v_messages
WHERE direction = 'out' AND model IS NOT NULL AND created_at >= now() - interval '30 days'
GROUP BY 1, 2
ORDER BY cost_usd DESC NULLS LAST;

-- Provider prices over time (USD per 1M tokens); a call costs by the row in effect when it started.
SELECT p.name, pp.effective_from, pp.input_per_m, pp.cached_input_per_m, pp.output_per_m
FROM rt.v_provider_prices pp
JOIN rt.v_providers p ON p.id = pp.provider_id
ORDER BY p.name, pp.effective_from DESC;
