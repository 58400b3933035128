-- issue 7: an admin who loses access loses every session. Each change of role, disabled_at or
-- password_hash (API or a DBA's UPDATE), and each delete, writes an 'admin.changed' journal row
-- {"id"} that the edges act on; other updates write none.
BEGIN;
SELECT plan(8);

CREATE TEMP TABLE a AS SELECT (rt.create_admin('t86-admin', 'admin-password-86', 'admin') ->> 'id')::bigint AS id;
CREATE FUNCTION pg_temp.changed() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM rt.events e WHERE e.type = 'admin.changed' AND e.data = jsonb_build_object('id', (SELECT id FROM a))
$$;

SELECT is(pg_temp.changed(), 0::bigint, 'creating an admin ends no session');
UPDATE rt.admins SET role = 'viewer' WHERE id = (SELECT id FROM a);
SELECT is(pg_temp.changed(), 1::bigint, 'a DBA demoting an admin by UPDATE writes admin.changed');
UPDATE rt.admins SET role = 'viewer', login = 't86-renamed' WHERE id = (SELECT id FROM a);
SELECT is(pg_temp.changed(), 1::bigint, 'an UPDATE leaving role, disabled_at and password_hash alone writes nothing');
UPDATE rt.admins SET disabled_at = now() WHERE id = (SELECT id FROM a);
SELECT is(pg_temp.changed(), 2::bigint, 'disabling writes admin.changed');
UPDATE rt.admins SET disabled_at = NULL, password_hash = rt._crypt('another-password', rt._bcrypt_salt()) WHERE id = (SELECT id FROM a);
SELECT is(pg_temp.changed(), 3::bigint, 'a new password (and enabling) writes admin.changed once per row');
SELECT rt.update_admin((SELECT id FROM a), '{"disabled": true}');
SELECT is(pg_temp.changed(), 4::bigint, 'rt.update_admin disabling writes admin.changed');
SELECT rt.update_admin((SELECT id FROM a), '{"disabled": true}');
SELECT is(pg_temp.changed(), 4::bigint, 'rt.update_admin changing nothing writes nothing');
DELETE FROM rt.admins WHERE id = (SELECT id FROM a);
SELECT is(pg_temp.changed(), 5::bigint, 'deleting an admin writes admin.changed');

SELECT * FROM finish();
ROLLBACK;
