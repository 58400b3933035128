-- roundtable base, admins: Admins, roles, the acting admin (rt.actor), workers and console sessions

DO $$
DECLARE
    s name := (SELECT n.nspname FROM pg_catalog.pg_extension e
               JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
               WHERE e.extname = 'pgcrypto');
BEGIN
    EXECUTE format($f$CREATE FUNCTION rt._crypt(password text, salt text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS 'SELECT %I.crypt(password, salt)'$f$, s);
    EXECUTE format($f$CREATE FUNCTION rt._bcrypt_salt() RETURNS text
        LANGUAGE sql VOLATILE PARALLEL SAFE
        AS 'SELECT %I.gen_salt(''bf'', 10)'$f$, s);
END
$$;
COMMENT ON FUNCTION rt._crypt(text, text) IS 'internal: pgcrypto crypt() in the schema pgcrypto was installed in';
COMMENT ON FUNCTION rt._bcrypt_salt() IS 'internal: pgcrypto gen_salt(''bf'', 10)';

-- The role check of the admin functions. Without rt.actor only superusers and rt_admin members
-- pass (the DB door); an actor's session epoch is checked before the enabled and role checks (a
-- session from before a disable or demotion is over: 401, not 403)
CREATE FUNCTION rt.require_role(min_role text) RETURNS text
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

CREATE FUNCTION rt.admin_login(login text, password text) RETURNS jsonb
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

CREATE FUNCTION rt.admin_get(id bigint) RETURNS jsonb
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

-- no audit entry of its own: the admins trigger audits the insert (admin.insert)
CREATE FUNCTION rt.create_admin(login text, password text, role text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    a rt.admins;
BEGIN
    PERFORM rt.require_role('owner');
    IF login IS NULL OR length(login) NOT BETWEEN 1 AND 100 OR login ~ '[[:space:][:cntrl:]]' THEN
        RAISE EXCEPTION 'field "login" must be 1 to 100 characters without spaces' USING ERRCODE = '22023', COLUMN = 'login';
    END IF;
    IF password IS NULL OR length(password) < 8 OR octet_length(password) > 72 THEN
        RAISE EXCEPTION 'field "password" must be 8 to 72 bytes long' USING ERRCODE = '22023', COLUMN = 'password';
    END IF;
    IF role IS NULL OR role NOT IN ('owner', 'admin', 'moderator', 'viewer') THEN
        RAISE EXCEPTION 'field "role" must be one of owner, admin, moderator, viewer' USING ERRCODE = '22023', COLUMN = 'role';
    END IF;
    BEGIN
        INSERT INTO rt.admins (login, password_hash, role)
        VALUES (login, rt._crypt(password, rt._bcrypt_salt()), role)
        RETURNING * INTO a;
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'admin login "%" already exists', login USING ERRCODE = '23505';
    END;
    RETURN jsonb_build_object('id', a.id, 'login', a.login, 'role', a.role);
END
$$;
COMMENT ON FUNCTION rt.create_admin(text, text, text) IS 'Creates a console admin (bcrypt password, 8..72 bytes); needs role owner when rt.actor is set; 23505 on a duplicate login';

CREATE FUNCTION rt._admin_json(a rt.admins) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object('id', a.id, 'login', a.login, 'role', a.role, 'created_at', a.created_at,
                              'disabled', a.disabled_at IS NOT NULL, 'disabled_at', a.disabled_at)
$$;
COMMENT ON FUNCTION rt._admin_json(rt.admins) IS 'internal: an admin for the console (never the password hash)';

CREATE FUNCTION rt.list_admins() RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
BEGIN
    PERFORM rt.require_role('owner');
    RETURN jsonb_build_object('items',
        (SELECT coalesce(jsonb_agg(rt._admin_json(a) ORDER BY a.id), '[]') FROM rt.admins a),
        'next_cursor', NULL);
END
$$;
COMMENT ON FUNCTION rt.list_admins() IS 'GET /api/admins: all console admins {"items":[{id,login,role,created_at,disabled,disabled_at}],"next_cursor":null} (owner, like every admins route; never password hashes)';

CREATE FUNCTION rt.create_admin_api(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    k text;
    created jsonb;
BEGIN
    PERFORM rt.require_role('owner');
    body := rt._known_keys(body, ARRAY['login', 'password', 'role']);
    FOREACH k IN ARRAY ARRAY['login', 'password', 'role'] LOOP
        IF jsonb_typeof(body -> k) IS DISTINCT FROM 'string' THEN
            RAISE EXCEPTION 'field "%" must be a string', k USING ERRCODE = '22023', COLUMN = k;
        END IF;
    END LOOP;
    created := rt.create_admin(body ->> 'login', body ->> 'password', body ->> 'role');
    RETURN (SELECT rt._admin_json(a) FROM rt.admins a WHERE a.id = (created ->> 'id')::bigint);
END
$$;
COMMENT ON FUNCTION rt.create_admin_api(jsonb) IS 'POST /api/admins: {login, password, role} -> Admin (owner; 23505 on a duplicate login)';

CREATE FUNCTION rt.update_admin(id bigint, body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    a rt.admins;
    new_role text;
    new_disabled boolean;
    pw text;
    other_owners int;
BEGIN
    PERFORM rt.require_role('owner');
    body := rt._known_keys(body, ARRAY['role', 'disabled', 'password']);
    IF body ? 'role' AND (jsonb_typeof(body -> 'role') IS DISTINCT FROM 'string'
                          OR body ->> 'role' NOT IN ('owner', 'admin', 'moderator', 'viewer')) THEN
        RAISE EXCEPTION 'field "role" must be one of owner, admin, moderator, viewer' USING ERRCODE = '22023', COLUMN = 'role';
    END IF;
    IF body ? 'disabled' AND jsonb_typeof(body -> 'disabled') IS DISTINCT FROM 'boolean' THEN
        RAISE EXCEPTION 'field "disabled" must be a boolean' USING ERRCODE = '22023', COLUMN = 'disabled';
    END IF;
    IF body ? 'password' THEN
        pw := CASE WHEN jsonb_typeof(body -> 'password') = 'string' THEN body ->> 'password' END;
        IF pw IS NULL OR length(pw) < 8 OR octet_length(pw) > 72 THEN
            RAISE EXCEPTION 'field "password" must be 8 to 72 bytes long' USING ERRCODE = '22023', COLUMN = 'password';
        END IF;
    END IF;

    -- lock every enabled owner first, so two owners demoting each other at once cannot both win
    PERFORM 1 FROM rt.admins o WHERE o.role = 'owner' AND o.disabled_at IS NULL ORDER BY o.id FOR UPDATE;
    SELECT * INTO a FROM rt.admins WHERE admins.id = update_admin.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'admin % not found', id USING ERRCODE = 'P0002';
    END IF;
    new_role := coalesce(body ->> 'role', a.role);
    new_disabled := coalesce((body -> 'disabled')::text::boolean, a.disabled_at IS NOT NULL);
    IF a.role = 'owner' AND a.disabled_at IS NULL AND (new_role <> 'owner' OR new_disabled) THEN
        SELECT count(*) INTO other_owners FROM rt.admins o
        WHERE o.role = 'owner' AND o.disabled_at IS NULL AND o.id <> a.id;
        IF other_owners = 0 THEN
            RAISE EXCEPTION 'cannot demote or disable the last enabled owner' USING ERRCODE = '22023',
                COLUMN = CASE WHEN new_role <> 'owner' THEN 'role' ELSE 'disabled' END,
                DETAIL = format('Admin %s is the only enabled owner; make another admin owner first.', a.login);
        END IF;
    END IF;

    UPDATE rt.admins SET
        role = new_role,
        disabled_at = CASE WHEN NOT new_disabled THEN NULL ELSE coalesce(admins.disabled_at, now()) END,
        password_hash = CASE WHEN pw IS NOT NULL THEN rt._crypt(pw, rt._bcrypt_salt()) ELSE admins.password_hash END
    WHERE admins.id = a.id
    RETURNING * INTO a;
    RETURN rt._admin_json(a);
END
$$;
COMMENT ON FUNCTION rt.update_admin(bigint, jsonb) IS 'PATCH /api/admins/{id}: {role, disabled, password} (owner); the last enabled owner cannot be demoted or disabled (22023)';

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

CREATE FUNCTION rt._admin_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt._journal_append('admin.changed', jsonb_build_object('id', OLD.id));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rt._admin_changed() IS 'internal: row trigger of rt.admins: journal row admin.changed {"id"} when role, disabled_at or password_hash changed or the admin was deleted (the edge then ends their sessions)';

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

-- The admin id of the acting admin, null from the DB door
CREATE FUNCTION rt._actor_admin_id(actor text) RETURNS bigint
LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN actor ~ '^admin:[0-9]{1,18}$' THEN substr(actor, 7)::bigint END $$;
COMMENT ON FUNCTION rt._actor_admin_id(text) IS 'internal: <id> of an actor admin:<id>; null for any other actor (the DB door)';

CREATE TRIGGER admins_sessions_end_delete AFTER DELETE ON rt.admins
    FOR EACH ROW EXECUTE FUNCTION rt._admin_changed();

CREATE TRIGGER admins_session_epoch BEFORE UPDATE OF role, disabled_at, password_hash ON rt.admins
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.disabled_at IS DISTINCT FROM NEW.disabled_at
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION rt._admin_session_epoch();

CREATE TRIGGER admins_sessions_end AFTER UPDATE OF role, disabled_at, password_hash, session_epoch ON rt.admins
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.disabled_at IS DISTINCT FROM NEW.disabled_at
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash
          OR OLD.session_epoch IS DISTINCT FROM NEW.session_epoch)
    EXECUTE FUNCTION rt._admin_changed();
