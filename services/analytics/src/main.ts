// analytics: the fan-out consumer of every topic. Events are stored as facts (deduped by CloudEvent id) in MongoDB
// (FerretDB locally) and applied incrementally to hour/day buckets and per-order views; admins read reports.
import { KeyedLock, createService } from '@globalmart/platform';
import { ROLLUP_JOB, analyticsEventRoutes } from './analytics.events.routes.ts';
import { analyticsModels, initModels } from './analytics.model.ts';
import { mongoAnalyticsRepository } from './analytics.repository.ts';
import { analyticsService } from './analytics.service.ts';
import { analyticsConfig } from './config.ts';
import { reportsRoutes } from './reports.routes.ts';

const svc = await createService({ configShape: analyticsConfig, mongo: true });
const models = analyticsModels(svc.mongo.connection);
await initModels(models); // the indexes before the first event or rollup
const analytics = analyticsService({
  repo: mongoAnalyticsRepository(models),
  logger: svc.logger,
  currency: svc.config.ANALYTICS_CURRENCY,
  pendingGraceMs: svc.config.ANALYTICS_PENDING_GRACE_MS,
  // One writer per read-model document across replicas (lockstore, lock.redis): a write is one read and one replace.
  lock: new KeyedLock(svc.dapr.locks(), { leaseSeconds: 30, busyCode: 'ANALYTICS.BUSY', logger: svc.logger }),
});

// Recovery before the first delivery: facts a previous process stored but did not finish are applied now, while
// their ids are surely still among the newest each read model keeps (analytics.service.ts).
const recovered = await analytics.rollup({ minAgeMs: 0 });
svc.logger.info(recovered, `analytics recovery: ${recovered.applied} pending facts applied`);

// Housekeeping: the Dapr job `analytics-rollup` (every 5 s), run by one replica per tick, never by every process.
svc.jobs.every(ROLLUP_JOB, svc.config.ANALYTICS_ROLLUP_INTERVAL_MS, async () => {
  const done = await analytics.rollup();
  const level = done.applied + done.cleared > 0 ? 'info' : 'debug';
  svc.logger[level](done, `analytics rollup: ${done.applied} pending facts applied, ${done.cleared} markers cleared`);
});
svc.onShutdown(() => analytics.idle());

svc.app.use(analyticsEventRoutes(analytics, svc.logger), reportsRoutes(analytics));
await svc.start();
