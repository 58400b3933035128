-- roundtable 0.5.0: the simulator's ids come from a sequence in the database (rt.sim_ids,
-- rt.sim_next_id) instead of the Redis counter {rt}:sim:update_id, which restarted with a lost or
-- fresh Redis (and after a restore), so rt.ingest dropped the next simulated updates as
-- duplicates of stored ones. The sequence starts past every id the counter handed out: the
-- simulated update ids (rt.update_keys) and the message ids of the bot's simulated sends
-- (rt.message_keys, id - 9000000000000 + 1).

CREATE SEQUENCE rt.sim_ids AS bigint MINVALUE 9000000000000 START WITH 9000000000000;
COMMENT ON SEQUENCE rt.sim_ids IS 'ids of the simulator (rt.sim_next_id): update ids from 9000000000000 so they never meet Telegram''s, and message id = value - 9000000000000 + 1; in the database, so a lost Redis or a restore cannot hand out an id twice';

SELECT pg_catalog.setval('rt.sim_ids', greatest(
    9000000000000,
    (SELECT max(update_id) + 1 FROM rt.update_keys WHERE update_id >= 9000000000000),
    (SELECT max(message_id) + 9000000000000 FROM rt.message_keys)), false);

CREATE FUNCTION rt.sim_next_id() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = rt, pg_catalog
AS $$
BEGIN
    PERFORM rt._require_worker('admin');
    RETURN nextval('rt.sim_ids');
END
$$;
COMMENT ON FUNCTION rt.sim_next_id() IS 'The simulator''s next id (admin, or the edge''s Telegram worker): POST /api/simulator/messages takes it as the update id (message id = id - 9000000000000 + 1), and a token-less edge numbers the bot''s sent messages from it, so simulated user and bot messages never share an id';

