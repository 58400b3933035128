-- roundtable 0.2.0, part 20: the matching engine shared by playbooks and moderation (C in
-- src/matcher.c and src/normalize.c; decision 007). Normalisation, matching, the rule test box,
-- and the version bump that tells every backend's cached automaton to rebuild.

CREATE FUNCTION rt.normalize(t text, evasion boolean DEFAULT false) RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'normalize';
COMMENT ON FUNCTION rt.normalize(text, boolean) IS 'The text as the matcher sees it: case folded (Latin, Cyrillic), ё as е, zero-width characters removed, whitespace runs as one space; with evasion also look-alikes on one alphabet, digits and @$!| read as letters inside words, single letters joined ("s p a m"), repeats squeezed';

-- Not SECURITY DEFINER and no SET clause: these run per message (rt.ingest calls the C entry
-- points directly) and a SET clause costs a GUC save/restore per call. They only name
-- schema-qualified objects; EXECUTE is governed by GRANTs (the API door is rt.test_rules).
CREATE FUNCTION rt.match_text(t text, rule_set text)
RETURNS TABLE (rule_id bigint, kind text, pattern text)
LANGUAGE c STABLE STRICT
AS 'MODULE_PATHNAME', 'match_text';
COMMENT ON FUNCTION rt.match_text(text, text) IS 'Enabled rules of rule_set (playbook | moderation, else 22023) whose pattern matches t, each once, in rule order (playbooks by priority, id; moderation by id); chat scope is not applied';

CREATE FUNCTION rt._match_count(t text, rule_set text) RETURNS int
LANGUAGE c STABLE STRICT
AS 'MODULE_PATHNAME', 'match_count';
COMMENT ON FUNCTION rt._match_count(text, text) IS 'internal: how many rules of rule_set match t (benchmarks; the scalar twin of rt.match_text)';

CREATE FUNCTION rt._matcher_stats(rule_set text) RETURNS jsonb
LANGUAGE c STABLE STRICT
AS 'MODULE_PATHNAME', 'matcher_stats';
COMMENT ON FUNCTION rt._matcher_stats(text) IS 'internal: this backend''s cached matcher for rule_set: {"version","rules","patterns","states","classes","evasion_patterns","evasion_states","regex","bytes"}';

CREATE FUNCTION rt._backend_cpu_ms() RETURNS float8
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'backend_cpu_ms';
COMMENT ON FUNCTION rt._backend_cpu_ms() IS 'internal: CPU milliseconds (user + system) this backend has used; benchmarks measure MB/s per core with it';

CREATE FUNCTION rt._matcher_invalidate() RETURNS void
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'matcher_invalidate';
COMMENT ON FUNCTION rt._matcher_invalidate() IS 'internal: drops this backend''s cached automata now (a rule changed in this transaction); an abort drops them again';

-- one version for both rule sets: bumped in the transaction that changes a rule, so a backend
-- that sees the new version also sees the new rules
CREATE FUNCTION rt._matcher_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    INSERT INTO rt.settings AS s (key, value) VALUES ('matcher.version', '2')
    ON CONFLICT (key) DO UPDATE
        SET value = to_jsonb(coalesce(CASE WHEN jsonb_typeof(s.value) = 'number'
                                           THEN (s.value::text)::numeric::bigint END, 1) + 1),
            updated_at = now();
    PERFORM rt._matcher_invalidate();
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rt._matcher_bump() IS 'internal: statement trigger on rt.playbooks and rt.moderation_rules; bumps rt.settings matcher.version so every backend rebuilds its automaton';

-- validation shared by playbooks and moderation rules
CREATE FUNCTION rt._check_pattern(pattern text, pattern_kind text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = rt, pg_catalog
AS $$
BEGIN
    IF pattern_kind IS NULL OR pattern_kind NOT IN ('word', 'phrase', 'substring', 'regex') THEN
        PERFORM rt._field_error('pattern_kind', 'must be one of word, phrase, substring, regex');
    END IF;
    IF pattern IS NULL OR length(pattern) NOT BETWEEN 1 AND 500 THEN
        PERFORM rt._field_error('pattern', 'must be 1 to 500 characters');
    END IF;
    IF pattern_kind = 'regex' THEN
        BEGIN
            PERFORM '' ~* pattern;
        EXCEPTION WHEN invalid_regular_expression THEN
            RAISE EXCEPTION 'field "pattern" is not a valid regular expression: %', SQLERRM
                USING ERRCODE = '22023', COLUMN = 'pattern';
        END;
    ELSIF rt.normalize(pattern) = '' THEN
        PERFORM rt._field_error('pattern', 'must contain a visible character');
    END IF;
END
$$;
COMMENT ON FUNCTION rt._check_pattern(text, text) IS 'internal: 22023 naming pattern_kind or pattern unless the kind is known, the pattern 1..500 characters and, for regex, compiles';

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

-- POST /api/rules/test
CREATE FUNCTION rt.test_rules(body jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    f_text text;
    f_set text;
    matches jsonb;
BEGIN
    PERFORM rt.require_role('viewer');
    body := rt._known_keys(body, ARRAY['text', 'rule_set']);
    IF jsonb_typeof(body->'text') IS DISTINCT FROM 'string' OR length(body->>'text') > 4096 THEN
        PERFORM rt._field_error('text', 'must be a string of at most 4096 characters');
    END IF;
    IF jsonb_typeof(body->'rule_set') IS DISTINCT FROM 'string'
       OR body->>'rule_set' NOT IN ('playbook', 'moderation') THEN
        PERFORM rt._field_error('rule_set', 'must be playbook or moderation');
    END IF;
    f_text := body->>'text';
    f_set := body->>'rule_set';

    IF f_set = 'playbook' THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'rule_id', m.rule_id, 'name', p.name, 'kind', m.kind, 'pattern', m.pattern,
                   'priority', p.priority, 'chat_ids', to_jsonb(p.chat_ids), 'preset_id', p.preset_id,
                   'preset_hours', p.preset_hours, 'reply_text', p.reply_text, 'stop', p.stop)
                   ORDER BY m.n), '[]')
        INTO matches
        FROM rt.match_text(f_text, f_set) WITH ORDINALITY m(rule_id, kind, pattern, n)
        JOIN rt.playbooks p ON p.id = m.rule_id;
    ELSE
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'rule_id', m.rule_id, 'name', r.name, 'kind', m.kind, 'pattern', m.pattern,
                   'label', r.label, 'action', r.action, 'evasion', r.evasion,
                   'chat_ids', to_jsonb(r.chat_ids))
                   ORDER BY m.n), '[]')
        INTO matches
        FROM rt.match_text(f_text, f_set) WITH ORDINALITY m(rule_id, kind, pattern, n)
        JOIN rt.moderation_rules r ON r.id = m.rule_id;
    END IF;

    RETURN jsonb_build_object('matches', matches, 'normalized', rt.normalize(f_text))
        || CASE WHEN f_set = 'moderation'
                THEN jsonb_build_object('evasion_form', rt.normalize(f_text, true)) ELSE '{}' END;
END
$$;
COMMENT ON FUNCTION rt.test_rules(jsonb) IS 'The "test a rule" box: {text, rule_set} -> {"matches":[{rule_id, name, kind, pattern, ...rule fields}], "normalized", "evasion_form" (moderation)}; changes nothing';

REVOKE EXECUTE ON FUNCTION
    rt._match_count(text, text), rt._matcher_stats(text), rt._backend_cpu_ms(), rt._matcher_invalidate(), rt._matcher_bump(),
    rt._check_pattern(text, text), rt._body_chat_ids(jsonb), rt._body_text(jsonb, text, int, int),
    rt._body_flag(jsonb, text)
FROM PUBLIC;
