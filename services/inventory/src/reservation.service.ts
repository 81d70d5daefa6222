import { inventoryErrorCodes as codes, type ReservationItem, type ReservationRequest } from '@globalmart/contracts';
import {
  AppError,
  conflict,
  notFound,
  StateConflictError,
  type Logger,
  type StateStore,
  casUpdate,
  createIfAbsent,
  type CasOptions,
} from '@globalmart/platform';
import type { ReservationIndex } from './reservation.index.ts';
import {
  markApplied,
  newReservation,
  onRepeat,
  reservationView,
  toCommitted,
  toReleased,
  toReserved,
  type Refusal,
  type ReleaseReason,
  type ReservationRecord,
  type Transition,
} from './reservation.rules.ts';
import type { StockEvents } from './stock.events.ts';
import type { StockRepository } from './stock.repository.ts';
import type { Stock } from './stock.rules.ts';

export type ReservationView = ReturnType<typeof reservationView>;

export interface ReservationService {
  /** `created` is false for a repeat of an order_id already reserved (the route answers 200, not 201). */
  reserve(request: ReservationRequest): Promise<{ created: boolean; reservation: ReservationView }>;
  commit(orderId: string): Promise<ReservationRecord>;
  release(orderId: string, reason: ReleaseReason): Promise<ReservationRecord>;
  /** Re-applies a final record's stock steps (idempotent): heals a step that crashed or raced a release. */
  settle(record: ReservationRecord): Promise<void>;
}

export interface ReservationDeps {
  store: StateStore;
  stock: StockRepository;
  index: ReservationIndex;
  events: StockEvents;
  cas: CasOptions;
  defaultTtlSeconds: number;
  /** A final reservation is looked at once more after this long (see settle). */
  settleDelayMs: number;
  logger: Logger;
  now?: () => Date;
}

/** Final records are kept this long (replies to late repeats), then the state store drops them. */
const RETENTION_SECONDS = 7 * 24 * 3600;
export const reservationKey = (orderId: string) => `reservation:${orderId}`;

const released = (short?: string[]) =>
  short
    ? conflict(codes.InsufficientStock, `Not enough stock for ${short.join(', ')}.`, { product_ids: short })
    : conflict(codes.ReservationReleased, 'The reservation was released (expired or cancelled); place the order again.');

const refusal: Record<Refusal, () => AppError> = {
  not_found: () => notFound(codes.ReservationNotFound, 'No reservation for this order.'),
  released: () => released(),
  committed: () => conflict(codes.ReservationCommitted, 'The reservation is already committed.'),
  pending: () => conflict(codes.ReservationPending, 'The reservation is not complete yet; repeat POST /reservations.'),
};

export function reservationService(deps: ReservationDeps): ReservationService {
  const { store, stock, index, events, cas, logger, now = () => new Date() } = deps;

  /** One CAS'd step of the record's state machine; `refused` becomes the matching 404/409. */
  async function transition(orderId: string, rule: (r: ReservationRecord | undefined) => Transition) {
    return casUpdate<ReservationRecord, { record: ReservationRecord; changed: boolean }>(
      store,
      reservationKey(orderId),
      (current) => {
        const t = rule(current);
        if (t.kind === 'refused') throw refusal[t.why]();
        if (t.kind === 'same') return { result: { record: current!, changed: false } };
        const ttl = t.next.status === 'released' || t.next.status === 'committed' ? { ttlInSeconds: RETENTION_SECONDS } : {};
        return { next: t.next, result: { record: t.next, changed: true }, ...ttl };
      },
      cas,
    );
  }

  async function putBackAll(orderId: string, items: ReservationItem[]) {
    const changed = await Promise.all(items.map((i) => stock.putBack(i.product_id, orderId)));
    void publish(items, changed);
  }

  async function publish(items: ReservationItem[], changed: (Stock | undefined)[]) {
    const at = now();
    await Promise.all(items.map((item, i) => (changed[i] ? events.changed(item.product_id, changed[i], at) : undefined)));
  }

  async function release(orderId: string, reason: ReleaseReason, short?: string[]) {
    const { record, changed } = await transition(orderId, (r) => toReleased(r, orderId, reason, now(), short));
    // Even on a repeat: the order may still hold units a crashed or racing step left behind.
    await putBackAll(orderId, record.items);
    // One more pass later puts back units a concurrent reserve takes after this one (they hold under this order).
    if (changed && record.items.length > 0) await index.schedule(orderId, now().getTime() + deps.settleDelayMs);
    return record;
  }

  /**
   * Takes each line not yet applied, recording each but the last (the move to `reserved` records that one); on the
   * first short line everything goes back and the answer is 409.
   */
  async function apply(record: ReservationRecord): Promise<ReservationView> {
    const { order_id: orderId, items } = record;
    const taken: (Stock | undefined)[] = items.map(() => undefined);
    for (const [i, line] of items.entries()) {
      if (record.applied.includes(line.product_id)) continue;
      const outcome = await stock.take(line.product_id, orderId, line.quantity);
      if (outcome.kind === 'short') {
        const rest = items.slice(i + 1);
        const levels = await stock.levels(rest.map((l) => l.product_id));
        const short = [line.product_id, ...rest.filter((l, j) => levels[j]!.stock_qty < l.quantity).map((l) => l.product_id)];
        await release(orderId, 'insufficient_stock', short).catch((err: unknown) => {
          // Left pending: the sweep releases it at expiry; the caller still learns that stock is short.
          logger.warn({ err, order_id: orderId }, 'could not release a short reservation at once');
        });
        throw released(short);
      }
      if (outcome.kind === 'taken') taken[i] = outcome.stock;
      if (i === items.length - 1) break;
      record = (await transition(orderId, (r) => markApplied(r, line.product_id, now()))).record;
      if (record.status !== 'pending') return reconcile(record, line, outcome.kind === 'taken');
    }
    const done = await transition(orderId, (r) => toReserved(r, now())).catch(async (err: unknown) => {
      if (err instanceof AppError && err.code === codes.ReservationReleased) await putBackAll(orderId, items);
      throw err;
    });
    const last = items.length - 1;
    if (!done.changed) return reconcile(done.record, items[last]!, taken[last] !== undefined);
    void publish(items, taken); // best effort, off the answer's path
    return reservationView(done.record);
  }

  /**
   * Another step moved the record on while this one was taking `line`. Released: everything goes back. Committed:
   * the commit dropped the holds, so units this step took were taken twice and go back. Reserved: the line was
   * already held (take answered "held"), nothing to undo.
   */
  async function reconcile(current: ReservationRecord, line: ReservationItem, tookUnits: boolean): Promise<ReservationView> {
    if (current.status === 'released') {
      await putBackAll(current.order_id, current.items);
      throw released(current.short);
    }
    if (current.status === 'committed' && tookUnits) await putBackAll(current.order_id, [line]);
    return reservationView(current);
  }

  return {
    async reserve({ order_id: orderId, items, ttl_seconds }) {
      const key = reservationKey(orderId);
      let record = (await store.get<ReservationRecord>(key))?.value;
      let created = false;
      if (!record) {
        const fresh = newReservation(orderId, items, now(), ttl_seconds ?? deps.defaultTtlSeconds);
        // Listed for the sweep before it exists: a record that is not final can always be found and expired.
        await index.schedule(orderId, Date.parse(fresh.expires_at));
        try {
          await createIfAbsent(store, key, fresh);
          [record, created] = [fresh, true];
        } catch (err) {
          if (!(err instanceof StateConflictError)) throw err;
          record = (await store.get<ReservationRecord>(key))!.value; // a concurrent repeat created it first
        }
      }
      const decision = onRepeat(record, items);
      if (decision.kind === 'mismatch') throw conflict(codes.OrderIdReused, 'This order_id was reserved with other items.');
      if (decision.kind === 'released') throw released(decision.short);
      if (decision.kind === 'answer') return { created: false, reservation: reservationView(record) };
      return { created, reservation: await apply(record) };
    },

    async commit(orderId) {
      const { record, changed } = await transition(orderId, (r) => toCommitted(r, now()));
      await Promise.all(record.items.map((i) => stock.commit(i.product_id, orderId)));
      if (changed) await index.schedule(orderId, now().getTime() + deps.settleDelayMs);
      return record;
    },

    release: (orderId, reason) => release(orderId, reason),

    async settle(record) {
      if (record.status === 'committed') await Promise.all(record.items.map((i) => stock.commit(i.product_id, record.order_id)));
      if (record.status === 'released') await putBackAll(record.order_id, record.items);
    },
  };
}
