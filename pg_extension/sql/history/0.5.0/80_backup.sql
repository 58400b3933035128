-- roundtable 0.5.0, part 80: rt.messages' partitions are data, not extension objects, so pg_dump
-- works and its dump restores without errors (docs/operations/backup.md).
--
-- Before 0.5.0 the partitions the install script made (messages_default and the months around
-- CREATE EXTENSION) were extension members registered with pg_extension_config_dump. pg_dump 15
-- (15.3 and later) then crashes with --schema=rt or -t on one of them: the extension is not
-- dumped, so its members are not dump targets and flagInhTables never looks up their parents,
-- but processExtensionTables still dumps the data of every configuration table of a selected
-- schema, and dumpTableData -> forcePartitionRootLoad reads tbinfo->parents[0] of a partition
-- whose parents array is NULL (SIGSEGV). The partitions rt.maintain_partitions made later were
-- never members; they were dumped as ordinary tables, and a restore then failed, because
-- attaching them to the member parent created their primary key and indexes from its
-- partitioned indexes before the dump's own ADD CONSTRAINT / CREATE INDEX of the same names.
--
-- From 0.5.0 on:
--   1. every partition of rt.messages is an ordinary table: not a member, not in extconfig;
--      pg_dump dumps it (CREATE TABLE, ATTACH PARTITION, COPY, indexes) like a user table;
--   2. rt.messages has no partitioned indexes: each partition carries its own primary key and
--      indexes (rt._index_message_partition), so ATTACH PARTITION at restore creates nothing
--      that the dump creates again. Uniqueness is unchanged: the key (id, created_at) holds the
--      partition key, so unique per partition is unique overall. A new index on the messages
--      goes into rt._index_message_partition and onto every existing partition, never onto
--      rt.messages itself (tests/pgtap/99_backup.sql fails otherwise);
--   3. CREATE EXTENSION during a restore (pg_restore, or any session with
--      session_replication_role = replica, as docs/operations/backup.md restores) drops the
--      empty partitions the script itself just made: the dump brings the partitions it had.

CREATE FUNCTION rt._index_message_partition(part regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = rt, pg_catalog
AS $$
DECLARE
    trgm name;
BEGIN
    SELECT n.nspname INTO trgm FROM pg_catalog.pg_opclass o
    JOIN pg_catalog.pg_namespace n ON n.oid = o.opcnamespace
    WHERE o.opcname = 'gin_trgm_ops' LIMIT 1;
    IF trgm IS NULL THEN
        RAISE EXCEPTION 'pg_trgm is not installed' USING ERRCODE = '42704';
    END IF;
    -- the order gives the names the partitioned indexes of 0.1.0 - 0.4.0 gave their partitions
    EXECUTE format('ALTER TABLE %s ADD PRIMARY KEY (id, created_at)', part);
    EXECUTE format('CREATE INDEX ON %s (chat_id, id DESC)', part);
    EXECUTE format('CREATE INDEX ON %s (user_id, id DESC)', part);
    EXECUTE format('CREATE INDEX ON %s (created_at)', part);
    EXECUTE format('CREATE INDEX ON %s USING gin (text %I.gin_trgm_ops)', part, trgm);
    EXECUTE format('CREATE INDEX ON %s (session_id, id) WHERE session_id IS NOT NULL', part);
    EXECUTE format('CREATE INDEX ON %s (chat_id, id) WHERE author_type = ''user''', part);
    EXECUTE format('CREATE INDEX ON %s (chat_id) WHERE moderation = ''flagged''', part);
END
$$;
COMMENT ON FUNCTION rt._index_message_partition(regclass) IS 'Primary key and indexes of one partition of rt.messages (the parent has none, so a pg_dump restores without duplicates): history by chat and by user, time range, trigram search, sessions, unread and flagged counts';

CREATE OR REPLACE FUNCTION rt.maintain_partitions(months_ahead int DEFAULT 3) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    month_start timestamptz := date_trunc('month', now());
    lo timestamptz;
    hi timestamptz;
    part text;
    created int := 0;
BEGIN
    PERFORM rt._require_worker('admin');
    IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 120 THEN
        RAISE EXCEPTION 'months_ahead must be between 0 and 120' USING ERRCODE = '22023';
    END IF;
    IF to_regclass('rt.messages_default') IS NULL THEN
        CREATE TABLE rt.messages_default (LIKE rt.messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
        PERFORM rt._index_message_partition('rt.messages_default');
        ALTER TABLE rt.messages ATTACH PARTITION rt.messages_default DEFAULT;
        COMMENT ON TABLE rt.messages_default IS 'messages outside every monthly partition; rt.maintain_partitions moves them out';
        created := created + 1;
    END IF;
    FOR i IN 0 .. months_ahead LOOP
        lo := month_start + make_interval(months => i);
        hi := lo + interval '1 month';
        part := 'messages_' || to_char(lo, 'YYYY_MM');
        CONTINUE WHEN to_regclass('rt.' || part) IS NOT NULL;
        -- rows that landed in the default partition move into the new one
        EXECUTE format('CREATE TABLE rt.%I (LIKE rt.messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
        EXECUTE format('WITH moved AS (DELETE FROM rt.messages_default WHERE created_at >= $1 AND created_at < $2 RETURNING *) '
                       'INSERT INTO rt.%I SELECT * FROM moved', part) USING lo, hi;
        PERFORM rt._index_message_partition(format('rt.%I', part)::regclass);
        EXECUTE format('ALTER TABLE rt.messages ATTACH PARTITION rt.%I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
        EXECUTE format('COMMENT ON TABLE rt.%I IS %L', part,
                       'messages created in ' || to_char(lo, 'YYYY-MM') || ' (UTC)');
        created := created + 1;
    END LOOP;
    RETURN created;
END
$$;
COMMENT ON FUNCTION rt.maintain_partitions(int) IS 'Creates the default partition of rt.messages if it is missing and monthly partitions from the current month to months_ahead ahead, each with its own indexes (rt._index_message_partition); returns how many it created';

DO $$
DECLARE
    ext oid := (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'roundtable');
    restoring boolean := current_setting('session_replication_role') = 'replica'
                         OR current_setting('application_name') = 'pg_restore';
    p record;
    parts text[] := '{}';
    bounds text[] := '{}';
    idx record;
    empty boolean;
BEGIN
    -- 1. the partitions leave the extension; ALTER EXTENSION DROP also takes them out of extconfig
    FOR p IN
        SELECT i.inhrelid::regclass AS rel FROM pg_catalog.pg_inherits i
        WHERE i.inhparent = 'rt.messages'::regclass
          AND EXISTS (SELECT FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = i.inhrelid
                        AND d.refobjid = ext AND d.deptype = 'e')
        ORDER BY i.inhrelid::regclass::text
    LOOP
        EXECUTE format('ALTER EXTENSION roundtable DROP TABLE %s', p.rel);
    END LOOP;

    -- 3. (first: nothing to convert then) a restore brings its own partitions; the ones this
    -- script made are empty and would collide with the dump's CREATE TABLE
    IF restoring THEN
        FOR p IN
            SELECT i.inhrelid::regclass AS rel FROM pg_catalog.pg_inherits i
            WHERE i.inhparent = 'rt.messages'::regclass ORDER BY i.inhrelid::regclass::text
        LOOP
            EXECUTE format('SELECT NOT EXISTS (SELECT FROM %s)', p.rel) INTO STRICT empty;
            restoring := restoring AND empty;
        END LOOP;
        IF restoring THEN
            FOR p IN
                SELECT i.inhrelid::regclass AS rel FROM pg_catalog.pg_inherits i
                WHERE i.inhparent = 'rt.messages'::regclass ORDER BY i.inhrelid::regclass::text
            LOOP
                EXECUTE format('DROP TABLE %s', p.rel);
            END LOOP;
        END IF;
    END IF;

    -- 2. partitioned indexes become indexes of each partition: a detached partition keeps the
    -- indexes and the primary key it had as its own, the parent's are dropped, and the
    -- partitions are attached again (which now creates nothing)
    IF EXISTS (SELECT FROM pg_catalog.pg_index WHERE indrelid = 'rt.messages'::regclass) THEN
        FOR p IN
            SELECT i.inhrelid::regclass AS rel, pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
            FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'rt.messages'::regclass ORDER BY i.inhrelid::regclass::text
        LOOP
            parts := parts || p.rel::text;
            bounds := bounds || p.bound;
            EXECUTE format('ALTER TABLE rt.messages DETACH PARTITION %s', p.rel);
        END LOOP;
        FOR idx IN
            SELECT x.indexrelid::regclass AS rel, c.conname
            FROM pg_catalog.pg_index x
            LEFT JOIN pg_catalog.pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
            WHERE x.indrelid = 'rt.messages'::regclass ORDER BY x.indexrelid
        LOOP
            IF idx.conname IS NOT NULL THEN
                EXECUTE format('ALTER TABLE rt.messages DROP CONSTRAINT %I', idx.conname);
            ELSE
                EXECUTE format('DROP INDEX %s', idx.rel);
            END IF;
        END LOOP;
        FOR i IN 1 .. coalesce(array_length(parts, 1), 0) LOOP
            EXECUTE format('ALTER TABLE rt.messages ATTACH PARTITION %s %s', parts[i], bounds[i]);
        END LOOP;
    END IF;
END
$$;
