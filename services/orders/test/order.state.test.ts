import { ORDER_STATUSES, type OrderStatus } from '@globalmart/contracts';
import { describe, expect, it } from 'vitest';
import { applyTransition, decideTransition, isTerminal } from '../src/order.state.ts';
import type { Order } from '../src/order.types.ts';
import { address, addresses } from './fixtures.ts';

const order = (status: OrderStatus): Order => ({
  order_id: 'ord_00000000000000000000000000000001',
  customer_id: 'u1',
  status,
  items: [],
  currency: 'USD',
  total_minor: 0,
  shipping_address: addresses.seal('ord_00000000000000000000000000000001', address),
  payment_method: 'tok_visa',
  status_history: [{ status, at: '2026-01-01T00:00:00.000Z' }],
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  outbox: [],
});

describe('order state machine', () => {
  it.each([
    ['PENDING', 'CONFIRMED'],
    ['PENDING', 'CANCELLED'],
    ['CONFIRMED', 'SHIPPED'],
    ['CONFIRMED', 'DELIVERED'],
    ['SHIPPED', 'DELIVERED'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(decideTransition(from, to)).toEqual({ kind: 'apply' });
  });

  it('treats the same status again as a no-op (duplicate event, replayed activity)', () => {
    for (const s of ORDER_STATUSES) expect(decideTransition(s, s)).toEqual({ kind: 'noop', why: 'already' });
  });

  it.each([
    ['CONFIRMED', 'PENDING'],
    ['SHIPPED', 'CONFIRMED'],
    ['DELIVERED', 'SHIPPED'],
    ['DELIVERED', 'CONFIRMED'],
    ['SHIPPED', 'PENDING'],
  ] as const)('never goes backwards: %s → %s is a no-op', (from, to) => {
    expect(decideTransition(from, to)).toEqual({ kind: 'noop', why: 'behind' });
  });

  it.each([
    ['PENDING', 'SHIPPED'],
    ['PENDING', 'DELIVERED'],
  ] as const)('%s → %s is too early (shipping ran ahead of the saga): retry later', (from, to) => {
    expect(decideTransition(from, to)).toEqual({ kind: 'early' });
  });

  it.each([
    ['CANCELLED', 'CONFIRMED'],
    ['CANCELLED', 'SHIPPED'],
    ['CANCELLED', 'DELIVERED'],
    ['CANCELLED', 'PENDING'],
    ['CONFIRMED', 'CANCELLED'],
    ['SHIPPED', 'CANCELLED'],
    ['DELIVERED', 'CANCELLED'],
  ] as const)('rejects %s → %s', (from, to) => {
    expect(decideTransition(from, to)).toEqual({ kind: 'reject' });
  });

  it('knows the terminal statuses', () => {
    expect(ORDER_STATUSES.filter(isTerminal)).toEqual(['DELIVERED', 'CANCELLED']);
  });

  it('appends to the history and records the cancel reason', () => {
    const cancelled = applyTransition(order('PENDING'), 'CANCELLED', '2026-01-01T00:00:05.000Z', 'payment declined');
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.cancel_reason).toBe('payment declined');
    expect(cancelled.updated_at).toBe('2026-01-01T00:00:05.000Z');
    expect(cancelled.status_history).toEqual([
      { status: 'PENDING', at: '2026-01-01T00:00:00.000Z' },
      { status: 'CANCELLED', at: '2026-01-01T00:00:05.000Z', reason: 'payment declined' },
    ]);
  });

  it('walks the whole happy path, one history entry per step', () => {
    let o = order('PENDING');
    for (const [i, s] of (['CONFIRMED', 'SHIPPED', 'DELIVERED'] as const).entries())
      o = applyTransition(o, s, `2026-01-01T00:00:0${i + 1}.000Z`);
    expect(o.status_history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
    expect(o.cancel_reason).toBeUndefined();
  });

  it('refuses to apply a transition that is not allowed', () => {
    expect(() => applyTransition(order('DELIVERED'), 'SHIPPED', '2026-01-01T00:00:00.000Z')).toThrow(/not allowed/);
  });
});
