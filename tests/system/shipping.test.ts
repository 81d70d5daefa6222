// shipping beside a real sidecar, FerretDB and Redis: booking, simulated progress with short delays, the events it
// publishes (read back from the Redis stream behind Dapr's `pubsub`), idempotent create, cancel, refusals.
import { connect } from 'node:net';
import { ItemShipped, Shipment, ShipmentCreated, ShippingOrderDelivered, shippingEventTypes } from '@globalmart/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

const SHIP_MS = 600;
const DELIVER_MS = 600;
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({
    apps: ['shipping'],
    scheduler: true, // each shipment step is a Dapr job
    env: { shipping: { SHIPPING_SHIP_DELAY_MS: String(SHIP_MS), SHIPPING_DELIVER_DELAY_MS: String(DELIVER_MS) } },
  });
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

let seq = 0;
const newOrder = () => `ord_shp_${Date.now().toString(36)}_${++seq}`;
const address = { name: 'Ada Lovelace', line1: '1 Main St', city: 'Berlin', postal_code: '10115', country: 'DE' };
const request = (order_id: string, country = 'DE') => ({
  order_id,
  customer_id: 'usr_1',
  address: { ...address, country },
  items: [{ product_id: 'prd_000001', quantity: 2 }],
});

/** From orders' sidecar (a bare one: orders is not running here), as the checkout saga books, cancels and tracks. */
async function shipping(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await platform.invoke('orders', 'shipping', body === undefined ? 'GET' : 'POST', path, body);
  return { status: res.status, body: res.body as Record<string, unknown> };
}

async function waitForStatus(order: string, status: string, timeoutMs = 15_000): Promise<Shipment> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const shipment = Shipment.parse((await shipping(`shipments/${order}`)).body);
    if (shipment.status === status || Date.now() > deadline) return shipment;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- the broker, read like an operator would: XRANGE over a raw socket (RESP2), no client library needed ----
type Resp = string | number | null | Resp[];
function parseResp(b: Buffer, i = 0): [Resp, number] | undefined {
  const end = b.indexOf('\r\n', i);
  if (end < 0) return undefined;
  const line = b.toString('utf8', i + 1, end);
  switch (String.fromCharCode(b[i]!)) {
    case '+':
      return [line, end + 2];
    case ':':
      return [Number(line), end + 2];
    case '-':
      throw new Error(`redis: ${line}`);
    case '$': {
      const n = Number(line);
      if (n < 0) return [null, end + 2];
      return b.length < end + 4 + n ? undefined : [b.toString('utf8', end + 2, end + 2 + n), end + 4 + n];
    }
    default: {
      const items: Resp[] = [];
      let pos = end + 2;
      for (let k = 0; k < Number(line); k++) {
        const item = parseResp(b, pos);
        if (!item) return undefined;
        [items[k], pos] = [item[0], item[1]];
      }
      return [items, pos];
    }
  }
}

/** The CloudEvents Dapr wrote to a topic's Redis stream. */
async function topicEvents(topic: string): Promise<{ id: string; type: string; data: unknown }[]> {
  const [host, port] = platform.infra.redisHost.split(':');
  const reply = await new Promise<Resp>((resolve, reject) => {
    const socket = connect(Number(port), host!);
    let buf = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const parsed = parseResp(buf);
      if (!parsed) return;
      resolve(parsed[0]);
      socket.end();
    });
    const args = ['XRANGE', topic, '-', '+'];
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
  return (reply as [string, string[]][]).map(
    ([, fields]) => JSON.parse(fields[fields.indexOf('data') + 1]!) as { id: string; type: string; data: unknown },
  );
}

describe('shipping through Dapr', () => {
  it('books, ships, delivers, and publishes item-shipped then order-delivered on the shipping topic', async () => {
    const order = newOrder();
    const created = await shipping('shipments', request(order));
    expect(created.status).toBe(201);
    const shipment = ShipmentCreated.parse(created.body);
    expect(shipment).toMatchObject({ order_id: order, status: 'created', carrier: 'simcarrier' });
    expect(shipment.tracking_number).toMatch(/^GM\d{10}$/);

    const delivered = await waitForStatus(order, 'delivered');
    expect(delivered.events.map((e) => e.status)).toEqual(['created', 'shipped', 'delivered']);
    const times = delivered.events.map((e) => Date.parse(e.at));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(SHIP_MS);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(DELIVER_MS);

    const published = async () => (await topicEvents('shipping')).filter((e) => (e.data as { order_id?: string }).order_id === order);
    await expect
      .poll(async () => (await published()).map((e) => [e.type, e.id]), { timeout: 5_000, interval: 100 })
      .toEqual([
        [shippingEventTypes.ItemShipped, `${order}:shipped`],
        [shippingEventTypes.OrderDelivered, `${order}:delivered`],
      ]);
    const events = await published();
    expect(ItemShipped.parse(events[0]!.data)).toMatchObject({
      shipment_id: shipment.shipment_id,
      tracking_number: shipment.tracking_number,
    });
    expect(ShippingOrderDelivered.parse(events[1]!.data).occurred_at).toBe(delivered.events[2]!.at);
  });

  it('creates idempotently: the same order again is 200 with the same shipment', async () => {
    const order = newOrder();
    const first = await shipping('shipments', request(order));
    const again = await shipping('shipments', request(order));
    expect(first.status).toBe(201);
    expect(again).toEqual({ status: 200, body: first.body });
  });

  it('cancels before pick-up, idempotently, and a cancelled shipment never progresses nor publishes', async () => {
    const order = newOrder();
    expect((await shipping('shipments', request(order))).status).toBe(201);
    expect(await shipping(`shipments/${order}/cancel`, {})).toEqual({ status: 200, body: { status: 'cancelled' } });
    expect(await shipping(`shipments/${order}/cancel`, {})).toEqual({ status: 200, body: { status: 'cancelled' } });
    // A parcel booked after it goes all the way: by then the cancelled one would have shipped and been delivered too.
    const later = newOrder();
    expect((await shipping('shipments', request(later))).status).toBe(201);
    expect((await waitForStatus(later, 'delivered')).status).toBe('delivered');
    const shipment = Shipment.parse((await shipping(`shipments/${order}`)).body);
    expect(shipment.events.map((e) => e.status)).toEqual(['created', 'cancelled']);
    expect((await topicEvents('shipping')).filter((e) => (e.data as { order_id?: string }).order_id === order)).toEqual([]);
    expect(await shipping(`shipments/${newOrder()}/cancel`, {})).toEqual({ status: 200, body: { status: 'none' } });
  });

  it('refuses to cancel a parcel that has shipped', async () => {
    const order = newOrder();
    await shipping('shipments', request(order));
    await waitForStatus(order, 'shipped');
    const res = await shipping(`shipments/${order}/cancel`, {});
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'SHIPPING.ALREADY_SHIPPED' });
  });

  it('answers 422 SHIPPING.UNDELIVERABLE for country XX and books nothing', async () => {
    const order = newOrder();
    const res = await shipping('shipments', request(order, 'XX'));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'SHIPPING.UNDELIVERABLE', country: 'XX' });
    expect((await shipping(`shipments/${order}`)).status).toBe(404);
  });

  it.each([
    [{ ...request('ord_bad_1'), address: { ...address, country: 'Germany' } }, 'address.country'],
    [{ ...request('ord_bad_2'), items: [] }, 'items'],
    [{ ...request('ord_bad_3'), items: [{ product_id: 'prd_000001', quantity: -1 }] }, 'items.0.quantity'],
    [{ ...request('ord_bad_4'), order_id: '' }, 'order_id'],
  ])('rejects bad input with 400 problem+json naming the field (%#)', async (payload, field) => {
    const res = await platform.invoke('orders', 'shipping', 'POST', 'shipments', payload);
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
  });
});
