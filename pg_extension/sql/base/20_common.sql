-- roundtable base, common: Shared helpers: API body validation, cursors and list filters

CREATE FUNCTION rt._cursor_encode(plain text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT translate(encode(convert_to(plain, 'UTF8'), 'base64'), E'+/=\n', '-_') $$;
COMMENT ON FUNCTION rt._cursor_encode(text) IS 'internal: base64url without padding';

CREATE FUNCTION rt._cursor_decode(cursor text, pattern text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = rt, pg_catalog
AS $$
DECLARE
    b64 text;
    plain text;
    parts text[];
BEGIN
    IF cursor !~ '^[A-Za-z0-9_-]{2,200}$' THEN
        RAISE EXCEPTION 'invalid cursor' USING ERRCODE = '22023', COLUMN = 'cursor';
    END IF;
    b64 := translate(cursor, '-_', '+/');
    b64 := b64 || repeat('=', (4 - length(b64) % 4) % 4);
    BEGIN
        plain := convert_from(decode(b64, 'base64'), 'UTF8');
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'invalid cursor' USING ERRCODE = '22023', COLUMN = 'cursor';
    END;
    parts := regexp_match(plain, pattern);
    IF parts IS NULL THEN
        RAISE EXCEPTION 'invalid cursor' USING ERRCODE = '22023', COLUMN = 'cursor';
    END IF;
    RETURN parts;
END
$$;
COMMENT ON FUNCTION rt._cursor_decode(text, text) IS 'internal: decodes a base64url cursor and matches it against pattern; 22023 invalid cursor otherwise';

CREATE FUNCTION rt._filter_int(filter jsonb, field text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    v jsonb := filter -> field;
    t text;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    t := CASE jsonb_typeof(v) WHEN 'number' THEN v::text WHEN 'string' THEN v #>> '{}' END;
    IF t IS NULL OR t !~ '^-?[0-9]{1,19}$'
       OR t::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
        RAISE EXCEPTION 'filter field "%" must be an integer', field USING ERRCODE = '22023', COLUMN = field;
    END IF;
    RETURN t::bigint;
END
$$;
COMMENT ON FUNCTION rt._filter_int(jsonb, text) IS 'internal: an integer filter field (JSON number or digit string); 22023 naming the field otherwise';

CREATE FUNCTION rt._filter_time(filter jsonb, field text) RETURNS timestamptz
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    v jsonb := filter -> field;
    t text;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    t := CASE jsonb_typeof(v) WHEN 'string' THEN v #>> '{}' END;
    IF t IS NULL OR t !~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?$' THEN
        RAISE EXCEPTION 'filter field "%" must be an ISO 8601 timestamp', field USING ERRCODE = '22023', COLUMN = field;
    END IF;
    BEGIN
        RETURN t::timestamptz;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'filter field "%" must be an ISO 8601 timestamp', field USING ERRCODE = '22023', COLUMN = field;
    END;
END
$$;
COMMENT ON FUNCTION rt._filter_time(jsonb, text) IS 'internal: an ISO 8601 timestamp filter field (UTC when no offset is given)';

CREATE FUNCTION rt._known_keys(body jsonb, known text[], what text DEFAULT 'field', prefix text DEFAULT '') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    k text;
BEGIN
    body := coalesce(body, '{}');
    IF jsonb_typeof(body) <> 'object' THEN
        RAISE EXCEPTION 'body must be a json object' USING ERRCODE = '22023';
    END IF;
    FOR k IN SELECT jsonb_object_keys(body) LOOP
        IF NOT k = ANY (known) THEN
            RAISE EXCEPTION 'unknown % "%"', what, prefix || k USING ERRCODE = '22023', COLUMN = prefix || k,
                HINT = 'Known fields: ' || array_to_string(known, ', ') || '.';
        END IF;
    END LOOP;
    RETURN body;
END
$$;
COMMENT ON FUNCTION rt._known_keys(jsonb, text[], text, text) IS 'internal: 22023 unless body is an object whose keys are all in known; returns the body ({} for null)';

CREATE FUNCTION rt._field_error(field text, problem text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    RAISE EXCEPTION 'field "%" %', field, problem USING ERRCODE = '22023', COLUMN = field;
END
$$;
COMMENT ON FUNCTION rt._field_error(text, text) IS 'internal: raises 22023 field "<field>" <problem>, with COLUMN = field for problem.field';

CREATE FUNCTION rt._body_int(body jsonb, field text, lo bigint, hi bigint) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    v jsonb := body -> field;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) <> 'number' OR v::numeric <> trunc(v::numeric) THEN
        PERFORM rt._field_error(field, 'must be an integer');
    END IF;
    IF v::numeric < lo OR v::numeric > hi THEN
        PERFORM rt._field_error(field, format('must be between %s and %s', lo, hi));
    END IF;
    RETURN v::numeric::bigint;
END
$$;
COMMENT ON FUNCTION rt._body_int(jsonb, text, bigint, bigint) IS 'internal: an integer body field within lo..hi, null when absent; 22023 naming the field otherwise';

CREATE FUNCTION rt._body_bool(body jsonb, field text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    IF body -> field IS NULL THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(body -> field) <> 'boolean' THEN
        PERFORM rt._field_error(field, 'must be a boolean');
    END IF;
    RETURN (body -> field)::boolean;
END
$$;
COMMENT ON FUNCTION rt._body_bool(jsonb, text) IS 'internal: a boolean body field, null when absent; 22023 naming the field otherwise (JSON null included)';

-- chat_ids of a rule body: null (every chat) or an array of integers
CREATE FUNCTION rt._body_chat_ids(body jsonb) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    v jsonb := body -> 'chat_ids';
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) <> 'array' OR jsonb_array_length(v) > 1000
       OR EXISTS (SELECT FROM jsonb_array_elements(v) e
                  WHERE jsonb_typeof(e) <> 'number' OR e::numeric <> trunc(e::numeric)
                     OR e::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807) THEN
        PERFORM rt._field_error('chat_ids', 'must be null or an array of at most 1000 chat ids');
    END IF;
    RETURN ARRAY(SELECT DISTINCT e::numeric::bigint FROM jsonb_array_elements(v) e ORDER BY 1);
END
$$;
COMMENT ON FUNCTION rt._body_chat_ids(jsonb) IS 'internal: the chat_ids scope of a rule body, sorted and distinct; null = every chat';

CREATE FUNCTION rt._body_text(body jsonb, field text, lo int, hi int) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    v jsonb := body -> field;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) <> 'string' OR length(v #>> '{}') NOT BETWEEN lo AND hi THEN
        PERFORM rt._field_error(field, format('must be a string of %s to %s characters', lo, hi));
    END IF;
    RETURN v #>> '{}';
END
$$;
COMMENT ON FUNCTION rt._body_text(jsonb, text, int, int) IS 'internal: a string body field of lo..hi characters, null when absent; 22023 naming the field otherwise';

CREATE FUNCTION rt._body_flag(body jsonb, field text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    v jsonb := body -> field;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) <> 'boolean' THEN
        PERFORM rt._field_error(field, 'must be true or false');
    END IF;
    RETURN v::boolean;
END
$$;
COMMENT ON FUNCTION rt._body_flag(jsonb, text) IS 'internal: a boolean body field, null when absent; 22023 naming the field otherwise';

CREATE FUNCTION rt._page_filter(filter jsonb, extra text[], cursor_pattern text) RETURNS rt.page_filter
LANGUAGE plpgsql IMMUTABLE
SET search_path = rt, pg_catalog
AS $$
DECLARE
    r rt.page_filter;
    lim bigint;
BEGIN
    r.filter := rt._known_keys(filter, ARRAY['q'] || coalesce(extra, '{}') || ARRAY['cursor', 'limit'], 'filter field');
    IF r.filter ? 'q' AND jsonb_typeof(r.filter -> 'q') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('q', 'must be a string');
    END IF;
    r.q := r.filter ->> 'q';
    IF length(r.q) > 200 THEN
        PERFORM rt._field_error('q', 'must be at most 200 characters');
    END IF;
    lim := coalesce(rt._filter_int(r.filter, 'limit'), 50);
    IF lim NOT BETWEEN 1 AND 200 THEN
        PERFORM rt._field_error('limit', 'must be between 1 and 200');
    END IF;
    r.lim := lim;
    IF r.filter ? 'cursor' AND jsonb_typeof(r.filter -> 'cursor') NOT IN ('string', 'null') THEN
        PERFORM rt._field_error('cursor', 'must be a string');
    END IF;
    IF r.filter ->> 'cursor' IS NOT NULL THEN
        r.cursor := rt._cursor_decode(r.filter ->> 'cursor', cursor_pattern);
    END IF;
    IF r.q <> '' THEN
        r.like_pat := '%' || replace(replace(replace(r.q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    END IF;
    RETURN r;
END
$$;
COMMENT ON FUNCTION rt._page_filter(jsonb, text[], text) IS 'internal: the shared opening of list functions: filter keys q, cursor, limit and the list''s own extra keys (else 22023 unknown filter field), q a string of at most 200 characters, limit 1..200 (default 50), cursor a string whose decoded text matches cursor_pattern (its capture groups returned); 22023 naming the field otherwise. Returns rt.page_filter (filter, q, like_pat, lim, cursor)';

CREATE FUNCTION rt._filter_bool(filter jsonb, field text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    v jsonb := filter -> field;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) = 'boolean' THEN
        RETURN v::text::boolean;
    END IF;
    IF jsonb_typeof(v) = 'string' AND v #>> '{}' IN ('true', 'false') THEN
        RETURN (v #>> '{}')::boolean;
    END IF;
    RAISE EXCEPTION 'field "%" must be true or false', field USING ERRCODE = '22023', COLUMN = field;
END
$$;
COMMENT ON FUNCTION rt._filter_bool(jsonb, text) IS 'internal: a boolean filter field (true/false or "true"/"false"), null when absent; 22023 naming the field otherwise';
