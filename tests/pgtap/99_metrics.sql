-- 0.5.0 part 75: rt.outbox_backlog, the rt_outbox_backlog gauge of GET /metrics. It counts the
-- jobs not done and not dead (relayed or not); rt_edge calls it without an actor (a worker
-- function, rt._require_worker), an admin's call needs the viewer role, an analyst may not.
-- Logins t99_*; everything rolls back.
BEGIN;
SELECT plan(9);

CREATE FUNCTION pg_temp.state_as(r text, actor text, sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        PERFORM set_config('rt.actor', coalesce(actor, ''), true);
        EXECUTE format('SET LOCAL ROLE %I', r);
        EXECUTE sql;
        RAISE EXCEPTION 'done' USING ERRCODE = 'RT000';
    EXCEPTION WHEN OTHERS THEN
        RETURN CASE WHEN SQLSTATE = 'RT000' THEN '00000' ELSE SQLSTATE END;
    END;
END
$$;

-- a known outbox: 2 pending (one relayed), 1 done, 1 dead, 1 discarded
DELETE FROM rt.outbox;
SELECT is(rt.outbox_backlog(), 0::bigint, 'an empty outbox has no backlog');
INSERT INTO rt.outbox (kind, payload, relayed_at, done_at, dead_at, discarded_at) VALUES
    ('llm.reply', '{}', NULL, NULL, NULL, NULL),
    ('telegram.send', '{}', now(), NULL, NULL, NULL),
    ('telegram.send', '{}', now(), now(), NULL, NULL),
    ('llm.reply', '{}', now(), NULL, now(), NULL),
    ('llm.reply', '{}', now(), now(), now(), now());
SELECT is(rt.outbox_backlog(), 2::bigint, 'pending jobs count, relayed or not; done, dead and discarded ones do not');
UPDATE rt.outbox SET done_at = now() WHERE kind = 'llm.reply' AND done_at IS NULL AND dead_at IS NULL;
SELECT is(rt.outbox_backlog(), 1::bigint, 'a job done leaves the backlog');

SELECT is(pg_temp.state_as('rt_edge', NULL, 'SELECT rt.outbox_backlog()'), '00000',
          'rt_edge calls it without an actor (a worker function)');
SELECT ok(pg_get_functiondef('rt.outbox_backlog()'::regprocedure) ~ 'rt\._require_worker\(',
          'it checks rt._require_worker, never rt.require_role');
SELECT ok(pg_get_functiondef('rt.outbox_backlog()'::regprocedure) !~ 'rt\.require_role\(',
          'it does not call rt.require_role itself');
SELECT is(pg_temp.state_as('rt_analyst', NULL, 'SELECT rt.outbox_backlog()'), '42501',
          'an analyst may not call it');
CREATE TEMP TABLE t99 AS SELECT (rt.create_admin('t99-viewer', 'viewer-password-99', 'viewer') ->> 'id')::bigint AS viewer;
GRANT SELECT ON t99 TO PUBLIC;
SELECT is(pg_temp.state_as('rt_edge', 'admin:' || (SELECT viewer FROM t99), 'SELECT rt.outbox_backlog()'), '00000',
          'rt_edge acting for a viewer may read it');
SELECT is(pg_temp.state_as('rt_edge', 'admin:999999999', 'SELECT rt.outbox_backlog()'), '42501',
          'rt_edge acting for an admin who does not exist may not');

SELECT * FROM finish();
ROLLBACK;
