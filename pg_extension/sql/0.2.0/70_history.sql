-- roundtable 0.2.0, part 70: history at scale. A pg_trgm GIN index serves rt.list_messages'
-- keyword filter (q, a case-insensitive substring, ILIKE), in Russian and English alike:
-- trigrams work on characters, so no language configuration or stemming is involved.

-- pg_trgm is a required extension (roundtable.control); its operator class lives in whatever
-- schema it was installed in, so the index names it through that schema
DO $$
DECLARE
    s name := (SELECT n.nspname FROM pg_catalog.pg_extension e
               JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
               WHERE e.extname = 'pg_trgm');
BEGIN
    IF s IS NULL THEN
        RAISE EXCEPTION 'required extension "pg_trgm" is not installed'
            USING ERRCODE = '42704', HINT = 'Run CREATE EXTENSION pg_trgm first (or CREATE EXTENSION roundtable CASCADE).';
    END IF;
    -- on the partitioned parent: every partition, present and future, gets its own index
    EXECUTE format('CREATE INDEX messages_text_trgm_idx ON rt.messages USING gin (text %I.gin_trgm_ops)', s);
END
$$;
COMMENT ON INDEX rt.messages_text_trgm_idx IS 'pg_trgm GIN index for rt.list_messages keyword search (ILIKE ''%q%''); needs 3+ characters to narrow the search';
