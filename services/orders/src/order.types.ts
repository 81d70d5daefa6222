// The order as the orders service keeps it: money in minor units, timestamps as ISO strings (JSON-safe, so the
// same object travels through the idempotency record, the workflow input and the document store).
import type { OrderStatus } from '@globalmart/contracts';
import type { SealedAddress } from './address.crypto.ts';

export interface OrderItem {
  product_id: string;
  name: string;
  quantity: number;
  unit_price_minor: number;
  line_total_minor: number;
}

export interface StatusChange {
  status: OrderStatus;
  at: string;
  reason?: string;
}

/**
 * One event announcing a state change, written in the same document write as the change itself. Entries are never
 * modified; which of them still wait to be published is the outbox cursor's business (order.repository.ts).
 */
export interface OutboxEntry {
  /** The CloudEvent id, `${order_id}:<event>`: a republish after a crash dedupes at the consumers. */
  id: string;
  topic: string;
  type: string;
  data: Record<string, unknown>;
  at: string;
}

export interface Order {
  order_id: string;
  customer_id: string;
  status: OrderStatus;
  items: OrderItem[];
  currency: string;
  total_minor: number;
  /** Encrypted from the draft on (address.crypto.ts): no store ever holds it in clear. */
  shipping_address: SealedAddress;
  payment_method: string;
  status_history: StatusChange[];
  cancel_reason?: string;
  created_at: string;
  updated_at: string;
  outbox: OutboxEntry[];
}
