-- roundtable 0.5.0, part 62: the console's provider list tools. PUT /api/providers/order puts
-- every provider in a new order in one transaction (drag and drop in the console; the default
-- provider is the first enabled one by position), and POST /api/providers/{id}/test reads what
-- the edge needs for one small test call to the provider (the edge makes the call itself).

CREATE FUNCTION rt.reorder_providers(body jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog SET TimeZone = 'UTC'
AS $$
DECLARE
    ids bigint[];
    twice bigint;
    unknown bigint;
    missing text;
    before_ids bigint[];
BEGIN
    PERFORM rt.require_role('admin');
    IF body IS NULL OR jsonb_typeof(body) <> 'object' THEN
        PERFORM rt._field_error('body', 'must be a json object');
    END IF;
    body := rt._known_keys(body, ARRAY['ids']);
    IF jsonb_typeof(body -> 'ids') IS DISTINCT FROM 'array' THEN
        PERFORM rt._field_error('ids', 'must be an array naming every provider''s id once, first to last');
    END IF;
    IF EXISTS (SELECT FROM jsonb_array_elements(body -> 'ids') e
               WHERE jsonb_typeof(e) <> 'number' OR e::text !~ '^-?[0-9]{1,18}$') THEN
        PERFORM rt._field_error('ids', 'must contain integer ids only');
    END IF;
    IF jsonb_array_length(body -> 'ids') > 1001 THEN
        PERFORM rt._field_error('ids', 'must name at most 1001 providers (positions 0..1000)');
    END IF;
    SELECT array_agg(e::text::bigint ORDER BY n) INTO ids
    FROM jsonb_array_elements(body -> 'ids') WITH ORDINALITY AS x(e, n);
    ids := coalesce(ids, '{}');

    -- every provider locked in one order, so two concurrent reorders serialise, not deadlock
    SELECT array_agg(p.id ORDER BY p.position, p.id) INTO before_ids
    FROM (SELECT pr.id, pr.position FROM rt.providers pr ORDER BY pr.id FOR UPDATE) p;
    before_ids := coalesce(before_ids, '{}');

    SELECT x INTO twice FROM unnest(ids) x GROUP BY x HAVING count(*) > 1 ORDER BY x LIMIT 1;
    IF twice IS NOT NULL THEN
        PERFORM rt._field_error('ids', format('names provider %s more than once', twice));
    END IF;
    SELECT x INTO unknown FROM unnest(ids) x WHERE x <> ALL (before_ids) ORDER BY x LIMIT 1;
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'field "ids": provider % does not exist', unknown USING ERRCODE = 'P0002', COLUMN = 'ids';
    END IF;
    SELECT string_agg(x::text, ', ' ORDER BY x) INTO missing FROM unnest(before_ids) x WHERE x <> ALL (ids);
    IF missing IS NOT NULL THEN
        PERFORM rt._field_error('ids', format('must name every provider; missing: %s', missing));
    END IF;

    -- positions 0, 1, 2, ...; only rows that move change (and get their provider.update entry)
    UPDATE rt.providers p SET position = o.n - 1, version = p.version + 1, updated_at = now()
    FROM unnest(ids) WITH ORDINALITY AS o(id, n)
    WHERE p.id = o.id AND p.position <> o.n - 1;
    IF ids IS DISTINCT FROM before_ids THEN
        PERFORM rt.audit('provider.reorder', 'providers', jsonb_build_object('ids', to_jsonb(before_ids)),
                         jsonb_build_object('ids', to_jsonb(ids)));
    END IF;

    RETURN jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(rt._provider_json(p) ORDER BY p.position, p.id) FROM rt.providers p), '[]'),
        'next_cursor', NULL);
END
$$;
COMMENT ON FUNCTION rt.reorder_providers(jsonb) IS 'PUT /api/providers/order: body {"ids":[...]} names every provider once, first to last; positions become 0, 1, 2, ... in one transaction (moved rows get provider.update audit entries, the whole move one provider.reorder entry). Returns {"items":[Provider] in the new order, "next_cursor":null} (admin); 22023 naming ids when one is missing, repeated or not an integer, P0002 naming ids for an unknown one';

CREATE FUNCTION rt.provider_test_target(id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    p rt.providers;
BEGIN
    PERFORM rt.require_role('admin');
    SELECT * INTO p FROM rt.providers WHERE providers.id = provider_test_target.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'provider % does not exist', id USING ERRCODE = 'P0002', COLUMN = 'id';
    END IF;
    RETURN jsonb_build_object('id', p.id, 'name', p.name, 'type', p.type, 'base_url', p.base_url,
                              'model_id', p.model_id, 'api_key_enc', p.api_key_enc);
END
$$;
COMMENT ON FUNCTION rt.provider_test_target(bigint) IS 'POST /api/providers/{id}/test, read by rt-edge only (never passed to a client): {"id","name","type","base_url","model_id","api_key_enc"} of the provider the edge then calls once (admin); P0002 when unknown';
