// analytics: the fan-out consumer of every topic. Events are stored as facts (deduped by CloudEvent id) in MongoDB
// (FerretDB locally) and applied incrementally to hour/day buckets and per-order views; admins read reports.
import { createService, every } from '@globalmart/platform';
import { analyticsEventRoutes } from './analytics.events.routes.ts';
import { analyticsModels, initModels } from './analytics.model.ts';
import { mongoAnalyticsRepository } from './analytics.repository.ts';
import { analyticsService } from './analytics.service.ts';
import { analyticsConfig } from './config.ts';
import { reportsRoutes } from './reports.routes.ts';

// The cron binding triggers a rollup every few seconds: one info line each would drown the log.
const svc = await createService({ configShape: analyticsConfig, mongo: true, quietPaths: ['/analytics-rollup'] });
const models = analyticsModels(svc.mongo.connection);
await initModels(models); // the indexes before the first event or rollup
const analytics = analyticsService({
  repo: mongoAnalyticsRepository(models),
  logger: svc.logger,
  currency: svc.config.ANALYTICS_CURRENCY,
  pendingGraceMs: svc.config.ANALYTICS_PENDING_GRACE_MS,
});

// Recovery before the first delivery: facts a previous process stored but did not finish are applied now, while
// their ids are surely still among the newest each read model keeps (analytics.service.ts).
const recovered = await analytics.rollup({ minAgeMs: 0 });
svc.logger.info(recovered, `analytics recovery: ${recovered.applied} pending facts applied`);

// Housekeeping: triggered by the cron binding (POST /analytics-rollup, every 5 s) and by its own slower timer as a fallback;
// every() never runs two at once (a trigger during a run joins it).
const rollup = every(
  'analytics rollup',
  svc.config.ANALYTICS_ROLLUP_FALLBACK_MS,
  async () => {
    const done = await analytics.rollup();
    const level = done.applied + done.cleared > 0 ? 'info' : 'debug';
    svc.logger[level](done, `analytics rollup: ${done.applied} pending facts applied, ${done.cleared} markers cleared`);
  },
  svc.logger,
);
svc.onShutdown(() => analytics.idle());
svc.onShutdown(() => rollup.stop());

svc.app.use(analyticsEventRoutes(analytics, rollup, svc.logger), reportsRoutes(analytics));
await svc.start();
