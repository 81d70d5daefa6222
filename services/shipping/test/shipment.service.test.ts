import type { ShipmentCreateRequest } from '@globalmart/contracts';
import { AppError, KeyedMutex, createLogger, loadConfig, type KeyedRunner } from '@globalmart/platform';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Carrier } from '../src/carrier.port.ts';
import { shipmentService } from '../src/shipment.service.ts';
import { simulatedCarrier } from '../src/simulated.carrier.ts';
import { memoryShipmentRepository } from './memory.shipment.repository.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'shipping', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const req: ShipmentCreateRequest = {
  order_id: 'ord_1',
  customer_id: 'usr_1',
  address: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postal_code: '10115', country: 'DE' },
  items: [{ product_id: 'prd_000001', quantity: 2 }],
};

let repo: ReturnType<typeof memoryShipmentRepository>;
let bookings: number;
let cancels: string[];
let service: ReturnType<typeof shipmentService>;
let build: (lock: KeyedRunner) => ReturnType<typeof shipmentService>;
beforeEach(() => {
  repo = memoryShipmentRepository();
  bookings = 0;
  cancels = [];
  const sim = simulatedCarrier();
  const carrier: Carrier = {
    book: (r) => (bookings++, sim.book(r)),
    cancel: async (t) => void cancels.push(t),
  };
  const progress = { scheduleNext: async () => undefined };
  build = (lock) => shipmentService({ repo, carrier, delays: { shipMs: 5000, deliverMs: 10_000 }, logger, lock, progress });
  service = build(new KeyedMutex());
});

describe('shipment service', () => {
  it('books once per order: a repeat returns the same shipment without booking again', async () => {
    const first = await service.create(req);
    expect(first.created).toBe(true);
    expect(first.shipment).toMatchObject({ order_id: 'ord_1', status: 'created', carrier: 'simcarrier' });
    const again = await service.create(req);
    expect(again).toEqual({ shipment: first.shipment, created: false });
    expect(bookings).toBe(1);
  });

  it('answers 422 SHIPPING.UNDELIVERABLE for country XX and stores nothing', async () => {
    const err = await service.create({ ...req, address: { ...req.address, country: 'XX' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 422, code: 'SHIPPING.UNDELIVERABLE', details: { country: 'XX' } });
    expect(repo.all.size).toBe(0);
  });

  it('cancels idempotently, tells the carrier once, and answers none for an unknown order', async () => {
    const { shipment } = await service.create(req);
    expect(await service.cancel('ord_1')).toEqual({ status: 'cancelled' });
    expect(await service.cancel('ord_1')).toEqual({ status: 'cancelled' });
    expect(cancels).toEqual([shipment.tracking_number]);
    expect(await service.cancel('ord_nope')).toEqual({ status: 'none' });
    expect((await service.get('ord_1')).events.map((e) => e.status)).toEqual(['created', 'cancelled']);
  });

  it('refuses to cancel a parcel that has shipped (409) and 404s an unknown shipment', async () => {
    await service.create(req);
    const stored = repo.all.get('ord_1')!;
    repo.all.set('ord_1', { ...stored, status: 'shipped' });
    await expect(service.cancel('ord_1')).rejects.toMatchObject({ status: 409, code: 'SHIPPING.ALREADY_SHIPPED' });
    await expect(service.get('ord_x')).rejects.toMatchObject({ status: 404, code: 'SHIPPING.NOT_FOUND' });
  });

  it('twin requests under the shipment lock book once', async () => {
    const [a, b] = await Promise.all([service.create(req), service.create(req)]);
    expect(a.shipment).toEqual(b.shipment);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(bookings).toBe(1);
    expect(cancels).toHaveLength(0);
  });

  it('gives back the surplus label when a twin request won the insert (no lock held, e.g. a lease that ran out)', async () => {
    const unlocked = build({ run: (_key, task) => task() });
    const [a, b] = await Promise.all([unlocked.create(req), unlocked.create(req)]);
    expect(a.shipment).toEqual(b.shipment);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(bookings).toBe(2);
    expect(cancels).toHaveLength(1);
  });
});
