-- bench/resolve: ~1,000 presets and ~100,000 bindings spread over the four stored layers,
-- a tenth of them expired and a tenth expiring later, plus the ids the timed loop calls with.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
-- the audit/change triggers are not what is measured; disable them for the bulk load
ALTER TABLE rt.presets DISABLE TRIGGER USER;
ALTER TABLE rt.preset_bindings DISABLE TRIGGER USER;
TRUNCATE rt.preset_bindings, rt.presets RESTART IDENTITY CASCADE;

INSERT INTO rt.presets (name, temperature, max_tokens, tone, verbosity, emotional_intensity, persona)
SELECT 'bench ' || i,
       CASE WHEN i % 3 <> 0 THEN round((random() * 2)::numeric, 2) END,
       CASE WHEN i % 4 = 0 THEN 64 + i END,
       CASE WHEN i % 2 = 0 THEN (ARRAY['formal', 'friendly', 'neutral', 'aggressive'])[1 + i % 4] END,
       CASE WHEN i % 5 = 0 THEN (ARRAY['short', 'detailed'])[1 + i % 2] END,
       CASE WHEN i % 3 = 1 THEN i % 101 END,
       CASE WHEN i % 7 = 0 THEN 'You are bench persona number ' || i || '.' END
FROM generate_series(1, 1000) i;

-- expiry mix: 80% permanent, 10% already expired, 10% expiring in the future
CREATE TEMP TABLE mix AS
SELECT i, CASE WHEN i % 10 = 0 THEN now() - interval '1 hour'
               WHEN i % 10 = 1 THEN now() + interval '5 hours' END AS expires_at
FROM generate_series(1, 100000) i;

INSERT INTO rt.preset_bindings (scope, chat_id, user_id, preset_id, expires_at, created_at, created_by)
SELECT 'global', NULL, NULL, 1 + i % 1000, expires_at, now() - i * interval '1 second', 'bench'
FROM mix WHERE i <= 20;
INSERT INTO rt.preset_bindings (scope, chat_id, user_id, preset_id, expires_at, created_at, created_by)
SELECT 'chat', -1000000000000 - i % 10000, NULL, 1 + (i * 7) % 1000, expires_at, now() - i * interval '1 second', 'bench'
FROM mix WHERE i > 20 AND i <= 30000;
INSERT INTO rt.preset_bindings (scope, chat_id, user_id, preset_id, expires_at, created_at, created_by)
SELECT 'user', NULL, 100000 + i % 20000, 1 + (i * 13) % 1000, expires_at, now() - i * interval '1 second', 'bench'
FROM mix WHERE i > 30000 AND i <= 60000;
INSERT INTO rt.preset_bindings (scope, chat_id, user_id, preset_id, expires_at, created_at, created_by)
SELECT 'chat_user', -1000000000000 - i % 10000, 100000 + i % 20000, 1 + (i * 17) % 1000, expires_at,
       now() - i * interval '1 second', 'bench'
FROM mix WHERE i > 60000;

ALTER TABLE rt.presets ENABLE TRIGGER USER;
ALTER TABLE rt.preset_bindings ENABLE TRIGGER USER;
VACUUM (ANALYZE) rt.presets, rt.preset_bindings;

-- call arguments, drawn once so random() is not timed: chats and users that have bindings,
-- and 10% strangers that fall through to the global layer and the defaults
DROP TABLE IF EXISTS bench_ids;
CREATE TABLE bench_ids AS
SELECT n,
       CASE WHEN n % 10 = 0 THEN -2000000000000 - n ELSE -1000000000000 - (random() * 9999)::bigint END AS chat_id,
       CASE WHEN n % 10 = 0 THEN 900000000 + n ELSE 100000 + (random() * 19999)::bigint END AS user_id
FROM generate_series(1, 100000) n;
VACUUM (ANALYZE) bench_ids;

SELECT (SELECT count(*) FROM rt.presets) AS presets,
       (SELECT count(*) FROM rt.preset_bindings) AS bindings,
       (SELECT jsonb_object_agg(scope, n) FROM (SELECT scope, count(*) n FROM rt.preset_bindings GROUP BY 1) s) AS per_scope;
