import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { JWT_AUDIENCE, JWT_ISSUER } from '@globalmart/contracts';
import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { MemoryInvoker } from '@globalmart/platform/testing';
import type { Request, Response } from 'express';
import { SignJWT, calculateJwkThumbprint, exportJWK } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { callerOf, createAuth } from '../src/auth/index.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'gateway', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const USER = 'usr_0123456789abcdef01234567';

async function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, kid, jwk: { ...jwk, kid, alg: 'EdDSA', use: 'sig' } };
}

type Key = Awaited<ReturnType<typeof keyPair>>;

function sign(key: { privateKey: KeyObject; kid: string }, claims: Record<string, unknown> = {}, edit?: (j: SignJWT) => SignJWT) {
  const jwt = new SignJWT({ role: 'customer', ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
    .setSubject(USER)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('15m')
    .setJti('j1');
  return (edit ? edit(jwt) : jwt).sign(key.privateKey);
}

/** An app with authenticate in front of three routes that echo what the downstream service would receive. */
function setup(keys: Key[], options: { now?: () => number } = {}) {
  const invoker = new MemoryInvoker();
  const served = { keys: keys.map((k) => k.jwk) };
  let fetches = 0;
  invoker.on('identity', '.well-known/jwks.json', () => (fetches++, { body: served }));
  const auth = createAuth({ invoker, logger, ...options });
  const app = createApp({ config: {}, logger });
  app.use(auth.authenticate);
  const echo = (req: Request, res: Response) =>
    void res.json({ caller: callerOf(res) ?? null, forwarded: auth.forwardHeaders(res), clientHeader: req.get('x-user-id') ?? null });
  app.get('/open', echo);
  app.get('/mine', auth.requireCustomer, echo);
  app.get('/admin', auth.requireAdmin, echo);
  finalizeApp(app, logger);
  return { app, auth, invoker, served, fetches: () => fetches };
}

describe('gateway authentication', () => {
  it('lets anonymous requests through to open routes, and strips client-sent identity headers', async () => {
    const { app } = setup([await keyPair()]);
    const res = await request(app).get('/open').set('x-user-id', USER).set('x-user-role', 'admin');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ caller: null, forwarded: {}, clientHeader: null });
  });

  it('verifies a good token, keeps the caller and forwards it as x-user-id / x-user-role', async () => {
    const key = await keyPair();
    const { app } = setup([key]);
    const token = await sign(key);
    const res = await request(app).get('/mine').set('authorization', `Bearer ${token}`).set('x-user-id', 'usr_spoofedspoofedspoofed');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      caller: { userId: USER, role: 'customer' },
      forwarded: { 'x-user-id': USER, 'x-user-role': 'customer' },
      clientHeader: null,
    });
  });

  it('answers 401 AUTH.INVALID_TOKEN for bad, expired, foreign, none-alg and HS256 tokens, even on open routes', async () => {
    const key = await keyPair();
    const stranger = await keyPair();
    const { app } = setup([key]);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = { sub: USER, role: 'admin', iss: JWT_ISSUER, aud: JWT_AUDIENCE, exp: 9e9, iat: 1 };
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    const tokens = {
      garbage: 'Bearer not.a.jwt',
      wrongScheme: `Basic ${Buffer.from('a:b').toString('base64')}`,
      none: `Bearer ${b64({ alg: 'none' })}.${b64(claims)}.`,
      hs256: `Bearer ${hs256}`,
      expired: `Bearer ${await sign(key, {}, (j) => j.setIssuedAt(1000).setExpirationTime(2000))}`,
      wrongAudience: `Bearer ${await sign(key, {}, (j) => j.setAudience('other'))}`,
      wrongIssuer: `Bearer ${await sign(key, {}, (j) => j.setIssuer('other'))}`,
      foreignKey: `Bearer ${await sign({ privateKey: stranger.privateKey, kid: key.kid })}`,
      badRole: `Bearer ${await sign(key, { role: 'root' })}`,
      tampered: `Bearer ${(await sign(key)).replace(/\.[^.]+\./, `.${b64({ ...claims, role: 'admin' })}.`)}`,
    };
    for (const [name, header] of Object.entries(tokens)) {
      const res = await request(app).get('/open').set('authorization', header);
      expect([name, res.status, res.body.code]).toEqual([name, 401, 'AUTH.INVALID_TOKEN']);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toContain('invalid_token');
    }
  });

  it('guards routes: requireCustomer 401 when anonymous; requireAdmin 401 anonymous, 403 customer, 200 admin', async () => {
    const key = await keyPair();
    const { app } = setup([key]);
    expect((await request(app).get('/mine')).status).toBe(401);
    expect((await request(app).get('/admin')).status).toBe(401);
    const customer = await request(app)
      .get('/admin')
      .set('authorization', `Bearer ${await sign(key)}`);
    expect([customer.status, customer.body.code]).toEqual([403, 'AUTH.ADMIN_ONLY']);
    const admin = await request(app)
      .get('/admin')
      .set('authorization', `Bearer ${await sign(key, { role: 'admin' })}`);
    expect(admin.status).toBe(200);
    expect(admin.body.forwarded).toEqual({ 'x-user-id': USER, 'x-user-role': 'admin' });
    // An admin is a signed-in user too.
    expect(
      (
        await request(app)
          .get('/mine')
          .set('authorization', `Bearer ${await sign(key, { role: 'admin' })}`)
      ).status,
    ).toBe(200);
  });

  it('caches the JWKS, and refetches on an unknown kid at most once per 5 s', async () => {
    const first = await keyPair();
    const rotated = await keyPair();
    let clock = 1_000_000;
    const { app, served, fetches } = setup([first], { now: () => clock });
    const at = (ms: number) => Math.floor(ms / 1000);
    const tokenBy = (k: Key) => sign(k, {}, (j) => j.setIssuedAt(at(clock)).setExpirationTime(at(clock) + 900));
    for (let i = 0; i < 3; i++)
      expect(
        (
          await request(app)
            .get('/mine')
            .set('authorization', `Bearer ${await tokenBy(first)}`)
        ).status,
      ).toBe(200);
    expect(fetches()).toBe(1);

    // identity rotates its key: the first request with the new kid within 5 s of the last fetch is refused...
    served.keys.push(rotated.jwk);
    clock += 2_000;
    expect(
      (
        await request(app)
          .get('/mine')
          .set('authorization', `Bearer ${await tokenBy(rotated)}`)
      ).status,
    ).toBe(401);
    expect(fetches()).toBe(1);
    // ...after 5 s one refetch picks it up; more requests with unknown kids do not hammer identity.
    clock += 3_000;
    expect(
      (
        await request(app)
          .get('/mine')
          .set('authorization', `Bearer ${await tokenBy(rotated)}`)
      ).status,
    ).toBe(200);
    expect(fetches()).toBe(2);
    const bogus = { privateKey: rotated.privateKey, kid: 'unknown-kid' };
    for (let i = 0; i < 5; i++)
      expect(
        (
          await request(app)
            .get('/mine')
            .set('authorization', `Bearer ${await tokenBy(bogus as Key)}`)
        ).status,
      ).toBe(401);
    expect(fetches()).toBe(2);
  });

  it('verifies by kid against every key identity publishes: tokens of the old and the new key both pass', async () => {
    const old = await keyPair();
    const current = await keyPair();
    const { app, fetches } = setup([current, old]);
    for (const key of [old, current, old]) {
      const res = await request(app)
        .get('/mine')
        .set('authorization', `Bearer ${await sign(key)}`);
      expect(res.status).toBe(200);
    }
    expect(fetches()).toBe(1);
    // The old key's signature under the new key's kid (or the reverse) is no token of ours.
    for (const forged of [
      { privateKey: old.privateKey, kid: current.kid },
      { privateKey: current.privateKey, kid: old.kid },
    ]) {
      const res = await request(app)
        .get('/mine')
        .set('authorization', `Bearer ${await sign(forged)}`);
      expect([res.status, res.body.code]).toEqual([401, 'AUTH.INVALID_TOKEN']);
    }
  });

  it('refuses a token that names no key (no kid), even when it is signed by a published key', async () => {
    const key = await keyPair();
    const { app } = setup([key]);
    const kidless = await new SignJWT({ role: 'customer' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(USER)
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(key.privateKey);
    const res = await request(app).get('/mine').set('authorization', `Bearer ${kidless}`);
    expect([res.status, res.body.code]).toEqual([401, 'AUTH.INVALID_TOKEN']);
  });

  it('answers 503 (not 401) while identity cannot serve its JWKS, and ready() reports it', async () => {
    const key = await keyPair();
    const invoker = new MemoryInvoker();
    let up = false;
    invoker.on('identity', '.well-known/jwks.json', () => (up ? { body: { keys: [key.jwk] } } : { status: 503, body: { status: 503 } }));
    const auth = createAuth({ invoker, logger });
    const app = createApp({ config: {}, logger });
    app.get('/mine', auth.requireCustomer, (_req, res) => void res.json(callerOf(res)));
    finalizeApp(app, logger);
    const token = await sign(key);
    const down = await request(app).get('/mine').set('authorization', `Bearer ${token}`);
    expect([down.status, down.body.code]).toEqual([503, 'AUTH.UNAVAILABLE']);
    await expect(auth.ready()).rejects.toThrow(/JWKS/);
    up = true;
    expect(await auth.ready()).toBe(true);
    // requireCustomer authenticates by itself when authenticate was not mounted in front of it.
    expect((await request(app).get('/mine').set('authorization', `Bearer ${token}`)).body).toEqual({ userId: USER, role: 'customer' });
  });
});
