-- roundtable 0.2.0, part 90 (always last): privileges of everything the earlier parts created,
-- pg_dump registration of new tables, and a check that every object carries a COMMENT.
-- sql/roles.sql grants to rt_edge, rt_admin and rt_analyst after the extension is installed.

REVOKE ALL ON ALL TABLES IN SCHEMA rt FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA rt FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA rt FROM PUBLIC;

-- tables and sequences a part forgot to register keep their data in pg_dump all the same
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
