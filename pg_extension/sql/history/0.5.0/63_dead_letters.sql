-- roundtable 0.5.0, part 63: a dead letter can be inspected in the console: the Job object
-- carries the job's payload (what the worker was asked to do), next to its last error and
-- attempts. Payloads are the extension's own (chat, message, text, provider); none holds a secret.

CREATE OR REPLACE FUNCTION rt._job_json(j rt.outbox) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'id', j.id, 'kind', j.kind, 'state', rt._job_state(j),
        'chat_id', CASE WHEN jsonb_typeof(j.payload -> 'chat_id') = 'number' THEN j.payload -> 'chat_id' END,
        'message_pk', CASE WHEN jsonb_typeof(j.payload -> 'message_pk') = 'number' THEN j.payload -> 'message_pk' END,
        'attempts', j.attempts, 'relays', j.relays, 'last_error', j.last_error,
        'created_at', j.created_at, 'relayed_at', j.relayed_at, 'done_at', j.done_at, 'dead_at', j.dead_at,
        'payload', CASE WHEN jsonb_typeof(j.payload) = 'object' THEN j.payload ELSE '{}'::jsonb END)
$$;
COMMENT ON FUNCTION rt._job_json(rt.outbox) IS 'internal: an outbox row as the OpenAPI Job object {"id","kind","state","chat_id","message_pk","attempts","relays","last_error","created_at","relayed_at","done_at","dead_at","payload"} (payload since 0.5.0, for inspecting dead letters)';
