import type { Logger, StateStore } from '@globalmart/platform';
import type { ReservationIndex } from './reservation.index.ts';
import { isExpired, isFinal, type ReservationRecord } from './reservation.rules.ts';
import { reservationKey, type ReservationService } from './reservation.service.ts';

export interface SweepResult {
  expired: number;
  settled: number;
}

/**
 * One pass over the index entries that are due: expire reservations past `expires_at` that were never committed,
 * re-apply the stock steps of final ones once (heals a crash between a status change and its stock steps), and
 * drop them from the index. Runs as the Dapr job `inventory-reservation-expiry` (main.ts), one replica per run; every
 * step is a CAS on the state store and idempotent anyway, so a run overlapping a request in another replica is safe.
 */
export async function sweepOnce(
  deps: { store: StateStore; index: ReservationIndex; reservations: ReservationService; logger: Logger },
  now: Date = new Date(),
): Promise<SweepResult> {
  const result: SweepResult = { expired: 0, settled: 0 };
  for (const orderId of await deps.index.due(now.getTime())) {
    try {
      const record = (await deps.store.get<ReservationRecord>(reservationKey(orderId)))?.value;
      if (record && isExpired(record, now)) {
        await deps.reservations.release(orderId, 'expired');
        result.expired++;
      } else if (record && !isFinal(record.status)) {
        await deps.index.schedule(orderId, Date.parse(record.expires_at)); // extended or early: look again later
      } else {
        if (record) await deps.reservations.settle(record);
        await deps.index.remove(orderId);
        result.settled++;
      }
    } catch (err) {
      // Committed meanwhile (a 409), or the store hiccuped: the entry stays listed for the next pass.
      deps.logger.warn({ err, order_id: orderId }, 'reservation sweep step failed');
    }
  }
  return result;
}
