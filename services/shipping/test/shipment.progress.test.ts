import { shippingEventTypes, type ShipmentCreateRequest } from '@globalmart/contracts';
import { Jobs, KeyedLock, createLogger, loadConfig } from '@globalmart/platform';
import { createMemoryDapr } from '@globalmart/platform/testing';
import express from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepNotDueError, shipmentProgress, type ShipmentProgress } from '../src/shipment.progress.ts';
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
const T0 = Date.parse('2026-01-01T00:00:00Z');

let clock: number;
let dapr: ReturnType<typeof createMemoryDapr>;
let service: ReturnType<typeof shipmentService>;
let progress: ShipmentProgress;
beforeEach(() => {
  clock = T0;
  const now = () => new Date(clock);
  const repo = memoryShipmentRepository();
  dapr = createMemoryDapr(() => clock);
  const lock = new KeyedLock(dapr.locks(), { leaseSeconds: 30, busyCode: 'SHIPPING.BUSY', now: () => clock });
  const jobs = new Jobs(dapr.jobs, logger);
  progress = shipmentProgress({ repo, publisher: dapr.publisher, delays, logger, lock, jobs, now });
  service = shipmentService({ repo, carrier: simulatedCarrier(), delays, logger, lock, progress, now });
});

const types = () => dapr.publisher.published.map((e) => [e.type, e.id]);
const scheduled = () => [...dapr.jobs.jobs].map(([name, job]) => [name, job.dueTime]);

describe('shipment progress (one Dapr job per shipment step)', () => {
  it('books a job for the next step at its due time, and each trigger advances, publishes once and books the next', async () => {
    const { shipment } = await service.create(req);
    expect(scheduled()).toEqual([['shipment-ord_1-shipped', new Date(T0 + 5000).toISOString()]]);
    expect(dapr.jobs.jobs.get('shipment-ord_1-shipped')).toMatchObject({
      overwrite: true,
      failurePolicy: { constant: { interval: '1s' } },
    });
    clock += 5000;
    await progress.run('ord_1-shipped');
    expect((await service.get('ord_1')).status).toBe('shipped');
    expect(types()).toEqual([[shippingEventTypes.ItemShipped, 'ord_1:shipped']]);
    expect(dapr.publisher.published[0]!.data).toMatchObject({
      shipment_id: shipment.shipment_id,
      tracking_number: shipment.tracking_number,
    });
    expect(scheduled()).toContainEqual(['shipment-ord_1-delivered', new Date(clock + 10_000).toISOString()]);
    // A repeated trigger (the scheduler retrying, a duplicate) changes nothing and publishes nothing.
    await progress.run('ord_1-shipped');
    expect(types()).toHaveLength(1);
    clock += 10_000;
    await progress.run('ord_1-delivered');
    expect((await service.get('ord_1')).status).toBe('delivered');
    expect(types()).toEqual([
      [shippingEventTypes.ItemShipped, 'ord_1:shipped'],
      [shippingEventTypes.OrderDelivered, 'ord_1:delivered'],
    ]);
    expect(dapr.publisher.published.every((e) => e.topic === 'shipping')).toBe(true);
  });

  it('a trigger before the step is due throws (the job is retried), changing nothing', async () => {
    await service.create(req);
    clock += 4999;
    await expect(progress.run('ord_1-shipped')).rejects.toBeInstanceOf(StepNotDueError);
    expect((await service.get('ord_1')).status).toBe('created');
  });

  it('keeps an event that could not be published and throws, so the retried trigger sends it with the same id', async () => {
    await service.create(req);
    const publish = dapr.publisher.publish.bind(dapr.publisher);
    dapr.publisher.publish = async () => {
      throw new Error('broker down');
    };
    clock += 5000;
    await expect(progress.run('ord_1-shipped')).rejects.toThrow('broker down');
    expect((await service.get('ord_1')).status).toBe('shipped');
    dapr.publisher.publish = publish;
    clock += 1000;
    await progress.run('ord_1-shipped');
    expect(types()).toEqual([[shippingEventTypes.ItemShipped, 'ord_1:shipped']]);
  });

  it('a cancelled shipment: its pending job fires once, does nothing and books nothing more', async () => {
    await service.create(req);
    await service.cancel('ord_1');
    dapr.jobs.jobs.clear();
    clock += 60_000;
    await progress.run('ord_1-shipped');
    expect((await service.get('ord_1')).status).toBe('cancelled');
    expect(dapr.publisher.published).toHaveLength(0);
    expect(dapr.jobs.jobs.size).toBe(0);
  });

  it('the job trigger reaches run() through the kit route POST /job/shipment-<order>-<step>', async () => {
    const jobs = new Jobs(dapr.jobs, logger);
    const lock = new KeyedLock(dapr.locks(), { leaseSeconds: 30, busyCode: 'SHIPPING.BUSY', now: () => clock });
    const repo = memoryShipmentRepository();
    shipmentProgress({ repo, publisher: dapr.publisher, delays, logger, lock, jobs, now: () => new Date(clock) });
    const app = express().use(express.json()).use(jobs.router());
    // No such shipment: nothing to do, done (a 2xx, so the scheduler does not retry).
    await request(app).post('/job/shipment-ord_9-shipped').send({}).expect(200);
    await request(app).post('/job/other-ord_9').send({}).expect(404);
  });
});
