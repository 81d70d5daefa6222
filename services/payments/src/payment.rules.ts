// The payment state machine as plain functions: no Express, Dapr or HTTP status in here.
//   pending ─► authorized ─► captured ─► refunded
//      │           └────────► voided
//      └─► declined
import type { PaymentAuthorizeRequest, PaymentRecordView, PaymentStatus, ProviderCalls } from '@globalmart/contracts';
import type { AuthorizeOutcome } from './payment-provider.port.ts';

export type PaymentEvent = 'payment-processed' | 'payment-failed' | 'payment-refunded';

/** What the state store holds under `payment:{order_id}`. Tokens are never stored: the caller re-sends them. */
export interface PaymentRecord {
  order_id: string;
  payment_id: string;
  status: PaymentStatus;
  amount_minor: number;
  currency: string;
  charge_id?: string;
  decline_code?: string;
  provider_calls: ProviderCalls;
  /** Events already published; a crash between saving and publishing is repaired on the next call. */
  published: PaymentEvent[];
  created_at: string;
  updated_at: string;
}

export function newPendingPayment(req: PaymentAuthorizeRequest, paymentId: string, now: Date): PaymentRecord {
  const at = now.toISOString();
  return {
    order_id: req.order_id,
    payment_id: paymentId,
    status: 'pending',
    amount_minor: req.amount_minor,
    currency: req.currency,
    provider_calls: { authorize: 0, capture: 0, refund: 0 },
    published: [],
    created_at: at,
    updated_at: at,
  };
}

export type AuthorizeDecision =
  | { kind: 'call-provider' }
  | { kind: 'authorized' }
  | { kind: 'declined'; declineCode: string }
  | { kind: 'mismatch' }
  | { kind: 'already-refunded' };

/** A repeat never reaches the provider again once an outcome is stored; only `pending` (crash in between) retries. */
export function authorizeDecision(current: PaymentRecord | undefined, req: PaymentAuthorizeRequest): AuthorizeDecision {
  if (!current) return { kind: 'call-provider' };
  // Same key, different money: a bug upstream, never silently "the same payment".
  if (current.amount_minor !== req.amount_minor || current.currency !== req.currency) return { kind: 'mismatch' };
  switch (current.status) {
    case 'pending':
      return { kind: 'call-provider' };
    case 'authorized':
    case 'captured':
      return { kind: 'authorized' };
    case 'declined':
      return { kind: 'declined', declineCode: current.decline_code ?? 'generic_decline' };
    case 'refunded':
    case 'voided':
      return { kind: 'already-refunded' };
  }
}

export function applyAuthorizeOutcome(record: PaymentRecord, outcome: AuthorizeOutcome, now: Date): PaymentRecord {
  if (record.status !== 'pending') return record;
  const at = now.toISOString();
  if (outcome.kind === 'authorized') return { ...record, status: 'authorized', charge_id: outcome.chargeId, updated_at: at };
  return { ...record, status: 'declined', decline_code: outcome.declineCode, updated_at: at };
}

export type CaptureDecision =
  { kind: 'missing' } | { kind: 'done' } | { kind: 'call-provider'; chargeId: string } | { kind: 'refuse'; status: PaymentStatus };

export function captureDecision(current: PaymentRecord | undefined): CaptureDecision {
  if (!current) return { kind: 'missing' };
  if (current.status === 'captured') return { kind: 'done' };
  if (current.status === 'authorized' && current.charge_id) return { kind: 'call-provider', chargeId: current.charge_id };
  return { kind: 'refuse', status: current.status };
}

export type RefundDecision =
  | { kind: 'nothing' }
  | { kind: 'done'; status: 'refunded' | 'voided' }
  | { kind: 'call-provider'; chargeId: string }
  /** The outcome of an authorisation is unknown (crash mid-call): ask the provider what it holds under the key. */
  | { kind: 'resolve-pending' };

/** Compensation must never fail on a payment that did not happen: unknown or declined → nothing to do. */
export function refundDecision(current: PaymentRecord | undefined): RefundDecision {
  if (!current || current.status === 'declined') return { kind: 'nothing' };
  if (current.status === 'refunded' || current.status === 'voided') return { kind: 'done', status: current.status };
  if (current.status === 'pending' || !current.charge_id) return { kind: 'resolve-pending' };
  return { kind: 'call-provider', chargeId: current.charge_id };
}

export function applyCapture(record: PaymentRecord, now: Date): PaymentRecord {
  return record.status === 'authorized' ? { ...record, status: 'captured', updated_at: now.toISOString() } : record;
}

/** Void (authorisation released) or refund (money returned): the provider says which it did. */
export function applyRefund(record: PaymentRecord, result: 'refunded' | 'voided', chargeId: string | undefined, now: Date): PaymentRecord {
  if (record.status === 'refunded' || record.status === 'voided' || record.status === 'declined') return record;
  return { ...record, status: result, ...(chargeId ? { charge_id: chargeId } : {}), updated_at: now.toISOString() };
}

export function countCall(record: PaymentRecord, call: keyof ProviderCalls): PaymentRecord {
  return { ...record, provider_calls: { ...record.provider_calls, [call]: record.provider_calls[call] + 1 } };
}

export function markPublished(record: PaymentRecord, event: PaymentEvent): PaymentRecord {
  return record.published.includes(event) ? record : { ...record, published: [...record.published, event] };
}

/** The event a record's state owes the world, if it has not gone out yet. */
export function unpublishedEvent(record: PaymentRecord): PaymentEvent | undefined {
  // Voiding an authorisation that never reached the provider gave nothing back: no refund to announce.
  if (record.status === 'voided' && !record.charge_id) return undefined;
  const owed: PaymentEvent | undefined =
    record.status === 'authorized' || record.status === 'captured'
      ? 'payment-processed'
      : record.status === 'declined'
        ? 'payment-failed'
        : record.status === 'refunded' || record.status === 'voided'
          ? 'payment-refunded'
          : undefined;
  return owed && !record.published.includes(owed) ? owed : undefined;
}

/** Logs may show which kind of token was used, never the token: `tok_visa` → `tok_visa`, `tok_1AbCdEfGh` → `tok_1AbC…`. */
export function tokenPrefix(token: string): string {
  return token.length <= 8 ? token : `${token.slice(0, 8)}…`;
}

export function toView(record: PaymentRecord): PaymentRecordView {
  return {
    order_id: record.order_id,
    payment_id: record.payment_id,
    status: record.status,
    amount_minor: record.amount_minor,
    currency: record.currency,
    ...(record.decline_code ? { decline_code: record.decline_code } : {}),
    provider_calls: record.provider_calls,
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}
