// inventory: stock per product and reservations per order in the Dapr state store (etag CAS; never oversells).
import { inventoryErrorCodes } from '@globalmart/contracts';
import { createService } from '@globalmart/platform';
import { inventoryConfig } from './config.ts';
import { startDemoSeed } from './demo.seed.ts';
import { sweepOnce } from './expiry.sweep.ts';
import { inventoryEventRoutes } from './inventory.events.routes.ts';
import { reservationIndex } from './reservation.index.ts';
import { reservationService } from './reservation.service.ts';
import { reservationRoutes } from './reservations.routes.ts';
import { stockEvents } from './stock.events.ts';
import { stockRepository } from './stock.repository.ts';
import { stockRoutes } from './stock.routes.ts';

const svc = await createService({ configShape: inventoryConfig });
const { INVENTORY_SWEEP_MS: sweepMs } = svc.config;
const store = svc.dapr.state('statestore');
const cas = { attempts: svc.config.INVENTORY_CAS_ATTEMPTS, busyCode: inventoryErrorCodes.Busy };
const stock = stockRepository(store, cas);
const events = stockEvents(svc.dapr.publisher, svc.logger);
const index = reservationIndex(store, cas);
const reservations = reservationService({
  store,
  stock,
  index,
  events,
  cas,
  defaultTtlSeconds: svc.config.INVENTORY_RESERVATION_TTL_SECONDS,
  settleDelayMs: Math.max(1_000, 2 * sweepMs),
  logger: svc.logger,
});

// A Dapr job: each sweep runs in one replica of inventory (any replica, another one if it dies), not in every process.
svc.jobs.every('inventory-reservation-expiry', sweepMs, async () => {
  const { expired, settled } = await sweepOnce({ store, index, reservations, logger: svc.logger });
  if (expired > 0) svc.logger.info({ expired, settled }, `released ${expired} expired reservation(s)`);
});
svc.app.use(stockRoutes(stock, events), reservationRoutes(reservations), inventoryEventRoutes(reservations, svc.logger));
await svc.start();
if (svc.config.INVENTORY_SEED === 'demo') svc.onShutdown(startDemoSeed({ invoker: svc.dapr.invoker, stock, logger: svc.logger }));
