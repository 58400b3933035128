-- roundtable base, decide: Decisions in ingest: mentions, moderation, playbooks, auto-reply context

CREATE FUNCTION rt.detect_mention(message jsonb, chat_type text, bot_username text DEFAULT NULL, bot_id bigint DEFAULT NULL)
RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'detect_mention';
COMMENT ON FUNCTION rt.detect_mention(jsonb, text, text, bigint) IS 'How a Telegram message addresses the bot: username (@name entity), reply (to a bot message), text_mention, command (/cmd or /cmd@name; any command in a private chat), or null; rt.ingest uses the same C code';

-- read once per rt.ingest call; with no enabled moderation rule or playbook the matcher is
-- never asked (the dynamic lookups date from when these were separate parts)
CREATE FUNCTION rt._decide_config(OUT bot_username text, OUT bot_id bigint, OUT context_messages int,
                                  OUT moderation boolean, OUT playbooks boolean, OUT resolver boolean)
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    v jsonb;
BEGIN
    v := rt.setting('bot.username');
    bot_username := CASE WHEN jsonb_typeof(v) = 'string' THEN nullif(ltrim(v #>> '{}', '@'), '') END;
    v := rt.setting('bot.id');
    bot_id := CASE WHEN jsonb_typeof(v) = 'number' THEN (v::text)::numeric::bigint END;
    v := rt.setting('context.messages');
    context_messages := CASE WHEN jsonb_typeof(v) = 'number' THEN least(greatest((v::text)::numeric::int, 0), 100) ELSE 20 END;
    moderation := false;
    playbooks := false;
    IF to_regprocedure('rt.moderation_verdict(bigint,text)') IS NOT NULL AND to_regclass('rt.moderation_rules') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT FROM rt.moderation_rules WHERE enabled)' INTO moderation;
    END IF;
    IF to_regprocedure('rt.playbook_matches(bigint,text)') IS NOT NULL AND to_regclass('rt.playbooks') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT FROM rt.playbooks WHERE enabled)' INTO playbooks;
    END IF;
    resolver := to_regprocedure('rt.resolve_params(bigint,bigint,timestamptz,jsonb)') IS NOT NULL;
END
$$;
COMMENT ON FUNCTION rt._decide_config() IS 'internal: what rt.ingest''s decisions need once per call: bot.username, bot.id, context.messages, whether enabled moderation rules / playbooks exist, whether rt.resolve_params is installed';

-- the one place a moderation verdict becomes state: labels, strongest action, notification,
-- and for delete a telegram.delete job
CREATE FUNCTION rt._decide_moderation(message_pk bigint, created_at timestamptz, chat_id bigint,
                                      message_id bigint, text text, v jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    act text;
    new_labels text[];
    state text;
    nid bigint;
    jobs int := 0;
BEGIN
    act := v ->> 'action';
    new_labels := ARRAY(SELECT jsonb_array_elements_text(coalesce(v -> 'labels', '[]')));
    IF act IS NULL AND cardinality(new_labels) = 0 THEN
        RETURN '{"stop": false}';
    END IF;
    state := CASE act WHEN 'flag' THEN 'flagged' WHEN 'hide' THEN 'hidden' WHEN 'delete' THEN 'deleted' END;
    UPDATE rt.messages m SET
        labels = ARRAY(SELECT DISTINCT l FROM unnest(m.labels || new_labels) l ORDER BY l),
        moderation = CASE WHEN array_position(ARRAY['flagged', 'hidden', 'deleted'], state)
                               > coalesce(array_position(ARRAY['flagged', 'hidden', 'deleted'], m.moderation), 0)
                          THEN state ELSE m.moderation END,
        moderated_at = now(),
        moderated_by = coalesce('rule:' || (v -> 'rule_ids' ->> 0), 'rule')
    WHERE m.id = _decide_moderation.message_pk AND m.created_at = _decide_moderation.created_at;
    INSERT INTO rt.notifications (kind, chat_id, message_pk, payload)
    VALUES ('moderation', chat_id, message_pk,
            jsonb_build_object('labels', to_jsonb(new_labels), 'action', act,
                               'rule_ids', coalesce(v -> 'rule_ids', '[]'), 'message_id', message_id,
                               'text', left(text, 200)))
    RETURNING id INTO nid;
    IF act = 'delete' THEN
        INSERT INTO rt.outbox (kind, payload)
        VALUES ('telegram.delete', jsonb_build_object('chat_id', chat_id, 'message_id', message_id,
                                                      'message_pk', message_pk));
        jobs := 1;
    END IF;
    RETURN jsonb_build_object('stop', act IN ('hide', 'delete'), 'jobs', jobs,
                              'notifications', jsonb_build_array(nid), 'action', act);
END
$$;
COMMENT ON FUNCTION rt._decide_moderation(bigint, timestamptz, bigint, bigint, text, jsonb) IS 'internal (rt.ingest): applies a verdict of rt.moderation_verdict ({"labels","action","rule_ids"}) to a stored message: labels, strongest action, a moderation notification, telegram.delete for delete; returns {"stop","jobs","notifications","action"}';

CREATE FUNCTION rt._queue_fixed_reply(chat_id bigint, text text, reply_to_message_id bigint,
                                                 in_reply_to bigint, playbook_id bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    pk bigint;
    at timestamptz := now();
BEGIN
    INSERT INTO rt.messages (chat_id, direction, author_type, kind, text, created_at, status, in_reply_to)
    VALUES (chat_id, 'out', 'bot', 'text', text, at, 'queued', in_reply_to)
    RETURNING id INTO pk;
    INSERT INTO rt.outbox (kind, payload)
    VALUES ('telegram.send', jsonb_build_object('chat_id', chat_id, 'text', text,
                                                'reply_to_message_id', reply_to_message_id,
                                                'message_pk', pk, 'as', 'bot',
                                                'in_reply_to', in_reply_to, 'playbook_id', playbook_id));
    UPDATE rt.chats c SET last_message_at = at, last_message_id = pk
    WHERE c.id = _queue_fixed_reply.chat_id
      AND (c.last_message_at IS NULL OR (c.last_message_at, c.last_message_id) < (at, pk));
    RETURN pk;
END
$$;
COMMENT ON FUNCTION rt._queue_fixed_reply(bigint, text, bigint, bigint, bigint) IS 'internal (rt.ingest): stores a queued outgoing bot message (in_reply_to the message it answers) and its telegram.send job; returns the message id';

CREATE FUNCTION rt._decide_playbooks(chat_id bigint, message_pk bigint, message_id bigint, matches jsonb)
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

-- the chat's recent history for an llm.reply job, oldest first; hidden and deleted messages
-- never reach a model
CREATE FUNCTION rt._reply_context(chat_id bigint, upto bigint, n int) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT coalesce(jsonb_agg(x.j ORDER BY x.id), '[]')
    FROM (SELECT m.id,
                 jsonb_build_object(
                     'role', CASE WHEN m.direction = 'out' THEN 'assistant' ELSE 'user' END,
                     'name', CASE WHEN m.direction = 'out' THEN m.author_type
                                  ELSE coalesce(u.first_name, u.username, 'user ' || m.user_id, 'channel') END,
                     'text', m.text) AS j
          FROM rt.messages m
          LEFT JOIN rt.users u ON u.id = m.user_id
          WHERE m.chat_id = _reply_context.chat_id AND m.id <= _reply_context.upto
            AND m.kind IN ('text', 'caption') AND m.moderation IS DISTINCT FROM 'hidden'
            AND m.moderation IS DISTINCT FROM 'deleted'
          ORDER BY m.id DESC
          LIMIT greatest(n, 0)) x
$$;
COMMENT ON FUNCTION rt._reply_context(bigint, bigint, int) IS 'internal: the last n text messages of a chat up to message id upto, oldest first, as [{"role","name","text"}] (no hidden or deleted ones)';

-- used only while rt.resolve_params is not installed: the defaults, overridden by a params subset
CREATE FUNCTION rt._default_params(override jsonb) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT rt.setting('preset.defaults')
           || CASE WHEN jsonb_typeof(override) = 'object' THEN override - 'preset_id' ELSE '{}' END
$$;
COMMENT ON FUNCTION rt._default_params(jsonb) IS 'internal: preset.defaults with an override''s params applied (fallback when rt.resolve_params is missing)';
