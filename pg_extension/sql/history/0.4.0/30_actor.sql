-- roundtable 0.4.0, part 30: the edge's role is not an owner (issue 7).
--
-- Until 0.3.0 a call without rt.actor was the "DB door" with every power, whoever made it: the
-- edge's own login (rt_edge) could create an owner with rt.create_admin(..., 'owner'). Now:
--   * the DB door (no rt.actor = full rights, acting as db:<role>) is open only to superusers and
--     members of rt_admin, the DBA group of sql/roles.sql;
--   * any other caller, rt_edge included, must name the admin it acts for (rt.actor =
--     admin:<id>), whose role then decides, as before;
--   * the few functions the edge's workers call on nobody's behalf (ingest rejects, partitions,
--     the outbox relay, the LLM and Telegram workers, the event journal, start-up providers and
--     the bot identity) check rt._require_worker instead: rt_edge may call them without an actor.
-- "The caller" is the role in effect: SET ROLE counts (a DBA who SETs ROLE rt_edge has rt_edge's
-- rights), else the session user. Refusals are SQLSTATE 42501.

CREATE FUNCTION rt._caller_role() RETURNS name
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    -- inside SECURITY DEFINER functions current_user is the owner; the "role" setting and the
    -- session user still name who called
    SELECT CASE WHEN current_setting('role') <> 'none' THEN current_setting('role')::name
                ELSE session_user END
$$;
COMMENT ON FUNCTION rt._caller_role() IS 'internal: the role that called (SET ROLE in effect, else the session user), also inside SECURITY DEFINER functions';

CREATE FUNCTION rt._caller_is(grp text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$
    SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = rt._caller_role()), false)
        OR (pg_catalog.to_regrole(grp) IS NOT NULL
            AND pg_catalog.pg_has_role(rt._caller_role(), grp::regrole, 'MEMBER'))
$$;
COMMENT ON FUNCTION rt._caller_is(text) IS 'internal: the calling role is a superuser or a member of role grp (false when grp does not exist)';

-- rt.require_role gets the rule above (no actor: only superusers and rt_admin) in part 45, which
-- defines it once with the session epoch check as well.

CREATE FUNCTION rt._require_worker(min_role text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    IF nullif(current_setting('rt.actor', true), '') IS NOT NULL OR rt._caller_is('rt_admin') THEN
        RETURN rt.require_role(min_role);   -- an admin's call, or the DB door
    END IF;
    IF NOT rt._caller_is('rt_edge') THEN
        RAISE EXCEPTION 'rt.actor is required' USING ERRCODE = '42501',
            DETAIL = format('Role %s is neither the edge (rt_edge) nor a DBA (rt_admin).', rt._caller_role());
    END IF;
    RETURN 'db:' || session_user;
END
$$;
COMMENT ON FUNCTION rt._require_worker(text) IS 'internal: the check of the edge workers'' functions: rt_edge may call them without rt.actor; with an actor (or from the DB door) it is rt.require_role(min_role); anyone else 42501';

-- The worker functions keep their bodies (other 0.4.0 parts may have redefined them); only their
-- rt.require_role(<role>) becomes rt._require_worker(<role>). Each must hold that call exactly
-- once, or the install stops here rather than leave a worker the edge can no longer call.
DO $$
DECLARE
    w record;
    def text;
    old_call text;
    n int;
BEGIN
    FOR w IN SELECT * FROM (VALUES
        ('rt.reject_update(text,text)', 'admin'),
        ('rt.maintain_partitions(integer)', 'admin'),
        ('rt.ensure_default_providers(jsonb)', 'admin'),
        ('rt.outbox_claim(integer,integer)', 'admin'),
        ('rt.outbox_touch(bigint[])', 'admin'),
        ('rt.job_begin(bigint)', 'admin'),
        ('rt.compile_request(jsonb,text,jsonb,text)', 'viewer'), -- job_begin builds the model request with it
        ('rt.record_reply(bigint,jsonb)', 'admin'),
        ('rt.mark_sent(bigint,jsonb)', 'admin'),
        ('rt.job_failed(bigint,text,boolean)', 'admin'),
        ('rt.event_messages(jsonb)', 'viewer'),
        ('rt.events_after(bigint,integer,bigint,boolean)', 'viewer')) AS t(fn, min_role)
    LOOP
        IF to_regprocedure(w.fn) IS NULL THEN
            RAISE EXCEPTION '30_actor: worker function % does not exist', w.fn;
        END IF;
        def := pg_catalog.pg_get_functiondef(to_regprocedure(w.fn));
        old_call := format('rt.require_role(%L)', w.min_role);
        n := (length(def) - length(replace(def, old_call, ''))) / length(old_call);
        IF n <> 1 THEN
            RAISE EXCEPTION '30_actor: % calls % % times, expected once', w.fn, old_call, n;
        END IF;
        EXECUTE replace(def, old_call, format('rt._require_worker(%L)', w.min_role));
    END LOOP;
END
$$;

-- The bot's identity, stored by the Telegram poller (getMe) and, in the demo without a token,
-- at start-up. It used rt.update_setting, an admin's function, without an actor.
CREATE FUNCTION rt.set_bot_identity(bot_id bigint, username text, only_if_unset boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt._require_worker('admin');
    IF bot_id IS NULL OR bot_id <= 0 THEN
        RAISE EXCEPTION 'bot_id must be a positive integer' USING ERRCODE = '22023';
    END IF;
    IF username IS NULL OR username !~ '^[A-Za-z0-9_]{1,64}$' THEN
        RAISE EXCEPTION 'username must be 1 to 64 letters, digits or underscores' USING ERRCODE = '22023';
    END IF;
    IF only_if_unset AND rt.setting('bot.username') <> 'null'::jsonb THEN
        RETURN false;
    END IF;
    -- as rt.update_setting writes them (its triggers audit and announce the change)
    INSERT INTO rt.settings AS s (key, value, updated_at)
    VALUES ('bot.id', to_jsonb(bot_id), now()), ('bot.username', to_jsonb(username), now())
    ON CONFLICT ON CONSTRAINT settings_pkey DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
    WHERE s.value IS DISTINCT FROM excluded.value;
    RETURN true;
END
$$;
COMMENT ON FUNCTION rt.set_bot_identity(bigint, text, boolean) IS 'Edge worker: stores the bot''s Telegram identity (settings bot.id and bot.username, audited); with only_if_unset nothing changes when bot.username is already set. Returns whether it stored';

REVOKE EXECUTE ON FUNCTION rt._caller_role(), rt._caller_is(text), rt._require_worker(text),
    rt.set_bot_identity(bigint, text, boolean) FROM PUBLIC;
