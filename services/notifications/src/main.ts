// notifications: customer emails through the Dapr SMTP output binding (once per event), and the platform's dead letters.
import { createService } from '@globalmart/platform';
import { notificationsConfig } from './config.ts';
import { identityContacts } from './contacts.ts';
import { deadLetterStore } from './dead-letters.ts';
import { deadLetterRoutes } from './dead-letters.routes.ts';
import { notificationEventRoutes } from './notification.events.ts';
import { notifier } from './notifier.ts';

const svc = await createService({ configShape: notificationsConfig });
const { config, dapr, logger } = svc;
const store = dapr.state('statestore');
const notify = notifier({
  store,
  bindings: dapr.bindings,
  publisher: dapr.publisher,
  contacts: identityContacts(dapr.invoker, config.NOTIFICATIONS_IDENTITY_APP_ID),
  logger,
  from: config.NOTIFICATIONS_FROM,
  claimLeaseMs: config.NOTIFICATIONS_CLAIM_LEASE_MS,
  dedupeTtlSeconds: config.NOTIFICATIONS_DEDUPE_TTL_SECONDS,
});
const deadLetters = deadLetterStore({ store, publisher: dapr.publisher, logger, kept: config.NOTIFICATIONS_DEAD_LETTERS_KEPT });

svc.app.use(notificationEventRoutes(notify, deadLetters, logger), deadLetterRoutes(deadLetters));
await svc.start();
