-- roundtable base, notifications: Notifications for admins

CREATE FUNCTION rt._notification_json(n rt.notifications) RETURNS jsonb
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

-- for code outside rt.ingest (errors, delivery failures): ring = true sends its own doorbell;
-- rt.ingest collects the ids and sends them in its one rt_events payload instead
CREATE FUNCTION rt._notify_admins(kind text, chat_id bigint, message_pk bigint, payload jsonb DEFAULT '{}',
                                             ring boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    nid bigint;
BEGIN
    INSERT INTO rt.notifications (kind, chat_id, message_pk, payload)
    VALUES (kind, chat_id, message_pk, coalesce(payload, '{}'))
    RETURNING id INTO nid;
    IF ring THEN
        PERFORM rt._journal_append('messages', jsonb_build_object('type', 'messages', 'new', '[]'::jsonb, 'edited', '[]'::jsonb,
                                                                  'chats', '[]'::jsonb, 'notifications', jsonb_build_array(nid)));
    END IF;
    RETURN nid;
END
$$;
COMMENT ON FUNCTION rt._notify_admins(text, bigint, bigint, jsonb, boolean) IS 'internal: creates a notification (mention, error, delivery_failed, moderation); with ring, one journal row carrying its id';

CREATE FUNCTION rt.list_notifications(filter jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    f_unacked boolean;
    f_kind text;
    f_limit bigint;
    pos bigint;
    items jsonb;
    more boolean;
    last_id bigint;
BEGIN
    PERFORM rt.require_role('viewer');
    filter := rt._known_keys(filter, ARRAY['unacked', 'kind', 'cursor', 'limit'], 'filter field');
    IF filter ? 'unacked' THEN
        IF jsonb_typeof(filter -> 'unacked') = 'boolean' THEN
            f_unacked := (filter -> 'unacked')::text::boolean;
        ELSIF jsonb_typeof(filter -> 'unacked') = 'string' AND filter ->> 'unacked' IN ('true', 'false') THEN
            f_unacked := (filter ->> 'unacked')::boolean;
        ELSIF jsonb_typeof(filter -> 'unacked') IS DISTINCT FROM 'null' THEN
            RAISE EXCEPTION 'filter field "unacked" must be a boolean' USING ERRCODE = '22023', COLUMN = 'unacked';
        END IF;
    END IF;
    IF filter ? 'kind' AND jsonb_typeof(filter -> 'kind') <> 'null' THEN
        f_kind := CASE WHEN jsonb_typeof(filter -> 'kind') = 'string' THEN filter ->> 'kind' END;
        IF f_kind IS NULL OR f_kind NOT IN ('mention', 'error', 'delivery_failed', 'moderation') THEN
            RAISE EXCEPTION 'filter field "kind" must be one of mention, error, delivery_failed, moderation'
                USING ERRCODE = '22023', COLUMN = 'kind';
        END IF;
    END IF;
    IF filter ? 'cursor' AND jsonb_typeof(filter -> 'cursor') NOT IN ('string', 'null') THEN
        RAISE EXCEPTION 'filter field "cursor" must be a string' USING ERRCODE = '22023', COLUMN = 'cursor';
    END IF;
    f_limit := coalesce(rt._filter_int(filter, 'limit'), 50);
    IF f_limit NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'filter field "limit" must be between 1 and 200' USING ERRCODE = '22023', COLUMN = 'limit';
    END IF;
    IF filter ->> 'cursor' IS NOT NULL THEN
        pos := (rt._cursor_decode(filter ->> 'cursor', '^n:([0-9]{1,19})$'))[1]::bigint;
    END IF;

    WITH page AS (
        SELECT n, row_number() OVER (ORDER BY n.id DESC) AS rn
        FROM rt.notifications n
        WHERE (f_unacked IS NULL OR (n.acked_at IS NULL) = f_unacked)
          AND (f_kind IS NULL OR n.kind = f_kind)
          AND (pos IS NULL OR n.id < pos)
        ORDER BY n.id DESC
        LIMIT f_limit + 1)
    SELECT coalesce(jsonb_agg(rt._notification_json(p.n) ORDER BY p.rn) FILTER (WHERE p.rn <= f_limit), '[]'),
           count(*) > f_limit,
           (array_agg((p.n).id ORDER BY p.rn) FILTER (WHERE p.rn <= f_limit))[f_limit]
    INTO items, more, last_id
    FROM page p;

    RETURN jsonb_build_object('items', items,
        'next_cursor', CASE WHEN more THEN rt._cursor_encode('n:' || last_id) END,
        'unacked_count', (SELECT count(*) FROM rt.notifications WHERE acked_at IS NULL));
END
$$;
COMMENT ON FUNCTION rt.list_notifications(jsonb) IS 'GET /api/notifications: newest first, filters unacked, kind, cursor, limit 1..200; also "unacked_count" (viewer)';

CREATE FUNCTION rt.ack_notification(id bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    actor text := rt.require_role('moderator');
    n rt.notifications;
BEGIN
    UPDATE rt.notifications SET acked_at = now(), acked_by = actor
    WHERE notifications.id = ack_notification.id AND acked_at IS NULL
    RETURNING * INTO n;
    IF FOUND THEN
        PERFORM rt.audit('notification.ack', 'notification:' || n.id, NULL, NULL);
        PERFORM rt._notify_changed('notification', jsonb_build_array(n.id));
        RETURN rt._notification_json(n);
    END IF;
    SELECT * INTO n FROM rt.notifications WHERE notifications.id = ack_notification.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'notification % not found', id USING ERRCODE = 'P0002';
    END IF;
    RETURN rt._notification_json(n);   -- acknowledged before: nothing changes
END
$$;
COMMENT ON FUNCTION rt.ack_notification(bigint) IS 'POST /api/notifications/{id}/ack: marks one notification read (moderator; idempotent; P0002 when missing)';

CREATE FUNCTION rt.ack_all_notifications() RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    actor text := rt.require_role('moderator');
    ids jsonb;
    acked int;
BEGIN
    WITH a AS (
        UPDATE rt.notifications SET acked_at = now(), acked_by = actor
        WHERE acked_at IS NULL
        RETURNING notifications.id)
    SELECT count(*), jsonb_agg(a.id ORDER BY a.id) INTO acked, ids FROM a;
    IF acked > 0 THEN
        PERFORM rt.audit('notification.ack_all', NULL, NULL, jsonb_build_object('count', acked));
        PERFORM rt._notify_changed('notification', ids);
    END IF;
    RETURN jsonb_build_object('acked', acked);
END
$$;
COMMENT ON FUNCTION rt.ack_all_notifications() IS 'POST /api/notifications/ack: marks every unread notification read; returns {"acked": n} (moderator)';
