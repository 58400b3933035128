-- roundtable 0.5.0, part 60: usage of the models for the console's Usage screen (GET /api/usage):
-- tokens and cost of every recorded model call, grouped by UTC day, provider, chat, user or
-- round-table session. The calls are the rows that carry a model call's accounting: bot replies
-- and round-table turns in rt.messages (provider_id/tokens_*/cost, 0.3.0 part 00 and 0.5.0 part
-- 10) and ready drafts in rt.drafts (0.3.0 part 20). Nothing is stored here: the report reads
-- those columns, so it always agrees with the per-message figures the console shows.

-- One row per recorded model call in [from, to): when, which provider (id and the name it had),
-- the chat, the Telegram user it served (the sender of the message a reply answers, else the
-- user who asked for the session), the session, and its tokens and cost (a missing figure as 0).
CREATE FUNCTION rt._usage_calls(f_from timestamptz, f_to timestamptz)
RETURNS TABLE (at timestamptz, provider_id bigint, provider_name text, chat_id bigint, user_id bigint,
               session_id bigint, tokens_in bigint, tokens_out bigint, cost numeric)
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT m.created_at, m.provider_id, m.provider_name, m.chat_id,
           coalesce((SELECT q.user_id FROM rt.messages q WHERE q.id = m.in_reply_to LIMIT 1), s.user_id),
           m.session_id, coalesce(m.tokens_in, 0)::bigint, coalesce(m.tokens_out, 0)::bigint, coalesce(m.cost, 0)
    FROM rt.messages m
    LEFT JOIN rt.sessions s ON s.id = m.session_id
    WHERE m.created_at >= f_from AND m.created_at < f_to
      AND m.author_type = 'bot'
      AND (m.provider_id IS NOT NULL OR m.tokens_in IS NOT NULL OR m.tokens_out IS NOT NULL)
    UNION ALL
    SELECT d.created_at, d.provider_id, d.provider_name, d.chat_id, NULL::bigint, NULL::bigint,
           coalesce(d.tokens_in, 0)::bigint, coalesce(d.tokens_out, 0)::bigint, coalesce(d.cost, 0)
    FROM rt.drafts d
    WHERE d.created_at >= f_from AND d.created_at < f_to
      AND d.status = 'ready'
      AND (d.provider_id IS NOT NULL OR d.tokens_in IS NOT NULL OR d.tokens_out IS NOT NULL)
$$;
COMMENT ON FUNCTION rt._usage_calls(timestamptz, timestamptz) IS 'internal: every recorded model call in [from, to) (bot replies and round-table turns from rt.messages, ready drafts from rt.drafts) with its provider, chat, served Telegram user, session, tokens and cost';

CREATE FUNCTION rt.usage_report(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_group text;
    f_from timestamptz;
    f_to timestamptz;
    items jsonb;
BEGIN
    PERFORM rt.require_role('viewer');
    filter := rt._known_keys(filter, ARRAY['group_by', 'from', 'to'], 'filter field');
    IF jsonb_typeof(filter -> 'group_by') IS DISTINCT FROM 'string'
       OR filter ->> 'group_by' NOT IN ('day', 'provider', 'chat', 'user', 'session') THEN
        PERFORM rt._field_error('group_by', 'must be one of day, provider, chat, user, session');
    END IF;
    f_group := filter ->> 'group_by';
    f_to := coalesce(rt._filter_time(filter, 'to'), now());
    f_from := coalesce(rt._filter_time(filter, 'from'), f_to - interval '30 days');
    IF f_from >= f_to THEN
        PERFORM rt._field_error('from', 'must be before "to"');
    END IF;
    IF f_group = 'day' AND f_to - f_from > interval '400 days' THEN
        PERFORM rt._field_error('from', 'must be at most 400 days before "to" when grouping by day');
    END IF;

    IF f_group = 'day' THEN
        -- every day of the range, with zeros where nothing ran, so a chart has no gaps
        WITH days AS (
            SELECT d::date AS day
            FROM generate_series(date_trunc('day', f_from), f_to - interval '1 microsecond', interval '1 day') d),
        sums AS (
            SELECT (c.at AT TIME ZONE 'UTC')::date AS day, sum(c.tokens_in) AS t_in, sum(c.tokens_out) AS t_out,
                   sum(c.cost) AS cost, count(*) AS calls
            FROM rt._usage_calls(f_from, f_to) c GROUP BY 1)
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'key', to_char(days.day, 'YYYY-MM-DD'), 'label', to_char(days.day, 'YYYY-MM-DD'),
                   'tokens_in', coalesce(s.t_in, 0), 'tokens_out', coalesce(s.t_out, 0),
                   'cost', round(coalesce(s.cost, 0), 8), 'calls', coalesce(s.calls, 0))
                   ORDER BY days.day), '[]')
        INTO items
        FROM days LEFT JOIN sums s ON s.day = days.day;
    ELSE
        WITH grouped AS (
            SELECT CASE f_group WHEN 'provider' THEN c.provider_id WHEN 'chat' THEN c.chat_id
                                WHEN 'user' THEN c.user_id ELSE c.session_id END AS k,
                   (array_agg(c.provider_name ORDER BY c.at DESC) FILTER (WHERE c.provider_name IS NOT NULL))[1] AS pname,
                   sum(c.tokens_in) AS t_in, sum(c.tokens_out) AS t_out, sum(c.cost) AS cost, count(*) AS calls
            FROM rt._usage_calls(f_from, f_to) c
            GROUP BY 1
            ORDER BY sum(c.cost) DESC, sum(c.tokens_in + c.tokens_out) DESC, 1 NULLS LAST
            LIMIT 500),
        labelled AS (
            SELECT g.*, CASE f_group
                WHEN 'provider' THEN coalesce((SELECT p.name FROM rt.providers p WHERE p.id = g.k), g.pname)
                WHEN 'chat' THEN (SELECT coalesce(nullif(ch.title, ''), '@' || nullif(ch.username, ''))
                                  FROM rt.chats ch WHERE ch.id = g.k)
                WHEN 'user' THEN (SELECT coalesce(nullif(btrim(concat_ws(' ', u.first_name, u.last_name)), ''),
                                                  '@' || nullif(u.username, ''))
                                  FROM rt.users u WHERE u.id = g.k)
                ELSE (SELECT left(se.topic, 100) FROM rt.sessions se WHERE se.id = g.k) END AS label,
                row_number() OVER (ORDER BY g.cost DESC, g.t_in + g.t_out DESC, g.k NULLS LAST) AS n
            FROM grouped g)
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'key', l.k::text, 'label', l.label, 'tokens_in', l.t_in, 'tokens_out', l.t_out,
                   'cost', round(l.cost, 8), 'calls', l.calls) ORDER BY l.n), '[]')
        INTO items
        FROM labelled l;
    END IF;
    RETURN jsonb_build_object('items', items, 'currency', 'USD');
END
$$;
COMMENT ON FUNCTION rt.usage_report(jsonb) IS 'GET /api/usage: {"items":[{key, label, tokens_in, tokens_out, cost, calls}], "currency":"USD"} of every recorded model call (bot replies, round-table turns, drafts) in [from, to) (default the 30 days before to, default now), grouped by group_by = day (every UTC day of the range, zeros included, oldest first; at most 400 days), provider, chat, user (the Telegram user served) or session (by cost, then tokens, descending; at most 500 groups; calls without one form the group with key null) (viewer); 22023 naming a bad filter field';
