// Rotating the JWT signing keyring and the PII encryption keyring of a running platform: a new active key beside
// the old one in the secret store, and the apps that read them restarted (sidecars too: local.file is read at start).
// Sessions and ciphertexts made before keep working; what is made after is under the new keys.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rotateLocalKey, waitUntil } from '@globalmart/devstack';
import { parseKeyring } from '@globalmart/platform';
import { decodeProtectedHeader } from 'jose';
import { mongo } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { Storefront, type Session } from '../harness/storefront.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

const apps = ['catalog', 'inventory', 'cart', 'psp', 'payments', 'shipping', 'identity', 'orders', 'gateway'];
let platform: Platform;
let shop: Storefront;

beforeAll(async () => {
  platform = await startPlatform({ apps, placement: true, scheduler: true });
  shop = new Storefront(platform.url('gateway'));
}, 300_000);
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

const tag = randomBytes(3).toString('hex');
const address = (n: number) => ({
  name: `Rotation Tester ${tag}-${n}`,
  line1: `${n} Keyring Lane`,
  city: 'Rotherham',
  postal_code: 'S60 1AA',
  country: 'GB',
});
const activeKid = (name: string) =>
  parseKeyring(name, (JSON.parse(readFileSync(platform.secretsFile, 'utf8')) as Record<string, string>)[name]!, (v) => v).activeKid;
const kidOf = (stored: string) => {
  const [format, kid] = stored.split('.');
  expect(format).toBe('v2');
  return kid;
};

/** The raw stored document, straight from FerretDB (no service, no key). */
async function rawDoc(db: string, collection: string, id: string): Promise<Record<string, unknown>> {
  const client = await new mongo.MongoClient(platform.infra.mongoUrl, { serverSelectionTimeoutMS: 5_000 }).connect();
  try {
    const doc = await client.db(db).collection<{ _id: string }>(collection).findOne({ _id: id });
    if (!doc) throw new Error(`no ${db}/${collection}/${id}`);
    return doc;
  } finally {
    await client.close();
  }
}

async function placeOrder(s: Session, n: number): Promise<string> {
  expect((await shop.call('POST', '/api/cart/items', { token: s.token, body: { product_id: 'prd_000051', quantity: 1 } })).status).toBe(
    200,
  );
  const res = await shop.call('POST', '/api/orders', {
    token: s.token,
    headers: { 'idempotency-key': `rotation-${tag}-${n}` },
    body: { payment_method: 'tok_visa', shipping_address: address(n) },
  });
  expect(res.status).toBe(201);
  const order = await shop.waitForOrder(s, res.body.order_id, (st) => st !== 'PENDING', 60_000);
  expect(order.status).toBe('CONFIRMED');
  return res.body.order_id;
}

const restart = async (appId: string) => {
  await platform.stopApp(appId);
  await platform.startApp(appId);
};

describe('key rotation', () => {
  // Two checkouts and two app restarts (with their sidecars) on a shared 2-core machine.
  it('keeps old sessions and old ciphertexts working, and puts new ones under the new keys', { timeout: 240_000 }, async () => {
    // Before: one key in each ring.
    const oldJwtKid = activeKid('jwt-signing-key');
    const oldPiiKid = activeKid('pii-encryption-key');
    const alice = await shop.newCustomer(`Alice Before ${tag}`);
    expect(decodeProtectedHeader(alice.token).kid).toBe(oldJwtKid);
    const oldOrder = await placeOrder(alice, 1);
    const oldDoc = await rawDoc('globalmart-orders', 'orders', oldOrder);
    expect(kidOf((oldDoc.shipping_address as { name: string }).name)).toBe(oldPiiKid);

    // Rotate both keyrings, then restart the apps that read them (identity signs and encrypts, orders encrypts).
    const jwt = rotateLocalKey(platform.secretsFile, 'jwt-signing-key');
    const pii = rotateLocalKey(platform.secretsFile, 'pii-encryption-key');
    expect(jwt.kids).toEqual([oldJwtKid, jwt.kid]);
    expect(pii.kids).toEqual([oldPiiKid, pii.kid]);
    for (const appId of ['identity', 'orders']) await restart(appId);

    // The session of before still works, and what was encrypted under the old key still reads.
    const old = await shop.call('GET', `/api/orders/${oldOrder}`, { token: alice.token });
    expect(old.status).toBe(200);
    expect(old.body.shipping_address).toEqual(address(1));

    // identity publishes both public keys.
    const jwks = await platform.invoke('gateway', 'identity', 'GET', '.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toEqual([jwt.kid, oldJwtKid]);
    expect(jwks.body.keys.every((k: Record<string, unknown>) => !('d' in k))).toBe(true);

    // A new login (identity finds Alice by her blind index and decrypts her record, made under the old key) is signed
    // with the new key; the gateway fetches the key it does not know yet (rate-limited: a few seconds at most).
    const login = await shop.call('POST', '/api/auth/login', { body: { email: alice.email, password: 'correct horse battery staple' } });
    expect(login.status).toBe(200);
    const fresh: Session = { ...alice, token: login.body.access_token };
    expect(decodeProtectedHeader(fresh.token).kid).toBe(jwt.kid);
    await waitUntil(
      'the gateway accepts a token of the new key',
      async () => (await shop.call('GET', '/api/orders', { token: fresh.token })).status === 200,
      {
        timeoutMs: 15_000,
        intervalMs: 500,
      },
    );

    // New ciphertexts go out under the new PII key: a new order's address, a new customer's email and name.
    const newOrder = await placeOrder(fresh, 2);
    const newDoc = await rawDoc('globalmart-orders', 'orders', newOrder);
    const sealed = newDoc.shipping_address as Record<string, string>;
    for (const field of ['name', 'line1', 'city', 'postal_code']) expect([field, kidOf(sealed[field]!)]).toEqual([field, pii.kid]);
    expect(sealed.country).toBe('GB');
    expect((await shop.call('GET', `/api/orders/${newOrder}`, { token: fresh.token })).body.shipping_address).toEqual(address(2));
    const bob = await shop.newCustomer(`Bob After ${tag}`);
    const bobDoc = await rawDoc('globalmart-identity', 'users', bob.userId);
    expect([kidOf(bobDoc.email_enc as string), kidOf(bobDoc.name_enc as string)]).toEqual([pii.kid, pii.kid]);
    // And Alice's user document, written before, is still under the old key (nothing was re-encrypted).
    expect(kidOf((await rawDoc('globalmart-identity', 'users', alice.userId)).email_enc as string)).toBe(oldPiiKid);
  });
});
