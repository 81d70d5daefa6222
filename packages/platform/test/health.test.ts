import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { Readiness } from '../src/readiness.ts';
import { testApp } from './helpers.ts';

describe('/healthz and /readyz', () => {
  it('/healthz answers 200 ok without running readiness checks', async () => {
    let ran = false;
    const readiness = new Readiness().add('mongo', () => {
      ran = true;
    });
    const res = await request(testApp({ readiness }).app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(ran).toBe(false);
  });

  it('with livenessAwaitsReadiness, /healthz is 503 until the checks pass once, then stays 200', async () => {
    let catalogUp = false;
    const readiness = new Readiness().add('catalog', async () => catalogUp);
    const { app } = testApp({ readiness, livenessAwaitsReadiness: true });
    const starting = await request(app).get('/healthz');
    expect(starting.status).toBe(503);
    expect(starting.body).toMatchObject({ code: 'SERVICE.STARTING', detail: 'Waiting for: catalog.' });
    catalogUp = true;
    expect((await request(app).get('/healthz')).status).toBe(200);
    catalogUp = false; // a later outage shows in /readyz, not as a failed liveness probe
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(503);
  });

  it('/readyz answers 200 with every named check ok', async () => {
    const readiness = new Readiness().add('sidecar', async () => true).add('mongo', async () => undefined);
    const res = await request(testApp({ readiness }).app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { sidecar: 'ok', mongo: 'ok' } });
  });

  it('/readyz answers 503 problem+json naming failing and timed-out checks', async () => {
    const readiness = new Readiness(50)
      .add('sidecar', async () => false)
      .add('mongo', () => new Promise(() => {})) // hangs: must be cut by the per-check timeout
      .add('cache', async () => {
        throw new Error('ECONNREFUSED 10.1.2.3:6379');
      })
      .add('config', () => 'loaded');
    const started = Date.now();
    const { app, lines } = testApp({ readiness });
    const res = await request(app).get('/readyz');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 503, code: 'SERVICE.NOT_READY', detail: 'Not ready: sidecar, mongo, cache.' });
    expect(res.body.checks).toEqual({ sidecar: 'failed', mongo: 'timeout', cache: 'failed', config: 'ok' });
    expect(res.text).not.toContain('ECONNREFUSED');
    expect(lines.some((l) => l.check === 'cache' && l.level === 'warn')).toBe(true);
  });

  it('reports not ready once draining for shutdown', async () => {
    const readiness = new Readiness().add('sidecar', () => true);
    readiness.drain();
    const res = await request(testApp({ readiness }).app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ sidecar: 'ok', shutdown: 'failed' });
  });

  it('does not log probe requests but logs other requests', async () => {
    const { app, lines } = testApp({ routes: (a) => a.get('/ping', (_req, res) => void res.json({})) });
    await request(app).get('/healthz');
    await request(app).get('/readyz');
    await request(app).get('/ping');
    const completed = lines.filter((l) => l.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect((completed[0]?.req as { url: string }).url).toBe('/ping');
  });

  it('logs successful requests on quiet paths at debug (a cron trigger), failures there still at warn/error', async () => {
    let ok = true;
    const { app, lines } = testApp({
      quietPaths: ['/rollup'],
      routes: (a) => a.post('/rollup', (_req, res) => void res.status(ok ? 200 : 500).json({})),
    });
    await request(app).post('/rollup');
    ok = false;
    await request(app).post('/rollup?x=1');
    const completed = lines.filter((l) => (l.req as { url?: string } | undefined)?.url?.startsWith('/rollup'));
    expect(completed.map((l) => l.level)).toEqual(['error']);
  });
});
