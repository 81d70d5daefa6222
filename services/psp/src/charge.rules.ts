// The simulator's rules as plain functions: what each Stripe-style test token does, and how a charge moves.
//   authorized ─► captured ─► refunded
//       └───────► voided          declined is final
import type { PspCharge } from '@globalmart/contracts';

export type TokenBehaviour = { kind: 'approve'; slow: boolean } | { kind: 'decline'; code: string; declineCode: string };

const approve: TokenBehaviour = { kind: 'approve', slow: false };
const decline = (code: string, declineCode: string): TokenBehaviour => ({ kind: 'decline', code, declineCode });

// Stripe's test tokens (https://docs.stripe.com/testing), plus tok_slow for rehearsing timeouts.
const TOKENS = new Map<string, TokenBehaviour>([
  ['tok_visa', approve],
  ['tok_mastercard', approve],
  ['tok_amex', approve],
  ['tok_slow', { kind: 'approve', slow: true }],
  ['tok_chargeDeclined', decline('card_declined', 'generic_decline')],
  ['tok_chargeDeclinedInsufficientFunds', decline('card_declined', 'insufficient_funds')],
  ['tok_chargeDeclinedExpiredCard', decline('expired_card', 'expired_card')],
]);

/** An unknown token is a decline, not a 400: a client's bad token is a business outcome, not a provider fault. */
export function behaviourOf(token: string): TokenBehaviour {
  return TOKENS.get(token) ?? decline('invalid_source', 'invalid_token');
}

export type Transition = { ok: true; charge: PspCharge } | { ok: false; reason: string };

export function capture(charge: PspCharge): Transition {
  if (charge.status === 'captured') return { ok: true, charge };
  if (charge.status !== 'authorized') return { ok: false, reason: `a ${charge.status} charge cannot be captured` };
  return { ok: true, charge: { ...charge, status: 'captured' } };
}

/** Refunding an authorised charge voids it (nothing was taken yet); a captured one is refunded. Repeats are no-ops. */
export function refund(charge: PspCharge): Transition {
  switch (charge.status) {
    case 'authorized':
      return { ok: true, charge: { ...charge, status: 'voided' } };
    case 'captured':
      return { ok: true, charge: { ...charge, status: 'refunded' } };
    case 'refunded':
    case 'voided':
      return { ok: true, charge };
    case 'declined':
      return { ok: false, reason: 'a declined charge cannot be refunded' };
  }
}
