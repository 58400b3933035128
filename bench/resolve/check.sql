-- bench/resolve: the C function and the PL/pgSQL spec must agree before their speed means anything
\set ON_ERROR_STOP 1
SELECT count(*) FILTER (WHERE rt.resolve_params(chat_id, user_id) <> rt._resolve_params_plpgsql(chat_id, user_id)) AS mismatches,
       count(*) AS checked
FROM bench_ids WHERE n % 5 = 0 OR n <= 2000 \gset
\echo checked :checked calls, mismatches: :mismatches
SELECT :mismatches = 0 AS agree \gset
\if :agree
\else
\echo 'rt.resolve_params and rt._resolve_params_plpgsql disagree'
\quit 3
\endif
