import { describe, expect, it } from 'vitest';
import {
  isExpired,
  markApplied,
  newReservation,
  onRepeat,
  sameItems,
  toCommitted,
  toReleased,
  toReserved,
  type ReservationRecord,
} from '../src/reservation.rules.ts';

const now = new Date('2026-01-01T00:00:00Z');
const items = [
  { product_id: 'prd_000001', quantity: 2 },
  { product_id: 'prd_000002', quantity: 1 },
];
const rec = (status: ReservationRecord['status'], extra: Partial<ReservationRecord> = {}): ReservationRecord => ({
  ...newReservation('o1', items, now, 60),
  status,
  ...extra,
});

describe('reservation rules', () => {
  it('a new reservation is pending, nothing applied, expiring after its ttl', () => {
    const r = newReservation('o1', items, now, 60);
    expect(r).toMatchObject({ status: 'pending', applied: [], expires_at: '2026-01-01T00:01:00.000Z' });
  });

  it('compares items regardless of line order', () => {
    expect(sameItems(items, [...items].reverse())).toBe(true);
    expect(sameItems(items, [items[0]!, { product_id: 'prd_000002', quantity: 3 }])).toBe(false);
    expect(sameItems(items, [items[0]!])).toBe(false);
  });

  it('decides what a repeat of the same order_id gets', () => {
    expect(onRepeat(rec('reserved'), items)).toEqual({ kind: 'answer' });
    expect(onRepeat(rec('committed'), items)).toEqual({ kind: 'answer' });
    expect(onRepeat(rec('pending'), items)).toEqual({ kind: 'resume' });
    expect(onRepeat(rec('reserved'), [items[0]!])).toEqual({ kind: 'mismatch' });
    expect(onRepeat(rec('released', { short: ['prd_000002'] }), items)).toEqual({ kind: 'released', short: ['prd_000002'] });
    expect(onRepeat(rec('released'), [])).toEqual({ kind: 'released' });
  });

  it('records applied lines only while pending', () => {
    const step = markApplied(rec('pending'), 'prd_000001', now);
    expect(step).toMatchObject({ kind: 'change', next: { applied: ['prd_000001'], status: 'pending' } });
    expect(markApplied(rec('pending', { applied: ['prd_000001'] }), 'prd_000001', now)).toEqual({ kind: 'same' });
    expect(markApplied(rec('released'), 'prd_000001', now)).toEqual({ kind: 'same' });
    expect(markApplied(undefined, 'prd_000001', now)).toEqual({ kind: 'refused', why: 'not_found' });
  });

  it('moves pending → reserved → committed, idempotently, and refuses the rest', () => {
    expect(toReserved(rec('pending'), now)).toMatchObject({
      kind: 'change',
      next: { status: 'reserved', applied: ['prd_000001', 'prd_000002'] },
    });
    expect(toReserved(rec('reserved'), now)).toEqual({ kind: 'same' });
    expect(toReserved(rec('released'), now)).toEqual({ kind: 'refused', why: 'released' });
    expect(toCommitted(rec('reserved'), now)).toMatchObject({ kind: 'change', next: { status: 'committed' } });
    expect(toCommitted(rec('committed'), now)).toEqual({ kind: 'same' });
    expect(toCommitted(rec('pending'), now)).toEqual({ kind: 'refused', why: 'pending' });
    expect(toCommitted(rec('released'), now)).toEqual({ kind: 'refused', why: 'released' });
    expect(toCommitted(undefined, now)).toEqual({ kind: 'refused', why: 'not_found' });
  });

  it('releases pending or reserved, repeats quietly, refuses committed, and tombstones an unknown order', () => {
    expect(toReleased(rec('reserved'), 'o1', 'expired', now)).toMatchObject({
      kind: 'change',
      next: { status: 'released', reason: 'expired' },
    });
    expect(toReleased(rec('pending'), 'o1', 'insufficient_stock', now, ['prd_000002'])).toMatchObject({
      next: { status: 'released', short: ['prd_000002'] },
    });
    expect(toReleased(rec('released'), 'o1', 'expired', now)).toEqual({ kind: 'same' });
    expect(toReleased(rec('committed'), 'o1', 'expired', now)).toEqual({ kind: 'refused', why: 'committed' });
    expect(toReleased(undefined, 'o9', 'release_requested', now)).toMatchObject({
      kind: 'change',
      next: { order_id: 'o9', status: 'released', items: [], reason: 'release_requested' },
    });
  });

  it('expires only open reservations past expires_at', () => {
    const later = new Date(now.getTime() + 61_000);
    expect(isExpired(rec('reserved'), later)).toBe(true);
    expect(isExpired(rec('pending'), later)).toBe(true);
    expect(isExpired(rec('reserved'), now)).toBe(false);
    expect(isExpired(rec('committed'), later)).toBe(false);
  });
});
