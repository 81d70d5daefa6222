// Test wiring: the real inventory modules over the in-memory Dapr fakes, with a clock the test moves.
import { createLogger, loadConfig } from '@globalmart/platform';
import { createMemoryDapr } from '@globalmart/platform/testing';
import { reservationIndex } from '../src/reservation.index.ts';
import { reservationService } from '../src/reservation.service.ts';
import type { CasOptions } from '@globalmart/platform';
import { stockEvents } from '../src/stock.events.ts';
import { stockRepository } from '../src/stock.repository.ts';

export const logger = createLogger(loadConfig({}, { APP_ID: 'inventory', APP_PORT: '0', LOG_LEVEL: 'silent' }));

export function inventoryFixture({ attempts = 200 } = {}) {
  const clock = { ms: Date.parse('2026-01-01T00:00:00Z') };
  const now = () => new Date(clock.ms);
  const dapr = createMemoryDapr(() => clock.ms);
  const store = dapr.state('statestore');
  // A macrotask between attempts lets the other contenders interleave, as they would over the network.
  const cas: CasOptions = { attempts, busyCode: 'INVENTORY.BUSY', sleep: () => new Promise((r) => setImmediate(r)) };
  const stock = stockRepository(store, cas);
  const events = stockEvents(dapr.publisher, logger);
  const index = reservationIndex(store, cas);
  const reservations = reservationService({ store, stock, index, events, cas, defaultTtlSeconds: 900, settleDelayMs: 1_000, logger, now });
  return { clock, now, dapr, store, cas, stock, events, index, reservations };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ status: number; code: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    return err as { status: number; code: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}
