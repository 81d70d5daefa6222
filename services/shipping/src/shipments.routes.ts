import { ShipmentCreateRequest, ShipmentOrderParams } from '@globalmart/contracts';
import { parseBody, parseParams } from '@globalmart/platform';
import { Router } from 'express';
import type { ShipmentService } from './shipment.service.ts';

/** Internal API, reached by Dapr service invocation (the orders saga, and the gateway's tracking page). */
export function shipmentsRoutes(shipments: ShipmentService): Router {
  const router = Router();
  router.post('/shipments', async (req, res) => {
    const { shipment, created } = await shipments.create(parseBody(ShipmentCreateRequest, req));
    // 201 for a new shipment, 200 for a repeat: the same order never books twice.
    res.status(created ? 201 : 200).json(shipment);
  });
  router.post('/shipments/:order_id/cancel', async (req, res) => {
    res.json(await shipments.cancel(parseParams(ShipmentOrderParams, req).order_id));
  });
  router.get('/shipments/:order_id', async (req, res) => {
    res.json(await shipments.get(parseParams(ShipmentOrderParams, req).order_id));
  });
  return router;
}
