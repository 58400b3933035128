-- rt.messages' partitions are data, not extension objects (pg_extension/sql/base/35_history.sql, and the upgrade in sql/history/0.5.0/80_backup.sql):
-- a partition registered with pg_extension_config_dump crashed pg_dump --schema=rt (15.3+), and a
-- partitioned index on the member parent made every restore of an edge-made partition fail on
-- duplicate keys and indexes. tests/backup/run.sh runs pg_dump and pg_restore themselves.
BEGIN;
SELECT plan(9);

CREATE TEMP VIEW parts AS
SELECT c.oid, c.oid::regclass::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'rt.messages'::regclass;

SELECT ok((SELECT count(*) FROM parts) >= 5, 'the default partition and the current month and 3 ahead exist');
SELECT is((SELECT array_agg(p.name ORDER BY p.name) FROM parts p JOIN pg_depend d
           ON d.classid = 'pg_class'::regclass AND d.objid = p.oid AND d.deptype = 'e'), NULL,
          'no partition of rt.messages is a member of the extension');
SELECT is((SELECT array_agg(p.name ORDER BY p.name) FROM parts p
           WHERE p.oid = ANY ((SELECT extconfig FROM pg_extension WHERE extname = 'roundtable')::oid[])), NULL,
          'no partition of rt.messages is a pg_dump configuration table (pg_dump --schema=rt crashed on them)');
SELECT ok('rt.messages'::regclass = ANY ((SELECT extconfig FROM pg_extension WHERE extname = 'roundtable')::oid[]),
          'the parent stays a member and registered');
SELECT is((SELECT array_agg(indexrelid::regclass::text) FROM pg_index WHERE indrelid = 'rt.messages'::regclass), NULL,
          'rt.messages has no partitioned index: ATTACH PARTITION at restore creates nothing the dump creates again');
SELECT is((SELECT array_agg(p.name ORDER BY p.name) FROM parts p
           WHERE (SELECT count(*) FROM pg_index x WHERE x.indrelid = p.oid) <> 8
              OR NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conrelid = p.oid AND k.contype = 'p')), NULL,
          'every partition has its primary key and the 8 indexes of rt._index_message_partition');

-- a partition the edge makes later is indexed the same way
SELECT is(rt.maintain_partitions(8) > 0, true, 'rt.maintain_partitions(8) adds months');
SELECT is((SELECT array_agg(p.name ORDER BY p.name) FROM parts p
           WHERE (SELECT count(*) FROM pg_index x WHERE x.indrelid = p.oid) <> 8), NULL,
          'new partitions carry the same 8 indexes');

-- the default partition comes back when missing (a restore that had none)
ALTER TABLE rt.messages DETACH PARTITION rt.messages_default;
DROP TABLE rt.messages_default;
SELECT is(rt.maintain_partitions(0), 1, 'rt.maintain_partitions re-creates the default partition');

SELECT * FROM finish();
ROLLBACK;
