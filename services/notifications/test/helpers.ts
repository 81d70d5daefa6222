import request from 'supertest';
import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { createMemoryDapr } from '@globalmart/platform/testing';
import { identityContacts } from '../src/contacts.ts';
import { deadLetterStore } from '../src/dead-letters.ts';
import { deadLetterRoutes } from '../src/dead-letters.routes.ts';
import { notificationEventRoutes } from '../src/notification.events.ts';
import { notifier } from '../src/notifier.ts';

export const logger = createLogger(loadConfig({}, { APP_ID: 'notifications', APP_PORT: '0', LOG_LEVEL: 'silent' }));
export const customer = { user_id: 'usr_0123456789abcdef01234567', email: 'ada@example.com', name: 'Ada <Lovelace> & "Co"' };
export const orderId = `ord_${'b'.repeat(32)}`;
export const at = '2026-11-22T10:00:00.000Z';

/** The service wired as main.ts wires it, on the in-memory Dapr fakes, with a clock the test moves. */
export function notificationsApp({ kept = 1000 } = {}) {
  const clock = { now: Date.parse(at) };
  const now = () => clock.now;
  const dapr = createMemoryDapr(now);
  dapr.invoker.on('identity', `contacts/${customer.user_id}`, () => ({ body: customer }), 'GET');
  const store = dapr.state('statestore');
  const notify = notifier({
    store,
    bindings: dapr.bindings,
    publisher: dapr.publisher,
    contacts: identityContacts(dapr.invoker, 'identity'),
    logger,
    claimLeaseMs: 30_000,
    dedupeTtlSeconds: 3600,
    now,
  });
  const deadLetters = deadLetterStore({ store, publisher: dapr.publisher, logger, kept, now });
  const app = createApp({ config: {}, logger });
  app.use(notificationEventRoutes(notify, deadLetters, logger), deadLetterRoutes(deadLetters));
  return { dapr, store, clock, http: request(finalizeApp(app, logger)) };
}

export const admin = { 'dapr-caller-app-id': 'gateway', 'x-user-id': 'usr_admin', 'x-user-role': 'admin' };

/** A CloudEvent as Dapr delivers it to a subscriber. */
export const cloudEvent = (id: string, type: string, data: unknown, topic = 'orders') => ({
  specversion: '1.0',
  id,
  type,
  source: 'test',
  topic,
  pubsubname: 'pubsub',
  datacontenttype: 'application/json',
  data,
});
