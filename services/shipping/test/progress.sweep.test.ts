import { shippingEventTypes, type ShipmentCreateRequest } from '@globalmart/contracts';
import { createLogger, loadConfig } from '@globalmart/platform';
import { createMemoryDapr } from '@globalmart/platform/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { progressSweep } from '../src/progress.sweep.ts';
import { shipmentService } from '../src/shipment.service.ts';
import { simulatedCarrier } from '../src/simulated.carrier.ts';
import { memoryShipmentRepository } from './memory.shipment.repository.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'shipping', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const delays = { shipMs: 5000, deliverMs: 10_000 };
const req: ShipmentCreateRequest = {
  order_id: 'ord_1',
  customer_id: 'usr_1',
  address: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postal_code: '10115', country: 'DE' },
  items: [{ product_id: 'prd_000001', quantity: 1 }],
};

let clock: number;
let dapr: ReturnType<typeof createMemoryDapr>;
let service: ReturnType<typeof shipmentService>;
let sweep: ReturnType<typeof progressSweep>;
beforeEach(() => {
  clock = Date.parse('2026-01-01T00:00:00Z');
  const now = () => new Date(clock);
  const repo = memoryShipmentRepository();
  dapr = createMemoryDapr();
  service = shipmentService({ repo, carrier: simulatedCarrier(), delays, logger, now });
  sweep = progressSweep({ repo, publisher: dapr.publisher, delays, logger, now });
});

const types = () => dapr.publisher.published.map((e) => [e.type, e.id]);

describe('progress sweep', () => {
  it('ships after the ship delay and delivers after the deliver delay, publishing each event once', async () => {
    const { shipment } = await service.create(req);
    clock += 4999;
    expect(await sweep.runOnce()).toBe(0);
    clock += 1;
    await sweep.runOnce();
    expect((await service.get('ord_1')).status).toBe('shipped');
    expect(types()).toEqual([[shippingEventTypes.ItemShipped, 'ord_1:shipped']]);
    expect(dapr.publisher.published[0]!.data).toMatchObject({
      shipment_id: shipment.shipment_id,
      tracking_number: shipment.tracking_number,
    });
    await sweep.runOnce();
    expect(types()).toHaveLength(1);
    clock += 10_000;
    await sweep.runOnce();
    expect((await service.get('ord_1')).status).toBe('delivered');
    expect(types()).toEqual([
      [shippingEventTypes.ItemShipped, 'ord_1:shipped'],
      [shippingEventTypes.OrderDelivered, 'ord_1:delivered'],
    ]);
    expect(dapr.publisher.published.every((e) => e.topic === 'shipping')).toBe(true);
  });

  it('keeps an event that could not be published and sends it on a later pass, with the same id', async () => {
    await service.create(req);
    const publish = dapr.publisher.publish.bind(dapr.publisher);
    dapr.publisher.publish = async () => {
      throw new Error('broker down');
    };
    clock += 5000;
    await sweep.runOnce();
    expect((await service.get('ord_1')).status).toBe('shipped');
    dapr.publisher.publish = publish;
    clock += 1;
    await sweep.runOnce();
    expect(types()).toEqual([[shippingEventTypes.ItemShipped, 'ord_1:shipped']]);
  });

  it('never progresses a cancelled shipment', async () => {
    await service.create(req);
    await service.cancel('ord_1');
    clock += 60_000;
    expect(await sweep.runOnce()).toBe(0);
    expect((await service.get('ord_1')).status).toBe('cancelled');
    expect(dapr.publisher.published).toHaveLength(0);
  });
});
