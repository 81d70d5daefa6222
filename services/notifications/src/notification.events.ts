import { identityEventTypes, ordersEventTypes, type ContactDetails, type NotificationKind } from '@globalmart/contracts';
import { Subscriptions, type EventMeta, type Logger } from '@globalmart/platform';
import type { Router } from 'express';
import type { DeadLetterStore } from './dead-letters.ts';
import {
  orderCancelledEmail,
  orderConfirmedEmail,
  orderDeliveredEmail,
  orderShippedEmail,
  welcomeEmail,
  type Email,
} from './email.templates.ts';
import type { Notifier } from './notifier.ts';

/** The events that email a customer (topic and schema from the catalogue), and every topic's dead letters. */
export function notificationEventRoutes(notify: Notifier, deadLetters: DeadLetterStore, logger: Logger): Router {
  /** An order event's email: to its customer, deduplicated by the event's CloudEvent id. */
  const orderEmail =
    <E extends { customer_id: string; order_id: string }>(kind: NotificationKind, render: (contact: ContactDetails, event: E) => Email) =>
    (event: E, meta: EventMeta) =>
      notify({ kind, sourceEventId: meta.id, customerId: event.customer_id, orderId: event.order_id, render: (c) => render(c, event) });

  return new Subscriptions(logger)
    .on(identityEventTypes.CustomerRegistered, (e, meta) =>
      notify({ kind: 'welcome', sourceEventId: meta.id, customerId: e.customer_id, render: (c) => welcomeEmail(c, e) }),
    )
    .on(ordersEventTypes.OrderConfirmed, orderEmail('order-confirmed', orderConfirmedEmail))
    .on(ordersEventTypes.OrderCancelled, orderEmail('order-cancelled', orderCancelledEmail))
    .on(ordersEventTypes.OrderShipped, orderEmail('order-shipped', orderShippedEmail))
    .on(ordersEventTypes.OrderDelivered, orderEmail('order-delivered', orderDeliveredEmail))
    .deadLetters((event) => deadLetters.receive(event))
    .router();
}
