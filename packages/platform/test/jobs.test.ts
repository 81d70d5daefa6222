import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { MemoryJobScheduler } from '../src/dapr/memory.ts';
import type { JobScheduler, JobSpec } from '../src/dapr/ports.ts';
import { Jobs } from '../src/jobs.ts';
import { captureLogger, testApp } from './helpers.ts';

const { logger } = captureLogger();
const post = (app: Parameters<typeof request>[0], name: string, headers: Record<string, string> = {}) =>
  request(app).post(`/job/${name}`).set(headers).set('content-type', 'application/json').send('{}');

describe('Jobs', () => {
  it('registers each recurring job once per start, overwriting, every N ms, dropping a failed tick', async () => {
    const scheduler = new MemoryJobScheduler();
    const jobs = new Jobs(scheduler, logger).every('relay', 1_000, async () => undefined).every('sweep', 250, async () => undefined);
    expect(jobs.registered).toBe(false);
    await jobs.start();
    expect(jobs.registered).toBe(true);
    expect(Object.fromEntries(scheduler.jobs)).toEqual({
      relay: { schedule: '@every 1000ms', data: {}, failurePolicy: { drop: {} }, overwrite: true },
      sweep: { schedule: '@every 250ms', data: {}, failurePolicy: { drop: {} }, overwrite: true },
    });
    await jobs.start(); // a second replica registering the same schedule is fine
    expect(scheduler.scheduled).toHaveLength(4);
  });

  it('keeps retrying registration while the sidecar or scheduler refuses', async () => {
    let failures = 2;
    const inner = new MemoryJobScheduler();
    const flaky: JobScheduler = {
      schedule: async (name: string, job: JobSpec) => {
        if (failures-- > 0) throw new Error('scheduler not ready');
        await inner.schedule(name, job);
      },
      delete: (name) => inner.delete(name),
    };
    const jobs = new Jobs(flaky, logger, { retryDelayMs: 1, maxRetryDelayMs: 2 }).every('relay', 1_000, async () => undefined);
    await jobs.start();
    expect(jobs.registered).toBe(true);
    expect(inner.jobs.has('relay')).toBe(true);
  });

  it('runs a trigger in this replica, joins a run in progress, answers 500 on failure and 404 for an unknown job', async () => {
    let runs = 0;
    let fail = false;
    let started!: () => void;
    let release!: () => void;
    const startedOnce = () => new Promise<void>((resolve) => (started = resolve));
    let running = startedOnce();
    const jobs = new Jobs(new MemoryJobScheduler(), logger).every('relay', 1_000, async () => {
      runs++;
      const done = new Promise<void>((resolve) => (release = resolve));
      started();
      await done;
      if (fail) throw new Error('broker down');
    });
    const { app } = testApp({ routes: (a) => a.use(jobs.router()) });
    const first = post(app, 'relay').then((r) => r.status);
    await running;
    // A second trigger while the first runs joins it (runNow does the same).
    const joined = jobs.runNow('relay');
    release();
    await joined;
    expect(await first).toBe(200);
    expect(runs).toBe(1);
    fail = true;
    running = startedOnce();
    const failed = post(app, 'relay').then((r) => r); // supertest sends on then()
    await running;
    release();
    const res = await failed;
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('JOB.FAILED');
    expect(runs).toBe(2);
    expect((await post(app, 'nobody')).status).toBe(404);
  });

  it('keyed one-shot jobs: scheduled at a time with a retrying failure policy, triggers routed by prefix with the key', async () => {
    const scheduler = new MemoryJobScheduler();
    const jobs = new Jobs(scheduler, logger);
    const seen: [string, unknown][] = [];
    const steps = jobs.keyed<{ n: number }>('shipment', async (key, data) => void seen.push([key, data]));
    await steps.at('ord_1-shipped', new Date('2026-01-01T00:00:05Z'), { n: 1 });
    expect(scheduler.jobs.get('shipment-ord_1-shipped')).toEqual({
      dueTime: '2026-01-01T00:00:05.000Z',
      data: { n: 1 },
      failurePolicy: { constant: { interval: '1s' } },
      overwrite: true,
    });
    const { app } = testApp({ routes: (a) => a.use(jobs.router()) });
    await request(app).post('/job/shipment-ord_1-shipped').send({ n: 1 }).expect(200);
    expect(seen).toEqual([['ord_1-shipped', { n: 1 }]]);
    await steps.cancel('ord_1-shipped');
    expect(scheduler.jobs.size).toBe(0);
    expect(() => steps.name('a||b')).toThrow('invalid job name');
  });

  it('/job/* takes the app token like every route, and no other app may invoke it', async () => {
    const jobs = new Jobs(new MemoryJobScheduler(), logger).every('relay', 1_000, async () => undefined);
    const { app } = testApp({ env: { APP_API_TOKEN: 'app-secret' }, routes: (a) => a.use(jobs.router()) });
    expect((await post(app, 'relay')).status).toBe(401);
    expect((await post(app, 'relay', { 'dapr-api-token': 'wrong' })).status).toBe(401);
    // A service invocation (the caller's sidecar stamps dapr-caller-app-id) of /job/*: no access-table row allows it.
    const invoked = await post(app, 'relay', { 'dapr-api-token': 'app-secret', 'dapr-caller-app-id': 'gateway' });
    expect(invoked.status).toBe(403);
    expect(invoked.body.code).toBe('AUTH.CALLER_NOT_ALLOWED');
    // The app's own sidecar delivering the trigger: its token, no caller id.
    expect((await post(app, 'relay', { 'dapr-api-token': 'app-secret' })).status).toBe(200);
  });

  it('answers 503 once stopping, so the scheduler delivers elsewhere', async () => {
    const jobs = new Jobs(new MemoryJobScheduler(), logger).every('relay', 1_000, async () => undefined);
    const { app } = testApp({ routes: (a) => a.use(jobs.router()) });
    await jobs.stop();
    expect((await post(app, 'relay')).status).toBe(503);
  });
});
