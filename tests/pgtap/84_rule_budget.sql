-- regex rules cannot stall ingest (issue 7): back-references and lookaround are refused with
-- 2201B naming "pattern" (moderation rules and playbooks, create and update); a heavy but
-- allowed pattern over a long message runs out of roundtable.regex_budget_ms, is skipped for
-- that message (the message is stored, other rules still apply) and reported to the admins
-- once; a rule saved before the upgrade with a back-reference is skipped (and disabled by the
-- upgrade step); statement_timeout still cancels a match the budget lets run.
BEGIN;
SELECT plan(30);

SELECT rt.create_admin('tap84_admin', 'admin-password', 'admin') IS NOT NULL;
SELECT rt.create_admin('tap84_viewer', 'viewer-password', 'viewer') IS NOT NULL;
CREATE FUNCTION pg_temp.act(login text) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce('admin:' || (SELECT id FROM rt.admins a WHERE a.login = act.login), ''), true)
$$;
-- sqlstate, column and message of what sql raises ('ok' when nothing)
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text;
    col text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, col = COLUMN_NAME;
    RETURN st || ' ' || coalesce(col, '-');
END
$$;
CREATE FUNCTION pg_temp.update(uid bigint, chat bigint, mid bigint, txt text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_array(jsonb_build_object('update_id', uid, 'message', jsonb_build_object(
        'message_id', mid, 'date', 1700000000 + mid,
        'chat', jsonb_build_object('id', chat, 'type', 'group', 'title', 'pgTAP 84'),
        'from', jsonb_build_object('id', 8840001, 'is_bot', false, 'first_name', 'Spammer'),
        'text', txt)))
$$;
-- a pseudo-random a/b text (deterministic): the DFA of the heavy pattern misses on every character
CREATE FUNCTION pg_temp.ab(n int) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(CASE WHEN substr(md5(i::text), 1, 1) < '8' THEN 'a' ELSE 'b' END, '' ORDER BY i)
    FROM generate_series(1, n) i
$$;

-- refused features
SELECT pg_temp.act('tap84_admin');
SELECT is(pg_temp.err($$SELECT rt.create_moderation_rule('{"name": "tap84 evil", "pattern": "^((a+)\\2)+y", "pattern_kind": "regex", "label": "x"}')$$),
          '2201B pattern', 'the review''s back-reference rule is refused: 2201B naming pattern');
SELECT throws_like($$SELECT rt.create_moderation_rule('{"name": "tap84 evil", "pattern": "^((a+)\\2)+y", "pattern_kind": "regex", "label": "x"}')$$,
                   'field "pattern" uses a back-reference%', 'the message names the field and the feature');
SELECT is(pg_temp.err($$SELECT rt.create_moderation_rule('{"name": "tap84 evil", "pattern": "(x)\\1", "pattern_kind": "regex", "label": "x"}')$$),
          '2201B pattern', 'any back-reference is refused');
SELECT is(pg_temp.err($$SELECT rt.create_moderation_rule('{"name": "tap84 look", "pattern": "(?=.*(?=.*x))", "pattern_kind": "regex", "label": "x"}')$$),
          '2201B pattern', 'a lookahead is refused');
SELECT is(pg_temp.err($$SELECT rt.create_moderation_rule('{"name": "tap84 look", "pattern": "(?<!a)b", "pattern_kind": "regex", "label": "x"}')$$),
          '2201B pattern', 'a lookbehind is refused');
SELECT is(pg_temp.err($$SELECT rt.create_playbook('{"name": "tap84 evil", "pattern": "^((a+)\\2)+y", "pattern_kind": "regex"}')$$),
          '2201B pattern', 'playbooks refuse back-references too');
SELECT is(pg_temp.err($$SELECT rt.create_moderation_rule('{"name": "tap84 broken", "pattern": "(a", "pattern_kind": "regex", "label": "x"}')$$),
          '22023 pattern', 'an invalid pattern is still 22023 naming pattern');
SELECT is(pg_temp.err($$SELECT rt.create_moderation_rule('{"name": "tap84 word", "pattern": "\\1", "label": "x"}')$$),
          'ok', 'a word rule may contain what would be a back-reference in a regex');

-- allowed: a cheap one and a heavy one (a big NFA: every character of a random a/b text is a DFA cache miss)
SELECT lives_ok($$SELECT rt.create_moderation_rule('{"name": "tap84 cheap", "pattern": "b{3}", "pattern_kind": "regex", "label": "cheap"}')$$,
                'a plain regex is allowed');
SELECT lives_ok($$SELECT rt.create_moderation_rule('{"name": "tap84 heavy", "pattern": "[ab]*a[ab]{250}[ab]{250}[ab]{250}[ab]{250}y", "pattern_kind": "regex", "label": "heavy"}')$$,
                'a heavy pattern without refused features is allowed');
SELECT is(pg_temp.err(format($$SELECT rt.update_moderation_rule(%s, '{"pattern": "(b)\\1"}')$$,
                             (SELECT id FROM rt.moderation_rules WHERE name = 'tap84 cheap'))),
          '2201B pattern', 'an update to a back-reference is refused');

-- the attack: a long message against the heavy rule with a tight budget
SET LOCAL roundtable.regex_budget_ms = 1;
SELECT is(rt.ingest(pg_temp.update(884000000001, -8841, 1, pg_temp.ab(16000))) -> 'stored', '1',
          'a 16,000-character message over the heavy rule is stored');
SELECT is((SELECT labels FROM rt.messages WHERE chat_id = -8841 AND message_id = 1), ARRAY['cheap'],
          'the heavy rule was skipped for it, the cheap rule still applied');
SELECT is((SELECT reason || ' ' || overruns FROM rt.regex_overruns
           WHERE rule_set = 'moderation' AND rule_id = (SELECT id FROM rt.moderation_rules WHERE name = 'tap84 heavy')),
          'budget 1', 'the overrun is counted');
SELECT is((SELECT count(*)::int FROM rt.notifications WHERE kind = 'error' AND payload->>'reason' = 'regex_budget'
           AND (payload->>'rule_id')::bigint = (SELECT id FROM rt.moderation_rules WHERE name = 'tap84 heavy')),
          1, 'the admins got an error notification naming the rule');
SELECT is((SELECT payload->>'text_chars' FROM rt.notifications WHERE payload->>'reason' = 'regex_budget'
           AND (payload->>'rule_id')::bigint = (SELECT id FROM rt.moderation_rules WHERE name = 'tap84 heavy')),
          '16000', 'it says how long the message was');
SELECT is(rt.ingest(pg_temp.update(884000000002, -8841, 2, pg_temp.ab(16001))) -> 'stored', '1',
          'a second such message is stored too');
SELECT is(rt._regex_overrun('moderation', (SELECT id FROM rt.moderation_rules WHERE name = 'tap84 heavy'), 3, 1, 16001),
          NULL, 'another backend''s report within ten minutes raises no notification');
SELECT is((SELECT count(*)::int FROM rt.notifications WHERE payload->>'reason' = 'regex_budget'
           AND (payload->>'rule_id')::bigint = (SELECT id FROM rt.moderation_rules WHERE name = 'tap84 heavy')), 1,
          'repeats of the same rule are rate-limited');
SELECT is((SELECT overruns FROM rt.regex_overruns
           WHERE rule_set = 'moderation' AND rule_id = (SELECT id FROM rt.moderation_rules WHERE name = 'tap84 heavy')), 4::bigint,
          'but counted');
SELECT is(rt.ingest(pg_temp.update(884000000003, -8842, 1, 'bbb in another chat')) -> 'stored', '1',
          'another chat''s message flows');
SELECT is((SELECT labels FROM rt.messages WHERE chat_id = -8842 AND message_id = 1), ARRAY['cheap'],
          'and is moderated');

-- the rule test box (any viewer) gets a bounded answer naming the skipped rule
SELECT pg_temp.act('tap84_viewer');
SELECT is(rt.test_rules(jsonb_build_object('text', pg_temp.ab(4096), 'rule_set', 'moderation'))->'budget_exceeded',
          jsonb_build_array((SELECT id FROM rt.moderation_rules WHERE name = 'tap84 heavy')),
          'the test box names the rule it skipped');
SET LOCAL roundtable.regex_budget_ms = 50;
SELECT is(rt.test_rules('{"text": "a bbb", "rule_set": "moderation"}') ? 'budget_exceeded', false,
          'and says nothing when no rule ran out');
SELECT pg_temp.act('tap84_admin');

-- statement_timeout and cancels still work while the budget is generous
CREATE TEMP TABLE long_text AS SELECT pg_temp.ab(64000) AS t;
CREATE FUNCTION pg_temp.cancelled() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rt.moderation_verdict(-8841, t) FROM long_text;
    RETURN 'finished';
EXCEPTION WHEN query_canceled THEN
    RETURN 'cancelled';
END
$$;
SET LOCAL roundtable.regex_budget_ms = 60000;
SET LOCAL statement_timeout = '100ms';
SELECT is(pg_temp.cancelled(), 'cancelled', 'statement_timeout cancels a match the budget lets run');
RESET statement_timeout;
SELECT is(rt.moderation_verdict(-8841, 'bbb')->'labels', '["cheap"]', 'the next statement is not cancelled');

-- a back-reference rule saved before 0.4.0 (written to the table directly)
SET LOCAL roundtable.regex_budget_ms = 50;
INSERT INTO rt.moderation_rules (name, pattern, pattern_kind, label) VALUES ('tap84 old evil', '^((a+)\2)+y', 'regex', 'old');
SELECT is(rt.ingest(pg_temp.update(884000000004, -8843, 1, repeat('a', 51) || 'y')) -> 'stored', '1',
          'the review''s 51-character message is stored');
SELECT is((SELECT reason FROM rt.regex_overruns WHERE rule_set = 'moderation' AND rule_id = (SELECT id FROM rt.moderation_rules WHERE name = 'tap84 old evil')),
          'refused', 'the matcher skipped the old rule and reported it');
SELECT ok(rt._disable_refused_regex_rules() @> '[{"rule_name": "tap84 old evil", "rule_set": "moderation"}]',
          'the upgrade step disables it');
SELECT is((SELECT enabled FROM rt.moderation_rules WHERE name = 'tap84 old evil'), false, 'disabled');

SELECT * FROM finish();
ROLLBACK;
