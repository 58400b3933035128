// .github/workflows/ci.yml, checked without GitHub: the SchemaStore schema (action-validator,
// pinned in tests/package.json), then what a schema cannot know: the test job runs the very
// `make test` of .ci/run and the README, images are pushed only for tags v*, permissions are least
// privilege, every Dockerfile and make target it names exists, actions are pinned. Each check is
// shown to fail on a mutated workflow.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKFLOW = path.join(repoRoot, '.github/workflows/ci.yml');
const VALIDATOR = path.join(repoRoot, 'tests/node_modules/@action-validator/cli/cli.mjs');
const read = (f) => fs.readFileSync(path.join(repoRoot, f), 'utf8');

const text = fs.readFileSync(WORKFLOW, 'utf8');
const wf = YAML.parse(text);
const TAG_CONDITION = "startsWith(github.ref, 'refs/tags/v')";

function validate(file) {
  const r = spawnSync(process.execPath, [VALIDATOR, file], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

const steps = (job) => job.steps ?? [];
const uses = (step, action) => (step.uses ?? '').split('@')[0] === action;

// ---- checks -----------------------------------------------------------------------------------------

/** The test job runs exactly `make test`, the command .ci/run and the README name. */
export function checkTestJob(w, { ciRun, readme }) {
  const job = w.jobs?.test;
  assert.ok(job, 'no job "test"');
  assert.match(String(job['runs-on']), /^ubuntu-/, 'the test job runs on ubuntu');
  assert.match(String(job.container?.image ?? job.container ?? ''), /^debian:(bookworm|12)/, 'the test job runs in Debian 12, the project target');
  assert.match(String(job.container?.options ?? ''), /--shm-size=\d+[mg]/, "chromium needs more /dev/shm than Docker's 64 MB");
  const runs = steps(job).filter((s) => s.run).map((s) => s.run.trim());
  assert.equal(runs.filter((r) => r === 'make test').length, 1, `the test job must run \`make test\` as one step; it runs: ${JSON.stringify(runs)}`);
  assert.ok(!runs.some((r) => r !== 'make test' && /\b(make test|scripts\/test\.sh|node --test|RT_TEST_ONLY)\b/.test(r)), 'the test job runs no other test command beside `make test`');
  const ciLines = ciRun.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !/^(set|cd) /.test(l));
  assert.deepEqual(ciLines, ['make test'], `.ci/run must run \`make test\` and only that; it runs ${JSON.stringify(ciLines)}`);
  assert.match(readme, /^make test\b/m, 'README tells people to run `make test`');
  const upload = steps(job).find((s) => uses(s, 'actions/upload-artifact'));
  assert.ok(upload, 'the test job uploads its logs');
  assert.match(String(upload.if ?? ''), /failure\(\)/, 'logs are uploaded when the run failed');
  assert.match(upload.with?.path ?? '', /\.rt\/test\/log/, 'the uploaded artifact holds the stage logs');
  assert.match(upload.with?.path ?? '', /tests\/e2e\/screenshots/, 'the uploaded artifact holds the screenshots');
}

/** A job that pushes (build-push-action with push not false, or a registry login) runs only for tags v*. */
export function checkPushOnlyOnTags(w) {
  const tags = [].concat(w.on?.push?.tags ?? []);
  assert.ok(tags.includes('v*'), 'pushes of tags v* must trigger the workflow');
  let pushers = 0;
  for (const [name, job] of Object.entries(w.jobs)) {
    const pushes = steps(job).some((s) => (uses(s, 'docker/build-push-action') && s.with?.push !== false && s.with?.push !== 'false') || uses(s, 'docker/login-action'));
    if (!pushes) continue;
    pushers++;
    assert.ok(String(job.if ?? '').includes(TAG_CONDITION), `job ${name} pushes images but does not run only for tags (its if: ${job.if})`);
    assert.ok(String(job.if).includes("github.event_name == 'push'"), `job ${name} pushes: it must run on push events only`);
    assert.ok([].concat(job.needs ?? []).includes('test'), `job ${name} must publish only after the tests passed (needs: test)`);
  }
  assert.ok(pushers > 0, 'no job pushes the images');
}

/** Top level: contents: read only; packages: write only in jobs that run for tags; nothing else writes. */
export function checkPermissions(w) {
  assert.deepEqual(w.permissions, { contents: 'read' }, 'workflow permissions must be contents: read');
  for (const [name, job] of Object.entries(w.jobs)) {
    const p = job.permissions;
    assert.ok(p && typeof p === 'object', `job ${name} must state its permissions`);
    for (const [scope, level] of Object.entries(p)) {
      if (level === 'read' || level === 'none') continue;
      assert.ok(scope === 'packages' && level === 'write', `job ${name} asks ${scope}: ${level}`);
      assert.ok(String(job.if ?? '').includes(TAG_CONDITION), `job ${name} may write packages only when it runs for tags`);
    }
  }
}

/** Every Dockerfile the workflow builds exists, with the repository root as the context. */
export function checkDockerfiles(w, exists) {
  let seen = 0;
  for (const [name, job] of Object.entries(w.jobs)) {
    const rows = job.strategy?.matrix?.include ?? [{}];
    for (const s of steps(job).filter((x) => uses(x, 'docker/build-push-action'))) {
      for (const row of rows) {
        const file = String(s.with?.file ?? 'Dockerfile').replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, k) => row[k] ?? `<matrix.${k} unset>`);
        assert.ok(exists(file), `job ${name} builds ${file}, which does not exist`);
        assert.equal(s.with?.context, '.', `job ${name}: the build context is the repository root`);
        seen++;
      }
    }
  }
  for (const f of ['edge/Dockerfile', 'pg_extension/Dockerfile']) {
    assert.ok(Object.values(w.jobs).some((j) => (j.strategy?.matrix?.include ?? []).some((r) => r.dockerfile === f)), `no job builds ${f}`);
  }
  assert.ok(seen >= 4, 'both images are built and published');
}

/** The sanitizer job builds with the edge's sanitizer targets and the extension; its packages are deps.sh's. */
export function checkSanitizers(w, { edgeMakefile, depsSh }) {
  const job = w.jobs?.sanitizers;
  assert.ok(job, 'no job "sanitizers"');
  const runs = steps(job).filter((s) => s.run).map((s) => s.run);
  for (const target of ['asan', 'test-asan']) {
    assert.ok(runs.some((r) => new RegExp(`make -C edge\\b.*\\s${target}$`, 'm').test(r)), `the sanitizer job runs make -C edge ${target}`);
    assert.match(edgeMakefile, new RegExp(`^${target}:`, 'm'), `edge/Makefile has no target ${target}`);
  }
  assert.ok(runs.some((r) => /make -C pg_extension\b/.test(r)), 'the sanitizer job builds the extension');
  // shell continuation lines joined, then the words of every apt-get install
  const apt = runs.join('\n').replace(/\\\n/g, ' ').match(/apt-get install[^\n]*/g)?.join(' ') ?? '';
  const pkgs = apt.split(/\s+/).filter((w) => /^[a-z0-9][a-z0-9.+-]+$/.test(w) && !['apt-get', 'install'].includes(w));
  const known = new Set(depsSh.match(/APT_PACKAGES=\(([\s\S]*?)\)/)[1].split(/\s+/).filter(Boolean));
  assert.ok(pkgs.length >= 5, `cannot read the sanitizer job's apt-get install: ${apt}`);
  for (const p of pkgs) assert.ok(known.has(p), `the sanitizer job installs ${p}, which scripts/deps.sh does not`);
}

/** Every action is pinned: a full commit with its release tag (vX.Y.Z) in a comment, or vX.Y.Z. */
export function checkPinned(src) {
  const lines = src.split('\n').filter((l) => /^\s*(-\s*)?uses:/.test(l));
  assert.ok(lines.length > 0);
  for (const l of lines) {
    const m = /uses:\s*([\w.-]+\/[\w.-]+)@(\S+)(?:\s*#\s*(\S+))?/.exec(l);
    assert.ok(m, `cannot read ${l.trim()}`);
    const [, , ref, comment] = m;
    const sha = /^[0-9a-f]{40}$/.test(ref);
    assert.ok(sha ? /^v\d+\.\d+\.\d+$/.test(comment ?? '') : /^v\d+\.\d+\.\d+$/.test(ref), `${l.trim()}: pin an exact release (commit + # vX.Y.Z, or vX.Y.Z)`);
  }
}

// ---- tests ----------------------------------------------------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-wf-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('action-validator: ci.yml matches the GitHub workflow schema (and a broken copy does not)', () => {
  const ok = validate(WORKFLOW);
  assert.equal(ok.code, 0, ok.out);
  const broken = YAML.parse(text);
  broken.jobs.test['runs-on'] = undefined;
  delete broken.jobs.test['runs-on'];
  broken.jobs.test.stepz = broken.jobs.test.steps;
  delete broken.jobs.test.steps;
  const f = path.join(tmp, 'broken.yml');
  fs.writeFileSync(f, YAML.stringify(broken));
  const bad = validate(f);
  assert.notEqual(bad.code, 0, 'action-validator accepted a job without runs-on and steps');
});

const ctx = {
  ciRun: read('.ci/run'),
  readme: read('README.md'),
  edgeMakefile: read('edge/Makefile'),
  depsSh: read('scripts/deps.sh'),
};
const exists = (f) => fs.existsSync(path.join(repoRoot, f));

test('the test job runs `make test` (as .ci/run and the README do) in Debian 12 and uploads logs and screenshots on failure', () => {
  checkTestJob(wf, ctx);
});

test('images are pushed to GHCR only for tags v*, after the tests', () => checkPushOnlyOnTags(wf));
test('permissions are least privilege: contents: read, packages: write only in the tag-only publish job', () => checkPermissions(wf));
test('every Dockerfile the workflow builds exists (edge and db), context the repository root', () => checkDockerfiles(wf, exists));
test('the sanitizer job runs edge/Makefile asan and test-asan and builds the extension, with packages of scripts/deps.sh', () => checkSanitizers(wf, ctx));
test('every action is pinned to an exact release', () => checkPinned(text));

test('each check fails on a workflow that breaks it', () => {
  const m = (fn) => {
    const w = structuredClone(wf);
    fn(w);
    return w;
  };
  const stepOf = (w, job, action) => w.jobs[job].steps.find((s) => uses(s, action));
  const cases = [
    ['test job runs a subset', () => checkTestJob(m((w) => (w.jobs.test.steps.find((s) => s.run?.trim() === 'make test').run = 'RT_TEST_ONLY=pgtap make test')), ctx)],
    ['test job runs something else too', () => checkTestJob(m((w) => w.jobs.test.steps.push({ run: 'node --test tests/deploy' })), ctx)],
    ['test job on Ubuntu packages', () => checkTestJob(m((w) => delete w.jobs.test.container), ctx)],
    ['.ci/run runs another command', () => checkTestJob(wf, { ...ctx, ciRun: '#!/usr/bin/env bash\nmake check\n' })],
    ['logs uploaded never', () => checkTestJob(m((w) => (stepOf(w, 'test', 'actions/upload-artifact').if = 'false')), ctx)],
    ['push on every build', () => checkPushOnlyOnTags(m((w) => (stepOf(w, 'images', 'docker/build-push-action').with.push = true)))],
    ['publish without the tag condition', () => checkPushOnlyOnTags(m((w) => (w.jobs.publish.if = "github.event_name == 'push'")))],
    ['publish before the tests', () => checkPushOnlyOnTags(m((w) => (w.jobs.publish.needs = ['images'])))],
    ['tags do not trigger', () => checkPushOnlyOnTags(m((w) => delete w.on.push.tags))],
    ['write-all at the top', () => checkPermissions(m((w) => (w.permissions = 'write-all')))],
    ['packages: write at the top', () => checkPermissions(m((w) => (w.permissions.packages = 'write')))],
    ['packages: write on every build', () => checkPermissions(m((w) => (w.jobs.images.permissions.packages = 'write')))],
    ['contents: write in the test job', () => checkPermissions(m((w) => (w.jobs.test.permissions.contents = 'write')))],
    ['a job without permissions', () => checkPermissions(m((w) => delete w.jobs.sanitizers.permissions))],
    ['a Dockerfile that does not exist', () => checkDockerfiles(m((w) => (w.jobs.images.strategy.matrix.include[1].dockerfile = 'db/Dockerfile')), exists)],
    ['build context a subfolder', () => checkDockerfiles(m((w) => (stepOf(w, 'publish', 'docker/build-push-action').with.context = 'edge')), exists)],
    ['sanitizer job without test-asan', () => checkSanitizers(m((w) => (w.jobs.sanitizers.steps = w.jobs.sanitizers.steps.filter((s) => !/test-asan/.test(s.run ?? '')))), ctx)],
    ['a make target edge/Makefile lacks', () => checkSanitizers(wf, { ...ctx, edgeMakefile: ctx.edgeMakefile.replace(/^test-asan:/m, 'asan-tests:') })],
    ['a package deps.sh does not install', () => checkSanitizers(m((w) => (w.jobs.sanitizers.steps[0].run = w.jobs.sanitizers.steps[0].run.replace('libcmocka-dev', 'libcmocka-dev libfoo-dev'))), ctx)],
    ['an action on a moving major tag', () => checkPinned(text.replace(/actions\/checkout@\S+ # \S+/, 'actions/checkout@v7'))],
    ['a commit pin without its release', () => checkPinned(text.replace(/(docker\/login-action@[0-9a-f]{40}) # \S+/, '$1'))],
  ];
  for (const [what, fn] of cases) assert.throws(fn, assert.AssertionError, `the check did not fail for: ${what}`);
});
