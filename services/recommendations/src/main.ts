// recommendations: co-purchase, content similarity and popularity, answered from memory; counts learned from
// OrderConfirmed and ProductViewed, persisted in the Dapr state store (see learner.ts for keys, idempotency, replicas).
import { createService, every } from '@globalmart/platform';
import { catalogSync } from './catalog.sync.ts';
import { recommendationsConfig } from './config.ts';
import { createLearner } from './learner.ts';
import { Model } from './model.ts';
import { recommendationsEventRoutes, recommendationsRoutes } from './recommendations.routes.ts';

const svc = await createService({ configShape: recommendationsConfig });
const { config, logger } = svc;
const model = new Model();
const learner = createLearner({
  store: svc.dapr.state('statestore'),
  model,
  cas: { attempts: config.RECS_CAS_ATTEMPTS, busyCode: 'RECOMMENDATIONS.BUSY' },
  logger,
  eventMemorySeconds: config.RECS_EVENT_MEMORY_SECONDS,
  userCacheMs: config.RECS_USER_CACHE_MS,
});
const catalog = catalogSync(svc.dapr.invoker, model, logger);

svc.app.use(recommendationsRoutes(model, learner), recommendationsEventRoutes(learner, catalog, logger));
// Ready once what was learned before this start is in memory; catalog's absence only narrows the answers.
svc.addReadinessCheck('model', () => learner.loaded());
await svc.start();

const reload = every('recommendation counts reload', config.RECS_RELOAD_MS, () => learner.reload(), logger, { runAtStart: true });
const catalogLoad = every('catalog load', config.RECS_CATALOG_RETRY_MS, () => catalog.loadAll(), logger, { runAtStart: true });
svc.onShutdown(() => reload.stop());
svc.onShutdown(() => catalogLoad.stop());
