import { describe, expect, it } from 'vitest';
import { identityEventTypes, NotificationSent, notificationsEventTypes, ordersEventTypes } from '@globalmart/contracts';
import { BindingError, PublishError } from '@globalmart/platform';
import { notificationKey } from '../src/notifier.ts';
import { at, cloudEvent, customer, notificationsApp, orderId } from './helpers.ts';

const confirmed = {
  order_id: orderId,
  customer_id: customer.user_id,
  items: [{ product_id: 'prd_000001', quantity: 2, unit_price: 19.99, currency: 'USD' }],
  total: 39.98,
  currency: 'USD',
  occurred_at: at,
};
const confirmedEvent = cloudEvent(`${orderId}:confirmed`, ordersEventTypes.OrderConfirmed, confirmed);

describe('notifications on events', () => {
  it('emails the customer through the email binding, then publishes NotificationSent with id notification:<event id>', async () => {
    const { http, dapr } = notificationsApp();
    const registered = cloudEvent(`${customer.user_id}:registered`, identityEventTypes.CustomerRegistered, {
      customer_id: customer.user_id,
      occurred_at: at,
    });
    expect((await http.post('/events/customer-registered').send(registered)).body).toEqual({ status: 'SUCCESS' });
    expect(dapr.bindings.sent).toHaveLength(1);
    expect(dapr.bindings.sent[0]).toMatchObject({
      name: 'email',
      operation: 'create',
      metadata: { emailTo: customer.email, subject: 'Welcome to GlobalMart' },
    });
    expect(String(dapr.bindings.sent[0]?.data)).toContain('Hello Ada &lt;Lovelace&gt;');
    const [sent] = dapr.publisher.ofType(notificationsEventTypes.NotificationSent);
    expect(sent).toMatchObject({ topic: 'notifications', id: `notification:${customer.user_id}:registered` });
    expect(NotificationSent.parse(sent?.data)).toEqual({
      notification_id: `notification:${customer.user_id}:registered`,
      kind: 'welcome',
      channel: 'email',
      customer_id: customer.user_id,
      source_event_id: `${customer.user_id}:registered`,
      occurred_at: at,
    });
    expect(dapr.invoker.calls.map((c) => [c.appId, c.method])).toEqual([['identity', `contacts/${customer.user_id}`]]);
  });

  it('the same event delivered twice sends one email (NotificationSent again, same id, for consumers to dedupe)', async () => {
    const { http, dapr } = notificationsApp();
    for (let i = 0; i < 2; i++)
      expect((await http.post('/events/order-confirmed').send(confirmedEvent)).body).toEqual({ status: 'SUCCESS' });
    expect(dapr.bindings.sent).toHaveLength(1);
    expect(dapr.bindings.sent[0]?.metadata.subject).toContain(orderId);
    const sent = dapr.publisher.ofType(notificationsEventTypes.NotificationSent);
    expect(sent.map((e) => e.id)).toEqual([`notification:${orderId}:confirmed`, `notification:${orderId}:confirmed`]);
    expect(sent[0]?.data).toMatchObject({ kind: 'order-confirmed', order_id: orderId });
    // A different event (another id) is another email.
    await http.post('/events/order-cancelled').send(
      cloudEvent(`${orderId}:cancelled`, ordersEventTypes.OrderCancelled, {
        order_id: orderId,
        customer_id: customer.user_id,
        reason: 'payment declined',
        occurred_at: at,
      }),
    );
    expect(dapr.bindings.sent).toHaveLength(2);
  });

  it('a failed send answers RETRY (Dapr redelivers per its policy); the redelivery sends it once', async () => {
    const { http, dapr, store } = notificationsApp();
    let smtpDown = true;
    dapr.bindings.on('email', () => {
      if (smtpDown) throw new BindingError('email', 'create', 500, { message: 'dial tcp: connection refused' });
    });
    expect((await http.post('/events/order-confirmed').send(confirmedEvent)).body).toEqual({ status: 'RETRY' });
    expect(dapr.bindings.sent).toHaveLength(0);
    expect(dapr.publisher.published).toHaveLength(0);
    smtpDown = false;
    expect((await http.post('/events/order-confirmed').send(confirmedEvent)).body).toEqual({ status: 'SUCCESS' });
    expect(dapr.bindings.sent).toHaveLength(1);
    expect(dapr.bindings.attempts).toBe(2);
    expect((await store.get<{ status: string }>(notificationKey(`${orderId}:confirmed`)))?.value.status).toBe('sent');
  });

  it('a fresh `sending` claim (a delivery in flight) answers RETRY; one left by a crash is sent once the lease ran out', async () => {
    const { http, dapr, clock, store } = notificationsApp();
    const key = notificationKey(`${orderId}:confirmed`);
    await store.save(key, { status: 'sending', kind: 'order-confirmed', customer_id: customer.user_id, claimed_at: at });
    expect((await http.post('/events/order-confirmed').send(confirmedEvent)).body).toEqual({ status: 'RETRY' });
    expect(dapr.bindings.attempts).toBe(0);
    clock.now += 31_000;
    expect((await http.post('/events/order-confirmed').send(confirmedEvent)).body).toEqual({ status: 'SUCCESS' });
    expect(dapr.bindings.sent).toHaveLength(1);
    expect((await store.get<{ status: string }>(key))?.value.status).toBe('sent');
  });

  it('NotificationSent failing after the send: RETRY, and the redelivery publishes without sending again', async () => {
    const { http, dapr } = notificationsApp();
    const publish = dapr.publisher.publish.bind(dapr.publisher);
    let brokerDown = true;
    dapr.publisher.publish = async (...args) => {
      if (brokerDown) throw new PublishError('notifications', args[1], 500);
      return publish(...args);
    };
    expect((await http.post('/events/order-confirmed').send(confirmedEvent)).body).toEqual({ status: 'RETRY' });
    brokerDown = false;
    expect((await http.post('/events/order-confirmed').send(confirmedEvent)).body).toEqual({ status: 'SUCCESS' });
    expect(dapr.bindings.sent).toHaveLength(1);
    expect(dapr.publisher.ofType(notificationsEventTypes.NotificationSent)).toHaveLength(1);
  });

  it('a customer identity does not know is permanent: DROP (to the dead-letter topic), nothing sent or claimed', async () => {
    const { http, dapr, store } = notificationsApp();
    const ghost = 'usr_ffffffffffffffffffffffff';
    dapr.invoker.on('identity', `contacts/${ghost}`, () => ({ status: 404, body: { code: 'IDENTITY.USER_NOT_FOUND' } }));
    const event = cloudEvent('ghost:confirmed', ordersEventTypes.OrderConfirmed, { ...confirmed, customer_id: ghost });
    expect((await http.post('/events/order-confirmed').send(event)).body).toEqual({ status: 'DROP' });
    expect(dapr.bindings.attempts).toBe(0);
    expect(await store.get(notificationKey('ghost:confirmed'))).toBeUndefined();
    // identity itself failing is not permanent: RETRY.
    dapr.invoker.on('identity', `contacts/${ghost}`, () => ({ status: 503, body: {} }));
    expect((await http.post('/events/order-confirmed').send(event)).body).toEqual({ status: 'RETRY' });
  });

  it('shipped and delivered emails carry the carrier, tracking number and order id', async () => {
    const { http, dapr } = notificationsApp();
    const base = { order_id: orderId, customer_id: customer.user_id, shipment_id: 'shp_1', occurred_at: at };
    await http
      .post('/events/order-shipped')
      .send(cloudEvent(`${orderId}:shipped`, ordersEventTypes.OrderShipped, { ...base, carrier: 'SimPost', tracking_number: 'SP123' }));
    await http.post('/events/order-delivered').send(cloudEvent(`${orderId}:delivered`, ordersEventTypes.OrderDelivered, base));
    expect(dapr.bindings.sent.map((c) => c.metadata.subject)).toEqual([
      `Your GlobalMart order ${orderId} has shipped`,
      `Your GlobalMart order ${orderId} was delivered`,
    ]);
    expect(String(dapr.bindings.sent[0]?.data)).toContain('SP123');
  });
});
