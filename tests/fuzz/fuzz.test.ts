// The fuzz suite against the whole platform (real sidecars, stores and workflow engine): requests generated from
// openapi.json, valid and broken, public ones at the gateway and internal ones through Dapr service invocation.
// `npm test` runs a slice (FUZZ_REQUESTS, default 800); `npm run fuzz` runs 10,000. FUZZ_SEED=<n> replays a run.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allApps, startPlatform, type Platform } from '../harness/platform.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';
import { optionsFromEnv, runFuzz } from './runner.ts';

// `npm test`'s slice replays one seed, so a CI run is reproducible; `npm run fuzz` (FUZZ_REQUESTS set) draws a new
// seed each run to explore, and prints it for replay.
const opts = optionsFromEnv(800, process.env.FUZZ_REQUESTS ? undefined : 1367922256);
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ apps: [...allApps], placement: true, scheduler: true, maildev: true });
}, 420_000);
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

describe('fuzzing the API from its contract', () => {
  it(
    `${opts.requests} generated requests: no 5xx, no crash, every 4xx problem+json (seed ${opts.seed})`,
    async () => {
      const report = await runFuzz(platform, opts);
      expect(report.sent).toBe(opts.cases?.length ?? opts.requests);
      expect(report.crashes, 'apps or sidecars down after the run').toEqual([]);
      expect(
        report.findings
          .filter((f) => f.failure)
          .map((f) => `${f.signature} ×${f.count} (replay: FUZZ_SEED=${opts.seed} FUZZ_CASES=${f.case.index})`),
        'failures (minimal cases above)',
      ).toEqual([]);
    },
    // ~10 requests/s at worst on 2 cores, plus the sessions and one checkout first.
    120_000 + opts.requests * 150,
  );
});
