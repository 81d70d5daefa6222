// An edge that withstands abuse, through the real gateway, sidecars and Redis: login floods and credential stuffing
// meet 429 problem+json (per client and per account, counted in this run's Redis) while other clients go on, every
// answer carries the security headers, and a login reaches identity exactly once even when identity fails or hangs.
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { waitUntil } from '@globalmart/devstack';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

const PASSWORD = 'correct horse battery staple';
const PROBLEM = /^application\/problem\+json/;
// Small limits, and X-Forwarded-For believed from loopback so that one test process acts as many clients.
const gatewayEnv: Record<string, string> = {
  TRUST_PROXY: 'loopback',
  RATE_LIMIT_API_POINTS: '1000',
  RATE_LIMIT_API_WINDOW_SECONDS: '60',
  RATE_LIMIT_AUTH_CLIENT_POINTS: '5',
  RATE_LIMIT_AUTH_CLIENT_WINDOW_SECONDS: '300',
  RATE_LIMIT_AUTH_ACCOUNT_POINTS: '3',
  RATE_LIMIT_AUTH_ACCOUNT_WINDOW_SECONDS: '300',
};

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ apps: ['catalog', 'identity', 'gateway'], env: { gateway: gatewayEnv } });
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

let addresses = 0;
/** A client address of its own (TEST-NET-3): one per simulated client. */
const newClient = () => `203.0.113.${++addresses}`;

async function call(method: string, path: string, opts: { from: string; body?: unknown }) {
  const res = await fetch(`${platform.url('gateway')}${path}`, {
    method,
    headers: { 'x-forwarded-for': opts.from, ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
const login = (from: string, email: string, password: string) => call('POST', '/api/auth/login', { from, body: { email, password } });

async function newCustomer(): Promise<string> {
  const email = `c-${randomUUID()}@example.test`;
  const res = await call('POST', '/api/auth/signup', { from: newClient(), body: { email, password: PASSWORD, name: 'Edge Tester' } });
  expect(res.status).toBe(201);
  return email;
}

function expectRateLimited(res: Awaited<ReturnType<typeof call>>, policy: string, quota: number, windowSeconds: number) {
  expect(res.status).toBe(429);
  expect(res.headers.get('content-type')).toMatch(PROBLEM);
  expect(res.body).toMatchObject({ type: 'about:blank', status: 429, code: 'RATE_LIMITED', policy, instance: '/api/auth/login' });
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= windowSeconds).toBe(true);
  expect(res.headers.get('ratelimit-policy')).toContain(`"${policy}";q=${quota};w=${windowSeconds}`);
  expect(res.headers.get('ratelimit')).toContain(`"${policy}";r=0;t=`);
}

describe('the edge under abuse', () => {
  it('a burst of wrong logins from one client is cut at its budget with 429, while another client keeps logging in', async () => {
    const email = await newCustomer();
    const attacker = newClient();
    const shopper = newClient();
    // Wrong guesses, each for another account so that only the per-client budget (5) applies: three one after the
    // other, then eight at once. Redis counts atomically, so exactly two of the eight still reach identity.
    const guess = () => login(attacker, `nobody-${randomUUID()}@example.test`, 'guess');
    for (let i = 0; i < 3; i++) expect((await guess()).status).toBe(401);
    const burst = await Promise.all(Array.from({ length: 8 }, guess));
    const limited = burst.filter((r) => r.status === 429);
    expect(limited).toHaveLength(6);
    for (const res of limited) expectRateLimited(res, 'auth-client', 5, 300);
    // The two others were identity's to answer: refused (401); on a machine too busy to hash two at once, shed (503
    // AUTH.BUSY) or cut off by Dapr's timeout (502).
    for (const res of burst.filter((r) => r.status !== 429)) expect([401, 502, 503]).toContain(res.status);
    expectRateLimited(await login(attacker, email, PASSWORD), 'auth-client', 5, 300);

    for (let i = 0; i < 3; i++) {
      const ok = await login(shopper, email, PASSWORD);
      expect(ok.status).toBe(200);
      expect(ok.body.access_token).toEqual(expect.any(String));
      expect(ok.headers.get('ratelimit-policy')).toBe('"auth-client";q=5;w=300, "auth-account";q=3;w=300');
      expect(ok.headers.get('ratelimit')).toMatch(new RegExp(`^"auth-client";r=${4 - i};t=\\d+, "auth-account";r=2;t=\\d+$`));
    }
  }, 120_000);

  it('per account: stuffing one account from ever new addresses is stopped after 3 failures, even with the right password', async () => {
    const victim = await newCustomer();
    const bystander = await newCustomer();
    const statuses: number[] = [];
    for (const address of [victim, victim.toUpperCase(), ` ${victim}`, victim, victim]) {
      const res = await login(newClient(), address, 'a wrong guess');
      statuses.push(res.status);
      if (res.status === 429) expectRateLimited(res, 'auth-account', 3, 300);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expectRateLimited(await login(newClient(), victim, PASSWORD), 'auth-account', 3, 300);
    expect((await login(newClient(), bystander, PASSWORD)).status).toBe(200);
  }, 120_000);

  it('a successful login clears the account count', async () => {
    const email = await newCustomer();
    const from = newClient();
    expect((await login(from, email, 'a wrong guess')).status).toBe(401);
    expect((await login(from, email, 'a wrong guess')).status).toBe(401);
    expect((await login(from, email, PASSWORD)).status).toBe(200);
    const next = await login(newClient(), email, 'a wrong guess');
    expect(next.status).toBe(401);
    expect(next.headers.get('ratelimit')).toMatch(/"auth-account";r=2;/);
  }, 120_000);

  it('the counters are in this run’s Redis, keyed without any email; browsing answers carry the RateLimit and security headers', async () => {
    expect((await login(newClient(), `nobody-${randomUUID()}@example.test`, 'guess')).status).toBe(401);
    const page = await call('GET', '/api/products?page=1&page_size=2', { from: newClient() });
    expect(page.status).toBe(200);
    expect(page.headers.get('ratelimit-policy')).toBe('"api";q=1000;w=60');
    expect(page.headers.get('ratelimit')).toMatch(/^"api";r=999;t=\d+$/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(page.headers.get('x-powered-by')).toBeNull();
    expect(page.headers.get('strict-transport-security')).toBeNull();

    const redis = new Redis(`redis://${platform.infra.redisHost}`);
    try {
      const keys = await redis.keys('gateway:rate-limit:*');
      for (const policy of ['api', 'auth-client', 'auth-account']) {
        expect(keys.some((k) => k.startsWith(`gateway:rate-limit:${policy}:`))).toBe(true);
      }
      expect(keys.join(' ')).not.toMatch(/@|example/);
    } finally {
      redis.disconnect();
    }
  });

  // Last: identity's process is replaced by a stand-in behind its real sidecar, then restarted.
  it('a login reaches identity exactly once, even when identity fails (503) or hangs past Dapr’s timeout: no retries', async () => {
    // The stand-in checks no password: any well-formed login will do.
    const email = `c-${randomUUID()}@example.test`;
    const identity = platform.apps.identity!;
    await identity.stopApp();
    let mode: 'fail' | 'hang' = 'fail';
    let sessions = 0;
    let probes = 0;
    const held: ServerResponse[] = [];
    const standIn = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/healthz' || path === '/readyz') {
        probes++;
        res.setHeader('content-type', 'application/json').end('{}');
      } else if (path === '/sessions') {
        sessions++;
        if (mode === 'hang') held.push(res);
        else res.writeHead(503, { 'content-type': 'application/problem+json' }).end('{"type":"about:blank","status":503}');
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => standIn.listen(identity.appPort, '127.0.0.1', resolve));
    try {
      // The sidecar probes its app every second: once it has seen the stand-in healthy, it forwards calls to it.
      await waitUntil('the sidecar to probe the stand-in', async () => probes >= 2, { timeoutMs: 20_000 });
      const failed = await login(newClient(), email, PASSWORD);
      expect([failed.status, failed.body.code]).toEqual([502, 'UPSTREAM.FAILED']);
      expect(sessions).toBe(1);

      mode = 'hang';
      const timedOut = await login(newClient(), email, PASSWORD);
      expect(timedOut.status).toBeGreaterThanOrEqual(500);
      expect(timedOut.headers.get('content-type')).toMatch(PROBLEM);
      expect(sessions).toBe(2);
    } finally {
      for (const res of held) res.destroy();
      standIn.closeAllConnections();
      await new Promise((resolve) => standIn.close(resolve));
      await identity.restartApp();
    }
  }, 120_000);
});
