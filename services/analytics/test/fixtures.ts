// Event data builders for the unit tests (shapes as in the catalogue; ids in the producers' formats).
import { eventTypes, ordersEventTypes } from '@globalmart/contracts';

export const orderId = (n: number) => `ord_${n.toString(16).padStart(32, '0')}`;
export const product = (n: number) => `prd_${String(n).padStart(6, '0')}`;

export interface Line {
  product_id: string;
  quantity: number;
  unit_price: number;
  currency: string;
}
export const line = (p: number, quantity: number, unit_price: number, currency = 'USD'): Line => ({
  product_id: product(p),
  quantity,
  unit_price,
  currency,
});
const totalOf = (items: Line[]) => items.reduce((n, i) => n + Math.round(i.unit_price * 100) * i.quantity, 0) / 100;

export const placed = (id: string, at: string, items: Line[], currency = 'USD') => ({
  type: eventTypes.OrderPlaced,
  id: `${id}:placed`,
  data: { order_id: id, customer_id: 'usr_1', items, total: totalOf(items), currency, occurred_at: at },
});
export const confirmed = (id: string, at: string, items: Line[], currency = 'USD') => ({
  type: ordersEventTypes.OrderConfirmed,
  id: `${id}:confirmed`,
  data: { order_id: id, customer_id: 'usr_1', items, total: totalOf(items), currency, occurred_at: at },
});
export const cancelled = (id: string, at: string) => ({
  type: ordersEventTypes.OrderCancelled,
  id: `${id}:cancelled`,
  data: { order_id: id, customer_id: 'usr_1', reason: 'payment declined', occurred_at: at },
});
export const shipped = (id: string, at: string) => ({
  type: ordersEventTypes.OrderShipped,
  id: `${id}:shipped`,
  data: {
    order_id: id,
    customer_id: 'usr_1',
    shipment_id: 'shp_1',
    carrier: 'simcarrier',
    tracking_number: 'GM0000000001',
    occurred_at: at,
  },
});
let views = 0;
export const viewed = (p: number, at: string) => ({
  type: eventTypes.ProductViewed,
  id: `view-${++views}`,
  data: { product_id: product(p), session_id: 'sess_1', occurred_at: at },
});
