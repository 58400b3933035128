-- bench/roundtable setup: :sessions console sessions (no chat: nothing to post to Telegram)
-- running at once, each with the participants the install seeds (no keys: the demo provider
-- plays Оптимист and Скептик), and bench_claim(), the relay's part: one pending llm.turn job,
-- marked relayed, SKIP LOCKED so that parallel clients take different jobs. The turns run as
-- rt_edge (turn.sql: SET ROLE), as the edge's workers do: sql/roles.sql grants its functions
-- here (its password is left alone).
\i :roles
SELECT rt.ensure_default_providers('{}') \g /dev/null
SELECT count(*) AS enabled_providers FROM rt.providers WHERE enabled \gset
\echo enabled providers: :enabled_providers

CREATE OR REPLACE FUNCTION public.bench_claim() RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog
AS $$
    UPDATE rt.outbox o SET relayed_at = now(), relays = o.relays + 1
    WHERE o.id = (SELECT x.id FROM rt.outbox x
                  WHERE x.kind = 'llm.turn' AND x.done_at IS NULL AND x.dead_at IS NULL AND x.relayed_at IS NULL
                  ORDER BY x.id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING o.id
$$;

\timing on
SELECT count(rt._session_begin((rt._session_create(NULL, NULL, 'bench', jsonb_build_object('max_rounds', :rounds))).id,
                               'Тема ' || g || ': удалённая работа — благо или вред?'))
FROM generate_series(1, :sessions) g;
\timing off
SELECT count(*) AS running FROM rt.sessions WHERE status = 'running' \gset
SELECT count(*) AS pending FROM rt.outbox WHERE kind = 'llm.turn' AND done_at IS NULL AND dead_at IS NULL \gset
\echo running sessions: :running, pending llm.turn jobs: :pending
ANALYZE;
