// The limits hold across gateway replicas: two gateway apps, each with its own connection, count in one real Redis
// (a private redis-server on a free port). When Redis goes away, each keeps limiting in memory and fails nothing.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureToolchain, freePort, startRedis, waitUntil, type InfraHandle } from '@globalmart/devstack';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRateLimitStore } from '../src/edge/index.ts';
import { PASSWORD, edgeApp, logger } from './edge.fixture.ts';

let server: InfraHandle;
const clients: Redis[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-rate-limits-'));
  server = await startRedis(await ensureToolchain(() => {}), await freePort(), { logDir: dir, dataDir: dir });
}, 120_000);
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server?.stop();
});

async function connected(): Promise<Redis> {
  const client = connectRateLimitStore(server.url, logger);
  clients.push(client);
  await waitUntil('the rate-limit store connection', async () => client.status === 'ready', { timeoutMs: 10_000 });
  return client;
}

/** Two gateway replicas sharing one key prefix in Redis (unique to the test), each with its own connection. */
async function replicas(env: Record<string, string>) {
  const keyPrefix = `test:rate-limit:${randomUUID()}`;
  const a = edgeApp(env, { store: { redis: await connected(), keyPrefix } });
  const b = edgeApp(env, { store: { redis: await connected(), keyPrefix } });
  return { a: a.app, b: b.app, keyPrefix };
}

describe('rate limits in Redis, shared by replicas', () => {
  it('one per-client budget across two replicas: the fifth request is refused whichever replica gets it', async () => {
    const { a, b } = await replicas({ RATE_LIMIT_API_POINTS: '4' });
    const seen: string[] = [];
    for (const app of [a, b, a, b]) {
      const res = await request(app).get('/api/ping');
      expect(res.status).toBe(200);
      seen.push(String(res.headers.ratelimit).split(';')[1]!);
    }
    expect(seen).toEqual(['r=3', 'r=2', 'r=1', 'r=0']);
    expect((await request(b).get('/api/ping')).status).toBe(429);
    expect((await request(a).get('/api/ping')).status).toBe(429);
  });

  it('per account across replicas: failures on either count, a success on one clears the count for both', async () => {
    const { a, b, keyPrefix } = await replicas({ RATE_LIMIT_AUTH_ACCOUNT_POINTS: '2' });
    const attempt = (app: typeof a, email: string, password: string) => request(app).post('/api/auth/login').send({ email, password });
    expect((await attempt(a, 'eve@example.com', 'wrong')).status).toBe(401);
    expect((await attempt(b, 'eve@example.com', 'wrong')).status).toBe(401);
    expect((await attempt(a, 'eve@example.com', PASSWORD)).status).toBe(429);

    expect((await attempt(a, 'ada@example.com', 'wrong')).status).toBe(401);
    expect((await attempt(b, 'ada@example.com', PASSWORD)).status).toBe(200);
    expect((await attempt(a, 'ada@example.com', 'wrong')).status).toBe(401);
    expect((await attempt(b, 'ada@example.com', 'wrong')).status).toBe(401);
    expect((await attempt(a, 'ada@example.com', 'wrong')).status).toBe(429);

    // The counters are Redis keys that expire with their window, and name no email.
    const keys = await clients[0]!.keys(`${keyPrefix}:*`);
    expect(keys.some((k) => k.startsWith(`${keyPrefix}:auth-account:`))).toBe(true);
    expect(keys.join(' ')).not.toMatch(/example|@/);
    for (const key of keys) expect(await clients[0]!.ttl(key)).toBeGreaterThan(0);
  });

  // Last: it stops this file's Redis.
  it('Redis down: requests are neither failed nor let through unlimited; each replica limits in memory', async () => {
    const { a } = await replicas({ RATE_LIMIT_API_POINTS: '3' });
    expect((await request(a).get('/api/ping')).status).toBe(200);
    await server.stop();
    await waitUntil('the connections to notice', async () => clients.every((c) => c.status !== 'ready'), { timeoutMs: 10_000 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await request(a).get('/api/ping')).status);
    // The insurance limiter starts from zero: three more pass, then it refuses.
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});
