// orders: orders and their state machine (FerretDB, embedded outbox), the checkout saga (Dapr Workflow).
import { createService, every, loadPiiProtector } from '@globalmart/platform';
import { addressCipher } from './address.crypto.ts';
import { checkoutActivities } from './checkout.activities.ts';
import { CheckoutService } from './checkout.service.ts';
import { ordersConfig } from './config.ts';
import { IdempotencyStore } from './idempotency.store.ts';
import { mongoOrderRepository } from './order.repository.mongo.ts';
import { OrderWriter } from './order.writer.ts';
import { ordersRoutes } from './orders.routes.ts';
import { outboxRelay } from './outbox.relay.ts';
import { shippingSubscriptions } from './shipping.subscriptions.ts';
import { WorkflowHost } from './workflow.host.ts';

const svc = await createService({ configShape: ordersConfig, mongo: true });
const { config, dapr, logger } = svc;
// The PII keyring (pii-encryption-key), read once at start: shipping addresses are encrypted under its active key.
const addresses = addressCipher(await loadPiiProtector((name) => dapr.secrets.get(name)));

const repo = mongoOrderRepository(svc.mongo.connection);
await repo.ensureIndexes();
const writer = new OrderWriter(repo, dapr.publisher, logger);
const workflows = new WorkflowHost({
  sidecar: config,
  budgets: { paymentWaitSeconds: config.ORDER_PAYMENT_WAIT_SECONDS, stepRetrySeconds: config.ORDER_STEP_RETRY_SECONDS },
  activities: checkoutActivities({ invoker: dapr.invoker, repo, writer, logger, addresses }),
  maxConcurrency: config.ORDER_WORKFLOW_CONCURRENCY,
  logger,
});
const idempotency = new IdempotencyStore(dapr.state('statestore'), config.ORDER_IDEMPOTENCY_TTL_SECONDS);
const checkout = new CheckoutService({ invoker: dapr.invoker, idempotency, repo, writer, saga: workflows, logger, addresses });

svc.app.use(shippingSubscriptions(writer, logger));
svc.app.use(ordersRoutes({ checkout, repo, invoker: dapr.invoker, addresses }));
// Ready only once sagas can be started (right after each POST /orders answer).
svc.addReadinessCheck('workflow', async () => workflows.connected);
await svc.start();

// After listening: the sidecar needs the app up before its workflow API answers.
const relay = every(
  'outbox relay',
  config.ORDER_OUTBOX_RELAY_INTERVAL_MS,
  outboxRelay(repo, writer, workflows, logger, { graceMs: config.ORDER_OUTBOX_RELAY_GRACE_MS }),
  logger,
  { runAtStart: true },
);
const shutdown = new AbortController();
svc.onShutdown(async () => {
  shutdown.abort();
  await relay.stop();
  await workflows.stop();
});
// Registered last, so it runs first: events being published after an answer go out before the relay stops.
svc.onShutdown(() => checkout.idle());
await workflows.connect(shutdown.signal);
