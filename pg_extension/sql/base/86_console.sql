-- roundtable base, console: Console: chat list filters, read marks, usage report, display names

CREATE FUNCTION rt.mark_chat_read(id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    actor text := rt.require_role('viewer');
    me bigint := rt._actor_admin_id(actor);
    newest bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM rt.chats c WHERE c.id = mark_chat_read.id) THEN
        RAISE EXCEPTION 'chat % does not exist', mark_chat_read.id USING ERRCODE = 'P0002', COLUMN = 'chat_id';
    END IF;
    IF me IS NULL THEN
        RAISE EXCEPTION 'only a console admin has read marks' USING ERRCODE = '22023',
            DETAIL = format('The caller is %s; set rt.actor = admin:<id>.', actor);
    END IF;
    SELECT max(m.id) INTO newest FROM rt.messages m WHERE m.chat_id = mark_chat_read.id;
    INSERT INTO rt.chat_reads AS r (admin_id, chat_id, last_read_pk, read_at)
    VALUES (me, mark_chat_read.id, coalesce(newest, 0), now())
    ON CONFLICT (admin_id, chat_id) DO UPDATE
        SET last_read_pk = greatest(r.last_read_pk, EXCLUDED.last_read_pk), read_at = EXCLUDED.read_at;
END
$$;
COMMENT ON FUNCTION rt.mark_chat_read(bigint) IS 'Sets the calling admin''s read mark of a chat to its newest message (never backwards); other admins keep theirs; viewer; P0002 when the chat is unknown, 22023 from the DB door (no admin)';

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

CREATE FUNCTION rt._user_name(u rt.users) RETURNS text
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT coalesce(nullif(btrim(concat_ws(' ', u.first_name, u.last_name)), ''), '@' || nullif(u.username, ''))
$$;
COMMENT ON FUNCTION rt._user_name(rt.users) IS 'internal: a user for people: first and last name, else @username, else null';

CREATE FUNCTION rt._user_name(user_id bigint) RETURNS text
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT rt._user_name(u) FROM rt.users u WHERE u.id = _user_name.user_id
$$;
COMMENT ON FUNCTION rt._user_name(bigint) IS 'internal: rt._user_name of the user with this id; null when unknown';

CREATE FUNCTION rt._chat_title(chat_id bigint) RETURNS text
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    -- a private chat has no title: its id is its user's id
    SELECT coalesce(nullif(btrim(c.title), ''),
                    CASE WHEN c.type = 'private' THEN rt._user_name(c.id) END,
                    '@' || nullif(c.username, ''))
    FROM rt.chats c WHERE c.id = _chat_title.chat_id
$$;
COMMENT ON FUNCTION rt._chat_title(bigint) IS 'internal: a chat for people: its title, a private chat''s user name, else @username; null when unknown';

CREATE FUNCTION rt._actor_name(actor text) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    m text[];
    nm text;
BEGIN
    IF actor IS NULL THEN
        RETURN NULL;
    END IF;
    m := regexp_match(actor, '^admin:([0-9]{1,18})$');
    IF m IS NOT NULL THEN
        SELECT a.login INTO nm FROM rt.admins a WHERE a.id = m[1]::bigint;
        RETURN coalesce(nm, actor);
    END IF;
    -- rule:playbook:<id> (audit), playbook:<id> (a binding's created_by)
    m := regexp_match(actor, '^(?:rule:)?playbook:([0-9]{1,18})$');
    IF m IS NOT NULL THEN
        SELECT p.name INTO nm FROM rt.playbooks p WHERE p.id = m[1]::bigint;
        RETURN 'rule: ' || coalesce(nm, 'playbook:' || m[1]);
    END IF;
    -- rule:moderation_rule:<id>, and rule:<id> as messages.moderated_by spells a moderation rule
    m := regexp_match(actor, '^rule:(?:moderation_rule:)?([0-9]{1,18})$');
    IF m IS NOT NULL THEN
        SELECT r.name INTO nm FROM rt.moderation_rules r WHERE r.id = m[1]::bigint;
        RETURN 'rule: ' || coalesce(nm, 'moderation_rule:' || m[1]);
    END IF;
    IF actor = 'db:rt_edge' THEN
        RETURN 'system';
    END IF;
    RETURN actor;
END
$$;
COMMENT ON FUNCTION rt._actor_name(text) IS 'internal: an actor for people: admin:<id> -> login, rule:playbook:<id> / playbook:<id> / rule:<moderation rule id> -> "rule: <name>", db:rt_edge -> system; otherwise (or when the admin or rule is gone) the actor''s id';

CREATE FUNCTION rt._audit_target_name(target text, before jsonb, after jsonb) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    entity text := split_part(target, ':', 1);
    key text := substr(target, length(split_part(target, ':', 1)) + 2);
    obj_id bigint;
    row_json jsonb := coalesce(after, '{}') || coalesce(before, '{}');  -- a deleted row: its before
    nm text;
BEGIN
    IF target IS NULL OR strpos(target, ':') = 0 THEN
        RETURN NULL;
    END IF;
    IF entity = 'setting' THEN
        RETURN key;
    END IF;
    IF key !~ '^-?[0-9]{1,18}$' THEN
        RETURN NULL;
    END IF;
    obj_id := key::bigint;
    CASE entity
        WHEN 'chat' THEN
            nm := rt._chat_title(obj_id);
        WHEN 'user' THEN
            nm := rt._user_name(obj_id);
        WHEN 'admin' THEN
            SELECT a.login INTO nm FROM rt.admins a WHERE a.id = obj_id;
            nm := coalesce(nm, row_json ->> 'login');
        WHEN 'preset' THEN
            SELECT p.name INTO nm FROM rt.presets p WHERE p.id = obj_id;
            nm := coalesce(nm, row_json ->> 'name');
        WHEN 'playbook' THEN
            SELECT p.name INTO nm FROM rt.playbooks p WHERE p.id = obj_id;
            nm := coalesce(nm, row_json ->> 'name');
        WHEN 'moderation_rule' THEN
            SELECT r.name INTO nm FROM rt.moderation_rules r WHERE r.id = obj_id;
            nm := coalesce(nm, row_json ->> 'name');
        WHEN 'provider' THEN
            SELECT p.name INTO nm FROM rt.providers p WHERE p.id = obj_id;
            nm := coalesce(nm, row_json ->> 'name');
        WHEN 'provider_price' THEN
            SELECT p.name INTO nm FROM rt.providers p
            WHERE p.id = coalesce((SELECT pp.provider_id FROM rt.provider_prices pp WHERE pp.id = obj_id),
                                  (row_json ->> 'provider_id')::bigint);
        WHEN 'personality' THEN
            SELECT p.title INTO nm FROM rt.personalities p WHERE p.id = obj_id;
            nm := coalesce(nm, row_json ->> 'title');
        WHEN 'binding' THEN
            -- "<preset> → <chat / user / global>", from the row or the audited copy of it
            row_json := coalesce((SELECT to_jsonb(b) FROM rt.preset_bindings b WHERE b.id = obj_id),
                                 row_json);
            nm := coalesce((SELECT p.name FROM rt.presets p WHERE p.id = (row_json ->> 'preset_id')::bigint),
                             'preset:' || (row_json ->> 'preset_id'))
                    || ' → ' || coalesce(rt._binding_target_name(row_json ->> 'scope', (row_json ->> 'chat_id')::bigint,
                                                                   (row_json ->> 'user_id')::bigint), 'global');
        WHEN 'message' THEN
            SELECT rt._chat_title(m.chat_id) INTO nm FROM rt.messages m WHERE m.id = obj_id LIMIT 1;
        WHEN 'draft' THEN
            SELECT rt._chat_title(d.chat_id) INTO nm FROM rt.drafts d WHERE d.id = obj_id;
        WHEN 'session' THEN
            SELECT left(s.topic, 100) INTO nm FROM rt.sessions s WHERE s.id = obj_id;
        WHEN 'job' THEN
            SELECT o.kind INTO nm FROM rt.outbox o WHERE o.id = obj_id;
        ELSE
            nm := NULL;
    END CASE;
    RETURN nm;
END
$$;
COMMENT ON FUNCTION rt._audit_target_name(text, jsonb, jsonb) IS 'internal: an audit target (<entity>:<id>) for people: chat title, user name, admin login, preset/playbook/rule/provider/personality name (from the entry''s before/after when the row is gone), "<preset> → <target>" for a binding, the chat of a message or draft, a session''s topic, a job''s kind, a setting''s key; null when unknown';

CREATE FUNCTION rt._binding_target_name(scope text, chat_id bigint, user_id bigint) RETURNS text
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT CASE scope
        WHEN 'global' THEN NULL
        WHEN 'chat' THEN coalesce(rt._chat_title(chat_id), chat_id::text)
        WHEN 'user' THEN coalesce(rt._user_name(user_id), user_id::text)
        ELSE coalesce(rt._chat_title(chat_id), chat_id::text) || ' · ' || coalesce(rt._user_name(user_id), user_id::text)
    END
$$;
COMMENT ON FUNCTION rt._binding_target_name(text, bigint, bigint) IS 'internal: what a binding applies to, for people: chat title, user name, "<chat> · <user>" (chat_user), null for global; an unknown chat or user shows as its id';
