// notifications through real sidecars: emails through the Dapr SMTP binding into MailDev, contact details from
// identity by service invocation, once per CloudEvent id (Dapr state), and every topic's dead letters, replayable.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetter, DeadLetterList, ordersEventTypes } from '@globalmart/contracts';
import { publishRaw } from '../harness/events.ts';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ apps: ['identity', 'notifications'], maildev: true });
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

const slow = { timeout: 45_000, interval: 500 };
const admin = { 'x-user-id': 'usr_admin', 'x-user-role': 'admin' };

/**
 * Through Dapr from the gateway's sidecar (a bare one: the gateway is not running here), as the public API's sign-up
 * and admin routes call identity and notifications; x-user-* are believed only from the gateway.
 */
const invoke = (appId: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  platform.invoke('gateway', appId, method, path, body, headers);

/**
 * A full CloudEvent through the publish API of a sidecar the scopes let publish to the topic (orders' for `orders`):
 * Dapr keeps our id and type (a redelivery, as far as consumers know).
 */
async function publishCloudEvent(topic: string, id: string, type: string, data: unknown) {
  await publishRaw(platform, topic, type, data, id);
}

interface Mail {
  subject: string;
  to: { address: string }[];
  html: string;
}
const mailTo = async (address: string): Promise<Mail[]> => {
  const all = (await (await fetch(`${platform.infra.maildevUrl}/email`)).json()) as Mail[];
  return all.filter((m) => m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()));
};
const subjects = async (address: string) => (await mailTo(address)).map((m) => m.subject).sort();

const deadLetters = async (query = 'status=all') =>
  DeadLetterList.parse((await invoke('notifications', 'GET', `dead-letters?${query}`, undefined, admin)).body);
const deadLetterOf = async (eventId: string) => (await deadLetters()).items.find((d) => d.event_id === eventId);

const email = `grace.${Date.now()}@example.com`;
let customerId = '';
const orderId = `ord_${randomBytes(16).toString('hex')}`;
const order = (customer: string) => ({
  order_id: orderId,
  customer_id: customer,
  items: [
    { product_id: 'prd_000001', quantity: 2, unit_price: 12.5, currency: 'USD' },
    { product_id: 'prd_000002', quantity: 1, unit_price: 3, currency: 'USD' },
  ],
  total: 28,
  currency: 'USD',
  occurred_at: new Date().toISOString(),
});

describe('notifications through Dapr', () => {
  it('a customer who signs up gets exactly one welcome email, addressed from identity’s contact details', async () => {
    const created = await invoke('identity', 'POST', 'users', { email, password: 'Correct-Horse-9', name: 'Grace <Hopper>' });
    expect(created.status).toBe(201);
    customerId = created.body.user_id;
    await expect.poll(() => subjects(email), slow).toEqual(['Welcome to GlobalMart']);
    const [welcome] = await mailTo(email);
    expect(welcome?.html).toContain('Hello Grace &lt;Hopper&gt;,');
    // identity's outbox may publish CustomerRegistered again (same id): still one email (re-checked at the end too).
    await platform.waitForLog('notifications', (l) => l.includes('welcome email sent') && l.includes(customerId), 15_000);
    // Contact details are for notifications alone: not even the gateway, for an admin, reads them.
    const contacts = await invoke('identity', 'GET', `contacts/${customerId}`, undefined, admin);
    expect(contacts.status).toBe(403);
    expect(JSON.stringify(contacts.body)).not.toContain(email);
  });

  it('OrderConfirmed published twice with the same CloudEvent id sends exactly one confirmation naming the order', async () => {
    const eventId = `${orderId}:confirmed`;
    const data = order(customerId);
    await publishCloudEvent('orders', eventId, ordersEventTypes.OrderConfirmed, data);
    await publishCloudEvent('orders', eventId, ordersEventTypes.OrderConfirmed, data);
    await expect
      .poll(async () => (await subjects(email)).filter((s) => s.includes(orderId)), slow)
      .toEqual([`Your GlobalMart order ${orderId} is confirmed`]);
    // The second delivery was handled (acknowledged as already sent), and still nothing more arrived.
    await platform.waitForLog('notifications', (l) => l.includes('redelivery acknowledged') && l.includes(eventId), 30_000);
    const confirmations = (await mailTo(email)).filter((m) => m.subject.includes(orderId));
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]?.html).toContain('$28.00');
    expect(confirmations[0]?.html).toContain('prd_000001');
  });

  it('an event for a customer identity does not know is dead-lettered at once (DROP), listed, and a replay comes back', async () => {
    const ghost = `usr_${randomBytes(12).toString('hex')}`;
    const eventId = `ghost-${Date.now()}:confirmed`;
    await publishCloudEvent('orders', eventId, ordersEventTypes.OrderConfirmed, order(ghost));
    await expect.poll(() => deadLetterOf(eventId), slow).toMatchObject({ status: 'pending', topic: 'orders', replay_count: 0 });
    const letter = (await deadLetterOf(eventId))!;
    expect(letter).toMatchObject({
      dead_letter_topic: 'orders-dlq',
      event_type: ordersEventTypes.OrderConfirmed,
      data: { customer_id: ghost },
    });
    const pendingOrders = await deadLetters('topic=orders');
    expect(pendingOrders.items.map((d) => d.id)).toContain(letter.id);

    const replayed = await invoke('notifications', 'POST', `dead-letters/${letter.id}/replay`, undefined, admin);
    expect(replayed.status).toBe(200);
    expect(DeadLetter.parse(replayed.body)).toMatchObject({ status: 'replayed', replay_count: 1 });
    // Same id and type on the orders topic: routed to the handler again, still unknown, dead-lettered again.
    await expect.poll(() => deadLetterOf(eventId), slow).toMatchObject({ status: 'pending', replay_count: 1 });
  });

  it('an event that exhausts the retry policy (identity down) is dead-lettered; after the fix its replay sends the email', async () => {
    const identity = platform.apps.identity!;
    await identity.stopApp();
    const eventId = `${orderId}:cancelled`;
    const cancelled = { order_id: orderId, customer_id: customerId, reason: 'payment declined', occurred_at: new Date().toISOString() };
    await publishCloudEvent('orders', eventId, ordersEventTypes.OrderCancelled, cancelled);
    await expect.poll(() => deadLetterOf(eventId), { timeout: 90_000, interval: 1000 }).toMatchObject({ status: 'pending' });
    expect((await subjects(email)).filter((s) => s.includes('cancelled'))).toEqual([]);

    // The fix: identity is back, on the port its sidecar expects.
    await identity.restartApp();
    await expect.poll(async () => (await invoke('identity', 'GET', '.well-known/jwks.json')).status, slow).toBe(200);

    const letter = (await deadLetterOf(eventId))!;
    const replayed = await invoke('notifications', 'POST', `dead-letters/${letter.id}/replay`, undefined, admin);
    expect(replayed.status).toBe(200);
    await expect
      .poll(async () => (await subjects(email)).filter((s) => s.includes('cancelled')), slow)
      .toEqual([`Your GlobalMart order ${orderId} was cancelled`]);
    expect(await deadLetterOf(eventId)).toMatchObject({ status: 'replayed', replay_count: 1 });
    // Still exactly one welcome and one confirmation, whatever was redelivered meanwhile.
    expect(await subjects(email)).toEqual(
      ['Welcome to GlobalMart', `Your GlobalMart order ${orderId} is confirmed`, `Your GlobalMart order ${orderId} was cancelled`].sort(),
    );
  }, 180_000);

  it('the dead-letter API is for admins, and answers 400 naming the field, 404 for an unknown id', async () => {
    expect((await invoke('notifications', 'GET', 'dead-letters')).status).toBe(401);
    expect((await invoke('notifications', 'GET', 'dead-letters', undefined, { ...admin, 'x-user-role': 'customer' })).status).toBe(403);
    const bad = await invoke('notifications', 'GET', 'dead-letters?limit=9999', undefined, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['limit']);
    const unknown = await invoke('notifications', 'POST', 'dead-letters/dl_nothing/replay', undefined, admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOTIFICATIONS.DEAD_LETTER_NOT_FOUND');
  });
});
