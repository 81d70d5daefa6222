// The port the orders service stores orders through (the MongoDB-wire adapter is order.repository.mongo.ts).
import type { OrderStatus } from '@globalmart/contracts';
import type { Order, OutboxEntry } from './order.types.ts';

export interface OrderPageResult {
  data: Order[];
  total: number;
}

export interface OrderSearch {
  customerId?: string;
  status?: OrderStatus;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

export interface OrderRepository {
  /** false when an order with that id exists already (a repeated or racing create). */
  insert(order: Order): Promise<boolean>;
  get(orderId: string): Promise<Order | undefined>;
  /** One single-document write: the new status, its history entry, the cancel reason and the outbox entries announcing it. */
  applyTransition(before: Order, after: Order, entries: OutboxEntry[]): Promise<void>;
  search(query: OrderSearch): Promise<OrderPageResult>;

  /*
   * The outbox cursor: a small record per order with unpublished entries, `from` = the first such entry. It is
   * written BEFORE the entries (so no entry is ever pending without one) and removed once they are all published.
   * The relay scans these few records instead of every order.
   */
  /** Records entries from `from` on as pending unless a cursor exists; answers the cursor in force. */
  markPending(orderId: string, from: number, at: string): Promise<number>;
  pendingFrom(orderId: string): Promise<number | undefined>;
  /** Moves the cursor to `from`, or removes it (undefined): everything is published. */
  advancePending(orderId: string, from: number | undefined): Promise<void>;
  /** Orders whose cursor is older than `cutoff`, oldest first. */
  findPending(cutoff: string, limit: number): Promise<string[]>;
}
