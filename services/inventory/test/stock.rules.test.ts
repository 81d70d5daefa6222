import { describe, expect, it } from 'vitest';
import { commitHold, emptyStock, heldFor, putBack, setAvailable, stockLevel, take, type Stock } from '../src/stock.rules.ts';

const stock = (available: number, holds: Record<string, number> = {}): Stock => ({
  available,
  reserved: Object.values(holds).reduce((a, b) => a + b, 0),
  holds,
  rev: 1,
});

describe('stock rules', () => {
  it('takes units for an order once: a second take for the same order changes nothing', () => {
    const first = take(stock(5), 'o1', 2);
    expect(first).toMatchObject({ kind: 'taken', stock: { available: 3, reserved: 2, holds: { o1: 2 }, rev: 2 } });
    if (first.kind !== 'taken') throw new Error('unreachable');
    expect(take(first.stock, 'o1', 2)).toEqual({ kind: 'held' });
  });

  it('refuses to take more than is available, and treats a missing record as zero stock', () => {
    expect(take(stock(1), 'o1', 2)).toEqual({ kind: 'short', available: 1 });
    expect(take(undefined, 'o1', 1)).toEqual({ kind: 'short', available: 0 });
    expect(take(stock(2), 'o1', 2)).toMatchObject({ kind: 'taken', stock: { available: 0 } });
  });

  it('puts back and commits only what the order holds', () => {
    const s = stock(3, { o1: 2, o2: 1 });
    expect(putBack(s, 'o1')).toEqual({ available: 5, reserved: 1, holds: { o2: 1 }, rev: 2 });
    expect(commitHold(s, 'o1')).toEqual({ available: 3, reserved: 1, holds: { o2: 1 }, rev: 2 });
    expect(putBack(s, 'o3')).toBeUndefined();
    expect(commitHold(undefined, 'o1')).toBeUndefined();
  });

  it('keeps an order id like __proto__ an ordinary key', () => {
    const taken = take(stock(4), '__proto__', 3);
    if (taken.kind !== 'taken') throw new Error('expected taken');
    const wire: Stock = JSON.parse(JSON.stringify(taken.stock));
    expect(heldFor(wire, '__proto__')).toBe(3);
    expect(heldFor(wire, 'toString')).toBe(0);
    expect(putBack(wire, '__proto__')).toMatchObject({ available: 4, reserved: 0 });
  });

  it('sets the available level without touching held units', () => {
    expect(setAvailable(stock(3, { o1: 2 }), 10)).toMatchObject({ available: 10, reserved: 2, holds: { o1: 2 } });
    expect(setAvailable(undefined, 7)).toEqual({ ...emptyStock(), available: 7, rev: 1 });
    expect(stockLevel('prd_000001', undefined)).toEqual({ product_id: 'prd_000001', stock_qty: 0, reserved: 0 });
  });
});
