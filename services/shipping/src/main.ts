// shipping: shipments in MongoDB (FerretDB locally), a carrier behind its port, simulated progress by a sweep.
import { createService, every } from '@globalmart/platform';
import { shippingConfig } from './config.ts';
import { progressSweep } from './progress.sweep.ts';
import { shipmentModel } from './shipment.model.ts';
import { mongoShipmentRepository } from './shipment.repository.ts';
import { shipmentService } from './shipment.service.ts';
import { shipmentsRoutes } from './shipments.routes.ts';
import { simulatedCarrier } from './simulated.carrier.ts';

const svc = await createService({ configShape: shippingConfig, mongo: true });
const model = shipmentModel(svc.mongo.connection);
await model.init(); // the due_at index before the first sweep
const repo = mongoShipmentRepository(model);
const delays = { shipMs: svc.config.SHIPPING_SHIP_DELAY_MS, deliverMs: svc.config.SHIPPING_DELIVER_DELAY_MS };

svc.app.use(shipmentsRoutes(shipmentService({ repo, carrier: simulatedCarrier(), delays, logger: svc.logger })));
await svc.start();

const progress = progressSweep({ repo, publisher: svc.dapr.publisher, delays, logger: svc.logger });
const sweep = every('shipment progress sweep', svc.config.SHIPPING_SWEEP_MS, () => progress.runOnce(), svc.logger);
svc.onShutdown(() => sweep.stop());
