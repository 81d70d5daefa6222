import type { MemoryInvoker } from '@globalmart/platform/testing';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { PASSWORD, configErrors, edgeApp, fakeIdentity, gatewayConfig } from './edge.fixture.ts';

const PROBLEM = /^application\/problem\+json/;
const login = (email: string, password: string) => ({ email, password });
const sessionCalls = (invoker: MemoryInvoker) => invoker.calls.filter((c) => c.method === 'sessions').length;

describe('security headers', () => {
  it('are on every answer, 2xx, 4xx and 429 alike: nosniff, no referrer, no framing, a CSP for JSON, no X-Powered-By, no HSTS by default', async () => {
    const { app } = edgeApp({ RATE_LIMIT_API_POINTS: '1' });
    const answers = [
      await request(app).get('/api/ping'),
      await request(app).get('/api/ping'), // 429
      await request(app).get('/nowhere'),
      await request(app).post('/api/auth/login').send({ email: 'nope' }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 429, 404, 400]);
    for (const res of answers) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'content-security-policy': "default-src 'none';frame-ancestors 'none'",
        'x-frame-options': 'DENY',
      });
      expect(res.headers).not.toHaveProperty('x-powered-by');
      expect(res.headers).not.toHaveProperty('strict-transport-security');
    }
  });

  it('HSTS=on adds Strict-Transport-Security (for deployments behind TLS)', async () => {
    const res = await request(edgeApp({ HSTS: 'on' }).app).get('/api/ping');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('general per-client budget on /api', () => {
  it('advertises the quota on normal answers, then answers 429 problem+json with Retry-After and RateLimit headers', async () => {
    const { app } = edgeApp({ RATE_LIMIT_API_POINTS: '3', RATE_LIMIT_API_WINDOW_SECONDS: '60' });
    for (const remaining of [2, 1, 0]) {
      const ok = await request(app).get('/api/ping');
      expect(ok.status).toBe(200);
      expect(ok.headers['ratelimit-policy']).toBe('"api";q=3;w=60');
      expect(ok.headers.ratelimit).toMatch(new RegExp(`^"api";r=${remaining};t=(60|59)$`));
    }
    const limited = await request(app).get('/api/ping?x=1');
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(PROBLEM);
    expect(limited.body).toMatchObject({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      code: 'RATE_LIMITED',
      policy: 'api',
      instance: '/api/ping',
    });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers['ratelimit-policy']).toBe('"api";q=3;w=60');
    expect(limited.headers.ratelimit).toBe(`"api";r=0;t=${retryAfter}`);
  });

  it('covers unknown /api routes and any spelling Express routes, but not probes, and leaves login and signup to their own budget', async () => {
    const { app } = edgeApp({ RATE_LIMIT_API_POINTS: '2' });
    expect((await request(app).get('/api/nothing-here')).status).toBe(404);
    expect((await request(app).get('/API/PING/')).status).toBe(200);
    expect((await request(app).get('/api/ping')).status).toBe(429);
    expect((await request(app).get('/healthz')).headers).not.toHaveProperty('ratelimit');
    const ok = await request(app).post('/api/auth/login').send(login('ada@example.com', PASSWORD));
    expect(ok.status).toBe(200);
    expect(ok.headers['ratelimit-policy']).not.toContain('"api"');
  });

  it('TRUST_PROXY off (default): X-Forwarded-For is ignored, so a client cannot escape its budget by forging it', async () => {
    const { app } = edgeApp({ RATE_LIMIT_API_POINTS: '1' });
    expect((await request(app).get('/api/ping').set('x-forwarded-for', '203.0.113.1')).status).toBe(200);
    expect((await request(app).get('/api/ping').set('x-forwarded-for', '203.0.113.2')).status).toBe(429);
  });

  it('TRUST_PROXY=loopback: each forwarded client has its own budget; an IPv6 client counts per /64', async () => {
    const { app } = edgeApp({ RATE_LIMIT_API_POINTS: '1', TRUST_PROXY: 'loopback' });
    const from = (ip: string) => request(app).get('/api/ping').set('x-forwarded-for', ip);
    expect((await from('203.0.113.1')).status).toBe(200);
    expect((await from('203.0.113.1')).status).toBe(429);
    expect((await from('::ffff:203.0.113.1')).status).toBe(429);
    expect((await from('203.0.113.2')).status).toBe(200);
    expect((await from('2001:db8:0:1::1')).status).toBe(200);
    expect((await from('2001:db8:0:1:ffff::2')).status).toBe(429);
    expect((await from('2001:db8:0:2::1')).status).toBe(200);
  });
});

describe('login and signup limits', () => {
  const env = {
    TRUST_PROXY: 'loopback',
    RATE_LIMIT_AUTH_CLIENT_POINTS: '3',
    RATE_LIMIT_AUTH_ACCOUNT_POINTS: '2',
    RATE_LIMIT_AUTH_ACCOUNT_WINDOW_SECONDS: '600',
  };

  it('per client: every attempt counts (even a 400); over budget a 429 before identity is called; other clients go on', async () => {
    const { app, invoker } = edgeApp(env);
    const from = (ip: string, body: object) => request(app).post('/api/auth/login').set('x-forwarded-for', ip).send(body);
    expect((await from('198.51.100.1', { email: 'x' })).status).toBe(400);
    expect((await from('198.51.100.1', login('a@example.com', 'wrong'))).status).toBe(401);
    expect((await request(app).post('/api/auth/signup').set('x-forwarded-for', '198.51.100.1').send({})).status).toBe(400);
    const limited = await from('198.51.100.1', login('b@example.com', PASSWORD));
    expect([limited.status, limited.body.code, limited.body.policy]).toEqual([429, 'RATE_LIMITED', 'auth-client']);
    expect(limited.headers['content-type']).toMatch(PROBLEM);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.headers['ratelimit-policy']).toBe('"auth-client";q=3;w=900');
    expect(sessionCalls(invoker)).toBe(1);
    expect((await from('198.51.100.2', login('b@example.com', PASSWORD))).status).toBe(200);
  });

  it('per account: failed logins count whatever the address, the right password is refused too once spent, other accounts go on', async () => {
    const { app, invoker } = edgeApp(env);
    let ip = 0;
    const attempt = (email: string, password: string) =>
      request(app).post('/api/auth/login').set('x-forwarded-for', `192.0.2.${++ip}`).send(login(email, password));
    expect((await attempt('victim@example.com', 'guess-1')).status).toBe(401);
    const second = await attempt(' Victim@Example.COM ', 'guess-2');
    expect(second.status).toBe(401);
    expect(second.headers['ratelimit-policy']).toBe('"auth-client";q=3;w=900, "auth-account";q=2;w=600');
    expect(second.headers.ratelimit).toMatch(/^"auth-client";r=2;t=\d+, "auth-account";r=0;t=\d+$/);
    for (const password of ['guess-3', PASSWORD]) {
      const limited = await attempt('victim@example.com', password);
      expect([limited.status, limited.body.policy]).toEqual([429, 'auth-account']);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(590);
    }
    expect(sessionCalls(invoker)).toBe(2);
    expect((await attempt('bystander@example.com', PASSWORD)).status).toBe(200);
  });

  it('a successful login clears the account count; failed signups count per account too', async () => {
    const { app } = edgeApp({ ...env, RATE_LIMIT_AUTH_CLIENT_POINTS: '100' });
    const attempt = (password: string) => request(app).post('/api/auth/login').send(login('ada@example.com', password));
    expect((await attempt('wrong')).status).toBe(401);
    expect((await attempt(PASSWORD)).status).toBe(200);
    expect((await attempt('wrong')).status).toBe(401);
    expect((await attempt('wrong')).status).toBe(401);
    expect((await attempt('wrong')).status).toBe(429);

    // Signing up works once per email; probing it again (409) counts.
    const signup = () => request(app).post('/api/auth/signup').send({ email: 'new@example.com', password: PASSWORD, name: 'New' });
    expect((await signup()).status).toBe(201);
    expect((await signup()).status).toBe(409);
    expect((await signup()).status).toBe(409);
    expect((await signup()).status).toBe(429);
  });

  it('a login is tried at identity once: a 503 from identity becomes one 502, not a retry, and the attempt stays counted', async () => {
    let failures = 1;
    const invoker = fakeIdentity().on('identity', 'sessions', () =>
      failures-- > 0 ? { status: 503, body: { type: 'about:blank', title: 'Service Unavailable', status: 503 } } : { body: {} },
    );
    const { app } = edgeApp(env, { invoker });
    const res = await request(app).post('/api/auth/login').send(login('ada@example.com', PASSWORD));
    expect([res.status, res.body.code]).toEqual([502, 'UPSTREAM.FAILED']);
    expect(sessionCalls(invoker)).toBe(1);
    expect(res.headers.ratelimit).toMatch(/"auth-account";r=1;/);
  });
  it('a login identity sheds (503 AUTH.BUSY, no password tried) reaches the client as that 503 with Retry-After, and costs the account nothing', async () => {
    const busy = { type: 'about:blank', title: 'Service Unavailable', status: 503, code: 'AUTH.BUSY', retry_after: 2 };
    const invoker = fakeIdentity().on('identity', 'sessions', () => ({ status: 503, body: busy }));
    const { app } = edgeApp({ ...env, RATE_LIMIT_AUTH_CLIENT_POINTS: '100' }, { invoker });
    for (let i = 0; i < 3; i++) {
      const res = await request(app).post('/api/auth/login').send(login('ada@example.com', PASSWORD));
      expect([res.status, res.body.code, res.body.retry_after, res.headers['retry-after']]).toEqual([503, 'AUTH.BUSY', 2, '2']);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.headers.ratelimit).toMatch(/"auth-account";r=1;/);
    }
    expect(sessionCalls(invoker)).toBe(3);
  });
});

describe('gateway config', () => {
  it('parses TRUST_PROXY as Express does, and names a bad setting instead of failing on the first request', () => {
    expect(gatewayConfig().TRUST_PROXY).toBe(false);
    expect(gatewayConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(gatewayConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).TRUST_PROXY).toBe('loopback,10.0.0.0/8,fd00::1');
    expect(configErrors({ TRUST_PROXY: 'everyone' })).toEqual(['TRUST_PROXY']);
  });

  it('has production defaults and refuses nonsense limits and non-Redis URLs', () => {
    expect(gatewayConfig()).toMatchObject({
      RATE_LIMIT_API_POINTS: 600,
      RATE_LIMIT_AUTH_CLIENT_POINTS: 30,
      RATE_LIMIT_AUTH_ACCOUNT_POINTS: 10,
      HSTS: 'off',
    });
    expect(gatewayConfig().RATE_LIMIT_REDIS_URL).toBeUndefined();
    expect(configErrors({ RATE_LIMIT_API_POINTS: '0', RATE_LIMIT_AUTH_ACCOUNT_WINDOW_SECONDS: '1.5' })).toEqual([
      'RATE_LIMIT_API_POINTS',
      'RATE_LIMIT_AUTH_ACCOUNT_WINDOW_SECONDS',
    ]);
    expect(configErrors({ RATE_LIMIT_REDIS_URL: 'http://127.0.0.1:6379', HSTS: 'yes' }).sort()).toEqual(['HSTS', 'RATE_LIMIT_REDIS_URL']);
    expect(gatewayConfig({ RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:6379' }).RATE_LIMIT_REDIS_URL).toBe('redis://127.0.0.1:6379');
  });
});
