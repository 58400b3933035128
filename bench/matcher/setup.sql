-- bench/matcher setup: a generated Russian/English vocabulary, 1 KB messages, and the rule sets.
-- Deterministic (setseed). Replaces rt.moderation_rules of the bench database.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_vocab, bench_msgs;
CREATE TABLE bench_vocab (n int PRIMARY KEY, w text NOT NULL UNIQUE);
CREATE TABLE bench_msgs (n int PRIMARY KEY, body text NOT NULL);

DO $$
DECLARE
    ru constant text[] := ARRAY['ка', 'ло', 'ми', 'ра', 'ст', 'пр', 'ен', 'ов', 'ни', 'то', 'ве', 'за',
                                'до', 'ль', 'су', 'ще', 'чи', 'жа', 'бы', 'ту', 'гр', 'ол', 'ус', 'ям',
                                'ё', 'й', 'эк', 'фо', 'шу', 'хр'];
    en constant text[] := ARRAY['ta', 'ke', 'mo', 'ri', 'st', 'pr', 'en', 'ow', 'ni', 'th', 've', 'za',
                                'do', 'la', 'su', 'sh', 'ch', 'ja', 'by', 'tu', 'gr', 'ol', 'us', 'am',
                                'qu', 'x', 'wi', 'fo', 'pe', 'ck'];
    syl text[];
    word text;
    k int;
    seen int := 0;
    body text;
    i int;
BEGIN
    PERFORM setseed(0.42);
    -- 40,000 distinct words: 3..5 syllables, half Russian, half English
    WHILE seen < 40000 LOOP
        syl := CASE WHEN random() < 0.5 THEN ru ELSE en END;
        word := '';
        FOR i IN 1 .. 3 + floor(random() * 3)::int LOOP
            word := word || syl[1 + floor(random() * 30)::int];
        END LOOP;
        BEGIN
            INSERT INTO bench_vocab VALUES (seen + 1, word);
            seen := seen + 1;
        EXCEPTION WHEN unique_violation THEN
            NULL;
        END;
    END LOOP;
    -- 2,000 messages of ~1 KB from words 10001..40000 (no rule is built from them), and about
    -- one word in 100 from the rule words 1..10000, so a message hits a few rules
    FOR i IN 1 .. 2000 LOOP
        body := '';
        WHILE octet_length(body) < 1000 LOOP
            k := CASE WHEN random() < 0.01 THEN 1 + floor(random() * 10000)::int
                      ELSE 10001 + floor(random() * 30000)::int END;
            body := body || (SELECT v.w FROM bench_vocab v WHERE v.n = k)
                         || CASE WHEN random() < 0.1 THEN ', ' ELSE ' ' END;
        END LOOP;
        INSERT INTO bench_msgs VALUES (i, left(body, 1024));
    END LOOP;
END
$$;
ANALYZE bench_vocab;
ANALYZE bench_msgs;
