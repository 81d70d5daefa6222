// Turning a cart into a PENDING order: pure, so the rules (empty cart, one currency, totals) are unit-tested.
import { ordersErrorCodes, type Cart, type OrderCreateRequest } from '@globalmart/contracts';
import { unprocessable } from '@globalmart/platform';
import type { AddressCipher } from './address.crypto.ts';
import { toMinor } from './order.money.ts';
import { orderPlacedEntry } from './order.events.ts';
import type { Order, OrderItem } from './order.types.ts';

export interface DraftInput {
  orderId: string;
  customerId: string;
  cart: Cart;
  request: OrderCreateRequest;
  now: string;
  /** Seals the address under the order id before the order exists anywhere. */
  addresses: AddressCipher;
}

export function draftOrder({ orderId, customerId, cart, request, now, addresses }: DraftInput): Order {
  if (cart.items.length === 0) throw unprocessable(ordersErrorCodes.EmptyCart, 'The cart is empty: add items before checking out.');
  const currencies = new Set(cart.items.map((line) => line.currency));
  if (currencies.size > 1) {
    throw unprocessable(ordersErrorCodes.MixedCurrencies, 'The cart holds prices in more than one currency.', {
      currencies: [...currencies],
    });
  }
  const items: OrderItem[] = cart.items.map((line) => {
    const unit = toMinor(line.unit_price);
    return {
      product_id: line.product_id,
      name: line.name,
      quantity: line.quantity,
      unit_price_minor: unit,
      line_total_minor: unit * line.quantity,
    };
  });
  const order: Order = {
    order_id: orderId,
    customer_id: customerId,
    status: 'PENDING',
    items,
    currency: cart.items[0]!.currency,
    total_minor: items.reduce((sum, item) => sum + item.line_total_minor, 0),
    shipping_address: addresses.seal(orderId, request.shipping_address),
    payment_method: request.payment_method,
    status_history: [{ status: 'PENDING', at: now }],
    created_at: now,
    updated_at: now,
    outbox: [],
  };
  // OrderPlaced is written with the order itself: the cart empties and the saga's audience hears of it exactly once.
  return { ...order, outbox: [orderPlacedEntry(order, now)] };
}
