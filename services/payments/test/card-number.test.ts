import { looksLikeCardNumber, PaymentAuthorizeRequest, PaymentMethodToken, toFieldErrors } from '@globalmart/contracts';
import { describe, expect, it } from 'vitest';

describe('card-number detection', () => {
  it.each([
    '4242424242424242',
    '4242 4242 4242 4242',
    '4242-4242-4242-4242',
    '378282246310005',
    '6011000990139424123',
    'tok_4242424242424242',
  ])('flags %s', (value) => expect(looksLikeCardNumber(value)).toBe(true));

  it.each(['tok_visa', 'tok_chargeDeclined', '424242424242', 'tok_1Nv0FGQ9RKHgCVdK', '12-34-56'])('lets %s through', (value) =>
    expect(looksLikeCardNumber(value)).toBe(false),
  );
});

describe('PaymentMethodToken', () => {
  it('accepts Stripe-style tokens', () => {
    for (const token of ['tok_visa', 'tok_chargeDeclined', 'tok_slow']) expect(PaymentMethodToken.parse(token)).toBe(token);
  });

  it('rejects a card number with a message that names the rule and never echoes the number', () => {
    const result = PaymentAuthorizeRequest.safeParse({
      order_id: 'ord_1',
      amount_minor: 100,
      currency: 'EUR',
      payment_method: '4242 4242 4242 4242',
    });
    expect(result.success).toBe(false);
    const errors = toFieldErrors(result.error!);
    expect(errors).toEqual([expect.objectContaining({ field: 'payment_method', message: expect.stringMatching(/never a card number/) })]);
    expect(JSON.stringify(errors)).not.toContain('4242');
  });

  it('rejects anything else that is not a token', () => {
    for (const value of ['visa', 'tok_', 'tok_a b', '', 'x'.repeat(101)])
      expect(PaymentMethodToken.safeParse(value).success, value).toBe(false);
  });
});
