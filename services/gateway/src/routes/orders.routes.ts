import {
  AdminOrderListQuery,
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKey,
  OrderCreateRequest,
  OrderListQuery,
  OrderParams,
  type Order,
  type AdminOrderPage,
  type OrderAccepted,
  type OrderPage,
  type OrderTracking,
} from '@globalmart/contracts';
import { parseBody, parseParams, parseQuery, type ServiceInvoker } from '@globalmart/platform';
import { Router } from 'express';
import { z } from 'zod';
import type { GatewayAuth } from './gateway-auth.ts';

const IdempotencyHeader = z.object({ [IDEMPOTENCY_KEY_HEADER]: IdempotencyKey });

/** Checkout and order history (customers: their own; admins: all), answered by orders through Dapr. */
export function ordersRoutes(invoker: ServiceInvoker, auth: GatewayAuth): Router {
  const router = Router();

  router.post('/api/orders', auth.requireCustomer, async (req, res) => {
    const headers = IdempotencyHeader.parse({ [IDEMPOTENCY_KEY_HEADER]: req.get(IDEMPOTENCY_KEY_HEADER) });
    const body = parseBody(OrderCreateRequest, req);
    const accepted = await invoker.invoke<OrderAccepted>('orders', 'orders', {
      httpMethod: 'POST',
      body,
      headers: { ...auth.forwardHeaders(res), ...headers },
    });
    res.status(201).location(`/api/orders/${accepted.body.order_id}`).json(accepted.body);
  });

  router.get('/api/orders', auth.requireCustomer, async (req, res) => {
    const query = parseQuery(OrderListQuery, req);
    const { body } = await invoker.invoke<OrderPage>('orders', 'orders', { query, headers: auth.forwardHeaders(res) });
    res.json(body);
  });

  router.get('/api/orders/:id', auth.requireCustomer, async (req, res) => {
    const { id } = parseParams(OrderParams, req);
    const { body } = await invoker.invoke<Order>('orders', `orders/${id}`, { headers: auth.forwardHeaders(res) });
    res.json(body);
  });

  router.get('/api/orders/:id/tracking', auth.requireCustomer, async (req, res) => {
    const { id } = parseParams(OrderParams, req);
    const { body } = await invoker.invoke<OrderTracking>('orders', `orders/${id}/tracking`, { headers: auth.forwardHeaders(res) });
    res.json(body);
  });

  router.get('/api/admin/orders', auth.requireAdmin, async (req, res) => {
    const query = parseQuery(AdminOrderListQuery, req);
    const { body } = await invoker.invoke<AdminOrderPage>('orders', 'admin/orders', { query, headers: auth.forwardHeaders(res) });
    res.json(body);
  });

  return router;
}
