import { OrderCancelled, OrderConfirmed, OrderDelivered, OrderPlaced, OrderShipped, Order as OrderView } from '@globalmart/contracts';
import { describe, expect, it } from 'vitest';
import { draftOrder } from '../src/order.draft.ts';
import { orderCancelledEntry, orderConfirmedEntry, orderDeliveredEntry, orderShippedEntry } from '../src/order.events.ts';
import { toView } from '../src/order.view.ts';
import { address, addresses, cart } from './fixtures.ts';

const draft = (c = cart()) =>
  draftOrder({
    orderId: 'ord_0123456789abcdef0123456789abcdef',
    customerId: 'usr_1',
    cart: c,
    request: { payment_method: 'tok_visa', shipping_address: address },
    now: '2026-01-01T00:00:00.000Z',
    addresses,
  });

describe('drafting an order from a cart', () => {
  it('adds up in minor units: 3 × 0.10 is 0.30 exactly, not 0.30000000000000004', () => {
    const order = draft(
      cart('usr_1', [
        ['prd_000001', 3, 0.1],
        ['prd_000002', 1, 19.99],
      ]),
    );
    expect(order.total_minor).toBe(2029);
    expect(toView(order, addresses).total).toBe(20.29);
    expect(toView(order, addresses).items.map((i) => i.line_total)).toEqual([0.3, 19.99]);
  });

  it('starts PENDING with its history and the OrderPlaced event in the same document', () => {
    const order = draft();
    expect(order.status_history).toEqual([{ status: 'PENDING', at: '2026-01-01T00:00:00.000Z' }]);
    expect(order.outbox).toHaveLength(1);
    expect(order.outbox[0]).toMatchObject({ id: `${order.order_id}:placed`, topic: 'orders', type: 'globalmart.orders.order-placed.v1' });
    expect(OrderPlaced.parse(order.outbox[0]!.data)).toMatchObject({ total: 45.48, currency: 'USD', customer_id: 'usr_1' });
  });

  it('refuses an empty cart (422 ORDER.EMPTY_CART) and a cart in two currencies', () => {
    expect(() => draft({ ...cart(), items: [] })).toThrow(expect.objectContaining({ status: 422, code: 'ORDER.EMPTY_CART' }));
    const mixed = cart();
    mixed.items[1] = { ...mixed.items[1]!, currency: 'EUR' };
    expect(() => draft(mixed)).toThrow(expect.objectContaining({ status: 422, code: 'ORDER.MIXED_CURRENCIES' }));
  });

  it('emits events and views that match the published contracts', () => {
    const order = draft();
    const at = '2026-01-01T00:00:05.000Z';
    expect(() => OrderView.parse(toView(order, addresses))).not.toThrow();
    expect(OrderConfirmed.parse(orderConfirmedEntry(order, at).data)).toEqual({
      order_id: order.order_id,
      customer_id: 'usr_1',
      items: [
        { product_id: 'prd_000001', quantity: 2, unit_price: 19.99, currency: 'USD' },
        { product_id: 'prd_000002', quantity: 1, unit_price: 5.5, currency: 'USD' },
      ],
      total: 45.48,
      currency: 'USD',
      occurred_at: at,
    });
    expect(OrderCancelled.parse(orderCancelledEntry(order, 'payment declined', at).data).reason).toBe('payment declined');
    const shipped = orderShippedEntry(order, { shipment_id: 'shp_1', carrier: 'DHL', tracking_number: 'T1' }, at);
    expect(OrderShipped.parse(shipped.data)).toMatchObject({ shipment_id: 'shp_1', carrier: 'DHL' });
    expect(OrderDelivered.parse(orderDeliveredEntry(order, 'shp_1', at).data).shipment_id).toBe('shp_1');
    // Deterministic ids: a replayed activity or a republished entry dedupes at the consumers.
    expect([shipped.id, orderDeliveredEntry(order, 'shp_1', at).id]).toEqual([`${order.order_id}:shipped`, `${order.order_id}:delivered`]);
  });
});
