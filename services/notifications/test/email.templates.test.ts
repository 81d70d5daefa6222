import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  orderCancelledEmail,
  orderConfirmedEmail,
  orderDeliveredEmail,
  orderShippedEmail,
  welcomeEmail,
} from '../src/email.templates.ts';
import { at, customer, orderId } from './helpers.ts';

const text = (html: string) => html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');

describe('email templates', () => {
  it('escapes everything interpolated into HTML', () => {
    expect(escapeHtml(`<script>alert('x')</script> & "q"`)).toBe('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;');
    const welcome = welcomeEmail(customer, { customer_id: customer.user_id, occurred_at: at });
    expect(welcome.subject).toBe('Welcome to GlobalMart');
    expect(welcome.html).toContain('Hello Ada &lt;Lovelace&gt; &amp; &quot;Co&quot;,');
    expect(welcome.html).not.toContain('<Lovelace>');
  });

  it('order confirmation: one line per item with unit price and line total, the total and the order id', () => {
    const email = orderConfirmedEmail(customer, {
      order_id: orderId,
      customer_id: customer.user_id,
      items: [
        { product_id: 'prd_000001', quantity: 2, unit_price: 19.99, currency: 'USD' },
        { product_id: 'prd_000002', quantity: 1, unit_price: 5, currency: 'USD' },
      ],
      total: 44.98,
      currency: 'USD',
      occurred_at: at,
    });
    expect(email.subject).toBe(`Your GlobalMart order ${orderId} is confirmed`);
    const body = text(email.html);
    expect(body).toContain(orderId);
    expect(body).toContain('prd_000001 2 $19.99 $39.98');
    expect(body).toContain('prd_000002 1 $5.00 $5.00');
    expect(body).toContain('Total: $44.98');
  });

  it('cancellation names the reason (escaped), shipped the carrier and tracking number, delivered the order', () => {
    const base = { order_id: orderId, customer_id: customer.user_id, occurred_at: at };
    const cancelled = orderCancelledEmail(customer, { ...base, reason: 'payment <declined>' });
    expect(cancelled.subject).toContain('was cancelled');
    expect(cancelled.html).toContain('Reason: payment &lt;declined&gt;');
    const shipped = orderShippedEmail(customer, { ...base, shipment_id: 'shp_1', carrier: 'SimPost', tracking_number: 'SP123' });
    expect(text(shipped.html)).toContain('Carrier: SimPost Tracking number: SP123');
    expect(shipped.subject).toBe(`Your GlobalMart order ${orderId} has shipped`);
    const delivered = orderDeliveredEmail(customer, { ...base, shipment_id: 'shp_1' });
    expect(delivered.subject).toBe(`Your GlobalMart order ${orderId} was delivered`);
    expect(delivered.html).toContain(orderId);
  });
});
