// What an orders writer leaves behind when it dies between its write and its publish (docs/adr/0002): the outbox
// cursor (written first), then the order document with its OrderPlaced entry — and no publish. Written straight into
// orders' database, so only the outbox relay (a Dapr job, one replica per tick) can get the event out.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';

export interface StrandedOrder {
  orderId: string;
  /** Whether the relay has published it and cleared its cursor. */
  cursorCleared(): Promise<boolean>;
  close(): Promise<void>;
}

/** Plants a CANCELLED order (nothing but the relay has anything to do with it) whose OrderPlaced was never published. */
export async function plantStrandedOrder(
  mongoUrl: string,
  customerId: string,
  productId: string,
  quantity: number,
): Promise<StrandedOrder> {
  const orderId = `ord_${randomBytes(16).toString('hex')}`;
  const at = new Date(Date.now() - 60_000);
  const conn = await mongoose.createConnection(`${mongoUrl}/globalmart-orders`).asPromise();
  const cursors = conn.db!.collection<{ _id: string; from: number; since: Date }>('order_outbox');
  await cursors.insertOne({ _id: orderId, from: 0, since: at });
  await conn.db!.collection<{ _id: string } & Record<string, unknown>>('orders').insertOne({
    _id: orderId,
    customer_id: customerId,
    status: 'CANCELLED',
    items: [{ product_id: productId, name: 'Test', quantity, unit_price_minor: 1000, line_total_minor: 1000 * quantity }],
    currency: 'USD',
    total_minor: 1000 * quantity,
    shipping_address: { name: 'Grace Hopper', line1: '1 Harbour Road', city: 'Hamburg', postal_code: '20095', country: 'DE' },
    payment_method: 'tok_visa',
    status_history: [{ status: 'CANCELLED', at: at.toISOString() }],
    created_at: at,
    updated_at: at,
    outbox: [
      {
        id: `${orderId}:placed`,
        topic: 'orders',
        type: 'globalmart.orders.order-placed.v1',
        data: {
          order_id: orderId,
          customer_id: customerId,
          items: [{ product_id: productId, quantity, unit_price: 10, currency: 'USD' }],
          total: 10 * quantity,
          currency: 'USD',
          occurred_at: at.toISOString(),
        },
        at: at.toISOString(),
      },
    ],
  });
  return {
    orderId,
    cursorCleared: async () => (await cursors.findOne({ _id: orderId })) === null,
    close: () => conn.close(),
  };
}
