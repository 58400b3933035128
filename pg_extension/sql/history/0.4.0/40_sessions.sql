-- roundtable 0.4.0, part 40: an admin who loses access loses it everywhere at once (issue 7).
--
-- Disabling an admin, changing their role or their password, or deleting them, through the API
-- (rt.update_admin) or by a DBA's plain UPDATE, appends an 'admin.changed' row {"id"} to the event
-- journal (part 10) in the same transaction. Every edge reads it and ends all of that admin's
-- sessions (the Redis index rt:admin_sessions:<id>) and closes their WebSockets
-- (edge_auth_admin_changed in edge/src/edge_auth.c). The admin logs in again with what they now
-- have. An UPDATE that leaves all three columns as they were appends nothing.

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
REVOKE EXECUTE ON FUNCTION rt._admin_changed() FROM PUBLIC;

CREATE TRIGGER admins_sessions_end AFTER UPDATE OF role, disabled_at, password_hash ON rt.admins
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.disabled_at IS DISTINCT FROM NEW.disabled_at
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION rt._admin_changed();
CREATE TRIGGER admins_sessions_end_delete AFTER DELETE ON rt.admins
    FOR EACH ROW EXECUTE FUNCTION rt._admin_changed();
