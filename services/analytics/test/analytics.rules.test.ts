import type { EventType } from '@globalmart/contracts';
import { describe, expect, it } from 'vitest';
import {
  applyToBucket,
  applyToOrder,
  BUCKET_APPLIED_KEPT,
  emptyBucket,
  toFact,
  type Fact,
  type OrderView,
} from '../src/analytics.rules.ts';
import { cancelled, confirmed, line, orderId, placed, product, shipped, viewed } from './fixtures.ts';

const now = new Date('2026-05-01T12:00:00Z');
const fact = (e: { type: string; id: string; data: Record<string, unknown> }): Fact => toFact(e.type as EventType, e.id, e.data, now);
const hour = new Date('2026-05-01T10:00:00Z');

describe('toFact', () => {
  it('keeps the ids, the status it moves its order to, money in minor units and its UTC hour', () => {
    const f = fact(confirmed(orderId(1), '2026-05-01T12:15:00+02:00', [line(1, 3, 19.99), line(2, 1, 0.1)]));
    expect(f).toMatchObject({
      _id: `${orderId(1)}:confirmed`,
      kind: 'OrderConfirmed',
      order_id: orderId(1),
      status: 'CONFIRMED',
      currency: 'USD',
      total_minor: 6007,
      hour: new Date('2026-05-01T10:00:00Z'),
      recorded_at: now,
      items: [
        { product_id: product(1), quantity: 3, unit_price_minor: 1999 },
        { product_id: product(2), quantity: 1, unit_price_minor: 10 },
      ],
    });
    expect(f.applied_at).toBeUndefined();
    expect(fact(viewed(7, '2026-05-01T10:01:00Z'))).toMatchObject({ kind: 'ProductViewed', product_id: product(7) });
    expect(fact(viewed(7, '2026-05-01T10:01:00Z')).status).toBeUndefined();
  });
});

describe('applyToBucket', () => {
  it('counts orders by step, confirmed sales in the report currency with their products, and views', () => {
    const b = emptyBucket('hour', hour, now);
    const facts = [
      fact(placed(orderId(1), '2026-05-01T10:01:00Z', [line(1, 2, 10.5)])),
      fact(confirmed(orderId(1), '2026-05-01T10:02:00Z', [line(1, 2, 10.5)])),
      fact(placed(orderId(2), '2026-05-01T10:04:00Z', [line(1, 1, 10.5), line(2, 4, 0.25)])),
      fact(confirmed(orderId(2), '2026-05-01T10:05:00Z', [line(1, 1, 10.5), line(2, 4, 0.25)])),
      fact(placed(orderId(3), '2026-05-01T10:06:00Z', [line(3, 1, 5)])),
      fact(cancelled(orderId(3), '2026-05-01T10:07:00Z')),
      fact(viewed(1, '2026-05-01T10:00:01Z')),
      fact(viewed(1, '2026-05-01T10:00:02Z')),
      fact(viewed(3, '2026-05-01T10:00:03Z')),
    ];
    for (const f of facts) expect(applyToBucket(b, f, 'USD')).toBe('applied');
    expect(applyToBucket(b, fact(confirmed(orderId(4), '2026-05-01T10:08:00Z', [line(3, 1, 7)], 'EUR')), 'USD')).toBe('other-currency');
    expect(b).toEqual({
      _id: 'hour:2026-05-01T10:00:00.000Z',
      granularity: 'hour',
      start: hour,
      sales_orders: 2,
      sales_revenue_minor: 2100 + 1050 + 100,
      other_currency_orders: 1,
      orders_placed: 3,
      orders_confirmed: 3,
      orders_cancelled: 1,
      product_views: 3,
      products: [
        { product_id: product(1), units: 3, revenue_minor: 3150, orders: 2, views: 2 },
        { product_id: product(2), units: 4, revenue_minor: 100, orders: 1, views: 0 },
        { product_id: product(3), units: 0, revenue_minor: 0, orders: 0, views: 1 },
      ],
      facts: 10,
      applied: [...facts.map((f) => f._id), `${orderId(4)}:confirmed`],
      updated_at: now,
    });
  });

  it('is idempotent by itself: the same fact applied twice is counted once', () => {
    const b = emptyBucket('day', new Date('2026-05-01T00:00:00Z'), now);
    const f = fact(confirmed(orderId(1), '2026-05-01T10:02:00Z', [line(1, 2, 3.33)]));
    expect(applyToBucket(b, f, 'USD')).toBe('applied');
    const once = structuredClone(b);
    expect(applyToBucket(b, f, 'USD')).toBe('already');
    expect(b).toEqual(once);
    expect(b).toMatchObject({ sales_orders: 1, sales_revenue_minor: 666, facts: 1 });
  });

  it(`keeps the newest ${BUCKET_APPLIED_KEPT} fact ids, oldest first`, () => {
    const b = emptyBucket('hour', hour, now);
    const views = Array.from({ length: BUCKET_APPLIED_KEPT + 10 }, (_, i) => ({
      ...fact(viewed(1, '2026-05-01T10:00:00Z')),
      _id: `v${i}`,
    }));
    for (const v of views) applyToBucket(b, v, 'USD');
    expect(b.product_views).toBe(BUCKET_APPLIED_KEPT + 10);
    expect(b.applied).toHaveLength(BUCKET_APPLIED_KEPT);
    expect(b.applied[0]).toBe('v10');
    expect(b.applied.at(-1)).toBe(`v${BUCKET_APPLIED_KEPT + 9}`);
    expect(applyToBucket(b, views.at(-1)!, 'USD')).toBe('already');
  });
});

describe('applyToOrder', () => {
  const lifecycle = [
    fact(placed(orderId(1), '2026-05-01T10:01:00Z', [line(1, 1, 1)])),
    fact(confirmed(orderId(1), '2026-05-01T10:02:00Z', [line(1, 1, 1)])),
    fact(shipped(orderId(1), '2026-05-01T10:09:00Z')),
  ];
  const permutations = <T>(xs: T[]): T[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  const fold = (facts: Fact[]) => facts.reduce<OrderView | undefined>((v, f) => applyToOrder(v, f, now).view, undefined)!;
  const status = ({ status: s, status_at, placed_at }: OrderView) => ({ status: s, status_at, placed_at });

  it('merges commutatively: every order of application gives the latest status and when it was placed', () => {
    for (const p of permutations(lifecycle)) {
      expect(status(fold(p))).toEqual({
        status: 'SHIPPED',
        status_at: new Date('2026-05-01T10:09:00Z'),
        placed_at: new Date('2026-05-01T10:01:00Z'),
      });
    }
  });

  it('breaks a tie of timestamps by lifecycle order, and places an order without OrderPlaced at its first fact', () => {
    const tie = [fact(shipped(orderId(2), '2026-05-01T10:05:00Z')), fact(confirmed(orderId(2), '2026-05-01T10:05:00Z', [line(1, 1, 1)]))];
    for (const p of permutations(tie)) expect(fold(p)).toMatchObject({ status: 'SHIPPED', placed_at: new Date('2026-05-01T10:05:00Z') });
  });

  it('counts the first fact of a kind per order: the same fact again still counts, a republished one does not', () => {
    const first = applyToOrder(undefined, lifecycle[1]!, now);
    expect(first).toMatchObject({ changed: true, counts: true });
    const again = applyToOrder(first.view, lifecycle[1]!, now);
    expect(again).toMatchObject({ changed: false, counts: true });
    expect(again.view).toBe(first.view);
    const republished = applyToOrder(first.view, { ...lifecycle[1]!, _id: 'republished' }, now);
    expect(republished).toMatchObject({ changed: true, counts: false });
    expect(applyToOrder(republished.view, lifecycle[2]!, now)).toMatchObject({ changed: true, counts: false }); // shipped: not counted
    expect(first.view.applied).toEqual([lifecycle[1]!._id]); // not mutated by later applies
  });
});
