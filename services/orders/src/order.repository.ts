// The port the orders service stores orders through (the MongoDB-wire adapter is order.repository.mongo.ts).
import type { OrderStatus } from '@globalmart/contracts';
import type { Order, OutboxEntry } from './order.types.ts';

export interface OrderPageResult {
  data: Order[];
  total: number;
}

/** One customer's orders, newest first, by page (a customer has few orders: all of them are read and sorted). */
export interface OrderSearch {
  customerId: string;
  page: number;
  pageSize: number;
}

/** Every order (the admin list), newest first, by keyset: the `limit` orders after `startingAfter` (an order id). */
export interface OrderListQuery {
  status?: OrderStatus;
  from?: string;
  to?: string;
  /** The last order of the previous page; undefined for the first page. */
  startingAfter?: string;
  limit: number;
}

export interface OrderListResult {
  data: Order[];
  /** Whether orders follow the last one returned (within the filters). */
  hasMore: boolean;
}

export class UnknownCursorError extends Error {
  readonly orderId: string;
  constructor(orderId: string) {
    super(`no order ${orderId} to start after`);
    this.name = 'UnknownCursorError';
    this.orderId = orderId;
  }
}

export interface OrderRepository {
  /** false when an order with that id exists already (a repeated or racing create). */
  insert(order: Order): Promise<boolean>;
  get(orderId: string): Promise<Order | undefined>;
  /** One single-document write: the new status, its history entry, the cancel reason and the outbox entries announcing it. */
  applyTransition(before: Order, after: Order, entries: OutboxEntry[]): Promise<void>;
  search(query: OrderSearch): Promise<OrderPageResult>;
  /** The admin list; throws UnknownCursorError when `startingAfter` names no order. */
  list(query: OrderListQuery): Promise<OrderListResult>;

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
