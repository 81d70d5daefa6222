import { describe, expect, it } from 'vitest';
import { createDaprAdapters } from '../src/dapr/dapr.adapters.ts';
import { captureLogger } from './helpers.ts';

// @dapr/dapr costs ~60 MB of resident memory per process: only the ports that go through it load it.
const config = { DAPR_HOST: '127.0.0.1', DAPR_HTTP_PORT: 1, DAPR_API_TOKEN: 'dapr-secret' };

describe('createDaprAdapters', () => {
  it('leaves the SDK unloaded while only the invoker, jobs and health are used', async () => {
    const dapr = createDaprAdapters(config, captureLogger().logger);
    expect([dapr.invoker, dapr.jobs, dapr.health].every(Boolean)).toBe(true);
    expect(await dapr.health.isReady()).toBe(false);
    expect(dapr.sdk.requested).toBe(false);
    await dapr.close();
  });

  it.each([
    ['state()', (d: ReturnType<typeof createDaprAdapters>) => d.state()],
    ['locks()', (d: ReturnType<typeof createDaprAdapters>) => d.locks()],
    ['publisher', (d: ReturnType<typeof createDaprAdapters>) => d.publisher],
    ['bindings', (d: ReturnType<typeof createDaprAdapters>) => d.bindings],
    ['secrets', (d: ReturnType<typeof createDaprAdapters>) => d.secrets],
    ['metadata', (d: ReturnType<typeof createDaprAdapters>) => d.metadata],
  ])('starts loading it when %s is wired, and closes its client', async (_, wire) => {
    const dapr = createDaprAdapters(config, captureLogger().logger);
    wire(dapr);
    expect(dapr.sdk.requested).toBe(true);
    await expect(dapr.sdk.client()).resolves.toBeDefined();
    await dapr.close();
  });
});
