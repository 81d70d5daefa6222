import type { PspCharge } from '@globalmart/contracts';
import { describe, expect, it } from 'vitest';
import { behaviourOf, capture, refund } from '../src/charge.rules.ts';

const charge = (status: PspCharge['status']): PspCharge => ({
  id: 'ch_1',
  idempotency_key: 'ord_1',
  status,
  amount_minor: 100,
  currency: 'EUR',
  created_at: '2026-01-01T00:00:00.000Z',
});

describe('test tokens', () => {
  it('approves tok_visa, approves tok_slow slowly, declines tok_chargeDeclined', () => {
    expect(behaviourOf('tok_visa')).toEqual({ kind: 'approve', slow: false });
    expect(behaviourOf('tok_slow')).toEqual({ kind: 'approve', slow: true });
    expect(behaviourOf('tok_chargeDeclined')).toEqual({ kind: 'decline', code: 'card_declined', declineCode: 'generic_decline' });
  });

  it('declines a token it does not know (a business outcome, not an error)', () => {
    expect(behaviourOf('tok_unknown')).toMatchObject({ kind: 'decline', declineCode: 'invalid_token' });
    expect(behaviourOf('__proto__')).toMatchObject({ kind: 'decline' });
  });
});

describe('charge transitions', () => {
  it('captures only an authorised charge; a repeat is a no-op', () => {
    expect(capture(charge('authorized'))).toEqual({ ok: true, charge: charge('captured') });
    expect(capture(charge('captured'))).toEqual({ ok: true, charge: charge('captured') });
    expect(capture(charge('voided')).ok).toBe(false);
    expect(capture(charge('declined')).ok).toBe(false);
  });

  it('voids an authorisation, refunds a capture, repeats are no-ops, declines cannot be refunded', () => {
    expect(refund(charge('authorized'))).toEqual({ ok: true, charge: charge('voided') });
    expect(refund(charge('captured'))).toEqual({ ok: true, charge: charge('refunded') });
    expect(refund(charge('refunded'))).toEqual({ ok: true, charge: charge('refunded') });
    expect(refund(charge('declined')).ok).toBe(false);
  });
});
