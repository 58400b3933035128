-- roundtable base, finish: Privileges, pg_dump registration, the first partitions, the COMMENT check

-- The first partitions of rt.messages: the default one, this month and three ahead
-- (rt.maintain_partitions keeps them coming). Partitions are data, not extension objects, so
-- pg_dump dumps them like user tables (docs/operations/backup.md). A restore (pg_restore, or a
-- session with session_replication_role = replica) brings its own.
DO $$
DECLARE
    p regclass;
BEGIN
    IF current_setting('session_replication_role') = 'replica' OR current_setting('application_name') = 'pg_restore' THEN
        RAISE NOTICE 'roundtable: restore: the partitions of rt.messages come from the dump';
        RETURN;
    END IF;
    PERFORM rt.maintain_partitions(3);
    FOR p IN
        SELECT i.inhrelid::regclass FROM pg_catalog.pg_inherits i
        WHERE i.inhparent = 'rt.messages'::regclass ORDER BY i.inhrelid::regclass::text
    LOOP
        EXECUTE format('ALTER EXTENSION roundtable DROP TABLE %s', p);
    END LOOP;
END
$$;

-- Nothing for PUBLIC: sql/roles.sql grants to rt_edge, rt_admin and rt_analyst after the
-- extension is installed; internal _functions are granted to nobody.
REVOKE ALL ON ALL TABLES IN SCHEMA rt FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA rt FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA rt FROM PUBLIC;

DO $$
BEGIN
    IF pg_catalog.to_regrole('rt_edge') IS NOT NULL THEN
        GRANT EXECUTE ON FUNCTION rt.outbox_backlog() TO rt_edge;
    END IF;
END
$$;

-- sql/roles.sql grants the API to rt_edge; when that role exists already (an upgrade of a running
-- stack), the functions 0.5.0 added are granted to it here, so the edge works before roles.sql runs
DO $$
DECLARE
    f regprocedure;
BEGIN
    IF pg_catalog.to_regrole('rt_edge') IS NULL THEN
        RETURN;
    END IF;
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
        WHERE p.pronamespace = 'rt'::regnamespace
          AND p.proname IN ('list_personalities', 'get_personality', 'create_personality', 'update_personality',
                            'delete_personality', 'ensure_roundtable_settings', 'list_providers',
                            'create_provider', 'update_provider', 'ensure_default_providers',
                            'session_next_turn', 'session_record_turn', 'session_reap', 'create_session',
                            'start_session', 'stop_session', 'get_session', 'list_sessions',
                            'list_chats', 'mark_chat_read', 'list_users', 'sim_next_id',
                            'usage_report', 'reorder_providers', 'provider_test_target')
        ORDER BY 1
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO rt_edge', f);
    END LOOP;
END
$$;

-- pg_dump keeps the data of every table and sequence of the extension (they hold user data)
DO $$
DECLARE
    rel regclass;
BEGIN
    FOR rel IN
        SELECT c.oid::regclass FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
             AND d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'roundtable')
        WHERE n.nspname = 'rt' AND c.relkind IN ('r', 'p', 'S')
          AND NOT c.oid = ANY (coalesce((SELECT extconfig FROM pg_catalog.pg_extension WHERE extname = 'roundtable'), '{}'))
        ORDER BY c.relname
    LOOP
        PERFORM pg_catalog.pg_extension_config_dump(rel, '');
    END LOOP;
END
$$;

-- a missing COMMENT is a warning at install time and a failure in tests/pgtap/90_grants.sql
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(o, ', ' ORDER BY o) INTO missing FROM (
        SELECT 'function ' || p.oid::regprocedure AS o FROM pg_catalog.pg_proc p
        WHERE p.pronamespace = 'rt'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL
        UNION ALL
        SELECT 'table ' || c.oid::regclass FROM pg_catalog.pg_class c
        WHERE c.relnamespace = 'rt'::regnamespace AND c.relkind IN ('r', 'p', 'v')
          AND obj_description(c.oid, 'pg_class') IS NULL) x;
    IF missing IS NOT NULL THEN
        RAISE WARNING 'roundtable objects without a COMMENT: %', missing;
    END IF;
END
$$;
