import { describe, expect, it } from 'vitest';
import {
  addItem,
  applyOrderPlaced,
  cartView,
  APPLIED_OPS_KEPT,
  emptyCart,
  priorOp,
  rememberOp,
  removeItem,
  setQuantity,
  toMinor,
  type CartChange,
  type CartDoc,
  type ProductInfo,
} from '../src/cart.rules.ts';

const now = new Date('2026-01-01T00:00:00Z');
const product = (n: number, price = 19.99, currency = 'USD'): ProductInfo => ({
  product_id: `prd_${String(n).padStart(6, '0')}`,
  name: `Product ${n}`,
  unit_price_minor: toMinor(price),
  currency,
});
const ok = (c: CartChange): CartDoc => {
  if (!c.ok) throw new Error(`expected ok, got ${c.problem.code}`);
  return c.cart;
};

describe('cart rules', () => {
  it('adds a line, then adds to it; the stock check is on the new total', () => {
    const one = ok(addItem(emptyCart('u1', now), product(1), 2, 5, now));
    const two = ok(addItem(one, product(1), 3, 5, now));
    expect(two.items).toEqual([{ ...product(1), quantity: 5 }]);
    expect(addItem(two, product(1), 1, 5, now)).toEqual({
      ok: false,
      problem: { code: 'CART.INSUFFICIENT_STOCK', product_id: 'prd_000001', available: 5, requested: 6 },
    });
  });

  it('caps a line at 99 units and a cart at 50 lines', () => {
    const big = ok(addItem(emptyCart('u1', now), product(1), 99, 1000, now));
    expect(addItem(big, product(1), 1, 1000, now)).toMatchObject({ ok: false, problem: { code: 'CART.QUANTITY_LIMIT', max: 99 } });
    let cart = emptyCart('u1', now);
    for (let n = 1; n <= 50; n++) cart = ok(addItem(cart, product(n), 1, 10, now));
    expect(addItem(cart, product(51), 1, 10, now)).toMatchObject({ ok: false, problem: { code: 'CART.TOO_MANY_LINES', max: 50 } });
    expect(ok(addItem(cart, product(50), 1, 10, now)).items).toHaveLength(50);
  });

  it('keeps one currency per cart', () => {
    const usd = ok(addItem(emptyCart('u1', now), product(1), 1, 10, now));
    expect(addItem(usd, product(2, 5, 'EUR'), 1, 10, now)).toMatchObject({
      ok: false,
      problem: { code: 'CART.CURRENCY_MISMATCH', cart_currency: 'USD' },
    });
  });

  it('sets an existing line only, refreshing its price; removes lines', () => {
    const cart = ok(addItem(emptyCart('u1', now), product(1), 2, 10, now));
    expect(ok(setQuantity(cart, product(1, 25), 7, 10, now)).items[0]).toMatchObject({ quantity: 7, unit_price_minor: 2500 });
    expect(setQuantity(cart, product(2), 1, 10, now)).toMatchObject({ ok: false, problem: { code: 'CART.LINE_NOT_FOUND' } });
    expect(removeItem(cart, 'prd_000001', now)?.items).toEqual([]);
    expect(removeItem(cart, 'prd_000002', now)).toBeUndefined();
  });

  it('takes only the ordered units out when the order is placed, once', () => {
    let cart = ok(addItem(emptyCart('u1', now), product(1), 3, 10, now));
    cart = ok(addItem(cart, product(2), 1, 10, now));
    const order = {
      order_id: 'o1',
      items: [
        { product_id: 'prd_000001', quantity: 2 },
        { product_id: 'prd_000002', quantity: 1 },
      ],
    };
    const after = applyOrderPlaced(cart, order, now);
    expect(after?.items).toEqual([{ ...product(1), quantity: 1 }]);
    expect(after?.placed_orders).toEqual(['o1']);
    expect(applyOrderPlaced(after!, order, now)).toBeUndefined();
  });

  it('sums in minor units: no float drift in line totals and totals', () => {
    let cart = ok(addItem(emptyCart('u1', now), product(1, 0.1), 3, 10, now));
    cart = ok(addItem(cart, product(2, 0.2), 1, 10, now));
    cart = ok(addItem(cart, product(3, 19.99), 3, 10, now));
    const view = cartView(cart, 'USD');
    expect(view.items.map((l) => l.line_total)).toEqual([0.3, 0.2, 59.97]);
    expect(view.total).toBe(60.47);
    expect(view.item_count).toBe(7);
    expect(cartView(emptyCart('u1', now), 'EUR')).toEqual({ user_id: 'u1', items: [], total: 0, currency: 'EUR', item_count: 0 });
  });

  it('tells a repeated request from a key reused for another, and keeps the newest keys only', () => {
    const cart = rememberOp(emptyCart('u1', now), 'key-0001', 'add prd_000001 2');
    expect(priorOp(cart, 'key-0001', 'add prd_000001 2')).toBe('repeat');
    expect(priorOp(cart, 'key-0001', 'add prd_000001 3')).toBe('reused');
    expect(priorOp(cart, 'key-0002', 'add prd_000001 2')).toBeUndefined();
    // A cart saved before keys existed has none: every request is new there.
    expect(priorOp({ ...cart, applied_ops: undefined }, 'key-0001', 'add prd_000001 2')).toBeUndefined();
    let many = cart;
    for (let n = 2; n <= APPLIED_OPS_KEPT + 1; n++) many = rememberOp(many, `key-${n}`, `remove prd_${n}`);
    expect(many.applied_ops).toHaveLength(APPLIED_OPS_KEPT);
    expect(priorOp(many, 'key-0001', 'add prd_000001 2')).toBeUndefined();
    expect(priorOp(many, `key-${APPLIED_OPS_KEPT + 1}`, `remove prd_${APPLIED_OPS_KEPT + 1}`)).toBe('repeat');
  });
});
