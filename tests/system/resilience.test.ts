// Graceful degradation: the fan-out consumers are not on the checkout path. With notifications stopped, orders are
// still accepted and confirmed, and when it comes back every email arrives, none twice; with recommendations or
// analytics stopped, browsing and checkout go on and the product page is flagged degraded, not failed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailsTo } from '../harness/maildev.ts';
import { allApps, startPlatform, type Platform } from '../harness/platform.ts';
import { relaxedRateLimits } from '../harness/rate-limits.ts';
import { Storefront, type Session } from '../harness/storefront.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

const apps = [...allApps];
let platform: Platform;
let shop: Storefront;

beforeAll(async () => {
  platform = await startPlatform({ apps, placement: true, scheduler: true, maildev: true, env: { gateway: relaxedRateLimits } });
  shop = new Storefront(platform.url('gateway'));
}, 300_000);
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

async function order(s: Session, productId: string) {
  expect((await shop.call('POST', '/api/cart/items', { token: s.token, body: { product_id: productId, quantity: 1 } })).status).toBe(200);
  const t0 = performance.now();
  const res = await shop.checkout(s);
  const ms = performance.now() - t0;
  expect(res.status).toBe(201);
  return { orderId: res.body.order_id as string, ms };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const confirmationsFor = async (s: Session) =>
  (await emailsTo(platform.infra.maildevUrl!, s.email)).filter((e) => /confirm/i.test(e.subject)).map((e) => `${e.subject}\n${e.text}`);

describe('degradation when fan-out consumers are down', () => {
  it('notifications down for 30 s: checkout unaffected; after restart every email arrives, none twice, none lost', async () => {
    const customers = [await shop.newCustomer('Nora'), await shop.newCustomer('Omar')];
    const before: number[] = [];
    for (const c of customers) before.push((await order(c, 'prd_000041')).ms);

    await platform.stopApp('notifications');
    const stoppedAt = Date.now();
    const placed: { customer: Session; orderId: string }[] = [];
    const during: number[] = [];
    for (let i = 0; i < 6; i++) {
      const customer = customers[i % 2]!;
      const { orderId, ms } = await order(customer, `prd_00004${2 + (i % 3)}`);
      during.push(ms);
      placed.push({ customer, orderId });
    }
    for (const p of placed)
      expect((await shop.waitForOrder(p.customer, p.orderId, (st) => st !== 'PENDING', 60_000)).status).toBe('CONFIRMED');
    console.log(
      `checkout acceptance with notifications up: median ${median(before).toFixed(0)} ms; down: median ${median(during).toFixed(0)} ms`,
    );
    // Nothing for these orders while notifications is down.
    for (const c of customers) {
      const mails = (await confirmationsFor(c)).join('\n');
      for (const p of placed) expect(mails).not.toContain(p.orderId);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - stoppedAt))));

    await platform.startApp('notifications');
    for (const p of placed) {
      await expect
        .poll(async () => (await confirmationsFor(p.customer)).filter((m) => m.includes(p.orderId)).length, {
          timeout: 60_000,
          interval: 500,
        })
        .toBe(1);
    }
    // A checkout after the restart has its email: notifications has worked through what the broker held for it before
    // (pending messages, retries), and still there is exactly one each.
    const after = await order(customers[0]!, 'prd_000041');
    expect((await shop.waitForOrder(customers[0]!, after.orderId, (st) => st !== 'PENDING', 60_000)).status).toBe('CONFIRMED');
    await expect
      .poll(async () => (await confirmationsFor(customers[0]!)).filter((m) => m.includes(after.orderId)).length, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe(1);
    const all = [...(await confirmationsFor(customers[0]!)), ...(await confirmationsFor(customers[1]!))];
    for (const p of [...placed, { orderId: after.orderId }]) expect(all.filter((m) => m.includes(p.orderId))).toHaveLength(1);
    expect(all).toHaveLength(placed.length + 3);
  }, 180_000);

  it('recommendations and analytics down: browsing and checkout work, the product page is flagged degraded', async () => {
    const pam = await shop.newCustomer('Pam');
    expect((await shop.call('GET', '/api/products/prd_000051')).body.degraded).toEqual([]);
    await platform.stopApp('recommendations');
    await platform.stopApp('analytics');
    try {
      const t0 = performance.now();
      const page = await shop.call('GET', '/api/products/prd_000051');
      const pageMs = performance.now() - t0;
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ id: 'prd_000051', recommendations: [], degraded: ['recommendations'] });
      expect(page.body.stock_qty).toEqual(expect.any(Number));
      console.log(`product page with recommendations down answered in ${pageMs.toFixed(0)} ms`);
      expect((await shop.call('GET', '/api/products?page=1&page_size=5')).status).toBe(200);
      const { orderId } = await order(pam, 'prd_000051');
      expect((await shop.waitForOrder(pam, orderId, (st) => st !== 'PENDING', 60_000)).status).toBe('CONFIRMED');
    } finally {
      await platform.startApp('recommendations');
      await platform.startApp('analytics');
    }
    await expect.poll(async () => (await shop.call('GET', '/api/products/prd_000051')).body.degraded, { timeout: 20_000 }).toEqual([]);
  }, 180_000);
});
