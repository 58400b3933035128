-- issue 7: the edge's database role is not an owner. Without rt.actor only superusers and
-- rt_admin (the DB door) have full rights; rt_edge must act for an admin, except in the worker
-- functions it calls on nobody's behalf. Each call runs as a role (SET ROLE) and is rolled back.
BEGIN;
SELECT plan(38);

-- runs sql as role r with rt.actor = actor (NULL: unset); returns '00000' or the SQLSTATE it
-- failed with. Always rolls the call back.
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

CREATE TEMP TABLE ids AS
SELECT (rt.create_admin('t85-owner', 'owner-password-85', 'owner') ->> 'id')::bigint AS owner,
       (rt.create_admin('t85-viewer', 'viewer-password-85', 'viewer') ->> 'id')::bigint AS viewer;
GRANT SELECT ON ids TO PUBLIC;
CREATE FUNCTION pg_temp.actor(which text) RETURNS text LANGUAGE sql AS $$
    SELECT 'admin:' || CASE which WHEN 'owner' THEN owner ELSE viewer END FROM ids
$$;

-- the attack: rt_edge without an actor had every power
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.create_admin('t85-evil', 'evil-password', 'owner')$$),
          '42501', 'rt_edge without an actor cannot create an owner');
SELECT is(pg_temp.state_as('rt_edge', NULL, format($$SELECT rt.update_admin(%s, '{"role":"owner"}')$$, (SELECT viewer FROM ids))),
          '42501', 'rt_edge without an actor cannot promote an admin');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.list_admins()$$),
          '42501', 'rt_edge without an actor cannot list admins');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.update_setting('takeover.minutes', '{"value": 5}')$$),
          '42501', 'rt_edge without an actor cannot change settings');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.list_messages('{"limit": 1}')$$),
          '42501', 'rt_edge without an actor cannot read messages through the API');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.retry_job(1)$$),
          '42501', 'rt_edge without an actor cannot retry a job (an admin''s route)');
SELECT is(pg_temp.state_as('rt_edge', '', $$SELECT rt.create_admin('t85-evil', 'evil-password', 'owner')$$),
          '42501', 'an empty rt.actor is no actor');
SELECT is(pg_temp.state_as('rt_edge', 'db:postgres', $$SELECT rt.create_admin('t85-evil', 'evil-password', 'owner')$$),
          '42501', 'rt_edge cannot claim the DB door through rt.actor');
SELECT is(pg_temp.state_as('rt_edge', 'admin:999999999', $$SELECT rt.create_admin('t85-evil', 'evil-password', 'owner')$$),
          '42501', 'rt_edge acting for an unknown admin is refused');

-- rt_edge acting for an admin: that admin's role decides
SELECT is(pg_temp.state_as('rt_edge', pg_temp.actor('owner'), $$SELECT rt.create_admin('t85-new', 'new-password-85', 'viewer')$$),
          '00000', 'rt_edge acting for an owner creates an admin');
SELECT is(pg_temp.state_as('rt_edge', pg_temp.actor('viewer'), $$SELECT rt.create_admin('t85-new', 'new-password-85', 'owner')$$),
          '42501', 'rt_edge acting for a viewer cannot create an admin');
SELECT is(pg_temp.state_as('rt_edge', pg_temp.actor('viewer'), $$SELECT rt.list_messages('{"limit": 1}')$$),
          '00000', 'rt_edge acting for a viewer reads messages');

-- a login that is a member of rt_edge is rt_edge
CREATE ROLE t85_edge2 LOGIN IN ROLE rt_edge;
SELECT is(pg_temp.state_as('t85_edge2', NULL, $$SELECT rt.create_admin('t85-evil', 'evil-password', 'owner')$$),
          '42501', 'a member of rt_edge without an actor cannot create an owner');

-- the worker functions the edge calls on nobody's behalf still work without an actor
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.ingest('[]')$$), '00000', 'rt_edge: rt.ingest');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.reject_update('x', 'bad')$$), '00000', 'rt_edge: rt.reject_update');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.maintain_partitions(1)$$), '00000', 'rt_edge: rt.maintain_partitions');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.ensure_default_providers('{}')$$), '00000', 'rt_edge: rt.ensure_default_providers');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.outbox_claim(1, 60)$$), '00000', 'rt_edge: rt.outbox_claim');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.outbox_touch('{}')$$), '00000', 'rt_edge: rt.outbox_touch');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.job_begin(-1)$$), 'P0002', 'rt_edge: rt.job_begin (past the role check: unknown job)');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.job_failed(-1, 'x', false)$$), 'P0002', 'rt_edge: rt.job_failed (past the role check)');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.record_reply(-1, '{}')$$), 'P0002', 'rt_edge: rt.record_reply (past the role check)');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.mark_sent(-1, '{}')$$), 'P0002', 'rt_edge: rt.mark_sent (past the role check)');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT * FROM rt.events_after(0)$$), '00000', 'rt_edge: rt.events_after');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.set_bot_identity(42, 't85_bot', true)$$), '00000', 'rt_edge: rt.set_bot_identity');
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.set_bot_identity(42, '@bad name')$$), '22023', 'rt.set_bot_identity validates the username');
SELECT is((SELECT count(*)::int FROM pg_proc p WHERE p.pronamespace = 'rt'::regnamespace
           AND p.proname IN ('reject_update', 'maintain_partitions', 'ensure_default_providers', 'outbox_claim',
                             'outbox_touch', 'job_begin', 'record_reply', 'mark_sent', 'job_failed',
                             'event_messages', 'events_after', 'set_bot_identity')
           AND p.prosrc ~ 'rt\.require_role\('), 0,
          'no worker function checks rt.require_role directly (a later redefinition would lock the edge out)');

-- a worker reaches other rt functions: none of them may check rt.require_role, or the edge
-- without an actor is refused half-way (0.4.0 first shipped with job_begin -> compile_request so)
SELECT is(pg_temp.state_as('rt_edge', NULL, $$SELECT rt.compile_request('{}', 'openai', '[]', 'gpt-4o-mini')$$),
          '00000', 'rt_edge: rt.compile_request (job_begin builds every model request with it)');
SELECT is((SELECT string_agg(DISTINCT w.oid::regprocedure || ' -> ' || c.oid::regprocedure, ', ')
           FROM pg_proc w JOIN pg_proc c ON c.pronamespace = w.pronamespace AND c.oid <> w.oid
           WHERE w.pronamespace = 'rt'::regnamespace AND w.prosrc ~ 'rt\._require_worker\('
             AND c.prosrc ~ 'rt\.require_role\(' AND c.proname NOT IN ('require_role', '_require_worker')
             AND w.prosrc ~ ('rt\.' || c.proname || '\(')), NULL,
          'no worker function calls an rt function that checks rt.require_role');

-- rt_analyst executes nothing
SELECT is(pg_temp.state_as('rt_analyst', NULL, $$SELECT rt.create_admin('t85-evil', 'evil-password', 'owner')$$),
          '42501', 'rt_analyst cannot create an admin');
SELECT is(pg_temp.state_as('rt_analyst', pg_temp.actor('owner'), $$SELECT rt.create_admin('t85-evil', 'evil-password', 'owner')$$),
          '42501', 'rt_analyst cannot create an admin even naming an owner');
SELECT is(pg_temp.state_as('rt_analyst', NULL, $$SELECT rt.outbox_claim(1, 60)$$),
          '42501', 'rt_analyst cannot call worker functions');
SELECT is(pg_temp.state_as('rt_analyst', NULL, $$SELECT count(*) FROM rt.v_messages$$),
          '00000', 'rt_analyst still reads its views');

-- the DB door: rt_admin members and superusers, without an actor
SELECT is(pg_temp.state_as('rt_admin', NULL, $$SELECT rt.create_admin('t85-dba', 'dba-password-85', 'owner')$$),
          '00000', 'rt_admin (the DB door) creates an owner without an actor');
SELECT is(pg_temp.state_as('rt_admin', NULL, $$SELECT rt.outbox_claim(1, 60)$$),
          '00000', 'rt_admin calls worker functions');
SELECT is(pg_temp.state_as('rt_admin', pg_temp.actor('viewer'), $$SELECT rt.create_admin('t85-dba', 'dba-password-85', 'owner')$$),
          '42501', 'a DBA naming a viewer as actor has the viewer''s rights');
SELECT is(pg_temp.state_as('postgres', NULL, $$SELECT rt.create_admin('t85-su', 'su-password-85', 'owner')$$),
          '00000', 'a superuser creates an owner without an actor');
SELECT is(rt.current_actor(), 'db:' || session_user, 'the door''s actor is db:<session user>');

SELECT * FROM finish();
ROLLBACK;
