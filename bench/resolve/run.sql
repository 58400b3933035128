-- bench/resolve: times N calls of rt.resolve_params (C) and rt._resolve_params_plpgsql over
-- the ids in bench_ids (setup.sql). Both run once untimed first (plan caches, buffers).
\set ON_ERROR_STOP 1
SET client_min_messages = notice;
CREATE OR REPLACE FUNCTION pg_temp.time_ms(q text) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
BEGIN
    t0 := clock_timestamp();
    EXECUTE q;
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END
$$;

-- the two must agree before their speed means anything
SELECT count(*) FILTER (WHERE rt.resolve_params(chat_id, user_id) <> rt._resolve_params_plpgsql(chat_id, user_id)) AS mismatches
FROM bench_ids WHERE n <= 20000 \gset
\if :mismatches
\echo 'resolve_params and _resolve_params_plpgsql disagree on' :mismatches 'calls'
\quit
\endif

SELECT pg_temp.time_ms('SELECT count(rt.resolve_params(chat_id, user_id)) FROM bench_ids WHERE n <= 1000');
SELECT pg_temp.time_ms('SELECT count(rt._resolve_params_plpgsql(chat_id, user_id)) FROM bench_ids WHERE n <= 1000');

WITH t AS (
    SELECT pg_temp.time_ms('SELECT count(jsonb_build_array(chat_id, user_id)) FROM bench_ids') AS loop_ms,
           pg_temp.time_ms('SELECT count(rt.resolve_params(chat_id, user_id)) FROM bench_ids') AS c_ms,
           pg_temp.time_ms('SELECT count(rt._resolve_params_plpgsql(chat_id, user_id)) FROM bench_ids') AS plpgsql_ms,
           (SELECT count(*) FROM bench_ids) AS n)
SELECT n AS calls,
       round(c_ms * 1000 / n, 2) AS c_us_per_call,
       round(plpgsql_ms * 1000 / n, 2) AS plpgsql_us_per_call,
       round(plpgsql_ms / c_ms, 1) AS ratio,
       round(loop_ms * 1000 / n, 2) AS loop_overhead_us
FROM t;
