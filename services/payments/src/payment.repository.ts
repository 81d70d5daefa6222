// Payment records in the Dapr state store (`payment:{order_id}`), changed only by ETag compare-and-swap.
import { StateConflictError, type StateStore } from '@globalmart/platform';
import type { PaymentRecord } from './payment.rules.ts';

/** What a decide function returns: the record to write (if any) and the result to hand back. */
export interface Change<R> {
  next?: PaymentRecord;
  result: R;
}

export interface PaymentRepository {
  get(orderId: string): Promise<PaymentRecord | undefined>;
  /**
   * Reads the record, lets `decide` compute the change, and writes it only if nobody wrote in between (ETag);
   * on a conflict it re-reads and decides again. `decide` must be pure: it may run more than once.
   */
  change<R>(
    orderId: string,
    decide: (current: PaymentRecord | undefined) => Change<R>,
  ): Promise<{ record: PaymentRecord | undefined; result: R }>;
}

const MAX_ATTEMPTS = 8;
export const paymentKey = (orderId: string) => `payment:${orderId}`;

export function stateStorePaymentRepository(store: StateStore): PaymentRepository {
  return {
    async get(orderId) {
      return (await store.get<PaymentRecord>(paymentKey(orderId)))?.value;
    },
    async change(orderId, decide) {
      const key = paymentKey(orderId);
      for (let attempt = 1; ; attempt++) {
        const entry = await store.get<PaymentRecord>(key);
        const { next, result } = decide(entry?.value);
        if (!next) return { record: entry?.value, result };
        try {
          // A first write has no etag to check: two creators racing both write `pending`, which is harmless because
          // the PSP dedupes on the idempotency key; every later write is a CAS.
          await store.save(key, next, entry ? { etag: entry.etag } : {});
          return { record: next, result };
        } catch (err) {
          if (!(err instanceof StateConflictError) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    },
  };
}
