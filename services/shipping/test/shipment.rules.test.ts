import type { ShipmentCreateRequest } from '@globalmart/contracts';
import { describe, expect, it } from 'vitest';
import { advance, cancelShipment, eventData, newShipment, outboxSent, toView } from '../src/shipment.rules.ts';

const delays = { shipMs: 5000, deliverMs: 10_000 };
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const req: ShipmentCreateRequest = {
  order_id: 'ord_1',
  customer_id: 'usr_1',
  address: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postal_code: '10115', country: 'DE' },
  items: [{ product_id: 'prd_000001', quantity: 2 }],
};
const created = newShipment(req, { carrier: 'simcarrier', trackingNumber: 'GM0123456789' }, 'shp_1', t0, delays);

describe('shipment progression', () => {
  it('starts created, due after the ship delay, keeping only the destination country', () => {
    expect(created).toMatchObject({ status: 'created', version: 0, next_step_at: at(5000), due_at: at(5000), outbox: [] });
    expect(created.destination_country).toBe('DE');
    expect(JSON.stringify(created)).not.toContain('Main St');
  });

  it('does nothing before a step is due', () => {
    expect(advance(created, at(4999), delays)).toBeUndefined();
  });

  it('ships, then delivers, each step owing its event until the outbox is sent', () => {
    const shipped = advance(created, at(5000), delays)!;
    expect(shipped).toMatchObject({ status: 'shipped', outbox: ['shipped'], due_at: at(5000), next_step_at: at(15_000), version: 1 });
    const sent = outboxSent(shipped, ['shipped'], at(5001));
    expect(sent).toMatchObject({ outbox: [], due_at: at(15_000), version: 2 });
    expect(advance(sent, at(14_999), delays)).toBeUndefined();
    const delivered = advance(sent, at(15_000), delays)!;
    expect(delivered).toMatchObject({ status: 'delivered', outbox: ['delivered'], next_step_at: null });
    const done = outboxSent(delivered, ['delivered'], at(15_001));
    expect(done.due_at).toBeNull();
    expect(advance(done, at(99_999), delays)).toBeUndefined();
    expect(toView(done).events.map((e) => e.status)).toEqual(['created', 'shipped', 'delivered']);
  });

  it('builds event data from the step’s own time, so a re-publish is identical', () => {
    const shipped = advance(created, at(5000), delays)!;
    expect(eventData('shipped', shipped)).toEqual({
      order_id: 'ord_1',
      shipment_id: 'shp_1',
      carrier: 'simcarrier',
      tracking_number: 'GM0123456789',
      occurred_at: at(5000).toISOString(),
    });
  });
});

describe('cancel', () => {
  it('cancels before pick-up and stops all progress', () => {
    const decision = cancelShipment(created, at(1000));
    expect(decision.kind).toBe('cancel');
    const cancelled = decision.kind === 'cancel' ? decision.next : created;
    expect(cancelled).toMatchObject({ status: 'cancelled', next_step_at: null, due_at: null, version: 1 });
    expect(advance(cancelled, at(99_999), delays)).toBeUndefined();
    expect(cancelShipment(cancelled, at(2000))).toEqual({ kind: 'already' });
  });

  it('refuses once the parcel left', () => {
    expect(cancelShipment(advance(created, at(5000), delays)!, at(6000))).toEqual({ kind: 'too-late', status: 'shipped' });
  });
});
