// The payments events (topic `payments`, CloudEvent id `${order_id}:<event>` so consumers can dedupe).
import { paymentsEventTypes, topics } from '@globalmart/contracts';
import { unavailable, type EventPublisher, type Logger } from '@globalmart/platform';
import type { PaymentRepository } from './payment.repository.ts';
import { markPublished, unpublishedEvent, type PaymentEvent, type PaymentRecord } from './payment.rules.ts';

const eventTypes: Record<PaymentEvent, string> = {
  'payment-processed': paymentsEventTypes.PaymentProcessed,
  'payment-failed': paymentsEventTypes.PaymentFailed,
  'payment-refunded': paymentsEventTypes.PaymentRefunded,
};

export function eventData(event: PaymentEvent, r: PaymentRecord) {
  const base = { order_id: r.order_id, occurred_at: r.updated_at };
  if (event === 'payment-processed') return { ...base, payment_id: r.payment_id, amount_minor: r.amount_minor, currency: r.currency };
  if (event === 'payment-failed') return { ...base, reason: 'card_declined', decline_code: r.decline_code ?? 'generic_decline' };
  return { ...base, amount_minor: r.amount_minor, currency: r.currency, kind: r.status === 'voided' ? 'void' : 'refund' };
}

/**
 * Publishes the event a record's state owes, then notes it in the record. A crash or a broker error in between
 * leaves it owed, and the next call for that order (the saga retries on the 503) publishes it: at least once.
 */
export function owedEventPublisher(publisher: EventPublisher, repo: PaymentRepository, logger: Logger) {
  return async function publishOwed(record: PaymentRecord): Promise<void> {
    const event = unpublishedEvent(record);
    if (!event) return;
    try {
      await publisher.publish(topics.payments, eventTypes[event], eventData(event, record), { id: `${record.order_id}:${event}` });
    } catch (err) {
      logger.error({ err, order_id: record.order_id, event }, 'payment event not published yet');
      throw unavailable('PAYMENT.EVENT_NOT_PUBLISHED', 'The payment is stored but its event is not published yet; retry.');
    }
    await repo.change(record.order_id, (cur) => ({ ...(cur ? { next: markPublished(cur, event) } : {}), result: undefined }));
  };
}
