// Reservation rules as plain functions: no Express, no Dapr. Each state change of a reservation is one of these,
// applied inside an etag CAS loop on `reservation:{order_id}`.
import type { ReservationItem, ReservationStatus } from '@globalmart/contracts';

/** The record (state key `reservation:{order_id}`). Every step is written down, so a retry can finish or undo it. */
export interface ReservationRecord {
  order_id: string;
  status: ReservationStatus;
  items: ReservationItem[];
  /** product_ids whose units are already taken (progress of a `pending` reservation). */
  applied: string[];
  expires_at: string;
  created_at: string;
  updated_at: string;
  /** Why it was released: insufficient_stock, expired, order_cancelled, release_requested. */
  reason?: string;
  /** With reason insufficient_stock: the lines that were short, repeated in a repeat's 409. */
  short?: string[];
}

export type ReleaseReason = 'insufficient_stock' | 'expired' | 'order_cancelled' | 'release_requested';

export function newReservation(orderId: string, items: ReservationItem[], now: Date, ttlSeconds: number): ReservationRecord {
  const at = now.toISOString();
  return {
    order_id: orderId,
    status: 'pending',
    items: items.map(({ product_id, quantity }) => ({ product_id, quantity })),
    applied: [],
    expires_at: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
    created_at: at,
    updated_at: at,
  };
}

const byProduct = (a: ReservationItem, b: ReservationItem) => (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0);

export function sameItems(a: ReservationItem[], b: ReservationItem[]): boolean {
  if (a.length !== b.length) return false;
  const [x, y] = [[...a].sort(byProduct), [...b].sort(byProduct)];
  return x.every((item, i) => item.product_id === y[i]!.product_id && item.quantity === y[i]!.quantity);
}

export const isFinal = (status: ReservationStatus) => status === 'committed' || status === 'released';

/** Pending or reserved past its expiry: the sweep releases it. */
export const isExpired = (r: ReservationRecord, now: Date) => !isFinal(r.status) && Date.parse(r.expires_at) <= now.getTime();

export type RepeatDecision = { kind: 'answer' } | { kind: 'resume' } | { kind: 'mismatch' } | { kind: 'released'; short?: string[] };

/** POST /reservations for an order_id that already has a record: what the repeat gets. */
export function onRepeat(record: ReservationRecord, items: ReservationItem[]): RepeatDecision {
  if (record.status === 'released') return { kind: 'released', ...(record.short ? { short: record.short } : {}) };
  if (!sameItems(record.items, items)) return { kind: 'mismatch' };
  return record.status === 'pending' ? { kind: 'resume' } : { kind: 'answer' };
}

export type Refusal = 'not_found' | 'pending' | 'released' | 'committed';
export type Transition = { kind: 'change'; next: ReservationRecord } | { kind: 'same' } | { kind: 'refused'; why: Refusal };

const moved = (r: ReservationRecord, status: ReservationStatus, now: Date, extra: Partial<ReservationRecord> = {}): Transition => ({
  kind: 'change',
  next: { ...r, ...extra, status, updated_at: now.toISOString() },
});

/**
 * A line's units were taken: record it while the reservation is still pending. Otherwise nothing is written and
 * the caller sees the current status (a concurrent step finished or released it) and reconciles its own take.
 */
export function markApplied(r: ReservationRecord | undefined, productId: string, now: Date): Transition {
  if (!r) return { kind: 'refused', why: 'not_found' };
  if (r.status !== 'pending' || r.applied.includes(productId)) return { kind: 'same' };
  return moved(r, 'pending', now, { applied: [...r.applied, productId] });
}

/** Every line taken: pending → reserved (which also records the last line as applied). */
export function toReserved(r: ReservationRecord | undefined, now: Date): Transition {
  if (!r) return { kind: 'refused', why: 'not_found' };
  if (r.status === 'pending') return moved(r, 'reserved', now, { applied: r.items.map((i) => i.product_id) });
  return r.status === 'released' ? { kind: 'refused', why: 'released' } : { kind: 'same' };
}

/** reserved → committed; a repeat changes nothing; pending, released or unknown cannot be committed. */
export function toCommitted(r: ReservationRecord | undefined, now: Date): Transition {
  if (!r) return { kind: 'refused', why: 'not_found' };
  if (r.status === 'reserved') return moved(r, 'committed', now);
  return r.status === 'committed' ? { kind: 'same' } : { kind: 'refused', why: r.status };
}

/**
 * pending/reserved → released. An unknown order gets a released tombstone, so a reserve that arrives after
 * its own compensation (a slow network, a retry) cannot hold units for an order that is already given up.
 */
export function toReleased(
  r: ReservationRecord | undefined,
  orderId: string,
  reason: ReleaseReason,
  now: Date,
  short?: string[],
): Transition {
  const extra = { reason, ...(short ? { short } : {}) };
  if (!r) return moved({ ...newReservation(orderId, [], now, 0) }, 'released', now, extra);
  if (r.status === 'committed') return { kind: 'refused', why: 'committed' };
  return r.status === 'released' ? { kind: 'same' } : moved(r, 'released', now, extra);
}

/** The public view of a record. */
export const reservationView = (r: ReservationRecord) => ({
  order_id: r.order_id,
  status: r.status,
  items: r.items,
  expires_at: r.expires_at,
});
