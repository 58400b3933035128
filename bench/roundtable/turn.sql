-- one turn as an edge LLM worker makes it, the provider answering instantly with a canned reply:
-- claim (the relay), rt.job_begin (the request: history, compression, compile_request),
-- rt.session_record_turn (message, totals, strike check, stop conditions, next turn queued);
-- as rt_edge, whose rt._require_worker check is the one the edge pays
SET ROLE rt_edge;
SELECT coalesce(public.bench_claim(), 0) AS job \gset
\if :job
SELECT rt.job_begin(:job) \gset begin_
SELECT rt.session_record_turn(:job, jsonb_build_object(
    'text', 'Ответ ' || :job || ': я по-прежнему считаю, что удалённая работа даёт людям свободу выбора графика, '
            || 'а компании — доступ к талантам из любого города. Вопрос ' || (:job % 97) || ' остаётся открытым.',
    'model', 'bench-instant', 'latency_ms', 0,
    'usage', jsonb_build_object('input', 400 + :job % 200, 'output', 120))) \gset rec_
\endif
