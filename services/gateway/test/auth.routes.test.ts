import { generateKeyPairSync } from 'node:crypto';
import { JWT_AUDIENCE, JWT_ISSUER } from '@globalmart/contracts';
import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { MemoryInvoker } from '@globalmart/platform/testing';
import { SignJWT, calculateJwkThumbprint, exportJWK } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createAuth } from '../src/auth/index.ts';
import { gatewayConfigShape } from '../src/config.ts';
import { createRateLimits, policiesFrom } from '../src/edge/index.ts';
import { identityRoutes } from '../src/routes/identity.routes.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'gateway', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const USER = 'usr_0123456789abcdef01234567';
const signup = { email: 'ada@example.com', password: 'Analytical-Engine-1843', name: 'Ada' };

async function setup() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const invoker = new MemoryInvoker()
    .on('identity', '.well-known/jwks.json', () => ({ body: { keys: [{ ...jwk, kid, alg: 'EdDSA' }] } }))
    .on('identity', 'users', () => ({ status: 201, body: { user_id: USER } }), 'POST')
    .on('identity', 'sessions', ({ body }) =>
      (body as { password: string }).password === signup.password
        ? { body: { access_token: 'x.y.z', token_type: 'Bearer', expires_in: 900 } }
        : { status: 401, body: { type: 'about:blank', title: 'Unauthorized', status: 401, code: 'AUTH.INVALID_CREDENTIALS' } },
    )
    .on('identity', `users/${USER}`, ({ headers }) =>
      headers['x-user-id'] === USER ? { body: { user_id: USER, email: signup.email, name: 'Ada', role: 'customer' } } : { status: 404 },
    );
  const auth = createAuth({ invoker, logger });
  const app = createApp({ config: {}, logger });
  app.use(auth.authenticate);
  // The production limits, in memory: far more than these tests use.
  const limits = createRateLimits(policiesFrom(loadConfig(gatewayConfigShape, { APP_ID: 'gateway', APP_PORT: '0' })));
  app.use(identityRoutes(invoker, auth, limits.auth));
  finalizeApp(app, logger);
  const token = await new SignJWT({ role: 'customer' })
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setSubject(USER)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(privateKey);
  return { app, invoker, token, identityCalls: () => invoker.calls.filter((c) => c.method !== '.well-known/jwks.json') };
}

describe('gateway identity routes', () => {
  it('signs up through identity (201) and validates the body first: 400 naming the field, no call made', async () => {
    const { app, identityCalls } = await setup();
    const ok = await request(app).post('/api/auth/signup').send(signup);
    expect([ok.status, ok.body]).toEqual([201, { user_id: USER }]);
    expect(identityCalls()).toHaveLength(1);
    for (const [body, field] of [
      [{ ...signup, password: 'weak' }, 'password'],
      [{ ...signup, email: 'nope' }, 'email'],
      [{ email: signup.email, password: signup.password }, 'name'],
    ] as const) {
      const res = await request(app).post('/api/auth/signup').send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(identityCalls()).toHaveLength(1);
  });

  it('logs in (200, no-store) and passes identity 401 problems through unchanged', async () => {
    const { app } = await setup();
    const ok = await request(app).post('/api/auth/login').send({ email: signup.email, password: signup.password });
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    const bad = await request(app).post('/api/auth/login').send({ email: signup.email, password: 'nope' });
    expect([bad.status, bad.body.code]).toEqual([401, 'AUTH.INVALID_CREDENTIALS']);
    expect((await request(app).post('/api/auth/login').send({ email: signup.email })).status).toBe(400);
  });

  it('GET /api/me: 401 anonymous; the profile of the token subject, with the verified identity forwarded', async () => {
    const { app, token, identityCalls } = await setup();
    expect((await request(app).get('/api/me')).status).toBe(401);
    const me = await request(app).get('/api/me').set('authorization', `Bearer ${token}`).set('x-user-id', 'usr_someoneelsesomeoneelse1');
    expect(me.status).toBe(200);
    expect(me.body.user_id).toBe(USER);
    expect(identityCalls().at(-1)!.request.headers).toEqual({ 'x-user-id': USER, 'x-user-role': 'customer' });
  });
});
