// The port to a payment service provider (PSP). The simulated PSP is one adapter (psp.provider.ts); a Stripe or
// Adyen adapter would implement the same four calls. Plain TypeScript: the domain never sees HTTP or Dapr.

export interface ChargeRequest {
  /** The PSP dedupes on it: the same key never makes a second charge (we pass the order id). */
  idempotencyKey: string;
  amountMinor: number;
  currency: string;
  /** A PSP token (tok_...), never card data. */
  token: string;
}

export type AuthorizeOutcome = { kind: 'authorized'; chargeId: string } | { kind: 'declined'; code: string; declineCode: string };

export type ChargeState = 'authorized' | 'declined' | 'captured' | 'refunded' | 'voided';

export interface PaymentProvider {
  authorize(request: ChargeRequest): Promise<AuthorizeOutcome>;
  capture(chargeId: string): Promise<void>;
  /** Refunds a captured charge or voids an authorised one; says which. */
  refund(chargeId: string): Promise<'refunded' | 'voided'>;
  /** The charge made under an idempotency key, if any (to settle an authorisation whose outcome was lost). */
  findByIdempotencyKey(key: string): Promise<{ chargeId: string; state: ChargeState } | undefined>;
}

/** The provider cannot be reached, timed out, answered 5xx, or its circuit breaker is open: retry later. */
export class ProviderUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
  }
}

/** The provider refused the request itself (4xx other than a decline, or an answer we cannot read): a bug, not an outage. */
export class ProviderRejectedError extends Error {
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderRejectedError';
    this.status = status;
  }
}
