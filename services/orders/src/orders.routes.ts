import {
  AdminOrderListQuery,
  IdempotencyKey,
  OrderCreateRequest,
  OrderListQuery,
  OrderParams,
  Shipment,
  ordersErrorCodes,
  type AdminOrderPage,
  type OrderPage,
  type OrderTracking,
} from '@globalmart/contracts';
import {
  AppError,
  InvokeError,
  badRequest,
  canRead,
  notFound,
  parseBody,
  parseParams,
  parseQuery,
  requireAdmin,
  requireUser,
  type Caller,
  type ServiceInvoker,
} from '@globalmart/platform';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AddressCipher } from './address.crypto.ts';
import type { CheckoutService } from './checkout.service.ts';
import { UnknownCursorError, type OrderRepository } from './order.repository.ts';
import type { Order } from './order.types.ts';
import { toView } from './order.view.ts';

// Parsed like a body so a missing or malformed key is a 400 problem naming the header, as for any field.
const IdempotencyHeader = z.object({ 'Idempotency-Key': IdempotencyKey });

export interface OrdersRoutesDeps {
  checkout: CheckoutService;
  repo: OrderRepository;
  invoker: ServiceInvoker;
  /** Decrypts the shipping address for the owner's and admins' views. */
  addresses: AddressCipher;
}

export function ordersRoutes({ checkout, repo, invoker, addresses }: OrdersRoutesDeps): Router {
  const router = Router();

  // Owner or admin; anyone else gets the same 404 as for an unknown id, so order ids cannot be probed.
  const readable = async (req: Request): Promise<{ caller: Caller; order: Order }> => {
    const caller = requireUser(req);
    const { id } = parseParams(OrderParams, req);
    const order = await repo.get(id);
    if (!order || !canRead(caller, order.customer_id)) throw notFound(ordersErrorCodes.NotFound, `No order ${id}.`);
    return { caller, order };
  };

  router.post('/orders', async (req, res) => {
    const caller = requireUser(req);
    const { 'Idempotency-Key': key } = IdempotencyHeader.parse({ 'Idempotency-Key': req.get('idempotency-key') });
    const body = parseBody(OrderCreateRequest, req);
    res.status(201).json(await checkout.place(caller, key, body));
  });

  router.get('/orders', async (req, res) => {
    const caller = requireUser(req);
    const q = parseQuery(OrderListQuery, req);
    const { data, total } = await repo.search({ customerId: caller.userId, page: q.page, pageSize: q.page_size });
    const body: OrderPage = { data: data.map((o) => toView(o, addresses)), page: q.page, page_size: q.page_size, total };
    res.json(body);
  });

  router.get('/orders/:id', async (req, res) => {
    res.json(toView((await readable(req)).order, addresses));
  });

  router.get('/orders/:id/tracking', async (req, res) => {
    const { order } = await readable(req);
    let shipment: Shipment | null = null;
    try {
      const answer = await invoker.invoke<unknown>('shipping', `shipments/${encodeURIComponent(order.order_id)}`);
      const parsed = Shipment.safeParse(answer.body);
      if (!parsed.success) throw new AppError(502, 'UPSTREAM.INVALID', 'The shipping service answered with an unexpected body.');
      shipment = parsed.data;
    } catch (err) {
      // No shipment yet (or the order was cancelled before one was booked) is an answer, not an error.
      if (!(err instanceof InvokeError && err.status === 404)) throw err;
    }
    const body: OrderTracking = { order_id: order.order_id, order_status: order.status, shipment };
    res.json(body);
  });

  router.get('/admin/orders', async (req, res) => {
    requireAdmin(req);
    const q = parseQuery(AdminOrderListQuery, req);
    try {
      const { data, hasMore } = await repo.list({
        ...(q.status ? { status: q.status } : {}),
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        limit: q.page_size,
      });
      const body: AdminOrderPage = { data: data.map((o) => toView(o, addresses)), page_size: q.page_size, has_more: hasMore };
      res.json(body);
    } catch (err) {
      if (!(err instanceof UnknownCursorError)) throw err;
      throw badRequest('REQUEST.INVALID', 'The request is invalid.', {
        errors: [{ field: 'starting_after', message: `no order ${err.orderId}`, code: 'unknown_order' }],
      });
    }
  });

  return router;
}
