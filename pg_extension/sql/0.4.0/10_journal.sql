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

CREATE TABLE rt.events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    type text NOT NULL CHECK (type ~ '^[a-z][a-z._]{0,62}$'),
    data jsonb NOT NULL
);
COMMENT ON TABLE rt.events IS 'The event journal behind NOTIFY rt_events: one row per change (types messages, changed, admin.changed), written only by rt._journal_append; read by the edge after its last id; pruned after a day';
REVOKE ALL ON rt.events FROM PUBLIC;

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
COMMENT ON FUNCTION rt._journal_append(text, jsonb) IS 'internal: appends one rt.events row (type, data) in the caller''s transaction and rings NOTIFY rt_events with an empty payload; returns the row id';
REVOKE ALL ON FUNCTION rt._journal_append(text, jsonb) FROM PUBLIC;
