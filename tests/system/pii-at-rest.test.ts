// Personal data at rest, read the way someone holding a copy of the disks would: after a real sign-up and checkout
// through the gateway, with every consumer of the events running, no FerretDB document and no Redis key, field or
// stream entry holds the customer's email, name or any part of the shipping address in clear.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailsTo } from '../harness/maildev.ts';
import { allApps, startPlatform, type Platform } from '../harness/platform.ts';
import { findInClear, rawMongo, rawRedis } from '../harness/raw-stores.ts';
import { Storefront } from '../harness/storefront.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

let platform: Platform;
let shop: Storefront;

beforeAll(async () => {
  platform = await startPlatform({
    apps: [...allApps],
    placement: true,
    scheduler: true,
    maildev: true,
    env: { shipping: { SHIPPING_SHIP_DELAY_MS: '500', SHIPPING_DELIVER_DELAY_MS: '500' } },
  });
  shop = new Storefront(platform.url('gateway'));
}, 300_000);
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

// Made up for this run, so a match can only be this customer's data (and never a coincidence of a short string).
const tag = randomBytes(4).toString('hex').toUpperCase();
const customerName = `Quintessa Marlowe-${tag}`;
const address = {
  name: `Octavia Pemberton-${tag}`,
  line1: `${tag} Wisteria Crescent`,
  line2: `Flat ${tag}-B`,
  city: `Lower Wychwood ${tag}`,
  postal_code: `QZ ${tag.slice(0, 6)}`,
  country: 'GB',
};

describe('PII at rest after a checkout', () => {
  it('neither FerretDB nor Redis holds the email, the name or any address string in clear', async () => {
    const customer = await shop.newCustomer(customerName);
    expect(
      (await shop.call('POST', '/api/cart/items', { token: customer.token, body: { product_id: 'prd_000041', quantity: 1 } })).status,
    ).toBe(200);
    const accepted = await shop.call('POST', '/api/orders', {
      token: customer.token,
      headers: { 'idempotency-key': `pii-at-rest-${tag}` },
      body: { payment_method: 'tok_visa', shipping_address: address },
    });
    expect(accepted.status).toBe(201);
    const orderId: string = accepted.body.order_id;

    // The whole flow ran: the saga, the shipment to delivery, and the emails (so every consumer took its events).
    const delivered = await shop.waitForOrder(customer, orderId, (st) => st === 'DELIVERED' || st === 'CANCELLED', 60_000);
    expect(delivered.status).toBe('DELIVERED');
    await expect
      .poll(async () => (await emailsTo(platform.infra.maildevUrl!, customer.email)).map((e) => e.subject).join('\n'), {
        timeout: 30_000,
        interval: 250,
      })
      .toMatch(/confirm/i);
    // The owner reads the address decrypted: it is stored, only not in clear.
    expect(delivered.shipping_address).toEqual(address);

    const [mongoRecords, redisRecords] = [await rawMongo(platform.infra.mongoUrl), await rawRedis(platform.infra.redisHost)];
    // The stores were read for real: the order, the user and the saga's state are all there (under their ids).
    const mongoWhere = mongoRecords.map((r) => r.where);
    expect(mongoWhere).toContain(`globalmart-orders/orders/${orderId}`);
    expect(mongoWhere).toContain(`globalmart-identity/users/${customer.userId}`);
    expect(mongoWhere).toContain(`globalmart-shipping/shipments/${orderId}`);
    expect(redisRecords.some((r) => r.where.includes(orderId))).toBe(true);
    expect(redisRecords.some((r) => r.where.includes('idem:'))).toBe(true);

    const needles = [
      customer.email,
      customerName,
      ...Object.entries(address)
        .filter(([k]) => k !== 'country')
        .map(([, v]) => v),
    ];
    expect(findInClear(mongoRecords, needles)).toEqual([]);
    expect(findInClear(redisRecords, needles)).toEqual([]);
  });
});
