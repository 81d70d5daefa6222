// Payments (app-id `payments`) and its simulated provider (app-id `psp`): bodies, events and routes.
// Only tokens cross these APIs (`tok_visa`), never card data: a card number is a 400 wherever it shows up.
import { z } from 'zod';
import { Currency, IsoDateTime, PROBLEM_JSON, ProblemDetails } from './common.ts';
import { apiSchemas } from './registry.ts';
import type { EventSpec } from './events.ts';
import type { RouteResponse, RouteSpec } from './routes.ts';

/** Order ids are minted by orders; payments keys its records by them, so they must be safe state-store keys. */
export const PaymentOrderId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1-64 letters, digits, _ or -' });

/** Amounts travel in minor units (cents) as integers: no float rounding anywhere near money. */
export const AmountMinor = z.int().min(1).max(99_999_999_999);

/**
 * True when the value holds 13-19 digits in a row (spaces and dashes ignored): what a card number (PAN) looks like.
 * Used to refuse card data outright, so it is never stored, logged or forwarded.
 */
export function looksLikeCardNumber(value: string): boolean {
  return /\d{13,19}/.test(value.replace(/[\s-]/g, ''));
}

/** A Stripe-style payment token (tok_visa, tok_chargeDeclined, ...). The messages never echo the value. */
export const PaymentMethodToken = z
  .string()
  .max(100)
  .refine((v) => !looksLikeCardNumber(v), { error: 'must be a payment token such as tok_visa, never a card number', abort: true })
  .regex(/^tok_[A-Za-z0-9_]{1,64}$/, { error: 'must be a payment token such as tok_visa' });

export const PaymentStatus = z.enum(['pending', 'authorized', 'declined', 'captured', 'refunded', 'voided']);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

export const PaymentAuthorizeRequest = z
  .object({ order_id: PaymentOrderId, amount_minor: AmountMinor, currency: Currency, payment_method: PaymentMethodToken })
  .strict()
  .register(apiSchemas, { id: 'PaymentAuthorizeRequest', description: 'Authorise an order; idempotent by order_id.' });
export type PaymentAuthorizeRequest = z.infer<typeof PaymentAuthorizeRequest>;

export const PaymentAuthorization = z
  .object({
    payment_id: z.string(),
    order_id: PaymentOrderId,
    status: z.literal('authorized'),
    amount_minor: AmountMinor,
    currency: Currency,
  })
  .register(apiSchemas, { id: 'PaymentAuthorization' });
export type PaymentAuthorization = z.infer<typeof PaymentAuthorization>;

export const ProviderCalls = z.object({ authorize: z.int().min(0), capture: z.int().min(0), refund: z.int().min(0) });
export type ProviderCalls = z.infer<typeof ProviderCalls>;

export const PaymentRecordView = z
  .object({
    order_id: PaymentOrderId,
    payment_id: z.string(),
    status: PaymentStatus,
    amount_minor: AmountMinor,
    currency: Currency,
    decline_code: z.string().optional(),
    provider_calls: ProviderCalls,
    created_at: IsoDateTime,
    updated_at: IsoDateTime,
  })
  .register(apiSchemas, { id: 'PaymentRecordView', description: 'A payment as stored; provider_calls counts requests sent to the PSP.' });
export type PaymentRecordView = z.infer<typeof PaymentRecordView>;

export const PaymentCaptureResponse = z.object({ status: z.literal('captured') }).register(apiSchemas, { id: 'PaymentCaptureResponse' });
export type PaymentCaptureResponse = z.infer<typeof PaymentCaptureResponse>;

/** `none`: there was nothing to give back (unknown order, declined): compensation never fails on it. */
export const PaymentRefundResponse = z
  .object({ status: z.enum(['refunded', 'voided', 'none']) })
  .register(apiSchemas, { id: 'PaymentRefundResponse' });
export type PaymentRefundResponse = z.infer<typeof PaymentRefundResponse>;

export const PaymentOrderParams = z.object({ order_id: PaymentOrderId });

// ---- the simulated provider's wire format (a real PSP adapter would speak its provider's API instead) ----

export const PspChargeRequest = z
  .object({ idempotency_key: z.string().min(1).max(255), amount_minor: AmountMinor, currency: Currency, source: PaymentMethodToken })
  .strict()
  .register(apiSchemas, { id: 'PspChargeRequest' });
export type PspChargeRequest = z.infer<typeof PspChargeRequest>;

export const PspChargeStatus = z.enum(['authorized', 'declined', 'captured', 'refunded', 'voided']);
export type PspChargeStatus = z.infer<typeof PspChargeStatus>;

/**
 * A charge. A decline is a 200 with status `declined` (not Stripe's 402) on purpose: Dapr's circuit breaker counts
 * every non-2xx/3xx answer as a failure, so five declined cards in a row would open it for everyone.
 */
export const PspCharge = z
  .object({
    id: z.string(),
    idempotency_key: z.string(),
    status: PspChargeStatus,
    amount_minor: AmountMinor,
    currency: Currency,
    code: z.string().optional(),
    decline_code: z.string().optional(),
    created_at: IsoDateTime,
  })
  .register(apiSchemas, { id: 'PspCharge' });
export type PspCharge = z.infer<typeof PspCharge>;

export const PspChargeList = z.object({ data: z.array(PspCharge) }).register(apiSchemas, { id: 'PspChargeList' });
export type PspChargeList = z.infer<typeof PspChargeList>;

export const PspOutage = z.object({ down: z.boolean() }).strict().register(apiSchemas, { id: 'PspOutage' });
export type PspOutage = z.infer<typeof PspOutage>;

export const PspIdempotencyStats = z
  .object({ idempotency_key: z.string(), requests: z.int().min(0), charges: z.int().min(0) })
  .register(apiSchemas, { id: 'PspIdempotencyStats', description: 'How often a key was sent and how many charges it made (≤ 1).' });
export type PspIdempotencyStats = z.infer<typeof PspIdempotencyStats>;

// ---- events (topic `payments`; CloudEvent id `${order_id}:<event>`) ----

export const paymentsEventTypes = {
  PaymentProcessed: 'globalmart.payments.payment-processed.v1',
  PaymentFailed: 'globalmart.payments.payment-failed.v1',
  PaymentRefunded: 'globalmart.payments.payment-refunded.v1',
} as const;

export const PaymentProcessed = z.object({
  order_id: PaymentOrderId,
  payment_id: z.string(),
  amount_minor: AmountMinor,
  currency: Currency,
  occurred_at: IsoDateTime,
});
export type PaymentProcessed = z.infer<typeof PaymentProcessed>;

export const PaymentFailed = z.object({
  order_id: PaymentOrderId,
  reason: z.string(),
  decline_code: z.string().optional(),
  occurred_at: IsoDateTime,
});
export type PaymentFailed = z.infer<typeof PaymentFailed>;

/** `kind`: refund (money came back) or void (an authorisation released before capture). */
export const PaymentRefunded = z.object({
  order_id: PaymentOrderId,
  amount_minor: AmountMinor,
  currency: Currency,
  kind: z.enum(['refund', 'void']).optional(),
  occurred_at: IsoDateTime,
});
export type PaymentRefunded = z.infer<typeof PaymentRefunded>;

// A literal, not topics.payments: events.ts will import this file, and a value import back would be a cycle.
const topic = 'payments' as const;

export const paymentsEvents = {
  [paymentsEventTypes.PaymentProcessed]: {
    name: 'PaymentProcessed',
    topic,
    schema: PaymentProcessed,
    description: 'An order amount was authorised by the payment provider.',
  },
  [paymentsEventTypes.PaymentFailed]: {
    name: 'PaymentFailed',
    topic,
    schema: PaymentFailed,
    description: 'The payment provider declined the order (a business outcome, not an outage).',
  },
  [paymentsEventTypes.PaymentRefunded]: {
    name: 'PaymentRefunded',
    topic,
    schema: PaymentRefunded,
    description: 'An authorisation was voided or a captured payment refunded (saga compensation).',
  },
} as const satisfies Record<string, EventSpec>;

// ---- routes (internal: reached by Dapr service invocation) ----

const problemResponse: RouteResponse = { schema: ProblemDetails, contentType: PROBLEM_JSON };
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, problemResponse]));
const ChargeParams = z.object({ id: z.string().min(1).max(64) });

export const paymentsRoutes: RouteSpec[] = [
  {
    method: 'POST',
    path: '/payments/authorize',
    summary: 'Authorise an order amount (idempotent by order_id; a repeat returns the stored outcome)',
    tags: ['payments'],
    body: PaymentAuthorizeRequest,
    responses: { 201: { schema: PaymentAuthorization }, ...errors(400, 402, 409, 502, 503) },
  },
  {
    method: 'POST',
    path: '/payments/{order_id}/capture',
    summary: 'Capture an authorised payment (idempotent)',
    tags: ['payments'],
    params: PaymentOrderParams,
    responses: { 200: { schema: PaymentCaptureResponse }, ...errors(400, 404, 409, 503) },
  },
  {
    method: 'POST',
    path: '/payments/{order_id}/refund',
    summary: 'Refund a captured payment or void an authorisation (idempotent; unknown order → none)',
    tags: ['payments'],
    params: PaymentOrderParams,
    responses: { 200: { schema: PaymentRefundResponse }, ...errors(400, 503) },
  },
  {
    method: 'GET',
    path: '/payments/{order_id}',
    summary: 'Read a payment with its provider call counts',
    tags: ['payments'],
    params: PaymentOrderParams,
    responses: { 200: { schema: PaymentRecordView }, ...errors(400, 404) },
  },
  {
    method: 'POST',
    path: '/v1/charges',
    summary: 'Simulated PSP: authorise a charge (idempotency_key dedupes)',
    tags: ['psp'],
    body: PspChargeRequest,
    responses: { 200: { schema: PspCharge }, ...errors(400, 401, 503) },
  },
  {
    method: 'GET',
    path: '/v1/charges',
    summary: 'Simulated PSP: find the charge made under an idempotency key',
    tags: ['psp'],
    query: z.object({ idempotency_key: z.string().min(1).max(255) }),
    responses: { 200: { schema: PspChargeList }, ...errors(400, 401, 503) },
  },
  {
    method: 'POST',
    path: '/v1/charges/{id}/capture',
    summary: 'Simulated PSP: capture an authorised charge',
    tags: ['psp'],
    params: ChargeParams,
    responses: { 200: { schema: PspCharge }, ...errors(401, 404, 409, 503) },
  },
  {
    method: 'POST',
    path: '/v1/charges/{id}/refund',
    summary: 'Simulated PSP: refund a captured charge or void an authorised one',
    tags: ['psp'],
    params: ChargeParams,
    responses: { 200: { schema: PspCharge }, ...errors(401, 404, 409, 503) },
  },
  {
    method: 'PUT',
    path: '/admin/outage',
    summary: 'Simulated PSP: switch a rehearsed outage on or off (every /v1 call answers 503 while down)',
    tags: ['psp'],
    body: PspOutage,
    responses: { 200: { schema: PspOutage }, ...errors(400) },
  },
  {
    method: 'GET',
    path: '/admin/outage',
    summary: 'Simulated PSP: is the rehearsed outage on?',
    tags: ['psp'],
    responses: { 200: { schema: PspOutage } },
  },
  {
    method: 'GET',
    path: '/admin/idempotency/{key}',
    summary: 'Simulated PSP: requests seen and charges made under an idempotency key',
    tags: ['psp'],
    params: z.object({ key: z.string().min(1).max(255) }),
    responses: { 200: { schema: PspIdempotencyStats } },
  },
];
