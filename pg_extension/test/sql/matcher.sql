-- the matching engine: normalisation, word boundaries, Cyrillic/Latin folding, evasions,
-- regex rules, scope, playbook order and stop, moderation verdicts; bad inputs inline
\set VERBOSITY terse

-- base normalisation: case folding (Latin, Cyrillic incl. Ukrainian/Belarusian), ё -> е,
-- zero-width characters and soft hyphens removed, whitespace runs folded and trimmed
SELECT rt.normalize('Привет, МИР! Hello WORLD');
SELECT rt.normalize('Ёлка ЁЖ ёж');
SELECT rt.normalize('Їжак ҐАНОК Єнот Ірина Ўладзімір');
SELECT rt.normalize(E'сп\u200Bам s\u200Dp\uFEFFa\u2060m ка\u00ADзино');
SELECT rt.normalize(E'  купи \t\n  сейчас\u00A0 ');
SELECT rt.normalize('ÀÉÎÕÜ ÇÑ Straße ΑΒΓ');
SELECT rt.normalize('');

-- evasion form: look-alikes on one alphabet, digits and @ $ ! | as letters inside words,
-- split letters joined, repeats squeezed
SELECT rt.normalize('сп@м', true) = rt.normalize('спам', true) AS at_sign;
SELECT rt.normalize('s p a m', true) = rt.normalize('spam', true) AS spaced;
SELECT rt.normalize('с.п.а.м', true) = rt.normalize('спам', true) AS dotted;
SELECT rt.normalize('с-п-а-м', true) = rt.normalize('спам', true) AS dashed;
SELECT rt.normalize('спаааааам', true) = rt.normalize('спам', true) AS repeated;
SELECT rt.normalize('cпам', true) = rt.normalize('спам', true) AS latin_c;
SELECT rt.normalize('SРАМ', true) = rt.normalize('spam', true) AS cyrillic_in_latin;
SELECT rt.normalize('v1agra', true) = rt.normalize('viagra', true) AS digit_one;
SELECT rt.normalize('v!agra', true) = rt.normalize('viagra', true) AS bang;
SELECT rt.normalize('$pam', true) = rt.normalize('spam', true) AS dollar;
SELECT rt.normalize('0нлайн казин0', true) = rt.normalize('онлайн казино', true) AS zeros;
SELECT rt.normalize('3аработок', true) = rt.normalize('заработок', true) AS three;
SELECT rt.normalize('спам! 2023 год, 100$ @$$', true);

-- rules (the DBA door: no rt.actor)
SELECT rt.create_moderation_rule('{"name": "spam ru word", "pattern": "спам", "pattern_kind": "word", "label": "spam", "action": "flag", "evasion": false}') ->> 'name';
SELECT rt.create_moderation_rule('{"name": "spam ru substring", "pattern": "СПАМ", "pattern_kind": "substring", "label": "spam", "action": "hide", "evasion": false}') ->> 'name';
SELECT rt.create_moderation_rule('{"name": "spam evasion", "pattern": "спам", "label": "spam", "action": "flag"}') ->> 'name';
SELECT rt.create_moderation_rule('{"name": "spam en", "pattern": "Spam", "label": "spam", "action": "flag"}') ->> 'name';
SELECT rt.create_moderation_rule('{"name": "ass", "pattern": "ass", "label": "abuse", "action": "delete"}') ->> 'name';
SELECT rt.create_moderation_rule('{"name": "viagra", "pattern": "viagra", "pattern_kind": "substring", "label": "spam", "action": "delete"}') ->> 'name';
SELECT rt.create_moderation_rule('{"name": "casino", "pattern": "онлайн   казино", "pattern_kind": "phrase", "label": "spam", "action": "hide"}') ->> 'name';
SELECT rt.create_moderation_rule('{"name": "elka", "pattern": "ёлка", "label": "tree", "action": "flag", "evasion": false}') ->> 'name';
SELECT rt.create_moderation_rule('{"name": "links", "pattern": "https?://\\S+", "pattern_kind": "regex", "label": "links", "action": "flag"}') ->> 'name';
SELECT rt.create_moderation_rule('{"name": "scoped", "pattern": "реклама", "label": "ads", "action": "delete", "chat_ids": [-100, 7]}') ->> 'name';
SELECT rt.create_moderation_rule('{"name": "disabled", "pattern": "привет", "label": "x", "action": "flag", "enabled": false}') ->> 'name';

CREATE FUNCTION pg_temp.hits(t text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(r.name, ', ' ORDER BY r.id), '-')
    FROM rt.match_text(t, 'moderation') m JOIN rt.moderation_rules r ON r.id = m.rule_id
$$;

-- word kind never fires inside a longer word; substring does
SELECT pg_temp.hits('это спам');
SELECT pg_temp.hits('он спамер');
SELECT pg_temp.hits('СПАМ, спам!');
SELECT pg_temp.hits('(спам)');
SELECT pg_temp.hits('антиспам');
SELECT pg_temp.hits('my class is first class');
SELECT pg_temp.hits('kiss my ass');
SELECT pg_temp.hits('assassin');
SELECT pg_temp.hits('as you like it');
SELECT pg_temp.hits('SPAM SPAM SPAM');
-- zero-width characters inside a word
SELECT pg_temp.hits(E'сп\u200Bам');
-- ё and е
SELECT pg_temp.hits('ЕЛКА');
SELECT pg_temp.hits('Ёлка');
SELECT pg_temp.hits('ёлки');
-- phrases: whole words, whitespace runs folded
SELECT pg_temp.hits(E'лучшее Онлайн \n казино!');
SELECT pg_temp.hits('онлайн-казино');
SELECT pg_temp.hits('онлайн казиноград');
-- evasions (rules with evasion = true only)
SELECT pg_temp.hits('сп@м');
SELECT pg_temp.hits('купи с п а м');
SELECT pg_temp.hits('с.п.а.м');
SELECT pg_temp.hits('спаааааам');
SELECT pg_temp.hits('cпам');
SELECT pg_temp.hits('s p a m');
SELECT pg_temp.hits('$pam');
SELECT pg_temp.hits('kiss my a s s');
SELECT pg_temp.hits('kiss my @$$');
SELECT pg_temp.hits('buy v1agra now');
SELECT pg_temp.hits('buy v!agra now');
SELECT pg_temp.hits('buy VIAGRA');
SELECT pg_temp.hits('0нлайн казин0');
SELECT pg_temp.hits('спамер');
-- regex rules through PostgreSQL's engine (~*)
SELECT pg_temp.hits('see HTTPS://example.com');
SELECT pg_temp.hits('see http:// nothing');
-- disabled rules never match; nothing matches an empty text
SELECT pg_temp.hits('привет');
SELECT pg_temp.hits('');

SELECT rule_id > 0 AS has_id, kind, pattern FROM rt.match_text('это спам', 'moderation') ORDER BY rule_id;

-- long texts are scanned as four interleaved streams: a word anywhere, across every split
SELECT count(*) AS misses FROM generate_series(0, 800, 3) o
WHERE pg_temp.hits(repeat('x', o) || ' спам ' || repeat('y', 800 - o)) <> 'spam ru word, spam ru substring, spam evasion';
SELECT count(*) AS misses FROM generate_series(0, 800, 5) o
WHERE pg_temp.hits(repeat('ж', o) || ' онлайн  казино ' || repeat('z', 800 - o)) <> 'casino';
SELECT pg_temp.hits(repeat('спам', 300));

-- verdicts: labels in rule order, strongest action wins, scope by chat
SELECT rt.moderation_verdict(1, 'спам и viagra') - 'rule_ids';
SELECT rt.moderation_verdict(1, 'просто текст');
SELECT rt.moderation_verdict(1, 'реклама') - 'rule_ids';
SELECT rt.moderation_verdict(7, 'реклама') - 'rule_ids';
SELECT rt.moderation_verdict(NULL, 'реклама') - 'rule_ids';
SELECT rt.moderation_verdict(1, NULL);

-- the test box
SELECT jsonb_pretty(jsonb_set(r, '{matches}', (SELECT jsonb_agg(x - 'rule_id') FROM jsonb_array_elements(r->'matches') x)))
FROM rt.test_rules('{"text": "Ёлка и СПАМ", "rule_set": "moderation"}') r;
SELECT rt.test_rules('{"text": "Сколько стоит?", "rule_set": "playbook"}') -> 'normalized';

-- playbooks: priority order, scope, stop
SELECT rt.create_playbook('{"name": "price", "pattern": "цена", "priority": 20, "reply_text": "Цены: /prices"}') ->> 'name';
SELECT rt.create_playbook('{"name": "price phrase", "pattern": "сколько стоит", "pattern_kind": "phrase", "priority": 10}') ->> 'name';
SELECT rt.create_playbook('{"name": "stopper", "pattern": "стоп", "priority": 15, "stop": true}') ->> 'name';
SELECT rt.create_playbook('{"name": "after stop", "pattern": "стоп", "priority": 30}') ->> 'name';
SELECT rt.create_playbook('{"name": "vip only", "pattern": "цена", "priority": 5, "chat_ids": [42]}') ->> 'name';

CREATE FUNCTION pg_temp.plays(chat bigint, t text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(p.name || CASE WHEN m.stop THEN ' (stop)' ELSE '' END, ', ' ORDER BY m.n), '-')
    FROM rt.playbook_matches(chat, t) WITH ORDINALITY m(playbook_id, preset_id, preset_hours, reply_text, stop, n)
    JOIN rt.playbooks p ON p.id = m.playbook_id
$$;
SELECT pg_temp.plays(1, 'Сколько   стоит? Цена?');
SELECT pg_temp.plays(42, 'Сколько стоит? Цена?');
SELECT pg_temp.plays(1, 'цена стоп');
SELECT pg_temp.plays(1, 'стоп');
SELECT pg_temp.plays(NULL, 'цена');
SELECT pg_temp.plays(1, 'ценами');
SELECT reply_text FROM rt.playbook_matches(1, 'какая цена');

-- a rule change is seen by the next statement of the same session
SELECT pg_temp.hits('это мошенник');
SELECT rt.create_moderation_rule('{"name": "fraud", "pattern": "мошенник", "label": "fraud", "action": "hide"}') ->> 'name';
SELECT pg_temp.hits('это мошенник');
UPDATE rt.moderation_rules SET enabled = false WHERE name = 'fraud';
SELECT pg_temp.hits('это мошенник');
-- ... and a rolled-back change is forgotten
BEGIN;
UPDATE rt.moderation_rules SET enabled = true WHERE name = 'fraud';
SELECT pg_temp.hits('это мошенник');
ROLLBACK;
SELECT pg_temp.hits('это мошенник');
SELECT (rt._matcher_stats('moderation') - 'version' - 'bytes');

-- bad inputs
SELECT * FROM rt.match_text('text', 'nope');
SELECT rt.test_rules('{"text": "x", "rule_set": "both"}');
SELECT rt.test_rules('{"text": 5, "rule_set": "moderation"}');
SELECT rt.create_moderation_rule('{"name": "bad regex", "pattern": "(unclosed", "pattern_kind": "regex", "label": "x", "action": "flag"}');
SELECT rt.create_moderation_rule('{"name": "empty", "pattern": "", "label": "x", "action": "flag"}');
SELECT rt.create_moderation_rule(jsonb_build_object('name', 'long', 'pattern', repeat('a', 501), 'label', 'x', 'action', 'flag'));
SELECT rt.create_moderation_rule(E'{"name": "invisible", "pattern": "\\u200b", "label": "x", "action": "flag"}');
SELECT rt.create_moderation_rule('{"name": "kind", "pattern": "x", "pattern_kind": "glob", "label": "x", "action": "flag"}');
SELECT rt.create_moderation_rule('{"name": "action", "pattern": "x", "label": "x", "action": "ban"}');
SELECT rt.create_playbook('{"name": "hours", "pattern": "x", "preset_hours": 2}');
SELECT rt.create_playbook('{"name": "preset", "pattern": "x", "preset_id": 999999999}');
SELECT rt.normalize(NULL);
