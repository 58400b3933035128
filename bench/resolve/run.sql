-- bench/resolve: times N calls of rt.resolve_params (C) and rt._resolve_params_plpgsql over the
-- ids in bench_ids (setup.sql), in a fresh session. "cold": the C caches start empty and fill
-- during the pass; "warm": the same calls again. PL/pgSQL gets 1,000 untimed calls first so its
-- plans are cached (it has no data cache to warm). Wall time and this backend's CPU time
-- (rt._backend_cpu_ms, user + system) are both reported: on a shared machine the CPU figure is
-- the one that does not count time spent waiting for a core.
\set ON_ERROR_STOP 1
CREATE OR REPLACE FUNCTION pg_temp.time_ms(q text, OUT wall numeric, OUT cpu numeric) LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    c0 float8;
BEGIN
    c0 := rt._backend_cpu_ms();
    t0 := clock_timestamp();
    EXECUTE q;
    wall := extract(epoch FROM clock_timestamp() - t0) * 1000;
    cpu := (rt._backend_cpu_ms() - c0)::numeric;
END
$$;
CREATE TEMP TABLE t (what text, wall numeric, cpu numeric);
INSERT INTO t SELECT 'loop', * FROM pg_temp.time_ms('SELECT count(jsonb_build_array(chat_id, user_id)) FROM bench_ids');
INSERT INTO t SELECT 'C, cold caches', * FROM pg_temp.time_ms('SELECT count(rt.resolve_params(chat_id, user_id)) FROM bench_ids');
INSERT INTO t SELECT 'C, warm caches', * FROM pg_temp.time_ms('SELECT count(rt.resolve_params(chat_id, user_id)) FROM bench_ids');
SELECT count(rt._resolve_params_plpgsql(chat_id, user_id)) FROM bench_ids WHERE n <= 1000 \gset
INSERT INTO t SELECT 'PL/pgSQL', * FROM pg_temp.time_ms('SELECT count(rt._resolve_params_plpgsql(chat_id, user_id)) FROM bench_ids');

WITH n AS (SELECT count(*) AS n FROM bench_ids),
     p AS (SELECT wall, cpu FROM t WHERE what = 'PL/pgSQL')
SELECT t.what, n.n AS calls,
       round(t.wall * 1000 / n.n, 2) AS wall_us_per_call,
       round(t.cpu * 1000 / n.n, 2) AS cpu_us_per_call,
       CASE WHEN t.what LIKE 'C,%' THEN round(p.wall / t.wall, 1) END AS plpgsql_over_c_wall,
       CASE WHEN t.what LIKE 'C,%' THEN round(p.cpu / nullif(t.cpu, 0), 1) END AS plpgsql_over_c_cpu
FROM t, n, p
ORDER BY CASE t.what WHEN 'C, cold caches' THEN 1 WHEN 'C, warm caches' THEN 2 WHEN 'PL/pgSQL' THEN 3 ELSE 4 END;
