// Entry point of `npm run setup|start|test|bench|fuzz`. Plain JavaScript on purpose: it runs on whatever
// Node the machine has (Node 20 here), installs the project's dependencies, which include Node 24
// from the npm registry (the `node` package), and hands over to the TypeScript scripts on Node 24.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command = 'setup', ...rest] = process.argv.slice(2);
const scripts = {
  setup: 'scripts/setup.ts',
  start: 'scripts/start.ts',
  test: 'scripts/test.ts',
  bench: 'bench/run.ts',
  fuzz: 'scripts/fuzz.ts',
  'create-admin': 'scripts/create-admin.ts',
  'helm-check': 'scripts/helm-check.ts',
};

if (!scripts[command]) {
  console.error(`usage: node scripts/bootstrap.mjs ${Object.keys(scripts).join('|')} [args]`);
  process.exit(2);
}
const major = Number(process.versions.node.split('.')[0]);
if (major < 18) {
  console.error(
    `Node ${process.versions.node} is too old to bootstrap GlobalMart: install Node >= 18 (the project then brings Node 24 itself).`,
  );
  process.exit(1);
}

const node24 = join(root, 'node_modules', '.bin', 'node');
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
const stale = !existsSync(node24) || !existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs;
if (stale) {
  console.log('» installing npm dependencies (npm ci), including Node 24 from the npm registry ...');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('npm ci failed: check that the npm registry is reachable, then run `npm ci` to see the error.');
    process.exit(r.status ?? 1);
  }
}

// node_modules/.bin first on PATH: every child (the Dapr CLI starting `node` apps, vitest) gets Node 24.
const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
const child = spawn(node24, [join(root, scripts[command]), ...rest], { cwd: root, stdio: 'inherit', env });
// npm delivers Ctrl-C or SIGTERM to this process: pass it on and wait, so the script can stop what it started.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
// npm does not pass SIGTERM on to its script: if npm goes away, stop the child the same way.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) child.kill('SIGTERM');
}, 500).unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
