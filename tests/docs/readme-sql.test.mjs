// The SQL snippets of README.md run: each ```sql block, as rt_admin (the DBA of the README's SQL
// section) after the fixture of docs/sql-api-examples.sql, in a transaction rolled back.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pgSuper, ROOT } from '../lib/stack.mjs';
import { loadExamples } from './sql-api.mjs';

const blocks = [...fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1].trim());
const client = await pgSuper();
test.after(() => client.end());
const { fixture } = loadExamples();

test('README.md has SQL snippets', () => assert.ok(blocks.length >= 2));
blocks.forEach((sql, i) => {
  test(`README.md SQL block ${i + 1} runs as rt_admin: ${sql.split('\n')[0].slice(0, 60)}`, async () => {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL ROLE rt_admin');
      await client.query(fixture);
      // a dead job for the retry line
      await client.query(`SELECT rt.job_failed(id, 'Forbidden: bot was blocked by the user', true) FROM rt.outbox WHERE kind = 'telegram.send'`);
      await client.query(sql);
    } catch (e) {
      assert.fail(`${e.code ?? ''} ${e.message}`);
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
