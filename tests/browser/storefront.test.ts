// The storefront and the admin console in headless Chromium against the real platform (every app, real sidecars,
// Redis, FerretDB, the workflow engine): a shopper signs up, searches, fills a cart and checks out; a declined card
// and a double-clicked "Place order"; an admin sets stock, finds the order, sees it in the sales chart and replays a
// dead letter. Every page is checked with axe-core and captured at desktop and phone width (.artifacts/screenshots).
import { randomBytes } from 'node:crypto';
import { ordersEventTypes } from '@globalmart/contracts';
import { waitUntil } from '@globalmart/devstack';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild, measureWebBundle, WEB_ENTRY_BUDGET_BYTES } from '../../packages/devstack/src/web.ts';
import { publishRaw } from '../harness/events.ts';
import { allApps, startPlatform, type Platform } from '../harness/platform.ts';
import { Storefront } from '../harness/storefront.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';
import { launchChromium, openPage, overflowsPhone, screenshots, seriousViolations } from './browser.ts';

let platform: Platform;
let browser: Browser;
let shop: Storefront;
let base: string;
const shopper = {
  name: 'Ada Shopper',
  email: `ada-${randomBytes(6).toString('hex')}@example.test`,
  password: 'correct horse battery staple',
};
let shopperToken = '';
let confirmedOrderId = '';

beforeAll(async () => {
  const started = Date.now();
  const took = (what: string) => console.log(`${what} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await ensureWebBuild(() => undefined);
  // Every app: the storefront and the admin console reach all of them (Operations asks every sidecar).
  // Tracing too: the Operations page shows an order's trace from Jaeger.
  platform = await startPlatform({ apps: [...allApps], placement: true, scheduler: true, maildev: true, tracing: true });
  took('platform ready');
  base = platform.url('gateway');
  shop = new Storefront(base);
  browser = await launchChromium();
  took('chromium ready');
}, 480_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

/** The page as a shopper meets it: no serious accessibility problem, usable at phone width, captured at both widths. */
async function check(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
  expect(await overflowsPhone(page), `${name} scrolls sideways at phone width`).toBe(false);
  await screenshots(page, name);
}

async function open(): Promise<Page> {
  const { page, errors } = await openPage(browser, base);
  openPages.push({ page, errors });
  return page;
}
// Each test's pages: no console error may have happened on them, then they are closed.
const openPages: { page: Page; errors: string[] }[] = [];
afterEach(async () => {
  for (const { page, errors } of openPages.splice(0)) {
    expect(errors, 'console errors').toEqual([]);
    await page.context().close();
  }
});

/** From the home page: searches with the search box, opens the first result and adds one to the cart; its name. */
async function searchAndAdd(page: Page, q: string): Promise<string> {
  await page.goto('/');
  await page.getByLabel('Search products').fill(q);
  await page.getByLabel('Search products').press('Enter');
  await page.getByRole('heading', { name: `Results for “${q}”` }).waitFor();
  const card = page.getByRole('list', { name: 'Products' }).getByRole('listitem').first();
  const name = (await card.locator('.card-name').innerText()).trim();
  await card.getByRole('link').click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByText(`to your cart.`).waitFor();
  return name;
}

async function fillAddress(page: Page, country = 'DE'): Promise<void> {
  await page.getByLabel('Full name').fill('Ada Shopper');
  await page.getByLabel('Address', { exact: true }).fill('1 Main Street');
  await page.getByLabel('City').fill('Berlin');
  await page.getByLabel('Postal code').fill('10115');
  await page.getByLabel('Country code (e.g. DE)').fill(country);
}

const orderCount = async (token: string) => (await shop.call('GET', '/api/orders?page_size=100', { token })).body.total as number;
const orderIdOf = (page: Page) => page.url().split('/orders/')[1] ?? '';

describe('storefront', () => {
  it('keeps the storefront entry within its JavaScript budget (gzipped)', () => {
    const size = measureWebBundle();
    expect(size.entryJsGzipBytes).toBeGreaterThan(0);
    expect(size.entryJsGzipBytes).toBeLessThanOrEqual(WEB_ENTRY_BUDGET_BYTES);
  });

  it('serves the app on the API origin with a strict CSP, and index.html for the app’s own paths', async () => {
    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    expect(home.headers.get('content-security-policy')).toContain("script-src 'self'");
    const deep = await fetch(`${base}/orders/ord_x`, { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    // The API keeps its own answers: an unknown /api path is a problem+json 404, not the app.
    const unknown = await fetch(`${base}/api/nothing-here`, { headers: { accept: 'text/html' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('a shopper signs up, searches, adds two products, checks out with tok_visa and watches the order turn CONFIRMED', async () => {
    const page = await open();
    await page.goto('/');
    await page.getByRole('heading', { name: 'All products' }).waitFor();
    await page.getByRole('list', { name: 'Products' }).getByRole('listitem').first().waitFor();
    await check(page, 'home');

    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Sign up' }).waitFor();
    await check(page, 'signup');
    await page.getByLabel('Name', { exact: true }).fill(shopper.name);
    await page.getByLabel('Email').fill(shopper.email);
    await page.getByLabel(/^Password/).fill(shopper.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    shopperToken = (await page.evaluate<string | null>('sessionStorage.getItem("globalmart.token")')) ?? '';
    expect(shopperToken).not.toBe('');

    const first = await searchAndAdd(page, 'Kettle');
    await check(page, 'product');
    await page.goto('/?q=Kettle');
    await page.getByRole('heading', { name: 'Results for “Kettle”' }).waitFor();
    await page.getByRole('list', { name: 'Products' }).getByRole('listitem').first().waitFor();
    await check(page, 'search');
    const second = await searchAndAdd(page, 'Notebook');

    await page.getByRole('link', { name: 'Cart', exact: true }).click();
    await page.getByRole('heading', { name: 'Your cart' }).waitFor();
    await page.getByRole('link', { name: first }).waitFor();
    await page.getByRole('link', { name: second }).waitFor();
    // Two units of the first: the total follows.
    const before = await page.locator('.cart-total').innerText();
    await page.getByLabel(`Quantity of ${first}`).fill('2');
    await page.getByLabel(`Quantity of ${first}`).blur();
    await expect.poll(() => page.locator('.cart-total').innerText(), { timeout: 15_000 }).not.toBe(before);
    const cart = (await shop.call('GET', '/api/cart', { token: shopperToken })).body;
    expect(cart.items).toHaveLength(2);
    expect(cart.item_count).toBe(3);
    expect(await page.locator('.cart-total').innerText()).toBe(
      new Intl.NumberFormat('en-US', { style: 'currency', currency: cart.currency }).format(cart.total),
    );
    await check(page, 'cart');

    await page.getByRole('link', { name: 'Checkout' }).click();
    await page.getByRole('heading', { name: 'Checkout' }).waitFor();
    await fillAddress(page);
    await check(page, 'checkout');
    await page.getByLabel(/Visa test card/).check();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/orders\/ord_/);
    confirmedOrderId = orderIdOf(page);
    // Live: the page polls; a marker set now would be gone if it reloaded.
    await page.evaluate('window.__sameDocument = true');
    // Confirmed (the saga may move it on to Shipped before the next poll: the step stays marked done).
    await page.locator('.steps li.done', { hasText: 'Confirmed' }).waitFor({ timeout: 60_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    const order = (await shop.call('GET', `/api/orders/${confirmedOrderId}`, { token: shopperToken })).body;
    expect(order.status_history.map((h: { status: string }) => h.status)).toContain('CONFIRMED');
    expect(order.items.map((l: { name: string }) => l.name).sort()).toEqual([first, second].sort());
    await check(page, 'order-confirmed');

    await page.getByRole('link', { name: 'Orders', exact: true }).click();
    await page.getByRole('heading', { name: 'Your orders' }).waitFor();
    await page.locator('.orders li').first().waitFor();
    await check(page, 'orders');
  });

  it('a declined card shows the order cancelled with the reason', async () => {
    const page = await open();
    await page.goto('/login');
    await check(page, 'login');
    await page.getByLabel('Email').fill(shopper.email);
    await page.getByLabel('Password').fill(shopper.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.goto('/');
    await searchAndAdd(page, 'Puzzle');
    const extra = await searchAndAdd(page, 'Granola');
    // Removing a line: only the puzzle is ordered.
    await page.goto('/cart');
    await page.getByRole('button', { name: `Remove ${extra}` }).click();
    await page.getByRole('link', { name: extra }).waitFor({ state: 'detached' });
    await page.goto('/checkout');
    await fillAddress(page);
    await page.getByLabel(/Declined test card/).check();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/orders\/ord_/);
    const reason = page.locator('.cancel-reason');
    await reason.waitFor({ timeout: 60_000 });
    const order = (await shop.call('GET', `/api/orders/${orderIdOf(page)}`, { token: shopperToken })).body;
    expect(order.status).toBe('CANCELLED');
    expect(await reason.innerText()).toBe(order.cancel_reason);
    expect(order.cancel_reason).toBeTruthy();
    await check(page, 'order-cancelled');
  });

  it('a double-clicked "Place order" creates one order', async () => {
    const page = await open();
    await page.goto('/login');
    await page.getByLabel('Email').fill(shopper.email);
    await page.getByLabel('Password').fill(shopper.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await searchAndAdd(page, 'Yoga Mat');
    const before = await orderCount(shopperToken);
    const keys: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/orders') keys.push(r.headers()['idempotency-key'] ?? '');
    });
    await page.goto('/checkout');
    await fillAddress(page);
    await page.getByRole('button', { name: 'Place order' }).dblclick();
    await page.waitForURL(/\/orders\/ord_/);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(new Set(keys).size).toBe(1);
    expect(await orderCount(shopperToken)).toBe(before + 1);
    await page.locator('.steps li.done', { hasText: 'Confirmed' }).waitFor({ timeout: 60_000 });
    expect(await orderCount(shopperToken)).toBe(before + 1);
  });
});

describe('admin console', () => {
  const admin = { email: `ops-${randomBytes(4).toString('hex')}@globalmart.test`, password: 'a long admin passphrase' };
  let adminToken = '';
  let page: Page;

  beforeAll(async () => {
    await platform.createAdmin(admin.email, admin.password);
    adminToken = (await shop.call('POST', '/api/auth/login', { body: admin })).body.access_token;
  });

  async function signIn(): Promise<Page> {
    const p = await open();
    await p.goto('/login?next=/admin');
    await p.getByLabel('Email').fill(admin.email);
    await p.getByLabel('Password').fill(admin.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('heading', { name: 'Products', exact: true }).waitFor();
    return p;
  }

  it('an admin creates and edits a product and sets its stock', async () => {
    page = await signIn();
    await page.getByRole('table').waitFor();
    await check(page, 'admin-products');
    const name = `Browser Test Lamp ${randomBytes(3).toString('hex')}`;
    await page.getByRole('button', { name: 'New product' }).click();
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Price').fill('24.5');
    await check(page, 'admin-product-form');
    await page.getByRole('button', { name: 'Create product' }).click();
    const row = page.getByRole('row', { name: new RegExp(name) });
    await row.waitFor();
    await row.getByRole('button', { name: `Edit ${name}` }).click();
    await page.getByLabel('Price').fill('26');
    await page.getByRole('button', { name: 'Save product' }).click();
    await row.getByText('$26.00').waitFor();
    const id = (await row.locator('code').innerText()).trim();
    await row.getByLabel(`Stock of ${name}`).fill('77');
    await row.getByRole('button', { name: 'Set stock' }).click();
    await row.getByText('Saved').waitFor();
    expect((await shop.call('GET', `/api/stock?ids=${id}`)).body.data).toEqual([{ product_id: id, stock_qty: 77 }]);
    expect((await shop.call('GET', `/api/products/${id}`)).body).toMatchObject({ name, price: 26, stock_qty: 77 });
  });

  it('sees the new order in the orders list, opens it with its history, and in the sales chart', async () => {
    page = await signIn();
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Orders', exact: true }).click();
    await page.getByRole('heading', { name: 'Orders', exact: true }).waitFor();
    await page.getByLabel('Status').selectOption('CONFIRMED');
    await page.getByRole('button', { name: 'Filter' }).click();
    // The saga may already have shipped it: any order of ours past PENDING is fine, filter by what it is now.
    const now = (await shop.call('GET', `/api/orders/${confirmedOrderId}`, { token: adminToken })).body.status as string;
    await page.getByLabel('Status').selectOption(now);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: confirmedOrderId }).waitFor();
    await check(page, 'admin-orders');
    await page.getByRole('link', { name: confirmedOrderId }).click();
    await page.getByRole('list', { name: 'Status history' }).getByText('Confirmed').waitFor();
    await check(page, 'admin-order');

    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Sales per hour' }).waitFor();
    // Analytics reads the order events as they come: refresh until the chart has our confirmed orders.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return page.locator('[data-testid="sales-chart"] .recharts-bar-rectangle').count();
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);
    const shown = Number((await page.locator('.sales-totals strong').first().innerText()).trim());
    expect(shown).toBeGreaterThanOrEqual(1);
    const sales = (await shop.call('GET', '/api/admin/reports/sales?granularity=hour', { token: adminToken })).body;
    expect(sales.totals.orders).toBeGreaterThanOrEqual(shown);
    await page.getByRole('heading', { name: /Top products by units/ }).waitFor();
    await page.getByRole('heading', { name: /funnel/ }).waitFor();
    await check(page, 'admin-reports');
  });

  it('replays a dead letter', async () => {
    // An OrderConfirmed for a customer identity does not know: notifications cannot address it and dead-letters it.
    const eventId = `browser-ghost-${randomBytes(6).toString('hex')}:confirmed`;
    await publishRaw(
      platform,
      'orders',
      ordersEventTypes.OrderConfirmed,
      {
        order_id: `ord_${randomBytes(16).toString('hex')}`,
        customer_id: `usr_${randomBytes(12).toString('hex')}`,
        items: [{ product_id: 'prd_000001', quantity: 1, unit_price: 12.5, currency: 'USD' }],
        total: 12.5,
        currency: 'USD',
        occurred_at: new Date().toISOString(),
      },
      eventId,
    );
    const letterOf = async () =>
      (
        (await shop.call('GET', '/api/admin/dead-letters?status=all&topic=orders', { token: adminToken })).body.items as {
          event_id: string;
          replay_count: number;
        }[]
      ).find((d) => d.event_id === eventId);
    await expect.poll(letterOf, { timeout: 60_000, interval: 500 }).toBeDefined();

    page = await signIn();
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Dead letters' }).click();
    await page.getByLabel('Topic').fill('orders');
    await page.getByRole('button', { name: 'Filter' }).click();
    const replay = page.getByRole('button', { name: new RegExp(`Replay .* ${eventId}`) });
    await replay.waitFor();
    await check(page, 'admin-dead-letters');
    await replay.click();
    await page.getByText(/^Replayed /).waitFor();
    expect((await letterOf())?.replay_count).toBeGreaterThanOrEqual(1);
  });

  it("sees every app-id's sidecar healthy on the Operations page, with the broker named, and an order's saga", async () => {
    page = await signIn();
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Operations' }).click();
    await page.getByRole('heading', { name: 'Apps and sidecars' }).waitFor();
    const ops = (await shop.call('GET', '/api/admin/ops/apps', { token: adminToken })).body;
    expect(ops.apps.map((a: { app_id: string }) => a.app_id).sort()).toEqual([...allApps].sort());
    expect(ops.apps.filter((a: { healthy: boolean }) => !a.healthy)).toEqual([]);
    for (const appId of allApps) {
      const row = page.locator(`tr[data-app="${appId}"]`);
      await row.getByText('healthy', { exact: true }).waitFor();
      const version = ops.apps.find((a: { app_id: string }) => a.app_id === appId).metadata.runtimeVersion as string;
      expect(version).toBeTruthy();
      expect(await row.innerText()).toContain(version);
    }
    await page.locator('.ops-summary', { hasText: `${allApps.length} of ${allApps.length}` }).waitFor();
    expect(await page.locator('.broker').innerText()).toMatch(/^pubsub\.redis\b/);
    // Subscriptions and components as the sidecars report them.
    await page.locator('tr[data-app="notifications"]').getByText('orders-dlq').first().waitFor();
    await page.locator('tr[data-app="orders"]').getByText('pubsub:').waitFor();
    await check(page, 'admin-operations');

    await page.getByLabel('Order id').fill(confirmedOrderId);
    await page.getByRole('button', { name: 'Show workflow' }).click();
    const status = page.locator('.workflow-status');
    await status.waitFor();
    const workflow = (await shop.call('GET', `/api/admin/ops/workflows/${confirmedOrderId}`, { token: adminToken })).body;
    expect(workflow.instanceID).toBe(confirmedOrderId);
    expect(await status.innerText()).toMatch(/^[A-Z_]+$/);
    await page.getByRole('list', { name: 'Status history' }).getByText('Confirmed').waitFor();
    await check(page, 'admin-saga');
  });

  it("shows the order's trace on the Operations page: the checkout's spans, service by service, the gateway's first", async () => {
    // Spans reach Jaeger in batches: wait (through the same admin route) until the checkout's trace is whole, so the
    // page shows all of it at its first look (a 404 meanwhile would be a console error).
    const services = ['gateway', 'orders', 'inventory', 'payments', 'psp', 'shipping'];
    let spans = 0;
    await waitUntil(
      "the checkout's whole trace through the admin route",
      async () => {
        const res = await shop.call('GET', `/api/admin/ops/traces/${confirmedOrderId}`, { token: adminToken });
        const first = res.status === 200 ? res.body.traces[0] : undefined;
        spans = first?.spans.length ?? 0;
        return (
          !!first &&
          services.every((s) => first.services.includes(s)) &&
          first.spans.filter((s: { depth: number }) => s.depth === 0).length === 1
        );
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    page = await signIn();
    await page.goto(`/admin/ops?order=${confirmedOrderId}`);
    const trace = page.locator('details.trace').first();
    await trace.locator('tr[data-span]').first().waitFor();
    expect(await trace.locator('tr[data-span]').count()).toBeGreaterThanOrEqual(spans);
    const root = trace.locator('tr[data-span]').first();
    expect(await root.getAttribute('data-service')).toBe('gateway');
    expect(await root.innerText()).toMatch(/POST/);
    for (const service of services) expect(await trace.locator(`tr[data-service="${service}"]`).count(), service).toBeGreaterThan(0);
    await trace.getByText('checkout saga start').first().waitFor();
    expect(await trace.locator('.trace-services').innerText()).toContain('orders');
    await check(page, 'admin-trace');
  });
});
