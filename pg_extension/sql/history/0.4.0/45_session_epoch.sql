-- roundtable 0.4.0, part 45: a session made before its admin's credentials changed is refused,
-- even when no edge read the admin.changed journal row (issue 7).
--
-- Part 40 ends an admin's sessions through the journal, but an edge reads only journal rows
-- after the position it started at: a new password, role or disabled_at set while every edge was
-- down was never acted on, and the old cookie went on working. So each admin row carries a
-- session epoch, raised by one whenever role, disabled_at or password_hash changes. rt.admin_login
-- returns it and the edge keeps it in the session; with every call it makes for a session the
-- edge sets rt.actor_epoch next to rt.actor (edge_pg.c, same statement, no extra round trip), and
-- rt.require_role and rt.admin_get refuse an actor whose epoch is older than the admin's with
-- SQLSTATE 28000, which the edge answers 401 and ends that session. Calls without rt.actor_epoch
-- (DBAs, workers, the 0.3.0 edge) are not affected. A DBA can end every session of an admin with
-- UPDATE rt.admins SET session_epoch = session_epoch + 1 WHERE ... (which also writes the
-- admin.changed journal row below).

ALTER TABLE rt.admins ADD COLUMN session_epoch bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN rt.admins.session_epoch IS 'raised by one at each change of role, disabled_at or password_hash; sessions made at an older epoch are refused (rt.actor_epoch)';

CREATE FUNCTION rt._admin_session_epoch() RETURNS trigger
LANGUAGE plpgsql
SET search_path = rt, pg_catalog
AS $$
BEGIN
    NEW.session_epoch := greatest(OLD.session_epoch + 1, NEW.session_epoch);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION rt._admin_session_epoch() IS 'internal: BEFORE UPDATE trigger of rt.admins: a new role, disabled_at or password_hash raises session_epoch, so every older session is refused';
REVOKE EXECUTE ON FUNCTION rt._admin_session_epoch() FROM PUBLIC;

CREATE TRIGGER admins_session_epoch BEFORE UPDATE OF role, disabled_at, password_hash ON rt.admins
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.disabled_at IS DISTINCT FROM NEW.disabled_at
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION rt._admin_session_epoch();

-- a raised epoch alone (a DBA ending an admin's sessions) is announced to the edges too
DROP TRIGGER admins_sessions_end ON rt.admins;
CREATE TRIGGER admins_sessions_end AFTER UPDATE OF role, disabled_at, password_hash, session_epoch ON rt.admins
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.disabled_at IS DISTINCT FROM NEW.disabled_at
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash
          OR OLD.session_epoch IS DISTINCT FROM NEW.session_epoch)
    EXECUTE FUNCTION rt._admin_changed();

-- Raises 28000 when rt.actor_epoch is set and older than the acting admin's session_epoch.
-- cur is the admin's epoch (NULL: no such admin, left to the caller's own check).
CREATE FUNCTION rt._check_actor_epoch(cur bigint) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    epoch text := nullif(current_setting('rt.actor_epoch', true), '');
BEGIN
    IF epoch IS NULL THEN
        RETURN;
    END IF;
    IF epoch !~ '^[0-9]{1,18}$' THEN
        RAISE EXCEPTION 'invalid actor epoch' USING ERRCODE = '42501',
            DETAIL = 'Setting rt.actor_epoch must be a non-negative integer.';
    END IF;
    IF cur IS NOT NULL AND cur > epoch::bigint THEN
        RAISE EXCEPTION 'session ended: the admin''s password, role or access changed since it began; log in again'
            USING ERRCODE = '28000',
            DETAIL = format('Session epoch %s, the admin''s is %s.', epoch, cur);
    END IF;
END
$$;
COMMENT ON FUNCTION rt._check_actor_epoch(bigint) IS 'internal: 28000 when setting rt.actor_epoch is older than the acting admin''s session_epoch (cur); 42501 when it is not a number; nothing when unset';
REVOKE EXECUTE ON FUNCTION rt._check_actor_epoch(bigint) FROM PUBLIC;

-- The rule of part 30 (without rt.actor only superusers and rt_admin members pass: the DB door),
-- plus the epoch check before the enabled and role checks (a session from before a disable or
-- demotion is over: 401, not 403)
CREATE OR REPLACE FUNCTION rt.require_role(min_role text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    roles constant text[] := ARRAY['viewer', 'moderator', 'admin', 'owner'];
    need int := array_position(roles, min_role);
    actor text := nullif(current_setting('rt.actor', true), '');
    a rt.admins;
BEGIN
    IF need IS NULL THEN
        RAISE EXCEPTION 'min_role must be one of viewer, moderator, admin, owner' USING ERRCODE = '22023';
    END IF;
    IF actor IS NULL THEN
        IF NOT rt._caller_is('rt_admin') THEN
            RAISE EXCEPTION 'rt.actor is required' USING ERRCODE = '42501',
                DETAIL = format('Role %s may call this function only on behalf of an admin (set rt.actor = admin:<id>); the DB door without an actor is for superusers and rt_admin.', rt._caller_role());
        END IF;
        RETURN 'db:' || session_user;
    END IF;
    IF actor !~ '^admin:[0-9]{1,18}$' THEN
        RAISE EXCEPTION 'invalid actor' USING ERRCODE = '42501',
            DETAIL = 'Setting rt.actor must look like admin:<id>.';
    END IF;
    SELECT * INTO a FROM rt.admins WHERE id = substr(actor, 7)::bigint;
    PERFORM rt._check_actor_epoch(a.session_epoch);   -- NULL when missing: refused just below
    IF a.id IS NULL OR a.disabled_at IS NOT NULL THEN
        RAISE EXCEPTION 'actor is not an enabled admin' USING ERRCODE = '42501',
            DETAIL = format('No enabled admin has id %s.', substr(actor, 7));
    END IF;
    IF array_position(roles, a.role) < need THEN
        RAISE EXCEPTION 'role % required', min_role USING ERRCODE = '42501',
            DETAIL = format('Admin %s has role %s.', a.login, a.role);
    END IF;
    RETURN actor;
END
$$;
COMMENT ON FUNCTION rt.require_role(text) IS 'Checks the acting admin (setting rt.actor = admin:<id>) has at least min_role; without rt.actor only superusers and rt_admin members pass (the DB door, actor db:<session user>), anyone else gets 42501. With setting rt.actor_epoch older than the admin''s session_epoch: 28000 (the session ended). Returns the actor';

CREATE OR REPLACE FUNCTION rt.admin_login(login text, password text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    a rt.admins;
BEGIN
    SELECT * INTO a FROM rt.admins WHERE admins.login = admin_login.login;
    IF NOT FOUND THEN
        -- same bcrypt work as a real check, so timing does not reveal unknown logins
        PERFORM rt._crypt(coalesce(password, ''), '$2a$10$.L1Zd.t5T1KfB5Pfw3OYxe0oo5IqwmrKbWxp04PDBXMfV64RzdGgK');
        RAISE EXCEPTION 'invalid login or password' USING ERRCODE = '28P01';
    END IF;
    IF password IS NULL OR rt._crypt(password, a.password_hash) IS DISTINCT FROM a.password_hash
       OR a.disabled_at IS NOT NULL THEN
        RAISE EXCEPTION 'invalid login or password' USING ERRCODE = '28P01';
    END IF;
    INSERT INTO rt.audit_log (actor, action, target) VALUES ('admin:' || a.id, 'admin.login', 'admin:' || a.id);
    RETURN jsonb_build_object('id', a.id, 'login', a.login, 'role', a.role, 'session_epoch', a.session_epoch);
END
$$;
COMMENT ON FUNCTION rt.admin_login(text, text) IS 'Checks a console login; returns {"id","login","role","session_epoch"} (the edge keeps the epoch in the session) or raises 28P01 invalid login or password';

CREATE OR REPLACE FUNCTION rt.admin_get(id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    a rt.admins;
    actor text := nullif(current_setting('rt.actor', true), '');
BEGIN
    -- a session's own "me" (GET /api/auth/me) is refused like any other call once it is stale
    IF actor ~ '^admin:[0-9]{1,18}$' THEN
        PERFORM rt._check_actor_epoch((SELECT x.session_epoch FROM rt.admins x WHERE x.id = substr(actor, 7)::bigint));
    END IF;
    SELECT * INTO a FROM rt.admins WHERE admins.id = admin_get.id AND disabled_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'admin % not found', id USING ERRCODE = 'P0002';
    END IF;
    RETURN jsonb_build_object('id', a.id, 'login', a.login, 'role', a.role);
END
$$;
COMMENT ON FUNCTION rt.admin_get(bigint) IS 'An enabled admin as {"id","login","role"}; P0002 when missing or disabled; 28000 when rt.actor_epoch is older than the acting admin''s session_epoch. Needs no role: the edge uses it to validate sessions';

-- Every admin's epoch, for the edge's WebSocket upgrade: it cannot ask the database while it
-- upgrades, so it keeps these (loaded at start, after each admin.changed and every 16 s) and
-- refuses a session older than its admin's (a disabled admin's sessions: all).
CREATE FUNCTION rt.admin_session_epochs() RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt._require_worker('viewer');
    RETURN coalesce((SELECT jsonb_object_agg(a.id::text,
                                             CASE WHEN a.disabled_at IS NULL THEN to_jsonb(a.session_epoch) ELSE 'null'::jsonb END)
                     FROM rt.admins a), '{}'::jsonb);
END
$$;
COMMENT ON FUNCTION rt.admin_session_epochs() IS 'Edge worker: {"<admin id>": session_epoch, or null when disabled} for every admin; the edge refuses a WebSocket upgrade whose session is older';
REVOKE EXECUTE ON FUNCTION rt.admin_session_epochs() FROM PUBLIC;

-- The epoch follows a change of role, disabled_at or password_hash; the audit log records that
-- change, not the epoch it raised. An admin row's audit keeps to the columns an admin would call
-- a change (a DBA who raises session_epoch alone is announced to the edges, not audited).
DROP TRIGGER admins_audit ON rt.admins;
CREATE TRIGGER admins_audit AFTER INSERT OR UPDATE OR DELETE ON rt.admins
    FOR EACH ROW EXECUTE FUNCTION rt.audit_row('admin', 'login,password_hash,role,disabled_at');
