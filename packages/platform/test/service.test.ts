import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../src/config.ts';
import { createService } from '../src/service.ts';
import { createMemoryDapr } from '../src/testing.ts';

function options(env: Record<string, string> = {}) {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    env: { APP_ID: 'svc', APP_PORT: '0', ...env },
    dapr: createMemoryDapr(),
    logDestination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) },
    exitOnStartupError: false,
    handleSignals: false,
  };
}

describe('createService', () => {
  it('throws ConfigError naming the missing variables when told not to exit', async () => {
    const opts = { ...options(), env: { APP_PORT: '1' }, configShape: { CATALOG_PAGE_MAX: z.coerce.number() } };
    await expect(createService(opts)).rejects.toSatisfy(
      (e) => e instanceof ConfigError && e.variables.join() === 'APP_ID,CATALOG_PAGE_MAX',
    );
  });

  it('refuses to start in production without its sidecar and app tokens (the public edge needs no app token)', async () => {
    await expect(createService(options({ NODE_ENV: 'production' }))).rejects.toSatisfy(
      (e) => e instanceof ConfigError && e.variables.join() === 'DAPR_API_TOKEN,APP_API_TOKEN',
    );
    await expect(createService({ ...options({ NODE_ENV: 'production', DAPR_API_TOKEN: 't' }), publicEdge: true })).resolves.toBeDefined();
    const sealed = await createService(options({ NODE_ENV: 'production', DAPR_API_TOKEN: 't', APP_API_TOKEN: 'a' }));
    expect(sealed.config.APP_API_TOKEN).toBe('a');
  });

  it('starts on APP_HOST:APP_PORT, logs the URL, reports sidecar readiness and stops in reverse order', async () => {
    const opts = options({ FEATURE: 'on' });
    const svc = await createService({ ...opts, configShape: { FEATURE: z.enum(['on', 'off']) } });
    expect(svc.config.FEATURE).toBe('on');
    expect(svc.mongo).toBeUndefined();
    const order: string[] = [];
    svc.onShutdown(() => void order.push('first registered'));
    svc.onShutdown(async () => void order.push('last registered'));
    svc.addReadinessCheck('cache', () => true);
    svc.app.get('/hello', (_req, res) => void res.json({ hello: 'world' }));

    const running = await svc.start();
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(opts.lines).toContainEqual(expect.objectContaining({ msg: `svc listening on ${running.url}`, url: running.url }));
    expect(await (await fetch(`${running.url}/hello`)).json()).toEqual({ hello: 'world' });
    const ready = await fetch(`${running.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { sidecar: 'ok', cache: 'ok' } });
    opts.dapr.health.ready = false;
    const notReady = await fetch(`${running.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { checks: unknown }).checks).toMatchObject({ sidecar: 'failed' });
    expect((await fetch(`${running.url}/missing`)).status).toBe(404); // finalized: 404 handler in place

    await running.stop();
    expect(order).toEqual(['last registered', 'first registered']);
    expect(running.server.listening).toBe(false);
  });

  it('waits for an in-flight request before stopping', async () => {
    const opts = options();
    const svc = await createService(opts);
    svc.app.get('/slow', async (_req, res) => {
      await new Promise((r) => setTimeout(r, 200));
      res.json({ done: true });
    });
    const running = await svc.start();
    const pending = fetch(`${running.url}/slow`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await running.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(await pending).toEqual({ done: true });
  });
});
