// docs/sql-api.md, generated from the database catalog: every function of schema rt with its
// signature, parameters, return type, who may call it (the EXECUTE grants of sql/roles.sql and
// the role check inside the function), its COMMENT and an example from docs/sql-api-examples.sql.
//
//   node tests/docs/sql-api.mjs --write     regenerate docs/sql-api.md (stack of scripts/stack.sh env)
//   node tests/docs/sql-api.mjs             print it
//
// tests/docs/sql-api.test.mjs (stage `docs` of make test) regenerates it and fails on any
// difference, on a function without a COMMENT or an example, and runs every example.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');
export const DOC = path.join(ROOT, 'docs/sql-api.md');
export const EXAMPLES = path.join(ROOT, 'docs/sql-api-examples.sql');

// rt_edge's grant rule of sql/roles.sql: these public-looking names are internal.
const NOT_FOR_EDGE = new Set(['audit', 'setting', 'current_actor', 'detect_mention', 'resolve_params']);

/** Signature key as regprocedure prints it, without quotes: rt.normalize(text,boolean). */
export const keyOf = (s) => s.replace(/"/g, '').replace(/\s+/g, ' ').trim();

/**
 * docs/sql-api-examples.sql: a "-- fixture" block, then one block per function headed
 * "-- rt.name(argtypes)"; an optional "-- role: ..." line right under a header overrides the
 * role found in the function's source (C functions). Returns {fixture, examples: Map}.
 */
export function loadExamples(file = EXAMPLES) {
  const text = fs.readFileSync(file, 'utf8');
  const examples = new Map();
  let fixture = '';
  let cur = null;
  let preamble = true;
  const flush = () => {
    if (!cur) return;
    const sql = cur.lines.join('\n').trim();
    if (cur.key === 'fixture') fixture = sql;
    else {
      if (examples.has(cur.key)) throw new Error(`${file}: two examples for ${cur.key}`);
      examples.set(cur.key, { sql, role: cur.role });
    }
  };
  for (const line of text.split('\n')) {
    const h = /^-- (fixture|rt\.[^\s(]+\([^)]*\))\s*$/.exec(line);
    if (h) {
      flush();
      preamble = false;
      cur = { key: keyOf(h[1]), lines: [], role: null };
      continue;
    }
    if (preamble || !cur) continue;
    const r = /^-- role: (.+)$/.exec(line);
    if (r && cur.lines.length === 0) { cur.role = r[1].trim(); continue; }
    cur.lines.push(line);
  }
  flush();
  return { fixture, examples };
}

/** Every function of schema rt with what the document needs, in a stable order. */
export async function catalog(client) {
  const { rows } = await client.query(`
    SELECT p.oid::regprocedure::text AS sig, p.proname AS name,
           pg_get_function_arguments(p.oid) AS args, pg_get_function_result(p.oid) AS result,
           l.lanname AS lang, p.provolatile AS volatility, p.prosecdef AS secdef,
           p.prorettype = 'pg_catalog.trigger'::regtype AS is_trigger,
           obj_description(p.oid, 'pg_proc') AS comment,
           CASE WHEN l.lanname IN ('sql', 'plpgsql') THEN p.prosrc END AS src,
           coalesce(p.proargnames, '{}') AS argnames,
           (SELECT coalesce(array_agg(format_type(t, NULL) ORDER BY o), '{}')
              FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, o)) AS argtypes,
           p.pronargdefaults AS ndefaults,
           ARRAY(SELECT r FROM unnest(ARRAY['rt_admin', 'rt_edge', 'rt_analyst']) AS r
                 WHERE to_regrole(r) IS NOT NULL AND has_function_privilege(r, p.oid, 'EXECUTE')) AS grantees,
           has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec
    FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
    WHERE p.pronamespace = 'rt'::regnamespace
    ORDER BY p.proname, p.oid::regprocedure::text`);
  return rows.map((r) => ({ ...r, key: keyOf(r.sig) }));
}

const isInternal = (f) => f.name.startsWith('_') || f.is_trigger;

/** The role check in the function's source, or the override of the examples file. */
function appRole(f, override) {
  if (override) return override;
  const src = f.src ?? '';
  const roles = [...src.matchAll(/rt\.require_role\(\s*'([a-z]+)'/g)].map((m) => m[1]);
  const order = ['viewer', 'moderator', 'admin', 'owner'];
  if (roles.length) {
    const min = roles.sort((a, b) => order.indexOf(a) - order.indexOf(b))[0];
    const others = [...new Set(roles)].filter((r) => r !== min);
    return `\`${min}\` or higher, checked by \`rt.require_role\`${others.length ? ` (also \`${others.join('`, `')}\` for some inputs)` : ''}: an admin through \`rt.actor = 'admin:<id>'\`, or the DB door (superuser or \`rt_admin\` member, actor \`db:<user>\`)`;
  }
  const w = /rt\._require_worker\(\s*'([a-z]+)'/.exec(src);
  if (w) {
    return `edge worker, checked by \`rt._require_worker('${w[1]}')\`: \`rt_edge\` without an actor; with an actor an admin with at least \`${w[1]}\`; the DB door`;
  }
  if (f.lang === 'c') return 'none in the function (C); the EXECUTE grant decides';
  return 'none in the function; the EXECUTE grant decides';
}

const VOL = { i: 'immutable', s: 'stable', v: 'volatile' };
const firstSentence = (c) => {
  const s = (c ?? '').split(/[.;]\s/)[0].replace(/[.;]$/, '');
  return s.length > 140 ? `${s.slice(0, 139)}…` : s;
};
const anchor = (f) => f.key.replace(/^rt\./, '').replace(/[^a-z0-9_]+/g, '-').replace(/-+$/, '');
const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

function params(f) {
  const names = f.argnames;
  const types = f.argtypes;
  if (!types.length) return 'No parameters.';
  // defaults belong to the last ndefaults parameters; read them from pg_get_function_arguments
  const parts = splitArgs(f.args);
  const rows = types.map((t, i) => {
    const def = /\sDEFAULT\s(.+)$/.exec(parts[i] ?? '');
    return `| \`${names[i] || `$${i + 1}`}\` | \`${t}\` | ${def ? `\`${def[1]}\`` : 'required'} |`;
  });
  return ['| parameter | type | default |', '|---|---|---|', ...rows].join('\n');
}

function splitArgs(s) {
  const out = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (const ch of s) {
    if (ch === "'") quote = !quote;
    if (!quote && ch === '(') depth++;
    if (!quote && ch === ')') depth--;
    if (!quote && depth === 0 && ch === ',') { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** The markdown of docs/sql-api.md. */
export function render(fns, { examples }) {
  const api = fns.filter((f) => !isInternal(f));
  const internal = fns.filter(isInternal);
  const L = [];
  L.push('# SQL API reference');
  L.push('');
  L.push('<!-- Generated by `node tests/docs/sql-api.mjs --write` from the catalog of a fresh install and');
  L.push('     docs/sql-api-examples.sql. Do not edit: `make test` (stage docs) regenerates it and fails on');
  L.push('     any difference. Change a COMMENT ON FUNCTION or an example instead. -->');
  L.push('');
  L.push('Every function of schema `rt` that the edge, a DBA or the console calls. The SQL API is the same');
  L.push('door the console uses: the REST routes of rt-edge call these functions, so what an admin may do');
  L.push('in the browser a DBA may do in psql, with the same checks and the same audit entries.');
  L.push('');
  L.push('**Who may call what.** Two checks apply, both in the database:');
  L.push('');
  L.push('1. The EXECUTE grant (`sql/roles.sql`): `rt_admin` (the DBA group) may execute every function;');
  L.push('   `rt_edge` (the daemon\'s login) every function without a leading underscore except the internal');
  L.push('   ones `rt.audit`, `rt.setting`, `rt.current_actor`, `rt.detect_mention` and `rt.resolve_params`;');
  L.push('   `rt_analyst` none (analysts read the `rt.v_*` views, see [analytics](analytics.md)).');
  L.push('2. The role check inside the function. Console functions call `rt.require_role(min_role)`: with');
  L.push('   `SET rt.actor = \'admin:<id>\'` the admin\'s role (`viewer` < `moderator` < `admin` < `owner`)');
  L.push('   must reach `min_role`; without an actor only a superuser or a member of `rt_admin` passes (the');
  L.push('   *DB door*, audited as `db:<session user>`). Worker functions call `rt._require_worker()`: the');
  L.push('   edge (`rt_edge`) may call them without an actor, admins and the DB door as above.');
  L.push('');
  L.push('```sql');
  L.push('-- as a DBA (member of rt_admin): the DB door, audited as db:<your login>');
  L.push("SELECT rt.list_chats('{\"limit\": 5}');");
  L.push('-- on behalf of console admin 3 (their role applies, audited as admin:3)');
  L.push('BEGIN;');
  L.push("SET LOCAL rt.actor = 'admin:3';");
  L.push("SELECT rt.update_chat(1001, '{\"autoreply\": true}');");
  L.push('COMMIT;');
  L.push('```');
  L.push('');
  L.push('**Errors** are SQLSTATEs with a message naming the problem: `22023` a bad argument (the field');
  L.push('is named in the message and in `COLUMN`), `P0002` an unknown id, `23505` a name clash, `40001` a');
  L.push('stale `version`, `42501` a missing role, `55000` a state that does not allow the call, `28000` an');
  L.push('ended session. rt-edge maps them to problem+json answers (400, 404, 409, 409, 403, 409, 401).');
  L.push('');
  L.push('**Examples** run against the test database in a transaction that is rolled back (as `rt_admin`,');
  L.push('after the fixture below), so each one is known to work. They assume this data:');
  L.push('');
  L.push('```sql');
  L.push(examples.fixture);
  L.push('```');
  L.push('');
  L.push(`## Functions (${api.length})`);
  L.push('');
  L.push('| function | role | what |');
  L.push('|---|---|---|');
  for (const f of api) {
    const roles = [...(f.src ?? '').matchAll(/rt\.require_role\(\s*'([a-z]+)'/g)].map((m) => m[1]);
    const order = ['viewer', 'moderator', 'admin', 'owner'];
    const ov = examples.examples.get(f.key)?.role;
    let short = roles.length ? roles.sort((a, b) => order.indexOf(a) - order.indexOf(b))[0]
      : /rt\._require_worker\s*\(/.test(f.src ?? '') ? 'worker' : '—';
    if (ov) short = /worker/.test(ov) ? 'worker' : short;
    L.push(`| [\`${f.key}\`](#${anchor(f)}) | ${short} | ${cell(firstSentence(f.comment))} |`);
  }
  L.push('');
  for (const f of api) {
    const ex = examples.examples.get(f.key);
    L.push(`### ${f.key.replace(/^rt\./, 'rt.')}`);
    L.push(`<a id="${anchor(f)}"></a>`);
    L.push('');
    L.push('```sql');
    L.push(`rt.${f.name}(${f.args}) RETURNS ${f.result}`);
    L.push('```');
    L.push('');
    L.push(f.comment ?? '(no COMMENT)');
    L.push('');
    L.push(params(f));
    L.push('');
    L.push(`- **Returns:** \`${f.result}\``);
    const grants = f.grantees.filter((g) => g !== 'rt_edge' || !NOT_FOR_EDGE.has(f.name));
    L.push(`- **EXECUTE:** ${f.public_exec ? 'PUBLIC' : grants.map((g) => `\`${g}\``).join(', ') || 'superuser only'}`);
    L.push(`- **Role:** ${appRole(f, ex?.role)}`);
    L.push(`- **Kind:** ${f.lang}, ${VOL[f.volatility]}${f.secdef ? ', SECURITY DEFINER' : ''}`);
    L.push('');
    if (ex) {
      L.push('```sql');
      L.push(ex.sql);
      L.push('```');
    } else L.push('(no example)');
    L.push('');
  }
  L.push(`## Internal functions (${internal.length})`);
  L.push('');
  L.push('Helpers with a leading underscore and trigger functions: called by the functions above, by');
  L.push('triggers or by install scripts, never by the edge. `rt_admin` may execute them, but they check');
  L.push('nothing themselves and may change without notice; use the API above.');
  L.push('');
  L.push('| function | returns | what |');
  L.push('|---|---|---|');
  for (const f of internal) L.push(`| \`${cell(f.key)}\` | \`${cell(f.result)}\` | ${cell(f.comment ?? '(no COMMENT)')} |`);
  L.push('');
  return L.join('\n');
}

export async function generate(client) {
  return render(await catalog(client), { examples: loadExamples() });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { pgSuper } = await import('../lib/stack.mjs');
  const client = await pgSuper();
  try {
    const md = await generate(client);
    if (process.argv.includes('--write')) {
      fs.writeFileSync(DOC, md);
      console.error(`wrote ${path.relative(ROOT, DOC)}`);
    } else process.stdout.write(md);
  } finally {
    await client.end();
  }
}
