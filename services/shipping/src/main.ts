// shipping: shipments in MongoDB (FerretDB locally), a carrier behind its port, simulated progress by Dapr jobs.
import { KeyedLock, createService } from '@globalmart/platform';
import { shippingConfig } from './config.ts';
import { shipmentProgress } from './shipment.progress.ts';
import { shipmentModel } from './shipment.model.ts';
import { mongoShipmentRepository } from './shipment.repository.ts';
import { shipmentService } from './shipment.service.ts';
import { shipmentsRoutes } from './shipments.routes.ts';
import { simulatedCarrier } from './simulated.carrier.ts';

const svc = await createService({ configShape: shippingConfig, mongo: true });
const model = shipmentModel(svc.mongo.connection);
await model.init();
const repo = mongoShipmentRepository(model);
const delays = { shipMs: svc.config.SHIPPING_SHIP_DELAY_MS, deliverMs: svc.config.SHIPPING_DELIVER_DELAY_MS };
// One writer per shipment across replicas (lockstore, lock.redis): booking, cancelling and each progress step.
const lock = new KeyedLock(svc.dapr.locks(), {
  leaseSeconds: svc.config.SHIPPING_LOCK_LEASE_SECONDS,
  busyCode: 'SHIPPING.BUSY',
  prefix: 'shipment-',
  logger: svc.logger,
});
// Each shipment's next step is a one-shot Dapr job `shipment-<order_id>-<step>`, delivered to one replica when due;
// a trigger that throws (an event not published yet, a step early) is triggered again every second until it succeeds.
const progress = shipmentProgress({ repo, publisher: svc.dapr.publisher, delays, logger: svc.logger, lock, jobs: svc.jobs });

svc.app.use(shipmentsRoutes(shipmentService({ repo, carrier: simulatedCarrier(), delays, logger: svc.logger, lock, progress })));
await svc.start();
