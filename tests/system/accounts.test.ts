// Accounts through real sidecars (catalog, identity, gateway) on real FerretDB: create-admin never takes over a
// customer account without --promote, scrypt hashes are upgraded on login, and a login flood is shed with 503s.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROBLEM_JSON } from '@globalmart/contracts';
import { repoRoot, waitUntil } from '@globalmart/devstack';
import { mongo } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, parseHash, verifyPassword } from '../../services/identity/src/password.hasher.ts';
import { whileDatabaseStalled } from '../harness/faults.ts';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { relaxedRateLimits } from '../harness/rate-limits.ts';
import { Storefront, productDraft } from '../harness/storefront.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

let platform: Platform;
let shop: Storefront;
beforeAll(async () => {
  platform = await startPlatform({
    apps: ['catalog', 'identity', 'gateway'],
    env: {
      catalog: { CATALOG_SEED: 'none' },
      // One hash at a time and nobody waiting: an admitted login then answers within Dapr's 5 s timeout on identity
      // even when other work crowds the 2 cores, and the flood below is certain to overflow the bound.
      identity: { IDENTITY_HASH_CONCURRENCY: '1', IDENTITY_HASH_QUEUE: '0' },
      // This file is about identity's bound, not the gateway's rate limits (tests/system/edge.test.ts covers those).
      gateway: relaxedRateLimits,
    },
  });
  shop = new Storefront(platform.url('gateway'));
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

const CUSTOMER_PASSWORD = 'correct horse battery staple';
const ADMIN_PASSWORD = 'Admin-Passphrase-2';
const draft = productDraft('Operator Mug');

const login = (email: string, password: string) => shop.call('POST', '/api/auth/login', { body: { email, password } });
const roleOf = (token: string): unknown =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { role?: unknown }).role;

interface StoredUser {
  _id: string;
  password_hash: string;
}

/** identity's own collection, read and written with the plain driver (services/identity/src/user.model.ts). */
async function withUsers<T>(use: (users: mongo.Collection<StoredUser>) => Promise<T>): Promise<T> {
  const client = await mongo.MongoClient.connect(`${platform.infra.mongoUrl}/globalmart-identity`);
  try {
    return await use(client.db('globalmart-identity').collection<StoredUser>('users'));
  } finally {
    await client.close();
  }
}

// Each create-admin run is a fresh Node process loading TypeScript and mongoose (seconds on a busy 2-core machine).
describe('create-admin', { timeout: 120_000 }, () => {
  it('refuses an existing customer without --promote: the account stays a customer with its own password', async () => {
    const customer = await shop.newCustomer();
    const refused = platform.createAdmin(customer.email, ADMIN_PASSWORD);
    await expect(refused).rejects.toThrow(/existing customer account.*pass --promote/);
    await expect(refused).rejects.toThrow(/^[^\n]+$/); // one line

    const again = await login(customer.email, CUSTOMER_PASSWORD);
    expect(again.status).toBe(200);
    expect(roleOf(again.body.access_token)).toBe('customer');
    expect((await shop.call('POST', '/api/admin/products', { token: again.body.access_token, body: draft })).status).toBe(403);
    expect((await login(customer.email, ADMIN_PASSWORD)).status).toBe(401);
  });

  it('with --promote makes the customer an admin whose only password is the new one', async () => {
    const customer = await shop.newCustomer();
    expect(await platform.createAdmin(customer.email.toUpperCase(), ADMIN_PASSWORD, { promote: true })).toBe(customer.userId);

    expect((await login(customer.email, CUSTOMER_PASSWORD)).status).toBe(401);
    const admin = await login(customer.email, ADMIN_PASSWORD);
    expect(admin.status).toBe(200);
    expect(roleOf(admin.body.access_token)).toBe('admin');
    expect((await shop.call('POST', '/api/admin/products', { token: admin.body.access_token, body: draft })).status).toBe(201);
  });

  it('creates an admin, and on a second run sets the existing admin password', async () => {
    const email = `root.${Date.now()}@example.test`;
    const id = await platform.createAdmin(email, ADMIN_PASSWORD);
    expect(id).toMatch(/^usr_[0-9a-f]{24}$/);
    expect(roleOf((await login(email, ADMIN_PASSWORD)).body.access_token)).toBe('admin');
    expect(await platform.createAdmin(email, 'Rotated-Passphrase-3')).toBe(id);
    expect((await login(email, ADMIN_PASSWORD)).status).toBe(401);
    expect((await login(email, 'Rotated-Passphrase-3')).status).toBe(200);
  });

  it('refuses unknown flags with a usage error (exit 2) before touching any database', async () => {
    const script = join(repoRoot, 'scripts/create-admin.ts');
    const run = promisify(execFile)(process.execPath, [script, '--email', 'x@example.test', '--password', ADMIN_PASSWORD, '--force'], {
      env: { ...process.env, MONGODB_URI: 'mongodb://127.0.0.1:1/none' },
    });
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/Unknown option '--force'[\s\S]*usage: npm run create-admin/),
    });
  });
});

describe('password hashing', () => {
  it('rehashes a stored weaker hash on a successful login, with the current parameters', async () => {
    const customer = await shop.newCustomer();
    const weak = await hashPassword(CUSTOMER_PASSWORD, { ln: 14, r: 8, p: 1 });
    await withUsers((users) => users.updateOne({ _id: customer.userId }, { $set: { password_hash: weak } }));

    expect((await login(customer.email, 'Wrong-password-1')).status).toBe(401);
    expect(await withUsers((users) => users.findOne({ _id: customer.userId }))).toMatchObject({ password_hash: weak });

    expect((await login(customer.email, CUSTOMER_PASSWORD)).status).toBe(200);
    const stored = (await withUsers((users) => users.findOne({ _id: customer.userId })))!.password_hash;
    expect(stored).not.toBe(weak);
    expect(parseHash(stored)!.params).toEqual(DEFAULT_SCRYPT);
    expect(stored).toMatch(/^\$scrypt\$ln=16,r=8,p=2\$/);
    expect(await verifyPassword(CUSTOMER_PASSWORD, stored)).toBe(true);
    expect((await login(customer.email, CUSTOMER_PASSWORD)).status).toBe(200);
  });

  it('sheds a flood of concurrent logins with 503 AUTH.BUSY and Retry-After; every other answer is 200 or 401', async () => {
    const customer = await shop.newCustomer();
    // Right and wrong passwords alike cost a hash: both kinds of answer must come back among the admitted ones.
    const flood = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const res = await fetch(`${platform.url('gateway')}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: customer.email, password: i % 2 ? CUSTOMER_PASSWORD : 'Wrong-password-1' }),
        });
        const body = (await res.json()) as { code?: string };
        return { status: res.status, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type'), body };
      }),
    );
    const shed = flood.filter((r) => r.status === 503);
    expect(shed.length).toBeGreaterThan(0);
    for (const r of shed) {
      expect(r.body.code).toBe('AUTH.BUSY');
      expect(r.type).toContain(PROBLEM_JSON);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
    const others = flood.filter((r) => r.status !== 503).map((r) => r.status);
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((s) => s === 200 || s === 401)).toBe(true);
    // Shed, not broken: once the flood is over, the account logs in.
    expect((await login(customer.email, CUSTOMER_PASSWORD)).status).toBe(200);
  });
});

describe('a retried signup', () => {
  it('answers 201 for the account its timed-out first attempt created, and the email stays taken for anyone else', async () => {
    const email = `retry-${Date.now()}@example.test`;
    const body = { email, password: CUSTOMER_PASSWORD, name: 'Patient Customer' };
    // The database stalls: identity's insert waits, the gateway's sidecar gives up after its 5 s timeout on identity.
    const first = await whileDatabaseStalled(platform, () => shop.call('POST', '/api/auth/signup', { body }));
    expect(first.status).toBeGreaterThanOrEqual(500);
    // The first attempt went on once the database came back: its account exists (it logs in).
    let token = '';
    await waitUntil('the first attempt’s account to exist', async () => {
      const login = await shop.call('POST', '/api/auth/login', { body: { email, password: CUSTOMER_PASSWORD } });
      token = login.status === 200 ? String(login.body.access_token) : '';
      return token !== '';
    });
    const me = await shop.call('GET', '/api/me', { token });
    // The shopper's retry: the same account, not "email taken".
    const retried = await shop.call('POST', '/api/auth/signup', { body });
    expect(retried.status).toBe(201);
    expect(retried.body.user_id).toBe(me.body.user_id);
    // Someone else with the same email (another password) is still refused.
    const other = await shop.call('POST', '/api/auth/signup', { body: { ...body, password: 'a different passphrase 2' } });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDENTITY.EMAIL_TAKEN');
  });
});
