-- roundtable 0.4.0, part 10: the event journal (issue 7, decision 011).
--
-- NOTIFY rt_events used to carry the event itself, and any role that could connect could send
-- one. Now every change is a row of rt.events, written by the changing transaction through
-- rt._journal_append (SECURITY DEFINER; nobody but the owner and rt_admin may execute it, no role
-- may write the table), and NOTIFY rt_events carries nothing: it is a doorbell that makes the
-- edge read the journal after the last id it has seen. The same ids let a WebSocket client that
-- reconnects ask for what it missed.
--
-- Row types: 'messages' and 'changed' hold the payloads of contract.md's rt_events section
-- (expanded by rt.event_messages); 'admin.changed' ({"id"}) tells the edge an admin changed
-- (sessions and sockets re-checked). Retention: rows older than a day are pruned by
-- rt._journal_append itself, every 1000th row (a client offline for longer resynchronises).

-- Ids follow commit order: a row gets a provisional id when appended and its final one at
-- commit, from a deferred trigger that holds a transaction lock from then until the commit is
-- done. So when the edge sees id n, every row below n is visible too, and "id > last seen"
-- never skips a row of a transaction that committed late (commits of event-writing
-- transactions are serialised for those few moments only).
CREATE SEQUENCE rt.events_id_seq;
CREATE TABLE rt.events (
    id bigint PRIMARY KEY DEFAULT nextval('rt.events_id_seq'),
    at timestamptz NOT NULL DEFAULT now(),
    type text NOT NULL CHECK (type ~ '^[a-z][a-z._]{0,62}$'),
    data jsonb NOT NULL
);
ALTER SEQUENCE rt.events_id_seq OWNED BY rt.events.id;
COMMENT ON TABLE rt.events IS 'The event journal behind NOTIFY rt_events: one row per change (types messages, changed, admin.changed), ids in commit order, written only by rt._journal_append; read by the edge after its last id (rt.events_after); pruned after a day';
REVOKE ALL ON rt.events FROM PUBLIC;
REVOKE ALL ON SEQUENCE rt.events_id_seq FROM PUBLIC;

CREATE FUNCTION rt._journal_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    -- held until the commit is done: the next transaction numbers its rows after these
    PERFORM pg_advisory_xact_lock(hashtext('rt.events')::bigint);
    UPDATE rt.events SET id = nextval('rt.events_id_seq') WHERE id = NEW.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rt._journal_commit() IS 'internal: deferred row trigger on rt.events: renumbers the row at commit, under a transaction lock, so ids follow commit order';
CREATE CONSTRAINT TRIGGER events_commit_order AFTER INSERT ON rt.events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rt._journal_commit();

CREATE FUNCTION rt._journal_append(type text, data jsonb) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    new_id bigint;
BEGIN
    IF type IS NULL OR data IS NULL THEN
        RAISE EXCEPTION 'journal rows need a type and data' USING ERRCODE = '22004';
    END IF;
    INSERT INTO rt.events (type, data) VALUES (_journal_append.type, _journal_append.data)
    RETURNING id INTO new_id;
    -- retention: every 1000th row prunes what is older than a day (the primary key finds them)
    IF new_id % 1000 = 0 THEN
        DELETE FROM rt.events e WHERE e.id < new_id - 1000 AND e.at < now() - interval '1 day';
    END IF;
    -- the doorbell: an empty payload, folded by PostgreSQL into one per transaction
    PERFORM pg_notify('rt_events', '');
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION rt._journal_append(text, jsonb) IS 'internal: appends one rt.events row (type, data) in the caller''s transaction and rings NOTIFY rt_events with an empty payload; returns the row''s provisional id (the final one is given at commit)';
REVOKE ALL ON FUNCTION rt._journal_append(text, jsonb) FROM PUBLIC;

CREATE FUNCTION rt.events_position() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
    SELECT coalesce(max(id), 0) FROM rt.events
$$;
COMMENT ON FUNCTION rt.events_position() IS 'The id of the newest journal row (0 when none): where the edge starts reading, and the "event_id" of the WebSocket hello';

-- How many messages one journal row may make the edge read and push. Only the extension's own
-- functions write the journal, but a bug or a hand-made row must not make the edge push the
-- whole message table: a larger row is not expanded and becomes a "resync" event.
CREATE FUNCTION rt._journal_max_messages() RETURNS int
LANGUAGE sql IMMUTABLE AS $$ SELECT 5000 $$;
COMMENT ON FUNCTION rt._journal_max_messages() IS 'internal: 5000, the most message ids one journal row may make the edge read and push (more: a resync event)';

CREATE FUNCTION rt._journal_width(data jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT coalesce(sum(CASE jsonb_typeof(r)
                            WHEN 'array' THEN greatest(0, (r->>1)::numeric - (r->>0)::numeric + 1)
                            ELSE 1 END), 0)
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(data->'new') = 'array' THEN data->'new' ELSE '[]' END
                              || CASE WHEN jsonb_typeof(data->'edited') = 'array' THEN data->'edited' ELSE '[]' END) r
$$;
COMMENT ON FUNCTION rt._journal_width(jsonb) IS 'internal: how many message ids the "new" and "edited" of a messages payload cover';

CREATE FUNCTION rt.events_after(after bigint, max_rows int DEFAULT 100, upto bigint DEFAULT NULL,
                                expand boolean DEFAULT true)
RETURNS TABLE (id bigint, type text, data jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    j rt.events;
    width numeric;
BEGIN
    PERFORM rt.require_role('viewer');
    IF after IS NULL OR after < 0 THEN
        RAISE EXCEPTION 'after must be a journal id >= 0' USING ERRCODE = '22023';
    END IF;
    IF max_rows IS NULL OR max_rows NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'max_rows must be 1 to 1000' USING ERRCODE = '22023';
    END IF;
    -- rows after "after" were pruned: the reader cannot catch up row by row
    IF after > 0 AND after < (SELECT coalesce(min(e.id), after + 1) FROM rt.events e) - 1
       AND EXISTS (SELECT FROM rt.events e WHERE e.id > after AND (upto IS NULL OR e.id <= upto)) THEN
        id := (SELECT min(e.id) FROM rt.events e) - 1;
        type := 'resync';
        data := jsonb_build_object('reason', 'journal pruned', 'after', after);
        RETURN NEXT;
        RETURN;
    END IF;
    FOR j IN
        SELECT * FROM rt.events e WHERE e.id > after AND (upto IS NULL OR e.id <= upto)
        ORDER BY e.id LIMIT max_rows
    LOOP
        id := j.id;
        IF j.type IN ('messages', 'changed') AND NOT coalesce(expand, true) THEN
            type := NULL; -- walked past: nobody to show it to
            data := NULL;
        ELSIF j.type IN ('messages', 'changed') THEN
            width := CASE WHEN j.type = 'messages' THEN rt._journal_width(j.data) ELSE 0 END;
            IF width > rt._journal_max_messages() THEN
                type := 'resync';
                data := jsonb_build_object('reason', 'event too large', 'messages', width,
                                           'max', rt._journal_max_messages());
                RETURN NEXT;
                CONTINUE;
            END IF;
            RETURN QUERY SELECT j.id, e ->> 'type', e -> 'data' FROM rt.event_messages(j.data) e;
            IF FOUND THEN
                CONTINUE;
            END IF;
            type := NULL; -- nothing to show: the reader still moves past the row
            data := NULL;
        ELSE
            type := j.type;
            data := j.data;
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION rt.events_after(bigint, int, bigint, boolean) IS 'The edge''s journal reader: journal rows with after < id (<= upto when given), at most max_rows (1..1000), in id order, expanded (unless expand is false: then such rows come with type NULL): a messages or changed row becomes its rt.event_messages events (type, data) under the row''s id, or one row with type NULL when it shows nothing, or one "resync" row {reason, messages, max} when it covers more than 5000 messages; other types (admin.changed) come as stored. A reader whose "after" was pruned gets one "resync" row {reason: "journal pruned"}';
