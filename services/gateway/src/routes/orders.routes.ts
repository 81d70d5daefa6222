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
import { AppError, InvokeError, parseBody, parseParams, parseQuery, unavailable, type ServiceInvoker } from '@globalmart/platform';
import { BulkheadRejectedError, bulkhead } from 'cockatiel';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { PolicyLimiter } from '../edge/rate-limits.ts';
import type { GatewayAuth } from './gateway-auth.ts';

const IdempotencyHeader = z.object({ [IDEMPOTENCY_KEY_HEADER]: IdempotencyKey });

/** The gateway's checkout admission policy (config CHECKOUT_MAX_IN_FLIGHT, CHECKOUT_ACCEPT_TIMEOUT_MS, CHECKOUT_MAX_RATE). */
export interface CheckoutAdmission {
  maxInFlight: number;
  acceptTimeoutMs: number;
  /** Checkouts admitted per second across the gateways (absent: no rate bound). */
  rate?: PolicyLimiter;
}

/** Seconds a shed shopper should wait: acceptance takes well under a second when orders keeps up. */
export const CHECKOUT_RETRY_AFTER_SECONDS = 1;

/**
 * An answer from orders that says "not now" rather than "no": no answer in time, a shed (503), a broken hop, or any
 * other 5xx (orders or a sidecar failed midway: the order may exist, and the same Idempotency-Key finds it).
 */
const isTransient = (err: unknown): err is InvokeError => err instanceof InvokeError && (err.status === 0 || err.status >= 500);

const checkoutBusy = (res: Response, detail: string) => {
  res.set('retry-after', String(CHECKOUT_RETRY_AFTER_SECONDS));
  return unavailable('CHECKOUT.BUSY', detail, { retry_after: CHECKOUT_RETRY_AFTER_SECONDS });
};

/** Checkout and order history (customers: their own; admins: all), answered by orders through Dapr. */
export function ordersRoutes(
  invoker: ServiceInvoker,
  auth: GatewayAuth,
  admission: CheckoutAdmission = { maxInFlight: 16, acceptTimeoutMs: 2_000 },
): Router {
  const router = Router();
  // cockatiel's bulkhead with no queue: a checkout beyond the bound is refused at once, not parked behind the others.
  const inFlight = bulkhead(admission.maxInFlight, 0);

  router.post('/api/orders', auth.requireCustomer, async (req, res) => {
    const headers = IdempotencyHeader.parse({ [IDEMPOTENCY_KEY_HEADER]: req.get(IDEMPOTENCY_KEY_HEADER) });
    const body = parseBody(OrderCreateRequest, req);
    if (admission.rate) {
      try {
        await admission.rate.consume(res, 'platform');
      } catch (err) {
        if (err instanceof AppError && err.status === 429) {
          throw checkoutBusy(res, 'More checkouts than the platform accepts per second: nothing was ordered, try again shortly.');
        }
        throw err;
      }
    }
    let accepted;
    try {
      accepted = await inFlight.execute(() =>
        invoker.invoke<OrderAccepted>('orders', 'orders', {
          httpMethod: 'POST',
          body,
          headers: { ...auth.forwardHeaders(res), ...headers },
          timeoutMs: admission.acceptTimeoutMs,
        }),
      );
    } catch (err) {
      if (err instanceof BulkheadRejectedError) {
        throw checkoutBusy(res, 'Too many checkouts at once: nothing was ordered, try again shortly.');
      }
      // The order may or may not exist: the same Idempotency-Key returns it if this attempt created it.
      if (isTransient(err)) {
        throw checkoutBusy(res, 'The order could not be confirmed in time: try again with the same Idempotency-Key.');
      }
      throw err;
    }
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
