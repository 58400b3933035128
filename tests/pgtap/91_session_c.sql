-- the round table's C helpers (src/session.c, declared in sql/base/82_sessions.sql):
-- rt.session_transition (every pair of the state table), rt.text_similarity (the near-repeat
-- strike rule), rt.estimate_tokens (sanity; the accuracy is measured by integration 42) and
-- rt.compress_context (the extractive step and its budget).
BEGIN;
SELECT plan(83);

-- ---- the state table: 7 allowed pairs, the other 18 raise 55000 naming state and event ----
CREATE TEMP TABLE allowed (status text, event text, next text);
INSERT INTO allowed VALUES
    ('awaiting_topic', 'topic', 'awaiting_topic'), ('awaiting_topic', 'start', 'running'),
    ('awaiting_topic', 'stop', 'stopped'), ('awaiting_topic', 'fail', 'failed'),
    ('running', 'stop', 'stopped'), ('running', 'finish', 'finished'), ('running', 'fail', 'failed');
SELECT is(rt.session_transition(status, event), next, format('%s + %s -> %s', status, event, next))
FROM allowed ORDER BY status, event;
SELECT is(rt.session_transition(rt.session_transition('awaiting_topic', 'start'), 'finish'), 'finished',
          'awaiting_topic -> start -> finish ends finished');

SELECT throws_ok(format('SELECT rt.session_transition(%L, %L)', s, e), '55000',
                 format('session in state "%s" cannot %s', s, e), format('%s + %s is refused (55000)', s, e))
FROM unnest(ARRAY['awaiting_topic', 'running', 'finished', 'stopped', 'failed']) WITH ORDINALITY AS st(s, i)
CROSS JOIN unnest(ARRAY['topic', 'start', 'stop', 'finish', 'fail']) WITH ORDINALITY AS ev(e, j)
WHERE (s, e) NOT IN (SELECT status, event FROM allowed)
ORDER BY i, j;

SELECT throws_ok($$SELECT rt.session_transition('paused', 'start')$$, '22023', 'unknown session status "paused"',
                 'an unknown status raises 22023 naming it');
SELECT throws_ok($$SELECT rt.session_transition('running', 'pause')$$, '22023', 'unknown session event "pause"',
                 'an unknown event raises 22023 naming it');
SELECT throws_ok($$SELECT rt.session_transition('Running', 'stop')$$, '22023', 'unknown session status "Running"',
                 'names are case-sensitive');
SELECT is(rt.session_transition(NULL, 'stop'), NULL, 'STRICT: NULL in, NULL out');

-- ---- text_similarity ----
CREATE TEMP TABLE r (k text PRIMARY KEY, t text);
INSERT INTO r VALUES
 ('a', 'Я считаю, что удалённая работа в целом повышает производительность. Люди экономят время на дорогу, могут выстроить свой график и работать тогда, когда они наиболее продуктивны. Многие исследования показывают, что сотрудники на удалёнке реже отвлекаются на пустые разговоры и совещания.'),
 -- a with three words changed: the near-repeat the strike rule must catch
 ('a3', 'Я уверен, что удалённая работа в целом повышает производительность. Люди экономят часы на дорогу, могут выстроить свой график и работать тогда, когда они особенно продуктивны. Многие исследования показывают, что сотрудники на удалёнке реже отвлекаются на пустые разговоры и совещания.'),
 -- the other speaker on the same topic
 ('b', 'Позвольте возразить. Исследования, на которые ссылается мой коллега, часто опираются на самооценку сотрудников, а люди склонны переоценивать собственную эффективность. Кроме того, удалённая работа разрушает неформальные связи: новички учатся медленнее.'),
 ('en', 'I believe remote work increases productivity overall. People save time on commuting, can build their own schedule and work when they are most productive.'),
 ('en2', 'Economists disagree about universal basic income. Supporters argue that it will reduce poverty and give people the freedom to choose their work.');

SELECT is(rt.text_similarity(t, t), 1::float8, 'identity: a text is 1 to itself') FROM r WHERE k = 'a';
SELECT is(rt.text_similarity(a.t, b.t), rt.text_similarity(b.t, a.t), 'symmetric')
FROM r a, r b WHERE a.k = 'a' AND b.k = 'b';
SELECT cmp_ok(rt.text_similarity(a.t, b.t), '>=', 0.85::float8, 'a reply with three words changed is a near-repeat (>= 0.85)')
FROM r a, r b WHERE a.k = 'a' AND b.k = 'a3';
SELECT cmp_ok(rt.text_similarity(a.t, b.t), '<', 0.3::float8, 'the other speaker''s reply on the same topic is far below 0.85')
FROM r a, r b WHERE a.k = 'a' AND b.k = 'b';
SELECT cmp_ok(rt.text_similarity(a.t, b.t), '<', 0.15::float8, 'unrelated English texts are near 0')
FROM r a, r b WHERE a.k = 'en' AND b.k = 'en2';
SELECT cmp_ok(rt.text_similarity(a.t, b.t), '<', 0.05::float8, 'Russian and English share nothing')
FROM r a, r b WHERE a.k = 'a' AND b.k = 'en';
SELECT is(rt.text_similarity('ПРИВЕТ, Мир! Ёлка...', 'привет мир елка'), 1::float8,
          'Cyrillic is compared case-insensitively, ё as е, punctuation and spacing ignored');
SELECT is(rt.text_similarity(upper(t), t), 1::float8, 'an upper-cased repeat of a whole reply is 1') FROM r WHERE k = 'a';
SELECT is(rt.text_similarity('Remote  WORK, really?!', 'remote work really'), 1::float8, 'Latin too');
SELECT is(rt.text_similarity('', ''), 1::float8, 'two empty texts are equal');
SELECT is(rt.text_similarity('', 'текст'), 0::float8, 'empty against a text is 0');
SELECT is(rt.text_similarity('!!! ...', '?'), 1::float8, 'texts without letters or digits cannot be told apart');
SELECT ok(bool_and(s BETWEEN 0 AND 1), 'always within [0, 1]')
FROM (SELECT rt.text_similarity(a.t, b.t) AS s FROM r a, r b) x;
SELECT is(rt.text_similarity(repeat('абв где ', 2000) || 'один хвост', repeat('абв где ', 2000) || 'совсем другой хвост'),
          1::float8, 'only the first 20000 bytes are compared (the tails differ after 30000 bytes)');
-- 20001 bytes each: a cut at byte 20000 would leave half a letter, D1 (ё) against D0 (е)
SELECT cmp_ok(rt.text_similarity('x' || repeat('ё', 10000), 'x' || repeat('е', 10000)), '=', 1::float8,
              'the 20000-byte cut falls on a character boundary (a 2-byte letter is not split)');

-- ---- estimate_tokens: sanity (accuracy: integration 42) ----
SELECT is(rt.estimate_tokens(''), 0, 'the empty text is 0 tokens');
SELECT is(rt.estimate_tokens('ok'), 1, 'a short word is 1 token');
SELECT cmp_ok(rt.estimate_tokens(t), '>', 30, 'a long Russian reply is many tokens') FROM r WHERE k = 'a';
SELECT cmp_ok(rt.estimate_tokens(t), '<', octet_length(t) / 4, 'but fewer than bytes/4 (Cyrillic is 2 bytes a letter)') FROM r WHERE k = 'a';
SELECT ok(rt.estimate_tokens(repeat(t || ' ', 10)) BETWEEN 9.5 * rt.estimate_tokens(t || ' ') AND 10.5 * rt.estimate_tokens(t || ' '),
          'additive over whole words (rounded once)') FROM r WHERE k = 'en';
SELECT is(rt.estimate_tokens('1234567'), 3, 'digits in groups of 3');
SELECT is(rt.estimate_tokens(NULL), NULL, 'STRICT');

-- ---- compress_context ----
-- the topic (round 0), rounds 1..3 of two speakers, each turn three sentences
CREATE TEMP TABLE h AS
SELECT jsonb_agg(turn ORDER BY ord) AS turns FROM (
    SELECT 0 AS ord, jsonb_build_object('role', 'user', 'round', 0, 'content', 'Тема: удалённая работа — благо или вред? Обсудите.') AS turn
    UNION ALL
    SELECT 10 * rnd + pos, jsonb_build_object(
        'role', CASE pos WHEN 1 THEN 'assistant' ELSE 'user' END, 'round', rnd, 'speaker', 'S' || pos,
        'content', format('Раунд %s, участник %s: первое предложение о работе. Второе предложение подробнее «с цитатой»! '
                          'Третье, самое длинное предложение с деталями, цифрами %s и выводами…', rnd, pos, rnd * 1000 + pos))
    FROM generate_series(1, 3) rnd, generate_series(1, 2) pos) x;
CREATE FUNCTION pg_temp.cc(budget int) RETURNS jsonb LANGUAGE sql AS $$ SELECT rt.compress_context(turns, budget) FROM h $$;
CREATE FUNCTION pg_temp.cost(turns jsonb) RETURNS int LANGUAGE sql AS $$
    SELECT coalesce(sum(rt.estimate_tokens(coalesce(t ->> 'content', t ->> 'text')) + 4), 0)::int FROM jsonb_array_elements(turns) t $$;
SELECT pg_temp.cost(turns) AS full_cost FROM h \gset

SELECT is(pg_temp.cc(100000), jsonb_build_object('turns', turns, 'tokens', :full_cost, 'compressed', false, 'dropped', 0),
          'within budget: everything as it was, tokens = sum of estimate + 4 per turn') FROM h;
SELECT is(pg_temp.cc(:full_cost) -> 'compressed', 'false', 'a budget exactly the cost fits');

-- one token short: only the oldest older turn loses its last sentence
SELECT is((pg_temp.cc(:full_cost - 1) -> 'turns') -> 1 ->> 'content',
          'Раунд 1, участник 1: первое предложение о работе. Второе предложение подробнее «с цитатой»!',
          'one token short: the oldest older turn loses its last sentence (… and « » handled)');
SELECT is((pg_temp.cc(:full_cost - 1) -> 'turns') -> 1 -> 'compressed', 'true', 'and is marked compressed');
SELECT is((pg_temp.cc(:full_cost - 1) -> 'turns') -> 2, (SELECT turns -> 2 FROM h), 'the next older turn is untouched');
SELECT is((pg_temp.cc(:full_cost - 1) -> 'turns') -> 1 ->> 'speaker', 'S1', 'other keys are kept');

-- a budget that needs every older turn down to one sentence, plus some
SELECT pg_temp.cost(turns) - 1 AS two_short FROM (
    SELECT jsonb_agg(CASE WHEN (t ->> 'round')::int IN (1, 2)
                          THEN t || jsonb_build_object('content', split_part(t ->> 'content', '. ', 1) || '.')
                          ELSE t END ORDER BY o) AS turns
    FROM h, jsonb_array_elements(h.turns) WITH ORDINALITY AS e(t, o)) x \gset
SELECT pg_temp.cc(:two_short) AS small \gset
SELECT cmp_ok((:'small'::jsonb ->> 'tokens')::int, '<=', :two_short, 'a small budget is met');
SELECT is((:'small'::jsonb ->> 'tokens')::int, pg_temp.cost(:'small'::jsonb -> 'turns'), 'tokens is the cost of what is returned');
SELECT is(:'small'::jsonb ->> 'dropped', '1', 'one sentence each was still too much: one turn dropped');
SELECT is((SELECT t ->> 'content' FROM jsonb_array_elements(:'small'::jsonb -> 'turns') t WHERE (t ->> 'round')::int = 1 LIMIT 1),
          'Раунд 1, участник 2: первое предложение о работе.', 'the oldest older turn went first, the next kept its leading sentence');
SELECT is((SELECT jsonb_agg(t) FROM jsonb_array_elements(:'small'::jsonb -> 'turns') t WHERE (t ->> 'round')::int IN (0, 3)),
          (SELECT jsonb_agg(t) FROM h, jsonb_array_elements(h.turns) t WHERE (t ->> 'round')::int IN (0, 3)),
          'the topic and the last round are kept in full');
SELECT ok(bool_and(starts_with(o ->> 'content', '') AND (SELECT bool_or(starts_with(i ->> 'content', o ->> 'content'))
                                                  FROM h, jsonb_array_elements(h.turns) i)),
          'every returned content is a prefix of an original one')
FROM jsonb_array_elements(:'small'::jsonb -> 'turns') o;

SELECT is(pg_temp.cc(0) ->> 'dropped', '4', 'budget 0: every older turn dropped');
SELECT is(jsonb_array_length(pg_temp.cc(0) -> 'turns'), 3, 'the topic and the last round stay');
SELECT cmp_ok((pg_temp.cc(0) ->> 'tokens')::int, '>', 0, 'and tokens says they exceed the budget');
SELECT is(pg_temp.cc(0) ->> 'compressed', 'true', 'compressed is true');

-- the brief's shape: "text" instead of "content"; newlines split sentences too
SELECT is(rt.compress_context($$[{"speaker": "A", "round": 1, "text": "Первая строка\nвторая строка. Третья"},
                                 {"speaker": "B", "round": 2, "text": "последний раунд"}]$$, 16) -> 'turns' -> 0,
          '{"speaker": "A", "round": 1, "text": "Первая строка", "compressed": true}', '"text" works, a newline ends a sentence');
SELECT is(rt.compress_context($$[{"round": 1, "content": "3.14 is pi. e.g. this stays!"}, {"round": 2, "content": "x"}]$$, 15) -> 'turns' -> 0 ->> 'content',
          '3.14 is pi.', 'a dot inside a number or word does not end a sentence');
SELECT is(rt.compress_context('[]', 0), '{"turns": [], "tokens": 0, "compressed": false, "dropped": 0}', 'no turns');

-- properties over 300 random histories (fixed seed): texts of words, Cyrillic, emoji, digits,
-- dots inside numbers, terminator runs, quotes, newlines and tabs; random budgets
SELECT setseed(0.42) \gset _
CREATE TEMP TABLE pieces AS SELECT unnest(ARRAY['Привет', 'мир', '.', '!', '?', '…', ' ', ' ', ' ', E'\n', 'word', '3.14', '«', '»',
                                                '"', ')', 'ёлка', '👍', 'x', '...', '?!', E'\t', 'e.g.', '12345']) AS p;
CREATE FUNCTION pg_temp.rtext() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT coalesce(string_agg((SELECT array_agg(p) FROM pieces)[1 + floor(random() * 24)::int], ''), '')
    FROM generate_series(1, floor(random() * 60)::int) $$;
CREATE FUNCTION pg_temp.rturns() RETURNS jsonb LANGUAGE sql VOLATILE AS $$
    SELECT jsonb_agg(jsonb_build_object('round', k / 3, 'content', pg_temp.rtext()) ORDER BY k)
    FROM generate_series(0, floor(random() * 12)::int) k $$;
CREATE FUNCTION pg_temp.pinned_cost(turns jsonb) RETURNS int LANGUAGE sql AS $$
    SELECT coalesce(sum(rt.estimate_tokens(t ->> 'content') + 4), 0)::int FROM jsonb_array_elements(turns) t
    WHERE (t ->> 'round')::int <= 0 OR (t ->> 'round')::int = (SELECT max((u ->> 'round')::int) FROM jsonb_array_elements(turns) u) $$;
CREATE TEMP TABLE cases AS
SELECT c, budget, turns, rt.compress_context(turns, budget) AS r
FROM (SELECT c, (random() * 300)::int AS budget, pg_temp.rturns() AS turns FROM generate_series(1, 300) c) x;
SELECT is(count(*) FILTER (WHERE (r ->> 'tokens')::int <> pg_temp.cost(r -> 'turns')), 0::bigint,
          'random histories: tokens is always the cost of the returned turns') FROM cases;
SELECT is(count(*) FILTER (WHERE (r ->> 'tokens')::int > budget AND (r ->> 'tokens')::int > pg_temp.pinned_cost(turns)), 0::bigint,
          'the budget is met unless the topic and the last round alone exceed it') FROM cases;
SELECT is(count(*) FILTER (WHERE EXISTS (
              SELECT FROM jsonb_array_elements(r -> 'turns') o WHERE NOT EXISTS (
                  SELECT FROM jsonb_array_elements(turns) i
                  WHERE i ->> 'round' = o ->> 'round' AND starts_with(i ->> 'content', o ->> 'content')))), 0::bigint,
          'every returned text is a leading part of a turn of its round') FROM cases;
SELECT cmp_ok(count(*) FILTER (WHERE (r ->> 'compressed')::boolean), '>', 50::bigint, 'and many of them were compressed') FROM cases;
SELECT is(count(*) FILTER (WHERE rt.text_similarity(a.t, b.t) NOT BETWEEN 0 AND 1
                             OR rt.text_similarity(a.t, b.t) <> rt.text_similarity(b.t, a.t)
                             OR rt.text_similarity(a.t, a.t) <> 1), 0::bigint,
          'random texts: similarity within [0, 1], symmetric, 1 to itself')
FROM (SELECT c, turns -> 0 ->> 'content' AS t FROM cases) a JOIN (SELECT c, turns -> 0 ->> 'content' AS t FROM cases) b ON b.c = a.c % 300 + 1;

SELECT throws_ok($$SELECT rt.compress_context('{"round": 1}', 10)$$, '22023', 'turns must be a json array', 'an object is refused');
SELECT throws_ok($$SELECT rt.compress_context('"x"', 10)$$, '22023', 'turns must be a json array', 'a scalar is refused');
SELECT throws_ok($$SELECT rt.compress_context('[]', -1)$$, '22023', 'budget must not be negative', 'a negative budget is refused');
SELECT throws_ok($$SELECT rt.compress_context('[1]', 10)$$, '22023', 'turns[0] must be an object', 'a turn must be an object');
SELECT throws_ok($$SELECT rt.compress_context('[{"round": 1, "content": "a"}, {"content": "b"}]', 10)$$, '22023',
                 'turns[1] needs an integer "round"', 'round is required, the turn is named');
SELECT throws_ok($$SELECT rt.compress_context('[{"round": 1.5, "content": "a"}]', 10)$$, '22023',
                 'turns[0] needs an integer "round"', 'round must be an integer');
SELECT throws_ok($$SELECT rt.compress_context('[{"round": 1, "content": 5}]', 10)$$, '22023',
                 'turns[0] needs a string "content" (or "text")', 'content must be a string');

SELECT * FROM finish();
ROLLBACK;
