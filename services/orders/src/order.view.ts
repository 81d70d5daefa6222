// The public order shape: decimals computed from the stored minor units; the outbox and internals stay inside.
import type { Order as OrderView } from '@globalmart/contracts';
import type { AddressCipher } from './address.crypto.ts';
import { toMajor } from './order.money.ts';
import type { Order } from './order.types.ts';

/** For the owner and admins only: the one place, with the saga's shipment step, where the address is decrypted. */
export function toView(order: Order, addresses: AddressCipher): OrderView {
  return {
    order_id: order.order_id,
    customer_id: order.customer_id,
    status: order.status,
    items: order.items.map((i) => ({
      product_id: i.product_id,
      name: i.name,
      quantity: i.quantity,
      unit_price: toMajor(i.unit_price_minor),
      currency: order.currency,
      line_total: toMajor(i.line_total_minor),
    })),
    total: toMajor(order.total_minor),
    currency: order.currency,
    shipping_address: addresses.open(order.order_id, order.shipping_address),
    payment_method: order.payment_method,
    status_history: order.status_history,
    ...(order.cancel_reason ? { cancel_reason: order.cancel_reason } : {}),
    created_at: order.created_at,
    updated_at: order.updated_at,
  };
}
