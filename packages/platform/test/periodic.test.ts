import { describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '../src/index.ts';
import { every } from '../src/periodic.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'test', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('every', () => {
  it('never overlaps runs, survives a failed run, and stop() waits for the run in progress', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const job = every(
      'test job',
      5,
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await sleep(20);
        active--;
        if (runs === 1) throw new Error('first run fails');
      },
      logger,
      { runAtStart: true },
    );
    await sleep(80);
    await job.stop();
    expect(maxActive).toBe(1);
    expect(runs).toBeGreaterThan(1);
    expect(active).toBe(0);
    const after = runs;
    await sleep(30);
    expect(runs).toBe(after);
  });

  it('runNow joins the run in progress instead of starting a second one', async () => {
    let runs = 0;
    const job = every(
      'joined',
      10_000,
      async () => {
        runs++;
        await sleep(20);
      },
      logger,
    );
    await Promise.all([job.runNow(), job.runNow()]);
    expect(runs).toBe(1);
    await job.stop();
  });
});
