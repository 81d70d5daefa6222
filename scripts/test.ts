// `npm test`: installs what is missing (setup), then runs the unit tests and the system tests, which
// start real daprd sidecars, Redis and FerretDB on free ports. Extra args go to vitest.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@globalmart/devstack';
import { setup } from './setup.ts';

await setup((l) => console.log(`» ${l}`)).catch((err: unknown) => {
  console.error(`setup failed: ${(err as Error).message}`);
  process.exit(1);
});
const dir = mkdtempSync(join(tmpdir(), 'globalmart-test-'));
const report = join(dir, 'vitest.json');
const r = spawnSync('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  cwd: repoRoot,
  stdio: 'inherit',
});
// One plain closing line that any CI can read: "tests: N passed, N failed, N skipped".
try {
  const j = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  console.log(`tests: ${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests + j.numTodoTests} skipped`);
} catch {
  console.log('tests: no report written (vitest did not finish)');
}
rmSync(dir, { recursive: true, force: true });
process.exit(r.status ?? 1);
