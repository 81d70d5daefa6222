// `npm test`: installs what is missing (setup), then runs the unit tests and the system tests, which
// start real daprd sidecars, Redis and FerretDB on free ports. Extra args go to vitest.
import { spawnSync } from 'node:child_process';
import { repoRoot } from '@globalmart/devstack';
import { setup } from './setup.ts';

await setup((l) => console.log(`» ${l}`)).catch((err: unknown) => {
  console.error(`setup failed: ${(err as Error).message}`);
  process.exit(1);
});
const r = spawnSync('vitest', ['run', ...process.argv.slice(2)], { cwd: repoRoot, stdio: 'inherit' });
process.exit(r.status ?? 1);
