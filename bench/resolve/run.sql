-- bench/resolve: times N calls of rt.resolve_params (C) and rt._resolve_params_plpgsql over the
-- ids in bench_ids (setup.sql), in a fresh session. "cold": the C caches start empty and fill
-- during the pass; "warm": the same calls again. PL/pgSQL gets 1,000 untimed calls first so its
-- plans are cached (it has no data cache to warm).
\set ON_ERROR_STOP 1
CREATE OR REPLACE FUNCTION pg_temp.time_ms(q text) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
BEGIN
    t0 := clock_timestamp();
    EXECUTE q;
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END
$$;
CREATE TEMP TABLE t (what text, ms numeric);
INSERT INTO t SELECT 'loop', pg_temp.time_ms('SELECT count(jsonb_build_array(chat_id, user_id)) FROM bench_ids');
INSERT INTO t SELECT 'c_cold', pg_temp.time_ms('SELECT count(rt.resolve_params(chat_id, user_id)) FROM bench_ids');
INSERT INTO t SELECT 'c_warm', pg_temp.time_ms('SELECT count(rt.resolve_params(chat_id, user_id)) FROM bench_ids');
SELECT count(rt._resolve_params_plpgsql(chat_id, user_id)) FROM bench_ids WHERE n <= 1000 \gset
INSERT INTO t SELECT 'plpgsql', pg_temp.time_ms('SELECT count(rt._resolve_params_plpgsql(chat_id, user_id)) FROM bench_ids');

SELECT n AS calls,
       round(c_cold * 1000 / n, 2) AS c_cold_us,
       round(c_warm * 1000 / n, 2) AS c_warm_us,
       round(plpgsql * 1000 / n, 2) AS plpgsql_us,
       round(plpgsql / c_cold, 1) AS ratio_cold,
       round(plpgsql / c_warm, 1) AS ratio_warm,
       round(loop * 1000 / n, 2) AS loop_overhead_us
FROM (SELECT (SELECT count(*) FROM bench_ids) AS n,
             max(ms) FILTER (WHERE what = 'c_cold') AS c_cold, max(ms) FILTER (WHERE what = 'c_warm') AS c_warm,
             max(ms) FILTER (WHERE what = 'plpgsql') AS plpgsql, max(ms) FILTER (WHERE what = 'loop') AS loop
      FROM t) x;
