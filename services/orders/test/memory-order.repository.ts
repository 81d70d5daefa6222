// An in-memory OrderRepository for unit tests, with the adapter's semantics (outbox cursor beside the orders).
import { UnknownCursorError, type OrderListQuery, type OrderRepository, type OrderSearch } from '../src/order.repository.ts';
import type { Order } from '../src/order.types.ts';

const copy = <T>(v: T): T => structuredClone(v);

export class MemoryOrderRepository implements OrderRepository {
  readonly orders = new Map<string, Order>();
  writes = 0;

  async insert(order: Order) {
    if (this.orders.has(order.order_id)) return false;
    this.orders.set(order.order_id, copy(order));
    this.writes++;
    return true;
  }

  async get(orderId: string) {
    const order = this.orders.get(orderId);
    return order && copy(order);
  }

  async applyTransition(before: Order, after: Order, entries: Order['outbox']) {
    const stored = this.orders.get(before.order_id)!;
    this.orders.set(before.order_id, { ...copy(after), outbox: [...stored.outbox, ...copy(entries)] });
    this.writes++;
  }

  #newestFirst = (a: Order, b: Order) => b.created_at.localeCompare(a.created_at) || b.order_id.localeCompare(a.order_id);

  async search(q: OrderSearch) {
    const all = [...this.orders.values()].filter((o) => o.customer_id === q.customerId).sort(this.#newestFirst);
    return { data: all.slice((q.page - 1) * q.pageSize, q.page * q.pageSize).map(copy), total: all.length };
  }

  async list(q: OrderListQuery) {
    let all = [...this.orders.values()]
      .filter((o) => !q.status || o.status === q.status)
      .filter((o) => (!q.from || o.created_at >= new Date(q.from).toISOString()) && (!q.to || o.created_at <= new Date(q.to).toISOString()))
      .sort(this.#newestFirst);
    if (q.startingAfter) {
      const after = this.orders.get(q.startingAfter);
      if (!after) throw new UnknownCursorError(q.startingAfter);
      all = all.filter((o) => this.#newestFirst(after, o) < 0);
    }
    return { data: all.slice(0, q.limit).map(copy), hasMore: all.length > q.limit };
  }

  readonly cursors = new Map<string, { from: number; since: string }>();

  async markPending(orderId: string, from: number, at: string) {
    const existing = this.cursors.get(orderId);
    if (existing) return existing.from;
    this.cursors.set(orderId, { from, since: at });
    return from;
  }

  async pendingFrom(orderId: string) {
    return this.cursors.get(orderId)?.from;
  }

  async advancePending(orderId: string, from: number | undefined) {
    if (from === undefined) this.cursors.delete(orderId);
    else this.cursors.set(orderId, { ...this.cursors.get(orderId)!, from });
  }

  async findPending(cutoff: string, limit: number) {
    return [...this.cursors.entries()]
      .filter(([, c]) => c.since <= cutoff)
      .slice(0, limit)
      .map(([id]) => id);
  }
}
