// The emails, as HTML for the SMTP binding. Everything interpolated goes through escapeHtml.
import type {
  ContactDetails,
  CustomerRegistered,
  OrderCancelled,
  OrderConfirmed,
  OrderDelivered,
  OrderShipped,
} from '@globalmart/contracts';

export interface Email {
  subject: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Header-safe: no control characters (CR/LF would start a new header), bounded length. */
const subjectLine = (text: string) => text.replace(/[\p{Cc}]+/gu, ' ').slice(0, 200);

export function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

function page(contact: ContactDetails, paragraphs: string[]): string {
  return [
    '<!doctype html>',
    '<html><body style="font-family:sans-serif">',
    `<p>Hello ${escapeHtml(contact.name)},</p>`,
    ...paragraphs,
    '<p>— GlobalMart</p>',
    '</body></html>',
  ].join('\n');
}

export function welcomeEmail(contact: ContactDetails, _event: CustomerRegistered): Email {
  return {
    subject: 'Welcome to GlobalMart',
    html: page(contact, ['<p>Welcome to GlobalMart! Your account is ready.</p>']),
  };
}

export function orderConfirmedEmail(contact: ContactDetails, order: OrderConfirmed): Email {
  const rows = order.items.map(
    (i) =>
      `<tr><td>${escapeHtml(i.product_id)}</td><td>${escapeHtml(i.quantity)}</td>` +
      `<td>${escapeHtml(money(i.unit_price, i.currency))}</td><td>${escapeHtml(money(i.unit_price * i.quantity, i.currency))}</td></tr>`,
  );
  return {
    subject: subjectLine(`Your GlobalMart order ${order.order_id} is confirmed`),
    html: page(contact, [
      `<p>Thank you for your order <strong>${escapeHtml(order.order_id)}</strong>. It is confirmed and will ship soon.</p>`,
      '<table><thead><tr><th>Product</th><th>Quantity</th><th>Unit price</th><th>Line total</th></tr></thead>',
      `<tbody>${rows.join('')}</tbody></table>`,
      `<p>Total: <strong>${escapeHtml(money(order.total, order.currency))}</strong></p>`,
    ]),
  };
}

export function orderCancelledEmail(contact: ContactDetails, order: OrderCancelled): Email {
  return {
    subject: subjectLine(`Your GlobalMart order ${order.order_id} was cancelled`),
    html: page(contact, [
      `<p>We are sorry: your order <strong>${escapeHtml(order.order_id)}</strong> was cancelled.</p>`,
      `<p>Reason: ${escapeHtml(order.reason)}</p>`,
      '<p>You have not been charged for it.</p>',
    ]),
  };
}

export function orderShippedEmail(contact: ContactDetails, order: OrderShipped): Email {
  return {
    subject: subjectLine(`Your GlobalMart order ${order.order_id} has shipped`),
    html: page(contact, [
      `<p>Your order <strong>${escapeHtml(order.order_id)}</strong> is on its way.</p>`,
      `<p>Carrier: ${escapeHtml(order.carrier)}<br>Tracking number: ${escapeHtml(order.tracking_number)}</p>`,
    ]),
  };
}

export function orderDeliveredEmail(contact: ContactDetails, order: OrderDelivered): Email {
  return {
    subject: subjectLine(`Your GlobalMart order ${order.order_id} was delivered`),
    html: page(contact, [`<p>Your order <strong>${escapeHtml(order.order_id)}</strong> was delivered. Enjoy!</p>`]),
  };
}
