// identity through real sidecars, on real FerretDB: sign-up, login, EdDSA tokens, PII at rest, create-admin.
import { JWT_AUDIENCE, JWT_ISSUER, TokenResponse, UserProfile } from '@globalmart/contracts';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { mongo } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { comeBackWhenTold } from '../harness/storefront.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ apps: ['identity'], scheduler: true });
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

const PASSWORD = 'Correct-Horse-9';
let seq = 0;
const uniqueEmail = (tag: string) => `${tag}.${Date.now()}.${++seq}@Example.com`;

/**
 * Calls identity the way the gateway does, from the gateway's sidecar (a bare one: the gateway is not running here),
 * with the caller's identity as headers; identity believes those only from the gateway's app-id.
 */
async function call(method: string, path: string, body?: unknown, as?: { id: string; role?: string }, via = 'gateway') {
  const headers: Record<string, string> = as ? { 'x-user-id': as.id, 'x-user-role': as.role ?? 'customer' } : {};
  const res = await platform.invoke(via, 'identity', method, path, body, headers);
  return { status: res.status, body: res.body as Record<string, unknown> & { code?: string } };
}

const signup = (email: string, name = 'Grace Hopper', password = PASSWORD) => call('POST', 'users', { email, password, name });
const OTHER_PASSWORD = 'Another-Passphrase-2026';
const login = (email: string, password = PASSWORD) => call('POST', 'sessions', { email, password });

describe('identity through Dapr', () => {
  it('signs up (201), refuses the same email in another case (409) and a weak password (400 naming password)', async () => {
    const email = uniqueEmail('grace');
    const created = await signup(email);
    expect(created.status).toBe(201);
    expect(created.body.user_id).toMatch(/^usr_[0-9a-f]{24}$/);
    const dup = await signup(`  ${email.toUpperCase()} `, 'Grace Hopper', OTHER_PASSWORD);
    expect([dup.status, dup.body.code]).toEqual([409, 'IDENTITY.EMAIL_TAKEN']);
    // The same sign-up again (a retry: same email and password) is the account it created, not a second one.
    const again = await signup(`  ${email.toUpperCase()} `);
    expect([again.status, again.body.user_id]).toEqual([201, created.body.user_id]);
    const weak = await call('POST', 'users', { email: uniqueEmail('weak'), password: 'password', name: 'W' });
    expect(weak.status).toBe(400);
    expect((weak.body.errors as { field: string }[]).map((e) => e.field)).toContain('password');
  });

  it('logs in with an EdDSA token that verifies against the served JWKS', async () => {
    const email = uniqueEmail('alan');
    const { body } = await signup(email, 'Alan Turing');
    const res = await login(email.toLowerCase());
    expect(res.status).toBe(200);
    const token = TokenResponse.parse(res.body);
    expect(token.expires_in).toBe(900);
    expect(decodeProtectedHeader(token.access_token).alg).toBe('EdDSA');
    const jwks = await call('GET', '.well-known/jwks.json');
    const { payload } = await jwtVerify(token.access_token, createLocalJWKSet(jwks.body as unknown as JSONWebKeySet), {
      algorithms: ['EdDSA'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
    });
    expect(payload).toMatchObject({ sub: body.user_id, role: 'customer' });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it('answers a wrong password and an unknown email identically, in similar time', async () => {
    const email = uniqueEmail('ida');
    await signup(email);
    const timed = async (e: string, p: string) => {
      const started = performance.now();
      const res = await login(e, p);
      return { ...res, ms: performance.now() - started };
    };
    const wrong: Awaited<ReturnType<typeof timed>>[] = [];
    const unknown: Awaited<ReturnType<typeof timed>>[] = [];
    for (let i = 0; i < 5; i++) {
      wrong.push(await timed(email, 'Wrong-password-1'));
      unknown.push(await timed(uniqueEmail('nobody'), 'Wrong-password-1'));
    }
    expect(wrong[0]!.status).toBe(401);
    expect(wrong[0]!.body.code).toBe('AUTH.INVALID_CREDENTIALS');
    expect(unknown.map((r) => r.body)).toEqual(wrong.map((r) => r.body));
    // Both pay for one scrypt; without the dummy hash an unknown email would answer ~10x faster.
    const median = (rs: { ms: number }[]) => rs.map((r) => r.ms).sort((a, b) => a - b)[2]!;
    expect(median(unknown)).toBeGreaterThan(0.5 * median(wrong));
  });

  it('shows the decrypted profile to its owner only; another user gets 404, anonymous 401', async () => {
    const email = uniqueEmail('katherine');
    const { body } = await signup(email, 'Katherine Johnson');
    const id = String(body.user_id);
    const mine = await call('GET', `users/${id}`, undefined, { id });
    expect(mine.status).toBe(200);
    expect(UserProfile.parse(mine.body)).toMatchObject({ user_id: id, email, name: 'Katherine Johnson', role: 'customer' });
    const { body: other } = await signup(uniqueEmail('other'));
    const theirs = await call('GET', `users/${id}`, undefined, { id: String(other.user_id) });
    expect([theirs.status, theirs.body.code]).toEqual([404, 'IDENTITY.USER_NOT_FOUND']);
    expect((await call('GET', `users/${id}`)).status).toBe(401);
    // Another service claiming to be the owner is refused: profiles are the gateway's to read, for a signed-in user.
    expect((await call('GET', `users/${id}`, undefined, { id }, 'notifications')).status).toBe(403);
  });

  it('stores no plaintext email or name, and marks CustomerRegistered as published', async () => {
    const email = uniqueEmail('margaret');
    const { body } = await signup(email, 'Margaret Hamilton');
    const client = await mongo.MongoClient.connect(`${platform.infra.mongoUrl}/globalmart-identity`);
    try {
      const users = client.db('globalmart-identity').collection('users');
      const raw = JSON.stringify(await users.find({}).toArray());
      expect(raw).toContain(String(body.user_id));
      expect(raw).not.toMatch(/margaret|hamilton|grace|hopper|@example\.com/i);
      const doc = await users.findOne({ _id: body.user_id as never });
      expect(doc).toMatchObject({ role: 'customer', registered_event_pending: false });
      expect(String(doc!.password_hash)).toMatch(/^\$scrypt\$ln=16,r=8,p=2\$/);
      const indexes = await users.indexes();
      expect(indexes.find((i) => i.name === 'email_bidx_1')).toMatchObject({ unique: true });
    } finally {
      await client.close();
    }
  });

  it('lets exactly one of concurrent sign-ups with one email through (FerretDB unique index)', async () => {
    for (let round = 0; round < 3; round++) {
      const email = uniqueEmail('race');
      const statuses = (await Promise.all([signup(email), signup(email.toLowerCase(), 'Grace Hopper', OTHER_PASSWORD)]))
        .map((r) => r.status)
        .sort();
      expect(statuses).toEqual([201, 409]);
    }
    // Eight at once may exceed the password-hashing bulkhead: a shed sign-up (503 AUTH.BUSY) comes back when told to.
    // The same sign-up eight times (one shopper's retries): one account, and every answer is that account.
    const email = uniqueEmail('crowd');
    const crowd = await Promise.all(Array.from({ length: 8 }, () => comeBackWhenTold(() => signup(email))));
    expect(crowd.map((r) => r.status)).toEqual(crowd.map(() => 201));
    expect(new Set(crowd.map((r) => r.body.user_id)).size).toBe(1);
  });

  it('create-admin creates the first admin idempotently, and promotes an existing customer only when told to', async () => {
    const adminEmail = uniqueEmail('root');
    const id = await platform.createAdmin(adminEmail, 'Admin-Password-1');
    expect(id).toMatch(/^usr_[0-9a-f]{24}$/);
    expect(await platform.createAdmin(adminEmail.toLowerCase(), 'Admin-Password-1')).toBe(id);
    const token = TokenResponse.parse((await login(adminEmail, 'Admin-Password-1')).body);
    expect(decodeJwtRole(token.access_token)).toBe('admin');

    const customerEmail = uniqueEmail('promoted');
    const { body } = await signup(customerEmail);
    expect((await call('GET', `users/${String(body.user_id)}`, undefined, { id, role: 'admin' })).status).toBe(200);
    // Without --promote an existing customer is left alone (still a customer, same password).
    await expect(platform.createAdmin(customerEmail, 'Promoted-Password-1')).rejects.toThrow(/--promote/);
    expect(decodeJwtRole(TokenResponse.parse((await login(customerEmail)).body).access_token)).toBe('customer');
    // With it, the account becomes an admin with the password given: the old one no longer logs in.
    expect(await platform.createAdmin(customerEmail, 'Promoted-Password-1', { promote: true })).toBe(body.user_id);
    expect(decodeJwtRole(TokenResponse.parse((await login(customerEmail, 'Promoted-Password-1')).body).access_token)).toBe('admin');
    expect((await login(customerEmail)).status).toBe(401);
  });

  // Last: with a breaker on the identity target this would open it (Dapr counts 4xx as failures) for later tests.
  it('a burst of wrong passwords never locks everyone out of login (no breaker opens on 401s)', async () => {
    const email = uniqueEmail('burst');
    await signup(email);
    for (let i = 0; i < 12; i++) expect((await login(email, 'Wrong-password-1')).status).toBe(401);
    expect((await login(email)).status).toBe(200);
  });
});

function decodeJwtRole(token: string): unknown {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { role?: unknown }).role;
}
