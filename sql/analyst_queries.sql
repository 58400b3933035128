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
