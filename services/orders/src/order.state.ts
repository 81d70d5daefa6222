// The order state machine: which status may follow which, and the history it leaves. Pure functions.
import type { OrderStatus } from '@globalmart/contracts';
import type { Order } from './order.types.ts';

// The forward chain; CANCELLED sits beside it and only PENDING may reach it (after CONFIRMED the saga is over).
const rank: Record<OrderStatus, number> = { PENDING: 0, CONFIRMED: 1, SHIPPED: 2, DELIVERED: 3, CANCELLED: -1 };

const next: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  // DELIVERED straight from CONFIRMED: the ItemShipped event may arrive late or end in the dead-letter topic.
  CONFIRMED: ['SHIPPED', 'DELIVERED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

export type TransitionDecision =
  | { kind: 'apply' }
  /** Already there, or already further along: a duplicate or late event, never a step backwards. */
  | { kind: 'noop'; why: 'already' | 'behind' }
  /** Not yet possible (SHIPPED while still PENDING): the caller may retry later. */
  | { kind: 'early' }
  /** Never possible (anything after CANCELLED or DELIVERED, cancelling a confirmed order). */
  | { kind: 'reject' };

export function decideTransition(from: OrderStatus, to: OrderStatus): TransitionDecision {
  if (from === to) return { kind: 'noop', why: 'already' };
  if (next[from].includes(to)) return { kind: 'apply' };
  if (from === 'CANCELLED' || to === 'CANCELLED') return { kind: 'reject' };
  return rank[to] < rank[from] ? { kind: 'noop', why: 'behind' } : { kind: 'early' };
}

export function isTerminal(status: OrderStatus): boolean {
  return next[status].length === 0;
}

/** The order after the transition (history appended); throws unless decideTransition said apply. */
export function applyTransition(order: Order, to: OrderStatus, at: string, reason?: string): Order {
  const decision = decideTransition(order.status, to);
  if (decision.kind !== 'apply') throw new Error(`order ${order.order_id}: ${order.status} → ${to} is not allowed (${decision.kind})`);
  return {
    ...order,
    status: to,
    status_history: [...order.status_history, { status: to, at, ...(reason ? { reason } : {}) }],
    ...(to === 'CANCELLED' && reason ? { cancel_reason: reason } : {}),
    updated_at: at,
  };
}
