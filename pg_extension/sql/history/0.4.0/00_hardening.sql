-- roundtable 0.4.0, part 00: hardening (issue 7). The parts that follow, one topic each:
-- regex budgets for rules, the event journal behind NOTIFY rt_events, the actor rule for rt_edge
-- and the moderation evasions. Runs on a fresh install after the 0.3.0 parts and as the
-- 0.3.0 -> 0.4.0 upgrade.
SELECT 1 WHERE false;
