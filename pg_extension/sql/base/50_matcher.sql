-- roundtable base, matcher: The matcher (normalised text, keyword and regex rules) and regex budgets

CREATE FUNCTION rt.normalize(t text, evasion boolean DEFAULT false) RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'normalize';
COMMENT ON FUNCTION rt.normalize(text, boolean) IS 'The text as the matcher sees it: case folded (Latin, Cyrillic), ё as е, zero-width characters removed, whitespace runs as one space; with evasion also look-alikes on one alphabet, digits and @$!| read as letters inside words in the script of the word (к@з1н0 = казино, c@s1n0 = casino), single letters joined ("s p a m"), repeats squeezed. A joined run of 3+ letters may also drop one glued one-letter word at each end when matched; that is not shown here';

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
        PERFORM rt._check_regex(pattern);
    ELSIF rt.normalize(pattern) = '' THEN
        PERFORM rt._field_error('pattern', 'must contain a visible character');
    END IF;
END
$$;
COMMENT ON FUNCTION rt._check_pattern(text, text) IS 'internal: 22023 naming pattern_kind or pattern unless the kind is known, the pattern 1..500 characters and, for regex, compiles; 2201B naming pattern when a regex uses a back-reference or lookaround or is too complex to compile within the budget';

-- POST /api/rules/test, with "budget_exceeded" when some regex rule was skipped
CREATE FUNCTION rt.test_rules(body jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    f_text text;
    f_set text;
    matches jsonb;
    skipped bigint[];
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
    skipped := rt._matcher_skipped();

    RETURN jsonb_build_object('matches', matches, 'normalized', rt.normalize(f_text))
        || CASE WHEN f_set = 'moderation'
                THEN jsonb_build_object('evasion_form', rt.normalize(f_text, true)) ELSE '{}' END
        || CASE WHEN cardinality(skipped) > 0
                THEN jsonb_build_object('budget_exceeded', to_jsonb(skipped)) ELSE '{}' END;
END
$$;
COMMENT ON FUNCTION rt.test_rules(jsonb) IS 'The "test a rule" box: {text, rule_set} -> {"matches":[{rule_id, name, kind, pattern, ...rule fields}], "normalized", "evasion_form" (moderation), "budget_exceeded" (ids of regex rules skipped for running out of roundtable.regex_budget_ms, when any)}; changes nothing but the matcher''s overrun report';

CREATE FUNCTION rt._check_regex(pattern text) RETURNS void
LANGUAGE c STABLE STRICT
AS 'MODULE_PATHNAME', 'check_regex';
COMMENT ON FUNCTION rt._check_regex(text) IS 'internal: raises unless pattern compiles as a ~* regular expression within roundtable.regex_budget_ms and uses no back-reference or lookaround (22023 invalid, 2201B refused or too complex; both name the field "pattern")';

CREATE FUNCTION rt._matcher_skipped() RETURNS bigint[]
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'matcher_skipped';
COMMENT ON FUNCTION rt._matcher_skipped() IS 'internal: ids of the regex rules the last match in this backend skipped because they ran out of roundtable.regex_budget_ms';

CREATE FUNCTION rt._regex_overrun(rule_set text, rule_id bigint, overruns int, budget_ms int,
                                  text_chars int, reason text DEFAULT 'budget')
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    o rt.regex_overruns;
    r_name text;
    r_pattern text;
    nid bigint;
BEGIN
    INSERT INTO rt.regex_overruns AS x (rule_set, rule_id, overruns, reason, budget_ms, text_chars)
    VALUES (_regex_overrun.rule_set, _regex_overrun.rule_id, greatest(_regex_overrun.overruns, 1),
            _regex_overrun.reason, _regex_overrun.budget_ms, _regex_overrun.text_chars)
    ON CONFLICT ON CONSTRAINT regex_overruns_pkey DO UPDATE
        SET overruns = x.overruns + greatest(excluded.overruns, 1), reason = excluded.reason,
            budget_ms = excluded.budget_ms, text_chars = coalesce(excluded.text_chars, x.text_chars),
            last_at = now()
    RETURNING * INTO o;
    IF o.notified_at IS NOT NULL AND o.notified_at > now() - interval '10 minutes' THEN
        RETURN NULL; -- reported lately: counted only
    END IF;
    IF _regex_overrun.rule_set = 'playbook' THEN
        SELECT p.name, p.pattern INTO r_name, r_pattern FROM rt.playbooks p WHERE p.id = _regex_overrun.rule_id;
    ELSE
        SELECT m.name, m.pattern INTO r_name, r_pattern FROM rt.moderation_rules m WHERE m.id = _regex_overrun.rule_id;
    END IF;
    nid := rt._notify_admins('error', NULL, NULL, jsonb_build_object(
        'source', 'matcher',
        'reason', 'regex_' || o.reason,
        'error', CASE o.reason
                 WHEN 'budget' THEN format('%s rule %s (%s) ran out of its %s ms regex budget and was skipped for the message',
                                           o.rule_set, o.rule_id, r_name, o.budget_ms)
                 WHEN 'compile' THEN format('%s rule %s (%s) took longer than its compile budget (20 x %s ms, at least 1 s) to compile and is skipped',
                                            o.rule_set, o.rule_id, r_name, o.budget_ms)
                 ELSE format('%s rule %s (%s) uses a regex feature the matcher refuses and is skipped',
                             o.rule_set, o.rule_id, r_name) END,
        'rule_set', o.rule_set, 'rule_id', o.rule_id, 'rule_name', r_name, 'pattern', r_pattern,
        'budget_ms', o.budget_ms, 'text_chars', o.text_chars, 'overruns', o.overruns), true);
    UPDATE rt.regex_overruns x SET notified_at = now()
    WHERE x.rule_set = o.rule_set AND x.rule_id = o.rule_id;
    RETURN nid;
END
$$;
COMMENT ON FUNCTION rt._regex_overrun(text, bigint, int, int, int, text) IS 'internal: the matcher reports a regex rule it skipped (budget, compile or refused); counts it in rt.regex_overruns and raises an error notification {"source":"matcher","reason":"regex_budget"|...,"rule_set","rule_id","rule_name","pattern","budget_ms","text_chars","overruns"} at most every ten minutes per rule; returns the notification id or null';

-- rules saved before 0.4.0 that use a refused feature: disabled, and the admins told which
CREATE FUNCTION rt._disable_refused_regex_rules() RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
DECLARE
    r record;
    refused jsonb := '[]';
BEGIN
    FOR r IN
        SELECT 'moderation' AS rule_set, id, name, pattern FROM rt.moderation_rules
        WHERE pattern_kind = 'regex' AND enabled
        UNION ALL
        SELECT 'playbook', id, name, pattern FROM rt.playbooks WHERE pattern_kind = 'regex' AND enabled
        ORDER BY 1, 2
    LOOP
        BEGIN
            PERFORM rt._check_regex(r.pattern);
        EXCEPTION WHEN invalid_regular_expression THEN
            refused := refused || jsonb_build_object('rule_set', r.rule_set, 'rule_id', r.id,
                                                     'rule_name', r.name, 'pattern', r.pattern,
                                                     'why', SQLERRM);
            IF r.rule_set = 'moderation' THEN
                UPDATE rt.moderation_rules SET enabled = false, version = version + 1, updated_at = now()
                WHERE id = r.id;
            ELSE
                UPDATE rt.playbooks SET enabled = false, version = version + 1, updated_at = now()
                WHERE id = r.id;
            END IF;
        END;
    END LOOP;
    IF jsonb_array_length(refused) > 0 THEN
        PERFORM rt._notify_admins('error', NULL, NULL, jsonb_build_object(
            'source', 'upgrade 0.4.0', 'reason', 'regex_refused',
            'error', format('%s regex rule(s) used a back-reference or lookaround and were disabled; rewrite them and enable them again',
                            jsonb_array_length(refused)),
            'rules', refused), true);
    END IF;
    RETURN refused;
END
$$;
COMMENT ON FUNCTION rt._disable_refused_regex_rules() IS 'internal (upgrade to 0.4.0): disables every enabled regex rule (moderation and playbook) that rt._check_regex refuses and raises one error notification listing them; returns that list';

CREATE TRIGGER playbooks_matcher AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rt.playbooks
    FOR EACH STATEMENT EXECUTE FUNCTION rt._matcher_bump();

CREATE TRIGGER moderation_rules_matcher AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rt.moderation_rules
    FOR EACH STATEMENT EXECUTE FUNCTION rt._matcher_bump();
