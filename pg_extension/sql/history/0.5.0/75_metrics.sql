-- roundtable 0.5.0, part 75: what GET /metrics reads from PostgreSQL (docs/metrics.md). One cheap
-- worker function: the edge calls it without an actor from its worker pool at most about once a
-- second, whoever scrapes.

CREATE FUNCTION rt.outbox_backlog() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt._require_worker('viewer');
    -- the unfinished jobs, counted on their partial index (outbox_pending_idx)
    RETURN (SELECT count(*) FROM rt.outbox o WHERE o.done_at IS NULL AND o.dead_at IS NULL);
END
$$;
COMMENT ON FUNCTION rt.outbox_backlog() IS 'Edge worker (GET /metrics, rt_outbox_backlog): outbox jobs not yet done and not dead (pending, relayed or not); rt_edge without an actor, else the viewer role';

REVOKE EXECUTE ON FUNCTION rt.outbox_backlog() FROM PUBLIC;
DO $$
BEGIN
    IF pg_catalog.to_regrole('rt_edge') IS NOT NULL THEN
        GRANT EXECUTE ON FUNCTION rt.outbox_backlog() TO rt_edge;
    END IF;
END
$$;
