-- rt.maintain_partitions: idempotent, creates months ahead, moves rows out of the default partition
BEGIN;
SELECT plan(5);

SELECT is(rt.maintain_partitions(3), 0, 'current month and 3 ahead exist already');
SELECT is(rt.ingest(jsonb_build_array(jsonb_build_object('update_id', 770000000001, 'message', jsonb_build_object(
    'message_id', 1, 'date', extract(epoch FROM date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                                                 + interval '6 months 3 days')::bigint,
    'chat', jsonb_build_object('id', -7701, 'type', 'group', 'title', 'Future'), 'text', 'from the future')))) -> 'stored',
    '1', 'a message beyond the last partition');
SELECT is((SELECT tableoid::regclass::text FROM rt.messages WHERE chat_id = -7701), 'rt.messages_default', 'lands in the default partition');
SELECT is(rt.maintain_partitions(6), 3, 'three more months created');
SELECT is((SELECT tableoid::regclass::text FROM rt.messages WHERE chat_id = -7701),
          'rt.messages_' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '6 months', 'YYYY_MM'),
          'the row moved to its monthly partition');

SELECT * FROM finish();
ROLLBACK;
