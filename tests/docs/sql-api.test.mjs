// docs/sql-api.md can't drift: regenerated from the catalog of the test database it must equal
// the committed file; every function of schema rt has a COMMENT; every API function has an
// example in docs/sql-api-examples.sql, no example names a function that does not exist, and
// every example runs (as rt_admin, after the fixture, in a transaction rolled back).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { pgSuper } from '../lib/stack.mjs';
import { DOC, catalog, loadExamples, render } from './sql-api.mjs';

const client = await pgSuper();
test.after(() => client.end());
const fns = await catalog(client);
const ex = loadExamples();
const api = fns.filter((f) => !f.name.startsWith('_') && !f.is_trigger);

test('every function of schema rt has a COMMENT', () => {
  const missing = fns.filter((f) => !f.comment?.trim()).map((f) => f.key);
  assert.deepEqual(missing, [], `COMMENT ON FUNCTION missing for: ${missing.join(', ')}`);
});

test('every API function has an example, and every example names a function', () => {
  const keys = new Set(api.map((f) => f.key));
  const without = [...keys].filter((k) => !ex.examples.has(k));
  const unknown = [...ex.examples.keys()].filter((k) => !keys.has(k));
  assert.deepEqual(without, [], `docs/sql-api-examples.sql has no example for: ${without.join(', ')}`);
  assert.deepEqual(unknown, [], `docs/sql-api-examples.sql names functions that do not exist: ${unknown.join(', ')}`);
});

test('docs/sql-api.md equals what the catalog generates (node tests/docs/sql-api.mjs --write)', () => {
  const want = render(fns, { examples: ex });
  const have = fs.readFileSync(DOC, 'utf8');
  if (have !== want) {
    const a = have.split('\n');
    const b = want.split('\n');
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    assert.fail(`docs/sql-api.md is stale from line ${i + 1}:\n  committed: ${a[i]}\n  generated: ${b[i]}\n` +
      'regenerate it with: node tests/docs/sql-api.mjs --write');
  }
});

for (const [key, { sql }] of ex.examples) {
  test(`example of ${key} runs as rt_admin`, async () => {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL ROLE rt_admin');
      await client.query(ex.fixture);
      await client.query(sql);
    } catch (e) {
      assert.fail(`${key}: ${e.code ?? ''} ${e.message}${e.detail ? ` (${e.detail})` : ''}`);
    } finally {
      await client.query('ROLLBACK');
    }
  });
}
