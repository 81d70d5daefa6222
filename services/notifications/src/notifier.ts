// One email per source event, however often Dapr delivers it: a claim in the state store keyed by the CloudEvent id.
import {
  notificationsEventTypes,
  notificationsEvents,
  type ContactDetails,
  type NotificationKind,
  type NotificationSent,
} from '@globalmart/contracts';
import {
  casUpdate,
  createIfAbsent,
  StateConflictError,
  type BindingInvoker,
  type DeliveryStatus,
  type EventPublisher,
  type Logger,
  type StateStore,
} from '@globalmart/platform';
import type { Contacts } from './contacts.ts';
import type { Email } from './email.templates.ts';

const { topic } = notificationsEvents[notificationsEventTypes.NotificationSent];

/** `sending`: claimed, the binding has not answered yet (or the process died meanwhile); `sent`: the email went out. */
export interface NotificationRecord {
  status: 'sending' | 'sent';
  kind: NotificationKind;
  customer_id: string;
  claimed_at: string;
  sent_at?: string;
}

export interface NotificationRequest {
  kind: NotificationKind;
  /** The CloudEvent id of the event that asks for it: the dedupe key. */
  sourceEventId: string | undefined;
  customerId: string;
  orderId?: string;
  render(contact: ContactDetails): Email;
}

export interface NotifierDeps {
  store: StateStore;
  bindings: BindingInvoker;
  publisher: EventPublisher;
  contacts: Contacts;
  logger: Logger;
  /** Output binding name (`email`, Dapr `bindings.smtp`). */
  emailBinding?: string;
  from?: string | undefined;
  claimLeaseMs: number;
  dedupeTtlSeconds: number;
  now?: () => number;
}

export const notificationKey = (sourceEventId: string) => `notification:${sourceEventId}`;

/** Thrown while another delivery of the same event holds a fresh claim; answered RETRY. */
class ClaimHeldError extends Error {
  constructor(key: string) {
    super(`${key} is being sent by another delivery`);
    this.name = 'ClaimHeldError';
  }
}

export type Notifier = (request: NotificationRequest) => Promise<DeliveryStatus | void>;

/**
 * Sends `request` once: look the customer up (unknown → DROP, the event dead-letters), claim `notification:<id>`
 * with createIfAbsent, send through the binding, mark `sent`, publish NotificationSent (`notification:<id>`).
 * A redelivery finds `sent` and only publishes NotificationSent again (same id, consumers dedupe); a `sending`
 * claim older than the lease was left by a crash and is taken over; a failed send releases its claim. Any failure
 * throws: Dapr redelivers (resiliency `pubsubRetry`), then dead-letters. At least once: a send that timed out but
 * went out anyway is sent again.
 */
export function notifier(deps: NotifierDeps): Notifier {
  const { store, bindings, publisher, contacts, logger, claimLeaseMs, dedupeTtlSeconds } = deps;
  const emailBinding = deps.emailBinding ?? 'email';
  const now = deps.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();

  const cas = { attempts: 10, busyCode: 'NOTIFICATIONS.BUSY' };

  /** Deletes the claim if it is still this delivery's (same claimed_at), with its etag. */
  async function release(key: string, mine: NotificationRecord): Promise<void> {
    const entry = await store.get<NotificationRecord>(key);
    if (entry?.value.status === 'sending' && entry.value.claimed_at === mine.claimed_at) await store.delete(key, { etag: entry.etag });
  }

  async function published(req: NotificationRequest & { sourceEventId: string }, record: NotificationRecord): Promise<void> {
    const event: NotificationSent = {
      notification_id: notificationKey(req.sourceEventId),
      kind: req.kind,
      channel: 'email',
      customer_id: req.customerId,
      ...(req.orderId ? { order_id: req.orderId } : {}),
      source_event_id: req.sourceEventId,
      occurred_at: record.sent_at ?? iso(),
    };
    await publisher.publish(topic, notificationsEventTypes.NotificationSent, event, { id: event.notification_id });
  }

  /** The claim to send under, or the record that says it already went out. */
  async function claim(key: string, fresh: NotificationRecord): Promise<{ record: NotificationRecord; mine: boolean }> {
    const existing = await store.get<NotificationRecord>(key);
    if (!existing) {
      try {
        await createIfAbsent(store, key, fresh, dedupeTtlSeconds);
        return { record: fresh, mine: true };
      } catch (err) {
        if (err instanceof StateConflictError) throw new ClaimHeldError(key); // a concurrent delivery claimed first
        throw err;
      }
    }
    const { value, etag } = existing;
    if (value.status === 'sent') return { record: value, mine: false };
    if (now() - Date.parse(value.claimed_at) < claimLeaseMs) throw new ClaimHeldError(key);
    // Left `sending` by a crash (the binding may or may not have sent it): take the claim over and send.
    try {
      await store.save(key, fresh, { etag, ttlInSeconds: dedupeTtlSeconds });
    } catch (err) {
      if (err instanceof StateConflictError) throw new ClaimHeldError(key); // another delivery took it over first
      throw err;
    }
    return { record: fresh, mine: true };
  }

  return async (req) => {
    const sourceEventId = req.sourceEventId;
    const log = { kind: req.kind, customer_id: req.customerId, event_id: sourceEventId, ...(req.orderId ? { order_id: req.orderId } : {}) };
    if (!sourceEventId) {
      logger.warn(log, 'event without a CloudEvent id cannot be deduplicated; dropped');
      return 'DROP';
    }
    const key = notificationKey(sourceEventId);
    const known = await store.get<NotificationRecord>(key);
    if (known?.value.status === 'sent') {
      await published({ ...req, sourceEventId }, known.value);
      logger.info(log, 'notification already sent; redelivery acknowledged');
      return 'SUCCESS';
    }
    const contact = await contacts.find(req.customerId);
    if (!contact) {
      logger.warn(log, 'identity does not know the customer; dead-lettering the event');
      return 'DROP';
    }
    const email = req.render(contact);
    let claimed: { record: NotificationRecord; mine: boolean };
    try {
      claimed = await claim(key, { status: 'sending', kind: req.kind, customer_id: req.customerId, claimed_at: iso() });
    } catch (err) {
      if (!(err instanceof ClaimHeldError)) throw err;
      logger.info(log, 'another delivery of this event is sending it; Dapr will redeliver');
      return 'RETRY';
    }
    if (claimed.mine) {
      const metadata: Record<string, string> = { emailTo: contact.email, subject: email.subject };
      if (deps.from) metadata.emailFrom = deps.from;
      try {
        await bindings.invoke(emailBinding, 'create', email.html, metadata);
      } catch (err) {
        // Free the claim so Dapr's redelivery can send it (a crash instead leaves it to the lease).
        await release(key, claimed.record).catch((e: unknown) =>
          logger.warn({ ...log, err: e }, 'claim not released; the lease will expire it'),
        );
        throw err;
      }
      const sent: NotificationRecord = { ...claimed.record, status: 'sent', sent_at: iso() };
      // With etags, like every write to a key created first-write (Redis refuses a plain save to it).
      await casUpdate<NotificationRecord, void>(store, key, () => ({ next: sent, result: undefined, ttlInSeconds: dedupeTtlSeconds }), cas);
      claimed.record = sent;
      logger.info(log, `${req.kind} email sent`);
    }
    await published({ ...req, sourceEventId }, claimed.record);
    return 'SUCCESS';
  };
}
