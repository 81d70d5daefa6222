import { KeyedMutex, createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { shipmentService } from '../src/shipment.service.ts';
import { shipmentsRoutes } from '../src/shipments.routes.ts';
import { simulatedCarrier } from '../src/simulated.carrier.ts';
import { memoryShipmentRepository } from './memory.shipment.repository.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'shipping', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const address = { name: 'Ada', line1: '1 Main St', city: 'Berlin', postal_code: '10115', country: 'DE' };
const body = { order_id: 'ord_1', customer_id: 'usr_1', address, items: [{ product_id: 'prd_000001', quantity: 1 }] };

let app: ReturnType<typeof createApp>;
beforeEach(() => {
  app = createApp({ config: {}, logger });
  app.use(
    shipmentsRoutes(
      shipmentService({
        repo: memoryShipmentRepository(),
        carrier: simulatedCarrier(),
        delays: { shipMs: 1, deliverMs: 1 },
        logger,
        lock: new KeyedMutex(),
        progress: { scheduleNext: async () => undefined },
      }),
    ),
  );
  finalizeApp(app, logger);
});

describe('shipments routes', () => {
  it('answers 201 for a new shipment and 200 with the same one for a repeat', async () => {
    const first = await request(app).post('/shipments').send(body).expect(201);
    expect(first.body).toMatchObject({ order_id: 'ord_1', status: 'created', carrier: 'simcarrier' });
    expect(first.body.tracking_number).toMatch(/^GM\d{10}$/);
    expect((await request(app).post('/shipments').send(body).expect(200)).body).toEqual(first.body);
    const tracking = await request(app).get('/shipments/ord_1').expect(200);
    expect(tracking.body).toMatchObject({ shipment_id: first.body.shipment_id, events: [expect.objectContaining({ status: 'created' })] });
  });

  it('answers 422 SHIPPING.UNDELIVERABLE for country XX', async () => {
    const res = await request(app)
      .post('/shipments')
      .send({ ...body, address: { ...address, country: 'XX' } })
      .expect(422);
    expect(res.body).toMatchObject({ code: 'SHIPPING.UNDELIVERABLE', country: 'XX' });
  });

  it.each([
    [{ ...body, address: { ...address, country: 'Germany' } }, 'address.country'],
    [{ ...body, address: { ...address, line1: '' } }, 'address.line1'],
    [{ ...body, items: [] }, 'items'],
    [{ ...body, items: [{ product_id: 'nope', quantity: 1 }] }, 'items.0.product_id'],
    [{ ...body, items: [{ product_id: 'prd_000001', quantity: 0 }] }, 'items.0.quantity'],
    [{ ...body, order_id: undefined }, 'order_id'],
    [{ ...body, extra: 1 }, 'extra'],
  ])('rejects %j with 400 naming %s', async (payload, field) => {
    const res = await request(app).post('/shipments').send(payload).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
  });

  it('cancels with 200 (none for an unknown order) and 404s an unknown tracking page', async () => {
    await request(app).post('/shipments').send(body).expect(201);
    expect((await request(app).post('/shipments/ord_1/cancel').expect(200)).body).toEqual({ status: 'cancelled' });
    expect((await request(app).post('/shipments/ord_x/cancel').expect(200)).body).toEqual({ status: 'none' });
    await request(app).get('/shipments/ord_x').expect(404);
    await request(app).get('/shipments/a%20b').expect(400);
  });
});
