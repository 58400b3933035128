// docs/analytics.md and sql/analyst_queries.sql agree, and every query runs as rt_analyst: each
// query of the SQL file appears verbatim in the document, and each ```sql block of the document
// (other than shell) runs as rt_analyst after the fixture of docs/sql-api-examples.sql, in a
// transaction rolled back. A query that names a column a view lost, or reads a table an analyst
// may not, fails here.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pgSuper, ROOT } from '../lib/stack.mjs';
import { loadExamples } from './sql-api.mjs';

const doc = fs.readFileSync(path.join(ROOT, 'docs/analytics.md'), 'utf8');
const file = fs.readFileSync(path.join(ROOT, 'sql/analyst_queries.sql'), 'utf8');
const blocks = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1].trim());
const fileQueries = file.split(/\n\s*\n/).map((b) => b.split('\n').filter((l) => !l.startsWith('--')).join('\n').trim()).filter(Boolean);

const client = await pgSuper();
test.after(() => client.end());
const { fixture } = loadExamples();

test('every query of sql/analyst_queries.sql is in docs/analytics.md', () => {
  assert.ok(fileQueries.length >= 10, `only ${fileQueries.length} queries parsed`);
  const missing = fileQueries.filter((q) => !blocks.includes(q));
  assert.deepEqual(missing, [], 'queries of sql/analyst_queries.sql missing from docs/analytics.md');
});

blocks.forEach((sql, i) => {
  test(`docs/analytics.md query ${i + 1} runs as rt_analyst: ${sql.split('\n')[0].slice(0, 60)}`, async () => {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL ROLE rt_admin');
      await client.query(fixture);
      await client.query('SET LOCAL ROLE rt_analyst');
      await client.query(sql);
    } catch (e) {
      assert.fail(`${e.code ?? ''} ${e.message}`);
    } finally {
      await client.query('ROLLBACK');
    }
  });
});

test('an analyst cannot read a table (the check above would catch a query that does)', async () => {
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL ROLE rt_analyst');
    await assert.rejects(client.query('SELECT count(*) FROM rt.messages'), { code: '42501' });
  } finally {
    await client.query('ROLLBACK');
  }
});
