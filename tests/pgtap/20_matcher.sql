-- the matching engine: rt.normalize, rt.match_text, rt.test_rules (roles, shapes, bad input),
-- word boundaries, Cyrillic folding, evasions, and the per-backend cache following rule changes
BEGIN;
SELECT plan(36);

-- admins of each role (logins never meet real data)
SELECT rt.create_admin('tap20_viewer', 'viewer-password', 'viewer') IS NOT NULL;
SELECT rt.create_admin('tap20_admin', 'admin-password', 'admin') IS NOT NULL;
CREATE FUNCTION pg_temp.act(login text) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce('admin:' || (SELECT id FROM rt.admins a WHERE a.login = act.login), ''), true)
$$;
CREATE FUNCTION pg_temp.hits(t text, rule_set text DEFAULT 'moderation') RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(r.name, ',' ORDER BY r.name), '-')
    FROM rt.match_text(t, rule_set) m
    JOIN (SELECT id, name FROM rt.moderation_rules WHERE rule_set = 'moderation'
          UNION ALL SELECT id, name FROM rt.playbooks WHERE rule_set = 'playbook') r ON r.id = m.rule_id
$$;

-- normalisation
SELECT is(rt.normalize('ПРИВЕТ Мир HELLO'), 'привет мир hello', 'Cyrillic and Latin fold to lower case');
SELECT is(rt.normalize('Ёжик в тумане'), 'ежик в тумане', 'ё reads as е');
SELECT is(rt.normalize(E'за\u200bпрет\u00adный'), 'запретный', 'zero-width characters and soft hyphens vanish');
SELECT is(rt.normalize(E'a \t\n b'), 'a b', 'whitespace runs fold to one space');
SELECT is(rt.normalize('ЇЖАК Ґава Ў'), 'їжак ґава ў', 'Ukrainian and Belarusian letters fold');
SELECT is(rt.normalize('с п а м', true), rt.normalize('спам', true), 'evasion form joins split letters');
SELECT is(rt.normalize('KAЗИHO', true), rt.normalize('казино', true), 'evasion form maps look-alikes across scripts');

-- rules to match against (as the DBA door)
SELECT lives_ok($$SELECT rt.create_moderation_rule('{"name": "tap20 word", "pattern": "спам", "label": "spam", "action": "flag", "evasion": false}')$$,
                'word rule');
SELECT lives_ok($$SELECT rt.create_moderation_rule('{"name": "tap20 sub", "pattern": "спам", "pattern_kind": "substring", "label": "spam", "action": "flag", "evasion": false}')$$,
                'substring rule');
SELECT lives_ok($$SELECT rt.create_moderation_rule('{"name": "tap20 evasion", "pattern": "казино", "label": "spam", "action": "hide"}')$$,
                'evasion rule');
SELECT lives_ok($$SELECT rt.create_moderation_rule('{"name": "tap20 en", "pattern": "ass", "label": "abuse", "action": "delete"}')$$,
                'English word rule');

-- word boundaries and folding
SELECT is(pg_temp.hits('это СПАМ!'), 'tap20 sub,tap20 word', 'a whole word fires both kinds, whatever the case');
SELECT is(pg_temp.hits('спамер'), 'tap20 sub', 'a word rule never fires inside a longer word');
SELECT is(pg_temp.hits('first class'), '-', '"ass" does not fire inside "class"');
SELECT is(pg_temp.hits('ASS!'), 'tap20 en', 'Latin case folds');
SELECT is(pg_temp.hits(E'сп\u200bам'), 'tap20 sub,tap20 word', 'a zero-width character inside the word is ignored');

-- evasions: only rules with evasion = true
SELECT is(pg_temp.hits('онлайн к@зин0'), 'tap20 evasion', '@ and 0 read as letters');
SELECT is(pg_temp.hits('к а з и н о'), 'tap20 evasion', 'letters split by spaces');
SELECT is(pg_temp.hits('к.а.з.и.н.о'), 'tap20 evasion', 'letters split by dots');
SELECT is(pg_temp.hits('кааазииино'), 'tap20 evasion', 'repeated letters');
SELECT is(pg_temp.hits('kaзинo'), 'tap20 evasion', 'Latin look-alikes inside a Cyrillic word');
SELECT is(pg_temp.hits('сп@м'), '-', 'a rule without evasion ignores evasions');
SELECT is(pg_temp.hits('as'), '-', 'squeezing never turns "ass" into "as"');

-- the cache follows rule changes in the same session, and forgets rolled-back ones
SELECT is(pg_temp.hits('лохотрон'), '-', 'no rule yet');
SELECT lives_ok($$SELECT rt.create_moderation_rule('{"name": "tap20 new", "pattern": "лохотрон", "label": "fraud", "action": "flag"}')$$,
                'a rule is added');
SELECT is(pg_temp.hits('лохотрон'), 'tap20 new', 'the next statement sees the new rule');
SELECT ok((rt.setting('matcher.version') #>> '{}')::bigint > 1, 'the rule change bumped matcher.version');
SAVEPOINT s;
UPDATE rt.moderation_rules SET pattern = 'развод' WHERE name = 'tap20 new';
SELECT is(pg_temp.hits('развод'), 'tap20 new', 'an update is seen at once');
ROLLBACK TO SAVEPOINT s;
SELECT is(pg_temp.hits('лохотрон'), 'tap20 new', 'a rolled-back update is forgotten');

-- rt.match_text and rt.test_rules: shapes, roles, bad input
SELECT throws_ok($$SELECT * FROM rt.match_text('x', 'rules')$$, '22023', 'field "rule_set" must be playbook or moderation',
                 'unknown rule set');
SELECT pg_temp.act('tap20_viewer');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(rt.test_rules('{"text": "СПАМ", "rule_set": "moderation"}') -> 'matches' -> 0) k),
          ARRAY['action', 'chat_ids', 'evasion', 'kind', 'label', 'name', 'pattern', 'rule_id'], 'a viewer may test rules; match shape');
SELECT is(rt.test_rules('{"text": "ЁЖ", "rule_set": "playbook"}'), '{"matches": [], "normalized": "еж"}', 'playbook test box');
SELECT throws_ok($$SELECT rt.test_rules('{"text": "x", "rule_set": "moderation", "chat_id": 1}')$$, '22023', 'unknown field "chat_id"',
                 'unknown field');
SELECT throws_ok($$SELECT rt.test_rules('{"rule_set": "moderation"}')$$, '22023', 'field "text" must be a string of at most 4096 characters',
                 'missing text');
UPDATE rt.admins SET disabled_at = now() WHERE login = 'tap20_viewer';
SELECT throws_ok($$SELECT rt.test_rules('{"text": "x", "rule_set": "moderation"}')$$, '42501', 'actor is not an enabled admin',
                 'a disabled admin may not test rules');
SELECT pg_temp.act('tap20_admin');
SELECT lives_ok($$SELECT rt.test_rules('{"text": "x", "rule_set": "moderation"}')$$, 'an admin may test rules');
SELECT set_config('rt.actor', '', true);

SELECT * FROM finish();
ROLLBACK;
