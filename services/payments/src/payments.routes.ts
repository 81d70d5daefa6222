import { PaymentAuthorizeRequest, PaymentOrderParams } from '@globalmart/contracts';
import { parseBody, parseParams } from '@globalmart/platform';
import { Router } from 'express';
import type { PaymentService } from './payment.service.ts';

/** Internal API, reached by Dapr service invocation (the orders saga); bodies and answers as in the contracts. */
export function paymentsRoutes(payments: PaymentService): Router {
  const router = Router();
  router.post('/payments/authorize', async (req, res) => {
    // A repeat answers 201 again with the same body: the caller cannot tell a retry from the first call.
    res.status(201).json(await payments.authorize(parseBody(PaymentAuthorizeRequest, req)));
  });
  router.post('/payments/:order_id/capture', async (req, res) => {
    res.json(await payments.capture(parseParams(PaymentOrderParams, req).order_id));
  });
  router.post('/payments/:order_id/refund', async (req, res) => {
    res.json(await payments.refund(parseParams(PaymentOrderParams, req).order_id));
  });
  router.get('/payments/:order_id', async (req, res) => {
    res.json(await payments.get(parseParams(PaymentOrderParams, req).order_id));
  });
  return router;
}
