-- roundtable base, schema: Schema, types, and rt.current_actor() (column defaults name the acting admin)

\echo Use "CREATE EXTENSION roundtable CASCADE" to load this file. \quit

COMMENT ON SCHEMA rt IS 'roundtable: Telegram bot history, ingest and admin API';

CREATE FUNCTION rt.current_actor() RETURNS text
LANGUAGE sql STABLE
SET search_path = rt, pg_catalog
AS $$ SELECT coalesce(nullif(current_setting('rt.actor', true), ''), 'db:' || session_user) $$;
COMMENT ON FUNCTION rt.current_actor() IS 'The acting admin (rt.actor = admin:<id>) or, from the DBA door, db:<session user>';

CREATE TYPE rt.page_filter AS (
    filter   jsonb,    -- the filter object itself ({} for null), its keys checked
    q        text,     -- the search text as given (null when absent or null)
    like_pat text,     -- '%q%' with \, % and _ escaped for ILIKE; null when q is null or empty
    lim      int,      -- 1..200, default 50
    cursor   text[]    -- the capture groups of cursor_pattern in the decoded cursor; null without a cursor
);
COMMENT ON TYPE rt.page_filter IS 'internal: the validated opening of a list filter (rt._page_filter)';
