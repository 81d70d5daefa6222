import { generateKeyPairSync } from 'node:crypto';
import { JWT_AUDIENCE, JWT_ISSUER, TokenResponse, identityEventTypes } from '@globalmart/contracts';
import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { MemoryPublisher } from '@globalmart/platform/testing';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { identityRoutes } from '../src/identity.routes.ts';
import { createIdentityService } from '../src/identity.service.ts';
import { createJwtIssuer } from '../src/jwt.issuer.ts';
import { scryptHasher } from '../src/password.hasher.ts';
import { registrationOutbox } from '../src/registration.outbox.ts';
import { memoryUserRepository } from './memory-user.repository.ts';

const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const logger = createLogger(loadConfig({}, { APP_ID: 'identity', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const hasher = scryptHasher({ ln: 10, r: 8, p: 1 });

async function setup(now?: () => Date) {
  const users = memoryUserRepository();
  const publisher = new MemoryPublisher();
  const issuer = await createJwtIssuer(pem, { ttlSeconds: 900 });
  const outbox = registrationOutbox(users, publisher, logger);
  const identity = createIdentityService({ users, issuer, outbox, logger, hasher, ...(now ? { now } : {}) });
  const app = createApp({ config: {}, logger });
  app.use(identityRoutes(identity, issuer));
  finalizeApp(app, logger);
  return { app, users, publisher, issuer };
}

const ada = { email: 'Ada@Example.com', password: 'Analytical-Engine-1843', name: 'Ada Lovelace' };
const asUser = (id: string, role = 'customer') => ({ 'dapr-caller-app-id': 'gateway', 'x-user-id': id, 'x-user-role': role });

describe('identity routes', () => {
  it('signs up a customer (201), publishes CustomerRegistered without PII, and refuses the same email again (409)', async () => {
    const { app, publisher, users } = await setup();
    const res = await request(app).post('/users').send(ada);
    expect(res.status).toBe(201);
    expect(res.body.user_id).toMatch(/^usr_[0-9a-f]{24}$/);
    const [event] = publisher.ofType(identityEventTypes.CustomerRegistered);
    expect(event).toMatchObject({ topic: 'customers', id: `${res.body.user_id}:registered`, data: { customer_id: res.body.user_id } });
    expect(JSON.stringify(event!.data)).not.toMatch(/ada|lovelace/i);
    expect(users.records.get(res.body.user_id)!.pending).toBe(false);

    const dup = await request(app)
      .post('/users')
      .send({ ...ada, email: '  ada@example.COM ', password: 'Another-Passphrase-2024' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('IDENTITY.EMAIL_TAKEN');
  });

  it('answers a repeated signup (same email and password, a retry after a timeout) with the account it created', async () => {
    let clock = new Date(); // the memory repository stamps createdAt with the real clock
    const { app, users } = await setup(() => clock);
    const first = await request(app).post('/users').send(ada);
    expect(first.status).toBe(201);
    const again = await request(app)
      .post('/users')
      .send({ ...ada, email: 'ADA@example.com' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(users.records.size).toBe(1);
    // Past the replay window the email is simply taken.
    clock = new Date(clock.getTime() + 61 * 60_000);
    const late = await request(app).post('/users').send(ada);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('IDENTITY.EMAIL_TAKEN');
  });

  it.each([
    [{ ...ada, password: 'short1A' }, 'password'],
    [{ ...ada, password: 'alllowercaseletters' }, 'password'],
    [{ ...ada, password: '12345678901234' }, 'password'],
    [{ ...ada, email: 'not-an-email' }, 'email'],
    [{ ...ada, name: '' }, 'name'],
    [{ ...ada, name: 'x'.repeat(101) }, 'name'],
    [{ ...ada, role: 'admin' }, 'role'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const { app } = await setup();
    const res = await request(app).post('/users').send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('logs in with a verifiable EdDSA token; unknown email and wrong password get the identical 401', async () => {
    const { app, issuer } = await setup();
    const { body: created } = await request(app).post('/users').send(ada);
    const ok = await request(app).post('/sessions').send({ email: 'ada@example.com', password: ada.password });
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    const token = TokenResponse.parse(ok.body);
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const { payload } = await jwtVerify(token.access_token, createLocalJWKSet(issuer.jwks as JSONWebKeySet), {
      algorithms: ['EdDSA'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
    });
    expect(payload).toMatchObject({ sub: created.user_id, role: 'customer' });

    const wrong = await request(app).post('/sessions').send({ email: ada.email, password: 'Wrong-password-1' });
    const unknown = await request(app).post('/sessions').send({ email: 'nobody@example.com', password: ada.password });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('AUTH.INVALID_CREDENTIALS');
    expect(unknown.body).toEqual(wrong.body);
  });

  it('shows a profile to its owner and to an admin; anyone else gets 404, anonymous 401', async () => {
    const { app } = await setup();
    const { body } = await request(app).post('/users').send(ada);
    const mine = await request(app).get(`/users/${body.user_id}`).set(asUser(body.user_id));
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ user_id: body.user_id, email: ada.email, name: ada.name, role: 'customer' });
    expect((await request(app).get(`/users/${body.user_id}`).set(asUser('usr_000000000000000000000001', 'admin'))).status).toBe(200);
    const other = await request(app).get(`/users/${body.user_id}`).set(asUser('usr_000000000000000000000002'));
    expect(other.status).toBe(404);
    const missing = await request(app).get('/users/usr_000000000000000000000002').set(asUser('usr_000000000000000000000002'));
    expect(other.body.code).toBe(missing.body.code);
    expect((await request(app).get(`/users/${body.user_id}`)).status).toBe(401);
  });

  it('serves the public JWKS', async () => {
    const { app, issuer } = await setup();
    const res = await request(app).get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(issuer.jwks);
    expect(JSON.stringify(res.body)).not.toContain('"d"');
  });

  it('gives contact details to the notifications app only (403 for any other caller, 404 for an unknown user)', async () => {
    const { app } = await setup();
    const { body } = await request(app).post('/users').send(ada);
    const asApp = (appId: string) => ({ 'dapr-caller-app-id': appId });
    const res = await request(app).get(`/contacts/${body.user_id}`).set(asApp('notifications'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user_id: body.user_id, email: 'Ada@Example.com', name: 'Ada Lovelace' });
    expect((await request(app).get(`/contacts/${body.user_id}`).set(asApp('gateway'))).status).toBe(403);
    expect((await request(app).get(`/contacts/${body.user_id}`).set(asUser(body.user_id, 'admin'))).status).toBe(403);
    expect((await request(app).get(`/contacts/${body.user_id}`)).status).toBe(403);
    expect((await request(app).get('/contacts/usr_000000000000000000000002').set(asApp('notifications'))).status).toBe(404);
    expect((await request(app).get('/contacts/nope').set(asApp('notifications'))).status).toBe(400);
  });
});
