import { generateKeyPairSync } from 'node:crypto';
import { PROBLEM_JSON } from '@globalmart/contracts';
import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { MemoryPublisher } from '@globalmart/platform/testing';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { identityRoutes } from '../src/identity.routes.ts';
import { createIdentityService } from '../src/identity.service.ts';
import { createJwtIssuer } from '../src/jwt.issuer.ts';
import { hashPassword, parseHash, scryptHasher, verifyPassword, type PasswordHasher } from '../src/password.hasher.ts';
import { registrationOutbox } from '../src/registration.outbox.ts';
import { memoryUserRepository } from './memory-user.repository.ts';

const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const logger = createLogger(loadConfig({}, { APP_ID: 'identity', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const current = { ln: 11, r: 8, p: 1 };
const weaker = { ln: 10, r: 8, p: 1 };

/** Real (cheap) scrypt behind a gate the test opens, so a hash can be held "in progress" for as long as needed. */
function gatedHasher() {
  const inner = scryptHasher(current);
  let gate: PromiseWithResolvers<void> | undefined;
  const calls = { verify: 0, hash: 0 };
  const hasher: PasswordHasher = {
    ...inner,
    async verify(password, stored) {
      calls.verify++;
      await gate?.promise;
      return inner.verify(password, stored);
    },
    async hash(password) {
      calls.hash++;
      await gate?.promise;
      return inner.hash(password);
    },
  };
  return {
    hasher,
    calls,
    hold: () => void (gate = Promise.withResolvers()),
    release: () => {
      gate?.resolve();
      gate = undefined;
    },
  };
}

const ada = { email: 'ada@example.com', password: 'Analytical-Engine-1843', name: 'Ada Lovelace' };
const adaId = 'usr_aaaaaaaaaaaaaaaaaaaaaaaa';

async function setup(hashing: { concurrency: number; queue: number }, storedParams = current) {
  const users = memoryUserRepository();
  await users.create({
    id: adaId,
    email: ada.email,
    name: ada.name,
    role: 'customer',
    passwordHash: await hashPassword(ada.password, storedParams),
    registrationPending: false,
  });
  const gated = gatedHasher();
  const issuer = await createJwtIssuer(pem, { ttlSeconds: 900 });
  const outbox = registrationOutbox(users, new MemoryPublisher(), logger);
  const identity = createIdentityService({ users, issuer, outbox, logger, hasher: gated.hasher, hashing });
  const app = createApp({ config: {}, logger });
  app.use(identityRoutes(identity, issuer));
  finalizeApp(app, logger);
  const login = (password = ada.password) => request(app).post('/sessions').send({ email: ada.email, password });
  return { app, users, login, ...gated, calls: gated.calls };
}

// Starts a request now (supertest sends on then()) and keeps its promise.
const start = (req: request.Test) => req.then((res) => res);

const expectBusy = (res: request.Response) => {
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toContain(PROBLEM_JSON);
  expect(res.headers['retry-after']).toBe('1');
  expect(res.body).toMatchObject({ status: 503, code: 'AUTH.BUSY' });
};

describe('password hashing bulkhead', () => {
  it('with one slot and no queue refuses a second concurrent login at once, costing no scrypt; a later one succeeds', async () => {
    const { login, hold, release, calls } = await setup({ concurrency: 1, queue: 0 });
    hold();
    const first = start(login());
    await vi.waitFor(() => expect(calls.verify).toBe(1));

    // Answered while the first hash is still running: refused, not queued behind it.
    expectBusy(await login());
    expect(calls.verify).toBe(1);

    release();
    expect((await first).status).toBe(200);
    expect((await login()).status).toBe(200);
    expect((await login('Wrong-password-1')).status).toBe(401);
  });

  it('sheds sign-ups by the same bound', async () => {
    const { app, login, hold, release, calls, users } = await setup({ concurrency: 1, queue: 0 });
    hold();
    const first = start(login());
    await vi.waitFor(() => expect(calls.verify).toBe(1));
    const signup = { email: 'grace@example.com', password: 'Compiler-Pioneer-1952', name: 'Grace Hopper' };
    expectBusy(await request(app).post('/users').send(signup));
    expect(await users.findByEmail(signup.email)).toBeUndefined();
    release();
    expect((await first).status).toBe(200);
    expect((await request(app).post('/users').send(signup)).status).toBe(201);
  });

  it('lets up to `queue` requests wait for a slot and refuses the rest', async () => {
    const { login, hold, release, calls } = await setup({ concurrency: 1, queue: 1 });
    hold();
    const running = start(login());
    await vi.waitFor(() => expect(calls.verify).toBe(1));
    // Two more while the slot is taken: one waits in the queue, the other is refused at once.
    const more = [start(login()), start(login())];
    expectBusy(await Promise.race(more));
    release();
    expect((await running).status).toBe(200);
    expect((await Promise.all(more)).map((r) => r.status).sort()).toEqual([200, 503]);
    expect(calls.verify).toBe(2);
  });
});

describe('rehash on login', () => {
  it('stores a hash under the current parameters after a successful login with a weaker one', async () => {
    const { login, users } = await setup({ concurrency: 2, queue: 2 }, weaker);
    const before = users.records.get(adaId)!.passwordHash;

    expect((await login('Wrong-password-1')).status).toBe(401);
    expect(users.records.get(adaId)!.passwordHash).toBe(before);

    expect((await login()).status).toBe(200);
    const after = users.records.get(adaId)!.passwordHash;
    expect(parseHash(after)!.params).toEqual(current);
    expect(await verifyPassword(ada.password, after)).toBe(true);

    // Current now: the next login leaves it alone.
    expect((await login()).status).toBe(200);
    expect(users.records.get(adaId)!.passwordHash).toBe(after);
  });

  it('never loses the password to concurrent logins, nor overwrites a password set meanwhile', async () => {
    const { login, users, hold, release, calls } = await setup({ concurrency: 4, queue: 4 }, weaker);
    const both = await Promise.all([login(), login()]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    const rehashed = users.records.get(adaId)!.passwordHash;
    expect(parseHash(rehashed)!.params).toEqual(current);
    expect(await verifyPassword(ada.password, rehashed)).toBe(true);

    // An operator sets a new (weaker-made) password while a login's rehash of the old one is in flight.
    const old = await hashPassword(ada.password, weaker);
    users.records.get(adaId)!.passwordHash = old;
    hold();
    const inFlight = start(login());
    await vi.waitFor(() => expect(calls.verify).toBe(3));
    const reset = await hashPassword('Operator-set-pw-2', current);
    await users.setRoleAndPassword(adaId, 'admin', reset);
    release();
    expect((await inFlight).status).toBe(200);
    expect(users.records.get(adaId)!.passwordHash).toBe(reset);
  });
});
