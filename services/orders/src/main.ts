// orders: orders and their state machine (FerretDB, embedded outbox), the checkout saga (Dapr Workflow).
import { KeyedLock, createService, loadPiiProtector } from '@globalmart/platform';
import { addressCipher } from './address.crypto.ts';
import { checkoutActivities } from './checkout.activities.ts';
import { CheckoutService } from './checkout.service.ts';
import { ordersConfig } from './config.ts';
import { IdempotencyStore, assertAtomicClaims } from './idempotency.store.ts';
import { mongoOrderRepository } from './order.repository.mongo.ts';
import { OrderWriter } from './order.writer.ts';
import { ordersRoutes } from './orders.routes.ts';
import { outboxRelay } from './outbox.relay.ts';
import { shippingSubscriptions } from './shipping.subscriptions.ts';
import { WorkflowHost, observeSagaStep } from './workflow.host.ts';

const svc = await createService({ configShape: ordersConfig, mongo: true });
const { config, dapr, logger } = svc;
// Idempotency-Key claims are atomic only on some state stores: refuse to run on any other (issue 8).
try {
  const type = await assertAtomicClaims(dapr.metadata, 'statestore');
  logger.info({ store: 'statestore', type }, 'idempotency claims: atomic on this state store');
} catch (err) {
  logger.fatal({ err }, `refusing to start: ${(err as Error).message}`);
  process.exit(1);
}
// The PII keyring (pii-encryption-key), read once at start: shipping addresses are encrypted under its active key.
const addresses = addressCipher(await loadPiiProtector((name) => dapr.secrets.get(name)));

const repo = mongoOrderRepository(svc.mongo.connection);
await repo.ensureIndexes();
// One writer per order across replicas: every write of an order document holds its lock (lockstore, lock.redis).
const orderLock = new KeyedLock(dapr.locks(), {
  leaseSeconds: config.ORDER_LOCK_LEASE_SECONDS,
  busyCode: 'ORDER.BUSY',
  prefix: 'order-',
  logger,
});
const writer = new OrderWriter(repo, dapr.publisher, logger, undefined, orderLock);
const workflows = new WorkflowHost({
  sidecar: config,
  budgets: { paymentWaitSeconds: config.ORDER_PAYMENT_WAIT_SECONDS, stepRetrySeconds: config.ORDER_STEP_RETRY_SECONDS },
  activities: checkoutActivities({ invoker: dapr.invoker, repo, writer, logger, addresses, observeStep: observeSagaStep }),
  maxConcurrency: config.ORDER_WORKFLOW_CONCURRENCY,
  logger,
});
const idempotency = new IdempotencyStore(dapr.state('statestore'), config.ORDER_IDEMPOTENCY_TTL_SECONDS);
const checkout = new CheckoutService({ invoker: dapr.invoker, idempotency, repo, writer, saga: workflows, logger, addresses });

// The outbox relay: a Dapr job, so one replica per run across the app-id (not one relay per process).
svc.jobs.every(
  'orders-outbox-relay',
  config.ORDER_OUTBOX_RELAY_INTERVAL_MS,
  outboxRelay(repo, writer, workflows, logger, { graceMs: config.ORDER_OUTBOX_RELAY_GRACE_MS }),
);
svc.app.use(shippingSubscriptions(writer, logger));
svc.app.use(ordersRoutes({ checkout, repo, invoker: dapr.invoker, addresses }));
// Ready only once sagas can be started (right after each POST /orders answer).
svc.addReadinessCheck('workflow', async () => workflows.connected);
await svc.start();

const shutdown = new AbortController();
svc.onShutdown(async () => {
  shutdown.abort();
  await workflows.stop();
});
// Registered last, so it runs first: events being published after an answer go out before the relay stops.
svc.onShutdown(() => checkout.idle());
await workflows.connect(shutdown.signal);
