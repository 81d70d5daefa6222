// `npm run fuzz`: the fuzz suite at full size (10,000 requests unless FUZZ_REQUESTS says otherwise) against a
// platform of its own, through the same vitest file as `npm test`'s slice. FUZZ_SEED=<n> replays a run; FUZZ_ONLY
// (a regex on `METHOD /path`) and FUZZ_CASES (case numbers) narrow a replay. Extra args go to vitest.
import { spawnSync } from 'node:child_process';
import { repoRoot } from '@globalmart/devstack';
import { setup } from './setup.ts';

await setup((l) => console.log(`» ${l}`)).catch((err: unknown) => {
  console.error(`setup failed: ${(err as Error).message}`);
  process.exit(1);
});
const r = spawnSync('vitest', ['run', '--project', 'system', 'tests/fuzz/fuzz.test.ts', ...process.argv.slice(2)], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_REQUESTS: process.env.FUZZ_REQUESTS ?? '10000' },
});
process.exit(r.status ?? 1);
