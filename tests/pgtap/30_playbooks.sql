-- playbooks: CRUD shapes, validation, versions, roles, audit, and rt.playbook_matches (priority,
-- scope, stop)
BEGIN;
SELECT plan(40);

SELECT rt.create_admin('tap30_viewer', 'viewer-password', 'viewer') IS NOT NULL;
SELECT rt.create_admin('tap30_moderator', 'moderator-password', 'moderator') IS NOT NULL;
SELECT rt.create_admin('tap30_admin', 'admin-password', 'admin') IS NOT NULL;
CREATE FUNCTION pg_temp.act(login text) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('rt.actor', coalesce('admin:' || (SELECT id FROM rt.admins a WHERE a.login = act.login), ''), true)
$$;
CREATE FUNCTION pg_temp.pb(name text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM rt.playbooks p WHERE p.name = pb.name $$;
CREATE FUNCTION pg_temp.plays(chat bigint, t text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(p.name, ',' ORDER BY m.n), '-')
    FROM rt.playbook_matches(chat, t) WITH ORDINALITY m(playbook_id, preset_id, preset_hours, reply_text, stop, n)
    JOIN rt.playbooks p ON p.id = m.playbook_id WHERE p.name LIKE 'tap30%'
$$;
SELECT rt.create_preset('{"name": "tap30 preset", "temperature": 0.2}') IS NOT NULL;

-- create: every column in the object
SELECT pg_temp.act('tap30_admin');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(rt.create_playbook(
              jsonb_build_object('name', 'tap30 price', 'pattern', 'цена', 'priority', 20, 'reply_text', 'Цены: /prices',
                                 'preset_id', (SELECT id FROM rt.presets WHERE name = 'tap30 preset'), 'preset_hours', 1.5))) k),
          ARRAY['chat_ids', 'created_at', 'enabled', 'id', 'name', 'pattern', 'pattern_kind', 'preset_hours', 'preset_id',
                'priority', 'reply_text', 'stop', 'updated_at', 'version'], 'create_playbook returns every column');
SELECT is(rt.get_playbook(pg_temp.pb('tap30 price')) - 'id' - 'created_at' - 'updated_at' - 'preset_id',
          '{"name": "tap30 price", "stop": false, "enabled": true, "pattern": "цена", "version": 1, "chat_ids": null,
            "priority": 20, "reply_text": "Цены: /prices", "pattern_kind": "word", "preset_hours": 1.5}',
          'defaults: enabled, word kind, no stop, every chat');
SELECT lives_ok($$SELECT rt.create_playbook('{"name": "tap30 phrase", "pattern": "сколько стоит", "pattern_kind": "phrase", "priority": 10}')$$,
                'phrase playbook');
SELECT lives_ok($$SELECT rt.create_playbook('{"name": "tap30 stopper", "pattern": "стоп", "priority": 15, "stop": true}')$$,
                'stop playbook');
SELECT lives_ok($$SELECT rt.create_playbook('{"name": "tap30 after", "pattern": "стоп", "priority": 30}')$$, 'playbook after the stop');
SELECT lives_ok($$SELECT rt.create_playbook('{"name": "tap30 vip", "pattern": "цена", "priority": 5, "chat_ids": [-3001, -3002, -3001]}')$$,
                'scoped playbook');
SELECT is(rt.get_playbook(pg_temp.pb('tap30 vip')) -> 'chat_ids', '[-3002, -3001]', 'chat_ids sorted and distinct');
SELECT lives_ok($$SELECT rt.create_playbook('{"name": "tap30 regex", "pattern": "^/start", "pattern_kind": "regex", "priority": 1, "stop": true}')$$,
                'regex playbook');

-- evaluation: priority order, scope, stop
SELECT is(pg_temp.plays(-3000, 'Сколько   стоит? Цена?'), 'tap30 phrase,tap30 price', 'priority order, scoped playbook left out');
SELECT is(pg_temp.plays(-3001, 'Сколько стоит? Цена?'), 'tap30 vip,tap30 phrase,tap30 price', 'in scope: the scoped one first');
SELECT is(pg_temp.plays(-3000, 'цена, стоп'), 'tap30 stopper', 'nothing after the first stop');
SELECT is(pg_temp.plays(-3000, '/start цена'), 'tap30 regex', 'regex playbook with stop');
SELECT is(pg_temp.plays(NULL, 'цена'), 'tap30 price', 'unknown chat: unscoped playbooks only');
SELECT is((SELECT row(preset_hours, reply_text, stop)::text FROM rt.playbook_matches(-3000, 'цена') WHERE playbook_id = pg_temp.pb('tap30 price')),
          '(1.5,"Цены: /prices",f)', 'playbook_matches returns preset, hours, reply and stop');

-- update, versions, delete
SELECT is(rt.update_playbook(pg_temp.pb('tap30 after'), '{"priority": 12, "version": 1}') -> 'version', '2', 'update bumps the version');
SELECT is(pg_temp.plays(-3000, 'стоп'), 'tap30 after,tap30 stopper', 'a new priority reorders at once');
SELECT throws_ok(format($$SELECT rt.update_playbook(%s, '{"priority": 1, "version": 1}')$$, pg_temp.pb('tap30 after')), '40001', NULL,
                 'a stale version is refused');
SELECT is(rt.update_playbook(pg_temp.pb('tap30 after'), '{"enabled": false}') ->> 'enabled', 'false', 'disable');
SELECT is(pg_temp.plays(-3000, 'стоп'), 'tap30 stopper', 'a disabled playbook never fires');
SELECT is(rt.update_playbook(pg_temp.pb('tap30 price'), '{"preset_id": null, "preset_hours": null}') -> 'preset_id', 'null',
          'preset cleared');
SELECT throws_ok($$SELECT rt.update_playbook(-1, '{}')$$, 'P0002', 'playbook -1 does not exist', 'update of an unknown playbook');
SELECT throws_ok($$SELECT rt.get_playbook(-1)$$, 'P0002', 'playbook -1 does not exist', 'get of an unknown playbook');
SELECT lives_ok(format('SELECT rt.delete_playbook(%s)', pg_temp.pb('tap30 after')), 'delete');
SELECT throws_ok($$SELECT rt.delete_playbook(-1)$$, 'P0002', 'playbook -1 does not exist', 'delete of an unknown playbook');

-- validation
SELECT throws_ok($$SELECT rt.create_playbook('{"pattern": "x"}')$$, '22023', 'field "name" must be a string of 1 to 100 characters', 'name required');
SELECT throws_ok($$SELECT rt.create_playbook('{"name": "tap30 x"}')$$, '22023', 'field "pattern" must be 1 to 500 characters', 'pattern required');
SELECT throws_ok($$SELECT rt.create_playbook('{"name": "tap30 x", "pattern": "a(", "pattern_kind": "regex"}')$$, '22023', NULL, 'invalid regex');
SELECT throws_ok($$SELECT rt.create_playbook('{"name": "tap30 x", "pattern": "x", "preset_id": -5}')$$, '22023', NULL, 'preset_id out of range');
SELECT throws_ok($$SELECT rt.create_playbook('{"name": "tap30 x", "pattern": "x", "preset_id": 999999999999}')$$, 'P0002',
                 'preset 999999999999 does not exist', 'unknown preset');
SELECT throws_ok($$SELECT rt.create_playbook('{"name": "tap30 x", "pattern": "x", "priority": 1.5}')$$, '22023', 'field "priority" must be an integer',
                 'priority must be an integer');
SELECT throws_ok($$SELECT rt.create_playbook('{"name": "tap30 x", "pattern": "x", "chat_ids": ["a"]}')$$, '22023', NULL, 'bad chat_ids');
SELECT throws_ok($$SELECT rt.create_playbook('{"name": "tap30 x", "pattern": "x", "colour": "red"}')$$, '22023', 'unknown field "colour"',
                 'unknown field');

-- a deleted preset leaves the playbook without one
SELECT lives_ok(format($$SELECT rt.update_playbook(%s, '{"preset_id": %s}')$$, pg_temp.pb('tap30 vip'),
                       (SELECT id FROM rt.presets WHERE name = 'tap30 preset')), 'attach a preset');
SELECT lives_ok(format('SELECT rt.delete_preset(%s)', (SELECT id FROM rt.presets WHERE name = 'tap30 preset')), 'delete the preset');
SELECT is(rt.get_playbook(pg_temp.pb('tap30 vip')) -> 'preset_id', 'null', 'the playbook lost its preset');

-- audit
SELECT ok(EXISTS (SELECT FROM rt.audit_log WHERE action = 'playbook.insert' AND target = 'playbook:' || pg_temp.pb('tap30 price')
                  AND actor = 'admin:' || (SELECT id FROM rt.admins WHERE login = 'tap30_admin')), 'creates are audited with the actor');

-- roles: viewers and moderators read, only admins write
SELECT pg_temp.act('tap30_viewer');
SELECT ok((rt.list_playbooks('{"q": "tap30", "limit": 2}') -> 'next_cursor') IS NOT NULL, 'a viewer lists; pages carry a cursor');
SELECT is((SELECT array_agg(x ->> 'name') FROM jsonb_array_elements(rt.list_playbooks(jsonb_build_object('q', 'tap30', 'limit', 2,
              'cursor', rt.list_playbooks('{"q": "tap30", "limit": 2}') ->> 'next_cursor')) -> 'items') x),
          ARRAY['tap30 phrase', 'tap30 stopper'], 'the next page continues in priority order');
SELECT throws_ok($$SELECT rt.create_playbook('{"name": "tap30 v", "pattern": "x"}')$$, '42501', 'role admin required', 'a viewer may not create');
SELECT pg_temp.act('tap30_moderator');
SELECT throws_ok(format('SELECT rt.delete_playbook(%s)', pg_temp.pb('tap30 price')), '42501', 'role admin required',
                 'a moderator may not delete');
SELECT set_config('rt.actor', '', true);

SELECT * FROM finish();
ROLLBACK;
