-- bench/matcher: MB/s per core of the C matcher (rt._match_count and rt.match_text) over 2,000
-- messages of ~1 KB at 10,000 and 1,000 rules, and the same 1,000 rules as ILIKE / ~* in SQL.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
-- CPU time of this backend, not wall time: MB/s per core, whatever else runs on the machine
CREATE OR REPLACE FUNCTION pg_temp.time_ms(q text) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    t0 float8;
BEGIN
    t0 := rt._backend_cpu_ms();
    EXECUTE q;
    RETURN (rt._backend_cpu_ms() - t0)::numeric;
END
$$;
-- the rules as plain SQL: substring -> ILIKE, word/phrase -> ~* with word boundaries; rules
-- outermost so each regex is compiled once (PostgreSQL caches only 32)
CREATE OR REPLACE FUNCTION pg_temp.sql_hits(lim int) RETURNS bigint LANGUAGE sql AS $$
    SELECT sum(h.c)::bigint FROM rt.moderation_rules r, LATERAL (
        SELECT count(*) AS c FROM bench_msgs m
        WHERE m.n <= lim AND CASE r.pattern_kind
            WHEN 'substring' THEN m.body ILIKE '%' || r.pattern || '%'
            ELSE m.body ~* ('\m' || replace(r.pattern, ' ', '\s+') || '\M') END) h
$$;
-- rt.moderation_rules from the first nrules words: 70% word, 20% substring, 10% phrase
CREATE OR REPLACE FUNCTION pg_temp.load_rules(nrules int, evasion boolean) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM rt.moderation_rules;
    INSERT INTO rt.moderation_rules (name, pattern, pattern_kind, evasion, label, action)
    SELECT 'r' || v.n,
           CASE WHEN v.n % 10 = 9 THEN v.w || ' ' || (SELECT w2.w FROM bench_vocab w2 WHERE w2.n = v.n % 10000 + 1) ELSE v.w END,
           CASE WHEN v.n % 10 IN (3, 7) THEN 'substring' WHEN v.n % 10 = 9 THEN 'phrase' ELSE 'word' END,
           evasion, 'spam', 'flag'
    FROM bench_vocab v WHERE v.n <= nrules;
$$;

SELECT sum(octet_length(body)) AS bytes, count(*) AS msgs FROM bench_msgs \gset

\echo '== 10,000 rules (evasion off)'
SELECT pg_temp.load_rules(10000, false);
SELECT pg_temp.time_ms($q$SELECT rt._matcher_stats('moderation')$q$) AS build_ms;
SELECT rt._matcher_stats('moderation') AS automaton;
-- median of three runs each
WITH r AS (
    SELECT pg_temp.time_ms('SELECT count(octet_length(body)) FROM bench_msgs') AS loop_ms,
           pg_temp.time_ms($q$SELECT sum(rt._match_count(body, 'moderation')) FROM bench_msgs$q$) AS count_ms,
           pg_temp.time_ms($q$SELECT count(*) FROM bench_msgs, LATERAL rt.match_text(body, 'moderation')$q$) AS srf_ms
    FROM generate_series(1, 3)),
t AS (
    SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY loop_ms) AS loop_ms,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY count_ms) AS count_ms,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY srf_ms) AS srf_ms
    FROM r)
SELECT round(:bytes / 1e6 / (count_ms / 1e3), 1) AS c_count_mb_s,
       round(:bytes / 1e6 / ((count_ms - loop_ms) / 1e3), 1) AS c_count_mb_s_net_of_scan,
       round(:bytes / 1e6 / (srf_ms / 1e3), 1) AS c_match_text_mb_s,
       round((count_ms - loop_ms) * 1000 / :msgs, 2) AS us_per_msg
FROM t;
SELECT sum(rt._match_count(body, 'moderation')) AS c_hits_10k FROM bench_msgs;

\echo '== 10,000 rules (evasion on: base + skeleton automata)'
SELECT pg_temp.load_rules(10000, true);
SELECT rt._matcher_stats('moderation') AS automaton;
WITH t AS (
    SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY pg_temp.time_ms($q$SELECT sum(rt._match_count(body, 'moderation')) FROM bench_msgs$q$)) AS count_ms
    FROM generate_series(1, 3))
SELECT round(:bytes / 1e6 / (count_ms / 1e3), 1) AS c_evasion_mb_s FROM t;

\echo '== 1,000 rules: C against plain SQL (ILIKE / ~*)'
SELECT pg_temp.load_rules(1000, false);
SELECT rt._matcher_stats('moderation') AS automaton;
SELECT sum(octet_length(body)) AS sql_bytes FROM bench_msgs WHERE n <= 100 \gset
WITH t AS (
    SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY pg_temp.time_ms($q$SELECT sum(rt._match_count(body, 'moderation')) FROM bench_msgs$q$)) AS c_ms,
           (SELECT pg_temp.time_ms('SELECT pg_temp.sql_hits(100)')) AS sql_ms
    FROM generate_series(1, 3))
SELECT round(:bytes / 1e6 / (c_ms / 1e3), 1) AS c_mb_s,
       round(:sql_bytes / 1e6 / (sql_ms / 1e3), 3) AS sql_mb_s,
       round((:bytes / c_ms) / (:sql_bytes / sql_ms), 0) AS ratio
FROM t;
SELECT (SELECT sum(rt._match_count(body, 'moderation')) FROM bench_msgs WHERE n <= 100) AS c_hits_100_msgs,
       pg_temp.sql_hits(100) AS sql_hits_100_msgs;
