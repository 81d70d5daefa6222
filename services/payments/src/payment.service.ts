// Authorise / capture / refund, idempotent by order id: record first, then call the provider, then store the outcome.
import { randomBytes } from 'node:crypto';
import type {
  PaymentAuthorization,
  PaymentAuthorizeRequest,
  PaymentCaptureResponse,
  PaymentRecordView,
  PaymentRefundResponse,
} from '@globalmart/contracts';
import { AppError, conflict, notFound, unavailable, type EventPublisher, type Logger } from '@globalmart/platform';
import { ProviderRejectedError, ProviderUnavailableError, type AuthorizeOutcome, type PaymentProvider } from './payment-provider.port.ts';
import { owedEventPublisher } from './payment.events.ts';
import type { PaymentRepository } from './payment.repository.ts';
import {
  applyAuthorizeOutcome,
  applyCapture,
  applyRefund,
  authorizeDecision,
  captureDecision,
  countCall,
  newPendingPayment,
  refundDecision,
  toView,
  tokenPrefix,
  type AuthorizeDecision,
  type PaymentRecord,
} from './payment.rules.ts';

export interface PaymentServiceDeps {
  repo: PaymentRepository;
  provider: PaymentProvider;
  publisher: EventPublisher;
  logger: Logger;
  now?: () => Date;
  newPaymentId?: () => string;
}

/** Provider trouble mapped once: an outage is retryable (503), a refusal is our bug (502). */
async function viaProvider<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ProviderUnavailableError) {
      throw unavailable('PAYMENT.PROVIDER_UNAVAILABLE', 'The payment provider is unavailable; retry later.', { retryable: true });
    }
    if (err instanceof ProviderRejectedError)
      throw new AppError(502, 'PAYMENT.PROVIDER_ERROR', 'The payment provider refused the request.');
    throw err;
  }
}

export function paymentService({
  repo,
  provider,
  publisher,
  logger,
  now = () => new Date(),
  newPaymentId = () => `pay_${randomBytes(12).toString('hex')}`,
}: PaymentServiceDeps) {
  const publishOwed = owedEventPublisher(publisher, repo, logger);

  /**
   * A refund of a `pending` payment: the authorisation's outcome was lost (crash or outage mid-call), so ask the
   * provider what it holds under our key, record that, and say whether a live charge is left to give back.
   */
  async function settlePending(
    orderId: string,
  ): Promise<{ kind: 'answer'; status: PaymentRefundResponse['status'] } | { kind: 'refund'; chargeId: string }> {
    const found = await viaProvider(() => provider.findByIdempotencyKey(orderId));
    const settle = (apply: (cur: PaymentRecord) => PaymentRecord) =>
      repo.change(orderId, (cur) => ({ ...(cur?.status === 'pending' ? { next: apply(cur) } : {}), result: undefined }));
    if (!found) {
      // Never charged. Voiding the record stops a late retry of the authorisation from charging after all.
      await settle((cur) => applyRefund(cur, 'voided', undefined, now()));
      return { kind: 'answer', status: 'none' };
    }
    if (found.state === 'declined') {
      const { record } = await settle((cur) =>
        applyAuthorizeOutcome(cur, { kind: 'declined', code: 'card_declined', declineCode: 'generic_decline' }, now()),
      );
      if (record) await publishOwed(record);
      return { kind: 'answer', status: 'none' };
    }
    if (found.state === 'voided' || found.state === 'refunded') {
      const state = found.state;
      const { record } = await settle((cur) => applyRefund(cur, state, found.chargeId, now()));
      if (record) await publishOwed(record);
      return { kind: 'answer', status: state };
    }
    await settle((cur) => countCall({ ...cur, charge_id: found.chargeId }, 'refund'));
    return { kind: 'refund', chargeId: found.chargeId };
  }

  function answer(record: PaymentRecord, req: PaymentAuthorizeRequest): PaymentAuthorization {
    const decision = authorizeDecision(record, req);
    switch (decision.kind) {
      case 'authorized':
        return {
          payment_id: record.payment_id,
          order_id: record.order_id,
          status: 'authorized',
          amount_minor: record.amount_minor,
          currency: record.currency,
        };
      case 'declined':
        throw new AppError(402, 'PAYMENT.DECLINED', 'The payment method was declined.', { decline_code: decision.declineCode });
      case 'mismatch':
        throw conflict('PAYMENT.IDEMPOTENCY_MISMATCH', 'This order was already authorised with a different amount or currency.');
      case 'already-refunded':
        throw conflict('PAYMENT.ALREADY_REFUNDED', 'The payment of this order was already refunded or voided.');
      case 'call-provider':
        throw unavailable('PAYMENT.PROVIDER_UNAVAILABLE', 'The authorisation is still pending; retry later.', { retryable: true });
    }
  }

  return {
    async authorize(req: PaymentAuthorizeRequest): Promise<PaymentAuthorization> {
      const log = logger.child({ order_id: req.order_id, payment_method: tokenPrefix(req.payment_method) });
      const claim = await repo.change<AuthorizeDecision>(req.order_id, (current) => {
        const decision = authorizeDecision(current, req);
        if (decision.kind !== 'call-provider') return { result: decision };
        return { next: countCall(current ?? newPendingPayment(req, newPaymentId(), now()), 'authorize'), result: decision };
      });
      let record = claim.record!;
      if (claim.result.kind === 'call-provider') {
        // The order id is the idempotency key: a retry after a crash or an outage can never charge twice.
        const outcome: AuthorizeOutcome = await viaProvider(() =>
          provider.authorize({
            idempotencyKey: req.order_id,
            amountMinor: req.amount_minor,
            currency: req.currency,
            token: req.payment_method,
          }),
        );
        const stored = await repo.change(req.order_id, (cur) =>
          cur?.status === 'pending' ? { next: applyAuthorizeOutcome(cur, outcome, now()), result: true } : { result: false },
        );
        record = stored.record ?? record;
        if (!stored.result && outcome.kind === 'authorized' && (record.status === 'voided' || record.status === 'refunded')) {
          // A compensation settled this payment while we were calling: give this authorisation back as well.
          await viaProvider(() => provider.refund(outcome.chargeId));
        }
        log.info({ outcome: outcome.kind, ...(outcome.kind === 'declined' ? { decline_code: outcome.declineCode } : {}) }, 'authorisation');
      }
      await publishOwed(record);
      return answer(record, req);
    },

    async capture(orderId: string): Promise<PaymentCaptureResponse> {
      const claim = await repo.change(orderId, (cur) => {
        const decision = captureDecision(cur);
        return decision.kind === 'call-provider' && cur ? { next: countCall(cur, 'capture'), result: decision } : { result: decision };
      });
      const decision = claim.result;
      if (decision.kind === 'missing') throw notFound('PAYMENT.NOT_FOUND', `No payment for order ${orderId}.`);
      if (decision.kind === 'refuse') {
        throw conflict('PAYMENT.NOT_CAPTURABLE', `A ${decision.status} payment cannot be captured.`, { status: decision.status });
      }
      if (decision.kind === 'call-provider') {
        await viaProvider(() => provider.capture(decision.chargeId));
        await repo.change(orderId, (cur) => ({
          ...(cur?.status === 'authorized' ? { next: applyCapture(cur, now()) } : {}),
          result: undefined,
        }));
      }
      return { status: 'captured' };
    },

    async refund(orderId: string): Promise<PaymentRefundResponse> {
      const claim = await repo.change(orderId, (cur) => {
        const decision = refundDecision(cur);
        return decision.kind === 'call-provider' && cur ? { next: countCall(cur, 'refund'), result: decision } : { result: decision };
      });
      const decision = claim.result;
      if (decision.kind === 'nothing') return { status: 'none' };
      if (decision.kind === 'done') return { status: decision.status };
      let chargeId = decision.kind === 'call-provider' ? decision.chargeId : undefined;
      if (decision.kind === 'resolve-pending') {
        const settled = await settlePending(orderId);
        if (settled.kind === 'answer') return { status: settled.status };
        chargeId = settled.chargeId;
      }
      const result = await viaProvider(() => provider.refund(chargeId!));
      const done = await repo.change(orderId, (cur) => ({ ...(cur ? { next: applyRefund(cur, result, chargeId, now()) } : {}), result }));
      if (done.record) await publishOwed(done.record);
      logger.info({ order_id: orderId, result }, 'payment given back');
      return { status: result };
    },

    async get(orderId: string): Promise<PaymentRecordView> {
      const record = await repo.get(orderId);
      if (!record) throw notFound('PAYMENT.NOT_FOUND', `No payment for order ${orderId}.`);
      return toView(record);
    },
  };
}

export type PaymentService = ReturnType<typeof paymentService>;
