-- roundtable base, route: Round table: commands in chats (routing in ingest)

CREATE FUNCTION rt._roundtable_decide_config(OUT buttons text[], OUT sessions boolean)
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT ARRAY[rt._bot_text('button_new'), rt._bot_text('button_stop'), rt._bot_text('button_donate')],
           EXISTS (SELECT FROM rt.sessions s
                   WHERE s.status IN ('awaiting_topic', 'running') AND s.chat_id IS NOT NULL)
$$;
COMMENT ON FUNCTION rt._roundtable_decide_config() IS 'internal (rt.ingest, once per batch): the labels of the menu buttons new, stop, donate (bot.texts or their defaults) and whether a chat has a session awaiting its topic or running';

-- the command of a text: start, new, stop, donate or help for "/cmd" or "/cmd@<the bot>" at the
-- very start followed by the end or a blank; a menu button's exact label counts as new, stop or
-- donate; null otherwise (another bot's command, an unknown command, any other text)
CREATE FUNCTION rt._roundtable_command(text text) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    m text[];
    bot text;
BEGIN
    IF text IS NULL THEN
        RETURN NULL;
    END IF;
    m := regexp_match(text, '^/([A-Za-z0-9_]+)(@([A-Za-z0-9_]+))?([ \t\r\n]|$)');
    IF m IS NOT NULL THEN
        IF lower(m[1]) NOT IN ('start', 'new', 'stop', 'donate', 'help') THEN
            RETURN NULL;
        END IF;
        IF m[3] IS NOT NULL THEN
            bot := CASE WHEN jsonb_typeof(rt.setting('bot.username')) = 'string'
                        THEN nullif(ltrim(rt.setting('bot.username') #>> '{}', '@'), '') END;
            IF bot IS NULL OR lower(m[3]) <> lower(bot) THEN
                RETURN NULL;   -- addressed to another bot
            END IF;
        END IF;
        RETURN lower(m[1]);
    END IF;
    RETURN CASE text
        WHEN rt._bot_text('button_new') THEN 'new'
        WHEN rt._bot_text('button_stop') THEN 'stop'
        WHEN rt._bot_text('button_donate') THEN 'donate'
    END;
END
$$;
COMMENT ON FUNCTION rt._roundtable_command(text) IS 'internal: start, new, stop, donate or help for a command of ours ("/new", "/new@<bot.username>", case-insensitive, then a blank or the end) or a menu button''s exact label (bot.texts); null for anything else, another bot''s command included';

-- adds the {"jobs","out_messages","notifications"} of a step to the route's result
CREATE FUNCTION rt._route_merge(acc jsonb, step jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
    SELECT jsonb_build_object(
        'consumed', coalesce((acc ->> 'consumed')::boolean, false),
        'jobs', coalesce((acc ->> 'jobs')::bigint, 0) + coalesce((step ->> 'jobs')::bigint, 0),
        'out_messages', coalesce(acc -> 'out_messages', '[]') || coalesce(step -> 'out_messages', '[]'),
        'notifications', coalesce(acc -> 'notifications', '[]') || coalesce(step -> 'notifications', '[]'))
$$;
COMMENT ON FUNCTION rt._route_merge(jsonb, jsonb) IS 'internal: the route''s result with a step''s jobs added and its out_messages and notifications appended';

-- a bot text to the chat as a step of the route: {"jobs":1,"out_messages":[pk]}
CREATE FUNCTION rt._route_say(chat_id bigint, text text, reply_markup jsonb, session_id bigint,
                              reply_to bigint, in_reply_to bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    q jsonb := rt._queue_bot_text(chat_id, text, reply_markup, session_id, reply_to, in_reply_to);
BEGIN
    RETURN jsonb_build_object('jobs', CASE WHEN q ->> 'job' IS NULL THEN 0 ELSE 1 END,
                              'out_messages', CASE WHEN q ->> 'message_pk' IS NULL THEN '[]'::jsonb
                                                   ELSE jsonb_build_array(q -> 'message_pk') END);
END
$$;
COMMENT ON FUNCTION rt._route_say(bigint, text, jsonb, bigint, bigint, bigint) IS 'internal: rt._queue_bot_text as a step of rt._roundtable_route ({"jobs","out_messages"})';

CREATE FUNCTION rt._roundtable_route(chat_id bigint, user_id bigint, message_pk bigint, message_id bigint,
                                     text text, chat_type text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    cmd text := rt._roundtable_command(text);
    s rt.sessions;
    res jsonb := '{"consumed": true, "jobs": 0, "out_messages": [], "notifications": []}';
    reply_to bigint := CASE WHEN chat_type IS DISTINCT FROM 'private' THEN message_id END;
    url jsonb;
    err text;
    nid bigint;
BEGIN
    -- a channel has no users to debate with; its posts are not ours
    IF chat_type = 'channel' OR chat_id IS NULL THEN
        RETURN '{"consumed": false, "jobs": 0, "out_messages": [], "notifications": []}';
    END IF;
    SELECT * INTO s FROM rt.sessions x
    WHERE x.chat_id = _roundtable_route.chat_id AND x.status IN ('awaiting_topic', 'running')
    FOR UPDATE;

    CASE cmd
    WHEN 'start', 'help' THEN
        res := rt._route_merge(res, rt._route_say(chat_id, rt._bot_text(CASE cmd WHEN 'start' THEN 'welcome' ELSE 'help' END),
                                                  rt._menu_keyboard(), NULL, reply_to, message_pk));
    WHEN 'new' THEN
        IF s.id IS NOT NULL THEN
            res := rt._route_merge(res, rt._route_say(chat_id, rt._bot_text('already_running'), NULL, s.id,
                                                      reply_to, message_pk));
        ELSE
            BEGIN
                s := rt._session_open(chat_id, user_id, 'telegram:' || coalesce(user_id::text, 'unknown'));
            EXCEPTION WHEN unique_violation THEN
                -- a /new of another batch opened one a moment ago
                SELECT * INTO s FROM rt.sessions x
                WHERE x.chat_id = _roundtable_route.chat_id AND x.status IN ('awaiting_topic', 'running');
                RETURN rt._route_merge(res, rt._route_say(chat_id, rt._bot_text('already_running'), NULL, s.id,
                                                          reply_to, message_pk));
            END;
            res := rt._route_merge(res, rt._route_say(chat_id, rt._bot_text('ask_topic'), NULL, s.id,
                                                      reply_to, message_pk));
        END IF;
    WHEN 'stop' THEN
        IF s.id IS NOT NULL THEN
            res := rt._route_merge(res, rt._session_end(s.id, 'stopped_by_user', NULL));
        ELSE
            res := rt._route_merge(res, rt._route_say(chat_id, rt._bot_text('nothing_to_stop'), NULL, NULL,
                                                      reply_to, message_pk));
        END IF;
    WHEN 'donate' THEN
        url := rt.setting('payment.url');
        err := CASE WHEN jsonb_typeof(url) = 'string' THEN rt._payment_url_error(url #>> '{}')
                    ELSE rt._payment_url_error(NULL) END;
        IF err IS NULL THEN
            res := rt._route_merge(res, rt._route_say(chat_id, rt._bot_text('donate'),
                jsonb_build_object('inline_keyboard', jsonb_build_array(jsonb_build_array(
                    jsonb_build_object('text', rt._bot_text('donate_button'), 'url', url #>> '{}')))),
                NULL, reply_to, message_pk));
        ELSE
            res := rt._route_merge(res, rt._route_say(chat_id, rt._bot_text('donate_unavailable'), NULL, NULL,
                                                      reply_to, message_pk));
            -- rt.ingest puts the id in its one journal row: no ring of its own
            nid := rt._notify_admins('error', chat_id, message_pk, jsonb_build_object(
                'source', 'payment.url',
                'error', format('a user asked to donate, but setting payment.url %s', err)), false);
            res := rt._route_merge(res, jsonb_build_object('notifications', jsonb_build_array(nid)));
        END IF;
    ELSE
        IF s.id IS NULL THEN
            -- chats.session_id was stale (the session ended meanwhile): an ordinary message
            RETURN '{"consumed": false, "jobs": 0, "out_messages": [], "notifications": []}';
        ELSIF s.status = 'awaiting_topic' THEN
            -- the topic comes from whoever asked; others in a group are ignored (consumed)
            IF s.user_id IS NULL OR s.user_id = _roundtable_route.user_id THEN
                IF text IS NOT NULL AND btrim(text, E' \t\r\n') <> '' THEN
                    res := rt._route_merge(res, rt._session_begin(s.id, left(btrim(text, E' \t\r\n'), 4000)));
                END IF;
            END IF;
        ELSE
            res := rt._route_merge(res, rt._session_interject(s.id, message_pk));
        END IF;
    END CASE;
    RETURN res;
EXCEPTION
    WHEN serialization_failure OR deadlock_detected OR lock_not_available OR query_canceled THEN
        RAISE;   -- rt.ingest's caller retries the batch
    WHEN OTHERS THEN
        -- one message's failure (a bug, a race the session functions refuse) must not cost the
        -- batch its other decisions: this message's effects are rolled back, the admins told,
        -- and the message stays consumed (a broken command is no auto-reply trigger)
        GET STACKED DIAGNOSTICS err = MESSAGE_TEXT;
        nid := rt._notify_admins('error', chat_id, message_pk, jsonb_build_object(
            'source', 'roundtable', 'error', err, 'sqlstate', SQLSTATE, 'command', cmd), false);
        RETURN jsonb_build_object('consumed', true, 'jobs', 0, 'out_messages', '[]'::jsonb,
                                  'notifications', jsonb_build_array(nid));
END
$$;
COMMENT ON FUNCTION rt._roundtable_route(bigint, bigint, bigint, bigint, text, text) IS 'internal (rt.ingest, after moderation, before playbooks): the round table''s commands /start, /help (texts with the menu keyboard), /new (a session awaiting its topic, or already_running), /stop (the chat''s session stopped_by_user, or nothing_to_stop), /donate (the payment.url button, or donate_unavailable and an error notification), menu buttons as their commands; in a chat with a session, the asking user''s next message is the topic and, while it runs, any message an interjection. Returns {"consumed","jobs","out_messages","notifications"}';
