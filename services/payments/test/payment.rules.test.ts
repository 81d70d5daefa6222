import type { PaymentAuthorizeRequest } from '@globalmart/contracts';
import { describe, expect, it } from 'vitest';
import {
  applyAuthorizeOutcome,
  applyCapture,
  applyRefund,
  authorizeDecision,
  captureDecision,
  countCall,
  markPublished,
  newPendingPayment,
  refundDecision,
  tokenPrefix,
  unpublishedEvent,
  type PaymentRecord,
} from '../src/payment.rules.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const req: PaymentAuthorizeRequest = { order_id: 'ord_1', amount_minor: 1999, currency: 'EUR', payment_method: 'tok_visa' };
const pending = newPendingPayment(req, 'pay_1', t0);
const authorized = applyAuthorizeOutcome(pending, { kind: 'authorized', chargeId: 'ch_1' }, t0);
const declined = applyAuthorizeOutcome(pending, { kind: 'declined', code: 'card_declined', declineCode: 'insufficient_funds' }, t0);
const captured = applyCapture(authorized, t0);
const withStatus = (status: PaymentRecord['status']): PaymentRecord => ({ ...authorized, status });

describe('authorisation', () => {
  it('calls the provider only when nothing is stored or the outcome is still pending', () => {
    expect(authorizeDecision(undefined, req)).toEqual({ kind: 'call-provider' });
    expect(authorizeDecision(pending, req)).toEqual({ kind: 'call-provider' });
    expect(authorizeDecision(authorized, req)).toEqual({ kind: 'authorized' });
    expect(authorizeDecision(captured, req)).toEqual({ kind: 'authorized' });
    expect(authorizeDecision(declined, req)).toEqual({ kind: 'declined', declineCode: 'insufficient_funds' });
    expect(authorizeDecision(withStatus('voided'), req)).toEqual({ kind: 'already-refunded' });
  });

  it('refuses the same order with another amount or currency', () => {
    expect(authorizeDecision(authorized, { ...req, amount_minor: 2000 })).toEqual({ kind: 'mismatch' });
    expect(authorizeDecision(pending, { ...req, currency: 'USD' })).toEqual({ kind: 'mismatch' });
  });

  it('stores an outcome only over pending', () => {
    expect(authorized).toMatchObject({ status: 'authorized', charge_id: 'ch_1' });
    expect(declined).toMatchObject({ status: 'declined', decline_code: 'insufficient_funds' });
    expect(applyAuthorizeOutcome(declined, { kind: 'authorized', chargeId: 'ch_2' }, t0)).toBe(declined);
  });
});

describe('capture and refund', () => {
  it('captures an authorised payment once, and refuses the others', () => {
    expect(captureDecision(undefined)).toEqual({ kind: 'missing' });
    expect(captureDecision(authorized)).toEqual({ kind: 'call-provider', chargeId: 'ch_1' });
    expect(captureDecision(captured)).toEqual({ kind: 'done' });
    expect(captureDecision(declined)).toEqual({ kind: 'refuse', status: 'declined' });
    expect(captureDecision(pending)).toEqual({ kind: 'refuse', status: 'pending' });
    expect(captured.status).toBe('captured');
  });

  it('voids an authorisation, refunds a capture, and has nothing to do for unknown or declined', () => {
    expect(refundDecision(undefined)).toEqual({ kind: 'nothing' });
    expect(refundDecision(declined)).toEqual({ kind: 'nothing' });
    expect(refundDecision(authorized)).toEqual({ kind: 'call-provider', chargeId: 'ch_1' });
    expect(refundDecision(captured)).toEqual({ kind: 'call-provider', chargeId: 'ch_1' });
    expect(refundDecision(pending)).toEqual({ kind: 'resolve-pending' });
    expect(refundDecision(withStatus('voided'))).toEqual({ kind: 'done', status: 'voided' });
    expect(applyRefund(authorized, 'voided', 'ch_1', t0).status).toBe('voided');
    expect(applyRefund(captured, 'refunded', 'ch_1', t0).status).toBe('refunded');
    expect(applyRefund(declined, 'voided', undefined, t0)).toBe(declined);
  });
});

describe('bookkeeping', () => {
  it('counts provider calls per kind', () => {
    const counted = countCall(countCall(countCall(pending, 'authorize'), 'authorize'), 'refund');
    expect(counted.provider_calls).toEqual({ authorize: 2, capture: 0, refund: 1 });
  });

  it('owes the event of the current state until it is marked published', () => {
    expect(unpublishedEvent(pending)).toBeUndefined();
    expect(unpublishedEvent(authorized)).toBe('payment-processed');
    expect(unpublishedEvent(markPublished(authorized, 'payment-processed'))).toBeUndefined();
    expect(unpublishedEvent(declined)).toBe('payment-failed');
    expect(unpublishedEvent(applyRefund(markPublished(captured, 'payment-processed'), 'refunded', 'ch_1', t0))).toBe('payment-refunded');
    // A pending payment voided before it reached the provider gave nothing back: nothing to announce.
    expect(unpublishedEvent(applyRefund(pending, 'voided', undefined, t0))).toBeUndefined();
  });

  it('shows at most a token prefix', () => {
    expect(tokenPrefix('tok_visa')).toBe('tok_visa');
    expect(tokenPrefix('tok_1Nv0FGQ9RKHgCVdK')).toBe('tok_1Nv0…');
  });
});
