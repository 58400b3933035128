// The Helm chart k8s/helm/roundtable, checked without a cluster: helm lint --strict (its
// values.schema.json included), helm template with three value sets, every rendered object
// validated against the Kubernetes OpenAPI schemas (kubernetes-models), semantic checks of what
// the schemas cannot know (each shown to fail on a mutated object), and the committed plain
// manifests k8s/manifests/roundtable.yaml equal to a fresh render.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { helm, repoRoot } from '../lib/k8s-tools.mjs';

const CHART = 'k8s/helm/roundtable';
const DEMO_VALUES = 'k8s/manifests/values-demo.yaml';
const MANIFESTS = 'k8s/manifests/roundtable.yaml';

// Distinct secret values, so a leak into the ConfigMap or a literal env value is recognisable.
const EXTERNAL_VALUES = {
  ingress: {
    enabled: true,
    className: 'nginx',
    host: 'chat.example.org',
    tls: { enabled: true, secretName: 'chat-example-org-tls' },
    trustedProxies: '10.0.0.0/8',
  },
  postgresql: {
    external: { host: 'pg.example.internal', port: 6432 },
    password: 'edge-pg-S3cret',
    superPassword: 'super-pg-S3cret',
  },
  redis: { external: { host: 'redis.example.internal', port: 6380 }, db: 2, password: 'redis-S3cret' },
  secretEnv: {
    SECRETS_KEY: 'x'.repeat(43) + '=',
    TELEGRAM_BOT_TOKEN: '123456:telegram-S3cret',
    TELEGRAM_WEBHOOK_SECRET: 'webhook-S3cret',
    OPENAI_API_KEY: 'sk-openai-S3cret',
    DEEPSEEK_API_KEY: 'sk-deepseek-S3cret',
    RT_METRICS_TOKEN: 'metrics-S3cret',
  },
  env: { TELEGRAM_WEBHOOK_URL: 'https://chat.example.org/api/telegram/webhook', RT_LOG_LEVEL: 'warn' },
  migrate: { adminPassword: 'admin-S3cret' },
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-k8s-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
function valuesFile(name, values) {
  const f = path.join(tmp, `${name}.yaml`);
  fs.writeFileSync(f, YAML.stringify(values));
  return f;
}

function run(args) {
  const r = helm(args);
  assert.equal(r.code, 0, `helm ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function render(valueFiles, { release = 'roundtable', namespace = 'roundtable' } = {}) {
  const out = run(['template', release, CHART, '--namespace', namespace, ...valueFiles.flatMap((f) => ['-f', f])]);
  return parseObjects(out);
}

function parseObjects(text) {
  return YAML.parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw d.errors[0];
      return d.toJSON();
    })
    .filter((o) => o != null);
}

// ---- schema validation (kubernetes-models) -------------------------------------------------------

/** Validates one object with the kubernetes-models class of its apiVersion/kind; an unknown kind fails. */
async function validateObject(obj) {
  assert.ok(obj.apiVersion && obj.kind, `object without apiVersion/kind: ${JSON.stringify(obj).slice(0, 200)}`);
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [null, obj.apiVersion];
  const spec = `kubernetes-models/${group ? `${group}/` : ''}${version}/${obj.kind}`;
  let mod;
  try {
    mod = await import(spec);
  } catch (e) {
    throw new Error(`unknown kind ${obj.apiVersion} ${obj.kind} (no ${spec}): ${e.message}`);
  }
  const Model = mod[obj.kind];
  assert.ok(Model, `${spec} exports no ${obj.kind}`);
  try {
    new Model(obj).validate();
  } catch (e) {
    throw new Error(`${obj.kind}/${obj.metadata?.name} does not match the Kubernetes schema: ${e.message}`);
  }
}

// ---- semantic checks: each throws on a violation ------------------------------------------------------

const byKind = (objs, kind) => objs.filter((o) => o.kind === kind);
function one(objs, kind, pred = () => true) {
  const found = byKind(objs, kind).filter(pred);
  assert.equal(found.length, 1, `expected one ${kind}, found ${found.length}`);
  return found[0];
}
const edgeDeployment = (objs) => one(objs, 'Deployment');
const edgeContainer = (objs) => {
  const d = edgeDeployment(objs);
  const c = d.spec.template.spec.containers.find((x) => x.name === 'edge');
  assert.ok(c, 'the Deployment has no container "edge"');
  return c;
};
const configMap = (objs) => one(objs, 'ConfigMap');
const workloads = (objs) => objs.filter((o) => ['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(o.kind));
const podSpecs = (objs) => workloads(objs).map((w) => ({ w, spec: w.spec.template.spec }));

export function checkReplicas(objs, n = 2) {
  assert.equal(edgeDeployment(objs).spec.replicas, n, `the edge Deployment must run ${n} replicas`);
}

export function checkProbes(objs) {
  const c = edgeContainer(objs);
  const portsByName = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
  const httpPort = Number(configMap(objs).data.RT_HTTP_PORT);
  for (const [probe, pathWanted] of [['livenessProbe', '/healthz'], ['readinessProbe', '/readyz']]) {
    const g = c[probe]?.httpGet;
    assert.ok(g, `${probe} must be an httpGet probe`);
    assert.equal(g.path, pathWanted, `${probe} path`);
    const port = typeof g.port === 'string' ? portsByName[g.port] : g.port;
    assert.equal(port, httpPort, `${probe} must hit the port rt-edge listens on (RT_HTTP_PORT ${httpPort}), not ${g.port}`);
  }
}

export function checkResources(objs) {
  for (const { w, spec } of podSpecs(objs)) {
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const k of ['requests', 'limits']) {
        for (const r of ['cpu', 'memory']) {
          assert.ok(c.resources?.[k]?.[r] != null, `${w.kind}/${w.metadata.name} container ${c.name}: resources.${k}.${r} is missing`);
        }
      }
    }
  }
}

const selects = (selector, labels) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

export function checkPdb(objs) {
  const pdb = one(objs, 'PodDisruptionBudget');
  assert.equal(pdb.spec.minAvailable, 1, 'PDB minAvailable');
  const sel = pdb.spec.selector?.matchLabels;
  assert.ok(sel && Object.keys(sel).length, 'PDB needs a matchLabels selector');
  assert.ok(selects(sel, edgeDeployment(objs).spec.template.metadata.labels), "the PDB must select the edge Deployment's pods");
  for (const w of workloads(objs).filter((x) => x.kind !== 'Deployment')) {
    assert.ok(!selects(sel, w.spec.template.metadata.labels), `the PDB must not select ${w.kind}/${w.metadata.name}'s pods`);
  }
}

export function checkService(objs) {
  const d = edgeDeployment(objs);
  const svc = one(objs, 'Service', (s) => selects(s.spec.selector ?? {}, d.spec.template.metadata.labels));
  const names = edgeContainer(objs).ports.map((p) => p.name);
  for (const p of svc.spec.ports) assert.ok(names.includes(p.targetPort), `Service port ${p.name} targets ${p.targetPort}, not a port of the edge`);
  for (const ing of byKind(objs, 'Ingress')) {
    for (const rule of ing.spec.rules) {
      for (const p of rule.http.paths) {
        assert.equal(p.backend.service.name, svc.metadata.name, 'Ingress backend must be the edge Service');
        assert.ok(svc.spec.ports.some((sp) => sp.name === p.backend.service.port.name), 'Ingress backend port must be a port of the Service');
      }
    }
  }
}

/** The migrate Job is a hook before the edges start (post-install only with the in-chart database). */
export function checkMigrateHook(objs, { inChartDb = false } = {}) {
  const job = one(objs, 'Job');
  const a = job.metadata.annotations ?? {};
  const hooks = (a['helm.sh/hook'] ?? '').split(',');
  assert.deepEqual(hooks.sort(), [inChartDb ? 'post-install' : 'pre-install', 'pre-upgrade'].sort(), `helm.sh/hook of the migrate Job: ${a['helm.sh/hook']}`);
  const policy = (a['helm.sh/hook-delete-policy'] ?? '').split(',');
  for (const p of ['before-hook-creation', 'hook-succeeded']) assert.ok(policy.includes(p), `hook-delete-policy lacks ${p}`);
  assert.equal(job.spec.template.spec.restartPolicy, 'Never');
  // every Secret the Job reads exists before it: a hook Secret of a lower weight (the chart's own
  // Secret is created only after pre-install hooks), or a Secret the operator made (existingSecret)
  const refs = new Set(job.spec.template.spec.containers.flatMap((c) => (c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name).filter(Boolean)));
  for (const name of refs) {
    const s = byKind(objs, 'Secret').find((x) => x.metadata.name === name);
    if (!s) continue; // existingSecret: not rendered by the chart
    const sa = s.metadata.annotations ?? {};
    assert.equal(sa['helm.sh/hook'], a['helm.sh/hook'], `Secret ${name} read by the migrate Job must be a hook of the same phases`);
    assert.ok(Number(sa['helm.sh/hook-weight'] ?? 0) < Number(a['helm.sh/hook-weight'] ?? 0), `Secret ${name} must be created before the Job (lower hook weight)`);
  }
}

export function checkSecurity(objs) {
  for (const { w, spec } of podSpecs(objs)) {
    const where = `${w.kind}/${w.metadata.name}`;
    const ps = spec.securityContext ?? {};
    assert.equal(ps.runAsNonRoot, true, `${where}: runAsNonRoot`);
    assert.ok(Number.isInteger(ps.runAsUser) && ps.runAsUser > 0, `${where}: runAsUser must be a non-root uid`);
    assert.equal(ps.seccompProfile?.type, 'RuntimeDefault', `${where}: seccomp RuntimeDefault`);
    assert.notEqual(spec.hostNetwork, true, `${where}: hostNetwork`);
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const cs = c.securityContext ?? {};
      assert.equal(cs.readOnlyRootFilesystem, true, `${where} ${c.name}: readOnlyRootFilesystem`);
      assert.equal(cs.allowPrivilegeEscalation, false, `${where} ${c.name}: allowPrivilegeEscalation`);
      assert.notEqual(cs.privileged, true, `${where} ${c.name}: privileged`);
      assert.ok(cs.capabilities?.drop?.includes('ALL'), `${where} ${c.name}: capabilities must drop ALL`);
      assert.ok(!(cs.capabilities?.add ?? []).length, `${where} ${c.name}: no added capabilities`);
      if (cs.runAsUser != null) assert.ok(cs.runAsUser > 0, `${where} ${c.name}: runAsUser 0`);
    }
  }
  const edge = edgeDeployment(objs).spec.template.spec.securityContext;
  assert.equal(edge.runAsUser, 10001, 'the edge runs as uid 10001 (user rt of edge/Dockerfile)');
}

// names that are secrets wherever they appear
export const SECRET_NAMES = ['SECRETS_KEY', 'POSTGRES_PASSWORD', 'REDIS_URL', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'OPENAI_API_KEY', 'DEEPSEEK_API_KEY', 'RT_METRICS_TOKEN', 'POSTGRES_SUPERPASSWORD', 'ADMIN_PASSWORD', 'REDIS_PASSWORD'];

/** No secret name or value in a ConfigMap or in a literal env value; the edge gets secrets only by secretKeyRef. */
export function checkSecretsNotInConfigMap(objs) {
  const values = byKind(objs, 'Secret').flatMap((s) => [
    ...Object.values(s.data ?? {}).map((v) => Buffer.from(v, 'base64').toString('utf8')),
    ...Object.values(s.stringData ?? {}),
  ]);
  // a URL with a password in it counts through its password too
  const secretValues = values.flatMap((v) => [v, ...(/^redis:\/\/:([^@]+)@/.exec(v)?.slice(1) ?? [])]).filter((v) => v.length >= 6);
  for (const cm of byKind(objs, 'ConfigMap')) {
    for (const [k, v] of Object.entries(cm.data ?? {})) {
      assert.ok(!SECRET_NAMES.includes(k), `ConfigMap ${cm.metadata.name} holds the secret ${k}`);
      for (const s of secretValues) assert.ok(!String(v).includes(s), `ConfigMap ${cm.metadata.name} key ${k} holds a Secret's value`);
    }
  }
  for (const { w, spec } of podSpecs(objs)) {
    for (const c of spec.containers) {
      for (const e of c.env ?? []) {
        assert.ok(!(SECRET_NAMES.includes(e.name) && e.value != null), `${w.kind}/${w.metadata.name} sets ${e.name} as a literal value`);
        for (const s of secretValues) assert.ok(!String(e.value ?? '').includes(s), `${w.kind}/${w.metadata.name} env ${e.name} holds a Secret's value`);
      }
    }
  }
  const edge = edgeContainer(objs);
  assert.ok(!(edge.envFrom ?? []).some((f) => f.secretRef), 'the edge takes its own secret keys one by one (secretKeyRef), not a whole Secret (envFrom)');
}

/** Every secretKeyRef to a Secret the chart renders names a key it has (optional ones may be absent). */
export function checkSecretRefs(objs) {
  for (const { w, spec } of podSpecs(objs)) {
    for (const c of spec.containers) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) continue;
        const s = byKind(objs, 'Secret').find((x) => x.metadata.name === ref.name);
        if (!s) continue; // existingSecret
        assert.ok(ref.optional || ref.key in (s.data ?? {}) || ref.key in (s.stringData ?? {}), `${w.kind}/${w.metadata.name} reads ${ref.key} from Secret ${ref.name}, which has no such key`);
      }
    }
  }
}

/** The names rt-edge reads, from its source (edge/src/*.c). */
export function edgeEnvNames() {
  const names = new Set();
  const dir = path.join(repoRoot, 'edge/src');
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.c'))) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const re of [/(?:STR_VAR|INT_VAR)\(\s*\w+\s*,\s*"([A-Z][A-Z0-9_]*)"/g, /\bget(?:env)?\(\s*(?:lookup\s*,\s*)?"([A-Z][A-Z0-9_]*)"/g]) {
      for (const m of src.matchAll(re)) names.add(m[1]);
    }
  }
  return names;
}

/** Every variable the edge container gets (env, and the ConfigMap by envFrom) is one rt-edge reads. */
export function checkEnvNames(objs, known) {
  const c = edgeContainer(objs);
  const got = [];
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) {
      const cm = one(objs, 'ConfigMap', (x) => x.metadata.name === from.configMapRef.name);
      got.push(...Object.keys(cm.data ?? {}).map((n) => [n, `ConfigMap ${cm.metadata.name}`]));
    }
  }
  for (const e of c.env ?? []) got.push([e.name, 'env']);
  for (const [n, where] of got) assert.ok(known.has(n), `${n} (${where}) is not a variable rt-edge reads (edge/src/*.c)`);
  for (const n of ['POSTGRES_HOST', 'POSTGRES_PASSWORD', 'REDIS_URL', 'SECRETS_KEY', 'RT_HTTP_HOST', 'RT_HTTP_HOSTS']) {
    assert.ok(got.some(([x]) => x === n), `the edge gets no ${n}`);
  }
}

/** The migrate Job runs scripts/migrate.sh where pg_extension/Dockerfile puts it, with migrate's variables only. */
export function checkMigrateJob(objs, { dockerfile, envExample }) {
  const c = one(objs, 'Job').spec.template.spec.containers[0];
  const copies = [...dockerfile.matchAll(/^COPY\s+(?:--\S+\s+)*(\S+)\s+(\S+)\s*$/gm)].map((m) => ({ src: m[1], dst: m[2] }));
  const cmd = c.command?.[0];
  const copy = copies.find((x) => x.dst === cmd);
  assert.ok(copy, `the migrate command ${cmd} is not a file pg_extension/Dockerfile copies into the db image`);
  assert.equal(copy.src, 'scripts/migrate.sh', `${cmd} in the db image is ${copy.src}, not scripts/migrate.sh`);
  const documented = new Set([...envExample.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  for (const e of c.env ?? []) assert.ok(documented.has(e.name), `the migrate Job sets ${e.name}, which .env.example does not list`);
}

/** The edge pod's uid is the image's user (USER of edge/Dockerfile). */
export function checkEdgeUid(objs, dockerfile) {
  const users = [...dockerfile.matchAll(/^USER\s+(\d+)/gm)].map((m) => Number(m[1]));
  assert.ok(users.length, 'edge/Dockerfile sets no numeric USER');
  assert.equal(edgeDeployment(objs).spec.template.spec.securityContext.runAsUser, users.at(-1), 'the edge pod runs as the uid of edge/Dockerfile USER');
}

const readRepo = (f) => fs.readFileSync(path.join(repoRoot, f), 'utf8');

const clone = (x) => structuredClone(x);

// ---- the tests ---------------------------------------------------------------------------------------

test('helm lint --strict passes with the default values and with the demo values', () => {
  run(['lint', '--strict', CHART]);
  run(['lint', '--strict', CHART, '-f', DEMO_VALUES]);
  run(['lint', '--strict', CHART, '-f', valuesFile('external', EXTERNAL_VALUES)]);
});

test('values.schema.json makes helm lint fail on bad values', () => {
  const bad = {
    'edge.replicas=0': '/edge/replicas',
    'edge.replicaz=3': 'replicaz',
    'env.SECRETS_KEY=abc': 'value must be one of', // a secret among the ConfigMap's settings
    'env.RT_NO_SUCH_SETTING=1': 'value must be one of',
    'secretEnv.SECRETS_KEY=short': '/secretEnv/SECRETS_KEY',
    'redis.password=a@b': '/redis/password',
    'migrate.adminPassword=short': '/migrate/adminPassword',
    'redis.db=16': '/redis/db',
    'ingress.host=Not_A_Host': '/ingress/host',
    'edge.resources.limits=null': '/edge/resources',
    'podDisruptionBudget.minAvailable=0': '/podDisruptionBudget/minAvailable',
  };
  for (const [set, wanted] of Object.entries(bad)) {
    const r = helm(['lint', '--strict', CHART, '--set', set]);
    assert.notEqual(r.code, 0, `helm lint accepted --set ${set}`);
    assert.match(r.stdout + r.stderr, new RegExp(wanted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), `--set ${set}: the error should name ${wanted}`);
  }  // the in-chart databases refuse to start without a password: the chart says so first (helm lint
  // only warns about a `required`, so this is helm template's failure)
  for (const [set, wanted] of Object.entries({ 'postgresql.enabled=true': 'postgresql.superPassword is required', 'redis.enabled=true': 'redis.password is required' })) {
    const r = helm(['template', 'x', CHART, '--set', set]);
    assert.notEqual(r.code, 0, `helm template accepted --set ${set}`);
    assert.ok(r.stderr.includes(wanted), `--set ${set}: the error should say ${wanted}: ${r.stderr}`);
  }
});

const SETS = {
  default: { files: () => [], inChartDb: false },
  demo: { files: () => [DEMO_VALUES], inChartDb: true },
  'external + ingress': { files: () => [valuesFile('external', EXTERNAL_VALUES)], inChartDb: false },
};

for (const [name, set] of Object.entries(SETS)) {
  test(`helm template (${name} values): every object matches the Kubernetes schemas and the semantic checks hold`, async () => {
    const objs = render(set.files());
    assert.ok(objs.length >= 6, `only ${objs.length} objects rendered`);
    for (const o of objs) await validateObject(o);
    checkReplicas(objs, 2);
    checkProbes(objs);
    checkResources(objs);
    checkPdb(objs);
    checkService(objs);
    checkMigrateHook(objs, { inChartDb: set.inChartDb });
    checkSecurity(objs);
    checkSecretsNotInConfigMap(objs);
    checkSecretRefs(objs);
    checkEnvNames(objs, edgeEnvNames());
    checkMigrateJob(objs, { dockerfile: readRepo('pg_extension/Dockerfile'), envExample: readRepo('.env.example') });
    checkEdgeUid(objs, readRepo('edge/Dockerfile'));
  });
}

test('the external + ingress values reach the edge: addresses, Host names, proxies, TLS cookie, Ingress', () => {
  const objs = render([valuesFile('external', EXTERNAL_VALUES)]);
  const cm = configMap(objs).data;
  assert.equal(cm.POSTGRES_HOST, 'pg.example.internal');
  assert.equal(cm.POSTGRES_PORT, '6432');
  assert.equal(cm.RT_TRUSTED_PROXIES, '10.0.0.0/8');
  assert.equal(cm.RT_COOKIE_SECURE, '1');
  assert.equal(cm.RT_HTTP_HOST, '0.0.0.0');
  const secret = one(objs, 'Secret', (s) => !s.metadata.annotations?.['helm.sh/hook']);
  assert.equal(Buffer.from(secret.data.REDIS_URL, 'base64').toString(), 'redis://:redis-S3cret@redis.example.internal:6380/2');
  const hosts = edgeContainer(objs).env.find((e) => e.name === 'RT_HTTP_HOSTS').value.split(',');
  for (const h of ['chat.example.org', 'roundtable', 'roundtable.roundtable.svc', 'localhost']) assert.ok(hosts.includes(h), `RT_HTTP_HOSTS lacks ${h}`);
  const ing = one(objs, 'Ingress');
  assert.equal(ing.spec.ingressClassName, 'nginx');
  assert.equal(ing.spec.rules[0].host, 'chat.example.org');
  assert.deepEqual(ing.spec.tls, [{ hosts: ['chat.example.org'], secretName: 'chat-example-org-tls' }]);
  assert.equal(byKind(objs, 'StatefulSet').length, 0, 'no in-chart database with external ones');
  // the migrate Job connects where the edge does, as the superuser for CREATE EXTENSION
  const job = one(objs, 'Job').spec.template.spec.containers[0];
  const jobEnv = Object.fromEntries(job.env.map((e) => [e.name, e.value ?? e.valueFrom]));
  assert.equal(jobEnv.POSTGRES_HOST, 'pg.example.internal');
  assert.equal(jobEnv.POSTGRES_SUPERUSER, 'postgres');
  assert.ok(jobEnv.POSTGRES_SUPERPASSWORD.secretKeyRef, 'the superuser password comes from a Secret');
});

test('the default values: no Ingress, no in-chart database, the edge image at the chart appVersion', () => {
  const objs = render([]);
  assert.equal(byKind(objs, 'Ingress').length, 0);
  assert.equal(byKind(objs, 'StatefulSet').length, 0);
  const chart = YAML.parse(fs.readFileSync(path.join(repoRoot, CHART, 'Chart.yaml'), 'utf8'));
  assert.ok(edgeContainer(objs).image.endsWith(`:${chart.appVersion}`));
  assert.equal(configMap(objs).data.RT_COOKIE_SECURE, '0');
});

test('the demo values: in-chart PostgreSQL and Redis (AOF) read the operator Secret; nothing secret is rendered', () => {
  const objs = render([DEMO_VALUES]);
  assert.equal(byKind(objs, 'Secret').length, 0, 'existingSecret: the chart renders no Secret');
  const redis = one(objs, 'StatefulSet', (s) => s.metadata.name.endsWith('-redis')).spec.template.spec.containers[0];
  assert.ok(redis.args.join(' ').includes('--appendonly yes'), 'Redis runs with AOF');
  const pg = one(objs, 'StatefulSet', (s) => s.metadata.name.endsWith('-postgresql'));
  assert.equal(pg.spec.volumeClaimTemplates[0].metadata.name, 'data');
  assert.equal(configMap(objs).data.POSTGRES_HOST, 'roundtable-postgresql');
  for (const c of edgeContainer(objs).env.filter((e) => e.valueFrom?.secretKeyRef)) assert.equal(c.valueFrom.secretKeyRef.name, 'roundtable-secrets');
});

test('each edge gets its share of Telegram\'s group and global rates, unless the values set them', () => {
  const rates = (...sets) => {
    const { data } = configMap(parseObjects(run(['template', 'roundtable', CHART, '--namespace', 'roundtable',
      ...sets.flatMap((v) => ['--set', v])])));
    return [data.RT_TG_RATE_GLOBAL, data.RT_TG_RATE_GROUP_PER_MIN];
  };
  assert.deepEqual(rates(), ['15', '10'], 'two edges by default: 30/s and 20/min halved');
  assert.deepEqual(rates('edge.replicas=3'), ['10', '6']);
  assert.deepEqual(rates('edge.replicas=1'), ['30', '20']);
  assert.deepEqual(rates('edge.replicas=40'), ['1', '1'], 'never 0, which would mean unlimited');
  assert.deepEqual(rates('env.RT_TG_RATE_GLOBAL=25', 'env.RT_TG_RATE_GROUP_PER_MIN=0'), ['25', '0'], 'set values win');
});

test('k8s/manifests/roundtable.yaml is a fresh render of the chart with values-demo.yaml (k8s/manifests/render.sh)', () => {
  const fresh = run(['template', 'roundtable', CHART, '--namespace', 'roundtable', '-f', DEMO_VALUES]);
  const committed = fs.readFileSync(path.join(repoRoot, MANIFESTS), 'utf8');
  assert.ok(committed === fresh, `${MANIFESTS} differs from a fresh render: run k8s/manifests/render.sh and commit the result`);
});

// ---- each semantic check fails on a mutated object ---------------------------------------------------

test('each semantic check fails on an object that breaks it', async () => {
  const base = render([valuesFile('external', EXTERNAL_VALUES)]);
  const known = edgeEnvNames();
  const mutate = (fn) => {
    const o = clone(base);
    fn(o);
    return o;
  };
  const dep = (o) => o.find((x) => x.kind === 'Deployment');
  const edge = (o) => dep(o).spec.template.spec.containers[0];
  const cases = [
    ['replicas 1', () => checkReplicas(mutate((o) => (dep(o).spec.replicas = 1)))],
    ['liveness on /readyz', () => checkProbes(mutate((o) => (edge(o).livenessProbe.httpGet.path = '/readyz')))],
    ['readiness on another port', () => checkProbes(mutate((o) => (edge(o).readinessProbe.httpGet.port = 9090)))],
    ['no readiness probe', () => checkProbes(mutate((o) => delete edge(o).readinessProbe))],
    ['no memory limit', () => checkResources(mutate((o) => delete edge(o).resources.limits.memory))],
    ['migrate Job without requests', () => checkResources(mutate((o) => delete o.find((x) => x.kind === 'Job').spec.template.spec.containers[0].resources.requests))],
    ['PDB selects nothing', () => checkPdb(mutate((o) => (o.find((x) => x.kind === 'PodDisruptionBudget').spec.selector.matchLabels['app.kubernetes.io/component'] = 'web')))],
    ['PDB minAvailable 0', () => checkPdb(mutate((o) => (o.find((x) => x.kind === 'PodDisruptionBudget').spec.minAvailable = 0)))],
    ['Service to a missing port', () => checkService(mutate((o) => (o.find((x) => x.kind === 'Service').spec.ports[0].targetPort = 'metrics')))],
    ['migrate Job post-upgrade', () => checkMigrateHook(mutate((o) => (o.find((x) => x.kind === 'Job').metadata.annotations['helm.sh/hook'] = 'pre-install,post-upgrade')))],
    ['migrate Job not a hook', () => checkMigrateHook(mutate((o) => delete o.find((x) => x.kind === 'Job').metadata.annotations['helm.sh/hook']))],
    ['migrate hook never deleted', () => checkMigrateHook(mutate((o) => (o.find((x) => x.kind === 'Job').metadata.annotations['helm.sh/hook-delete-policy'] = 'before-hook-creation')))],
    ['migrate Secret after the Job', () => checkMigrateHook(mutate((o) => (o.find((x) => x.kind === 'Secret' && x.metadata.annotations?.['helm.sh/hook']).metadata.annotations['helm.sh/hook-weight'] = '5')))],
    ['edge as root', () => checkSecurity(mutate((o) => (dep(o).spec.template.spec.securityContext.runAsUser = 0)))],
    ['runAsNonRoot off', () => checkSecurity(mutate((o) => (dep(o).spec.template.spec.securityContext.runAsNonRoot = false)))],
    ['writable root filesystem', () => checkSecurity(mutate((o) => (edge(o).securityContext.readOnlyRootFilesystem = false)))],
    ['a capability kept', () => checkSecurity(mutate((o) => (edge(o).securityContext.capabilities = { drop: ['NET_RAW'] })))],
    ['no seccomp profile', () => checkSecurity(mutate((o) => delete dep(o).spec.template.spec.securityContext.seccompProfile))],
    ['secret name in the ConfigMap', () => checkSecretsNotInConfigMap(mutate((o) => (o.find((x) => x.kind === 'ConfigMap').data.OPENAI_API_KEY = 'x')))],
    ['secret value in the ConfigMap', () => checkSecretsNotInConfigMap(mutate((o) => (o.find((x) => x.kind === 'ConfigMap').data.PAYMENT_URL = 'https://x/?t=sk-openai-S3cret')))],
    ['redis password in the ConfigMap', () => checkSecretsNotInConfigMap(mutate((o) => (o.find((x) => x.kind === 'ConfigMap').data.NOTE = 'redis-S3cret')))],
    ['edge takes the whole Secret', () => checkSecretsNotInConfigMap(mutate((o) => edge(o).envFrom.push({ secretRef: { name: 'roundtable' } })))],
    ['secret as a literal env value', () => checkSecretsNotInConfigMap(mutate((o) => edge(o).env.push({ name: 'SECRETS_KEY', value: 'k' })))],
    ['a required key the Secret lacks', () => checkSecretRefs(mutate((o) => delete o.find((x) => x.kind === 'Secret' && !x.metadata.annotations).data.REDIS_URL))],
    ['a key the migrate Secret lacks', () => checkSecretRefs(mutate((o) => delete o.find((x) => x.kind === 'Secret' && x.metadata.annotations?.['helm.sh/hook']).data.POSTGRES_SUPERPASSWORD))],
    ['an env name the edge does not read', () => checkEnvNames(mutate((o) => edge(o).env.push({ name: 'RT_HTTP_HOSTNAME', value: 'x' })), known)],
    ['a ConfigMap key the edge does not read', () => checkEnvNames(mutate((o) => (o.find((x) => x.kind === 'ConfigMap').data.POSTGRES_HOSTNAME = 'x')), known)],
    ['migrate command not in the db image', () => checkMigrateJob(mutate((o) => (o.find((x) => x.kind === 'Job').spec.template.spec.containers[0].command = ['/usr/local/bin/rt-migrate'])), { dockerfile: readRepo('pg_extension/Dockerfile'), envExample: readRepo('.env.example') })],
    ['migrate variable .env.example does not list', () => checkMigrateJob(mutate((o) => o.find((x) => x.kind === 'Job').spec.template.spec.containers[0].env.push({ name: 'PGPASSWORD', value: 'x' })), { dockerfile: readRepo('pg_extension/Dockerfile'), envExample: readRepo('.env.example') })],
    ['edge uid not the image user', () => checkEdgeUid(mutate((o) => (dep(o).spec.template.spec.securityContext.runAsUser = 1000)), readRepo('edge/Dockerfile'))],
    ['a downward-API variable the edge does not read', () => checkEnvNames(mutate((o) => edge(o).env.push({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } })), known)],
  ];
  for (const [what, fn] of cases) assert.throws(fn, assert.AssertionError, `the check did not fail for: ${what}`);
  // and the schema validation fails on a broken object and on an unknown kind
  await assert.rejects(validateObject(mutate((o) => delete dep(o).spec.selector).find((x) => x.kind === 'Deployment')), /does not match the Kubernetes schema/);
  await assert.rejects(validateObject(mutate((o) => (edge(o).livenessProbe.httpGet.port = [8080])).find((x) => x.kind === 'Deployment')), /does not match/);
  await assert.rejects(validateObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'x' } }), /unknown kind/);
  // the unmutated objects pass all of them
  checkReplicas(base);
  checkEnvNames(base, known);
});
