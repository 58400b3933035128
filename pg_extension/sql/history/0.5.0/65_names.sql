-- roundtable 0.5.0, part 65: names for people next to the machine ids (issue 9).
--
-- The console showed "admin:1", "chat 424242001", "db:rt_edge" and "#55501". The JSON of an
-- audit entry, a binding and a notification now carries names as well (AuditEntry actor_name /
-- target_name, Binding target_name / created_by_name, Notification chat_title / user_name /
-- rule_name); the ids stay as they were, machine-readable. A name resolves from the live row,
-- and, for an audit entry whose object is gone, from the entry's own before/after; failing that
-- it falls back to the id (actor) or null (target).
--
-- A playbook that binds a preset acts as the rule, not as the edge: its binding's audit entry
-- has actor rule:playbook:<id> (rt.actor is set to it for that one insert), shown as
-- "rule: <playbook name>".

-- ---------------------------------------------------------------------------
-- Name helpers
-- ---------------------------------------------------------------------------

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

-- ---------------------------------------------------------------------------
-- The JSON builders
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION rt._audit_json(a rt.audit_log) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object('id', a.id, 'at', a.at, 'actor', a.actor, 'action', a.action,
                              'target', a.target, 'before', a.before, 'after', a.after,
                              'actor_name', rt._actor_name(a.actor),
                              'target_name', rt._audit_target_name(a.target, a.before, a.after))
$$;
COMMENT ON FUNCTION rt._audit_json(rt.audit_log) IS 'internal: an audit entry as the OpenAPI AuditEntry object (with actor_name and target_name)';

CREATE OR REPLACE FUNCTION rt._binding_json(b rt.preset_bindings) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object(
        'id', b.id, 'scope', b.scope, 'chat_id', b.chat_id, 'user_id', b.user_id,
        'preset_id', b.preset_id,
        'preset_name', (SELECT p.name FROM rt.presets p WHERE p.id = b.preset_id),
        'expires_at', b.expires_at, 'created_at', b.created_at, 'created_by', b.created_by,
        'active', b.expires_at IS NULL OR b.expires_at > now(),
        'target_name', rt._binding_target_name(b.scope, b.chat_id, b.user_id),
        'created_by_name', rt._actor_name(b.created_by))
$$;
COMMENT ON FUNCTION rt._binding_json(rt.preset_bindings) IS 'internal: a binding as the OpenAPI Binding object (active = not expired now; target_name and created_by_name for people)';

CREATE OR REPLACE FUNCTION rt._notification_json(n rt.notifications) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT jsonb_build_object('id', n.id, 'kind', n.kind, 'chat_id', n.chat_id, 'message_pk', n.message_pk,
                              'payload', n.payload, 'created_at', n.created_at,
                              'acked_at', n.acked_at, 'acked_by', n.acked_by,
                              'chat_title', CASE WHEN n.chat_id IS NOT NULL THEN rt._chat_title(n.chat_id) END,
                              'user_name', rt._user_name(coalesce(
                                  CASE WHEN jsonb_typeof(n.payload -> 'user_id') = 'number'
                                       THEN (n.payload ->> 'user_id')::numeric::bigint END,
                                  CASE WHEN n.message_pk IS NOT NULL AND n.kind IN ('mention', 'moderation')
                                       THEN (SELECT m.user_id FROM rt.messages m WHERE m.id = n.message_pk LIMIT 1) END)),
                              'rule_name', CASE WHEN n.kind = 'moderation'
                                                 AND (n.payload -> 'rule_ids' ->> 0) ~ '^[0-9]{1,18}$' THEN
                                  (SELECT r.name FROM rt.moderation_rules r
                                   WHERE r.id = (n.payload -> 'rule_ids' ->> 0)::bigint) END)
$$;
COMMENT ON FUNCTION rt._notification_json(rt.notifications) IS 'internal: a notification as the OpenAPI Notification object (with chat_title, user_name and, for a moderation hit, rule_name)';

-- ---------------------------------------------------------------------------
-- A playbook's binding is the rule's act
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION rt._decide_playbooks(chat_id bigint, message_pk bigint, message_id bigint, matches jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    r record;
    override jsonb;
    replied boolean := false;
    out_ids bigint[] := '{}';
    jobs int := 0;
    fired bigint[] := '{}';
    caller text := coalesce(current_setting('rt.actor', true), '');
BEGIN
    FOR r IN SELECT * FROM jsonb_to_recordset(matches)
                 AS x(playbook_id bigint, preset_id bigint, preset_hours numeric, reply_text text, stop boolean) LOOP
        fired := fired || r.playbook_id;
        IF r.preset_id IS NOT NULL AND r.preset_hours IS NOT NULL THEN
            -- the binding's audit entry names the rule (rt.current_actor), for this insert only
            PERFORM set_config('rt.actor', 'rule:playbook:' || r.playbook_id, true);
            EXECUTE 'INSERT INTO rt.preset_bindings (scope, chat_id, preset_id, expires_at, created_by) '
                    'VALUES (''chat'', $1, $2, now() + $3 * interval ''1 hour'', $4)'
            USING chat_id, r.preset_id, r.preset_hours, 'playbook:' || r.playbook_id;
            PERFORM set_config('rt.actor', caller, true);
        ELSIF r.preset_id IS NOT NULL AND override IS NULL THEN
            override := jsonb_build_object('preset_id', r.preset_id);
        END IF;
        IF r.reply_text IS NOT NULL AND r.reply_text <> '' THEN
            out_ids := out_ids || rt._queue_fixed_reply(chat_id, r.reply_text, message_id, message_pk, r.playbook_id);
            jobs := jobs + 1;
            replied := true;
        END IF;
        EXIT WHEN r.stop;
    END LOOP;
    RETURN jsonb_build_object('override', override, 'replied', replied, 'jobs', jobs,
                              'out_messages', to_jsonb(out_ids), 'playbooks', to_jsonb(fired));
END
$$;
COMMENT ON FUNCTION rt._decide_playbooks(bigint, bigint, bigint, jsonb) IS 'internal (rt.ingest): applies the rows of rt.playbook_matches (as a jsonb array, in order) (bindings for N hours, audited as actor rule:playbook:<id>; one-reply override, fixed replies, stop); returns {"override","replied","jobs","out_messages","playbooks"}';

-- ---------------------------------------------------------------------------
-- The audit log filtered by who, as people name them
-- ---------------------------------------------------------------------------

-- "actor" matches the machine id (admin:3, db:postgres, rule:playbook:12) as before, and also
-- an admin's login, "system" (the edge's workers) and "rule" (every rule's act)
CREATE OR REPLACE FUNCTION rt.list_audit(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_actor text;
    f_actors text[];
    f_rules boolean;
    f_action text;
    f_target text;
    f_from timestamptz;
    f_to timestamptz;
    f_limit bigint;
    pos bigint;
    items jsonb;
    more boolean;
    last_id bigint;
    k text;
BEGIN
    PERFORM rt.require_role('viewer');
    filter := rt._known_keys(filter, ARRAY['actor', 'action', 'target', 'from', 'to', 'cursor', 'limit'], 'filter field');
    FOREACH k IN ARRAY ARRAY['actor', 'action', 'target', 'cursor'] LOOP
        IF filter ? k AND jsonb_typeof(filter -> k) NOT IN ('string', 'null') THEN
            RAISE EXCEPTION 'filter field "%" must be a string', k USING ERRCODE = '22023', COLUMN = k;
        END IF;
    END LOOP;
    f_actor := nullif(btrim(filter ->> 'actor'), '');
    IF f_actor IS NOT NULL THEN
        f_actors := ARRAY[f_actor]
            || ARRAY(SELECT 'admin:' || a.id FROM rt.admins a WHERE a.login = f_actor)
            || CASE WHEN lower(f_actor) = 'system' THEN ARRAY['db:rt_edge'] ELSE '{}'::text[] END;
        f_rules := lower(f_actor) = 'rule';
    END IF;
    f_action := nullif(filter ->> 'action', '');
    f_target := nullif(filter ->> 'target', '');
    f_from := rt._filter_time(filter, 'from');
    f_to := rt._filter_time(filter, 'to');
    f_limit := coalesce(rt._filter_int(filter, 'limit'), 50);
    IF f_limit NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'filter field "limit" must be between 1 and 200' USING ERRCODE = '22023', COLUMN = 'limit';
    END IF;
    IF filter ->> 'cursor' IS NOT NULL THEN
        pos := (rt._cursor_decode(filter ->> 'cursor', '^a:([0-9]{1,19})$'))[1]::bigint;
    END IF;

    -- "action" without a dot matches a whole entity: "preset" finds preset.insert/update/delete
    WITH page AS (
        SELECT a, row_number() OVER (ORDER BY a.id DESC) AS n
        FROM rt.audit_log a
        WHERE (f_actor IS NULL OR a.actor = ANY (f_actors) OR (f_rules AND a.actor LIKE 'rule:%'))
          AND (f_action IS NULL OR a.action = f_action
               OR (strpos(f_action, '.') = 0 AND a.action LIKE replace(replace(f_action, '%', '\%'), '_', '\_') || '.%'))
          AND (f_target IS NULL OR a.target = f_target)
          AND (f_from IS NULL OR a.at >= f_from)
          AND (f_to IS NULL OR a.at < f_to)
          AND (pos IS NULL OR a.id < pos)
        ORDER BY a.id DESC
        LIMIT f_limit + 1)
    SELECT coalesce(jsonb_agg(rt._audit_json(p.a) ORDER BY p.n) FILTER (WHERE p.n <= f_limit), '[]'),
           count(*) > f_limit,
           (array_agg((p.a).id ORDER BY p.n) FILTER (WHERE p.n <= f_limit))[f_limit]
    INTO items, more, last_id
    FROM page p;

    RETURN jsonb_build_object('items', items, 'next_cursor',
        CASE WHEN more THEN rt._cursor_encode('a:' || last_id) END);
END
$$;
COMMENT ON FUNCTION rt.list_audit(jsonb) IS 'Audit log, newest first, filtered by actor (its id, an admin''s login, "system" or "rule"), action (or a whole entity, e.g. "preset"), target, from, to; keyset cursor, limit 1..200 (viewer)';
