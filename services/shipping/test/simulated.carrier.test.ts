import { describe, expect, it } from 'vitest';
import { UndeliverableError } from '../src/carrier.port.ts';
import { simulatedCarrier } from '../src/simulated.carrier.ts';

const address = { name: 'Ada', line1: '1 Main St', city: 'Berlin', postal_code: '10115', country: 'DE' };
const items = [{ product_id: 'prd_000001', quantity: 1 }];

describe('simulated carrier', () => {
  it('numbers parcels GM + 10 digits', async () => {
    const booking = await simulatedCarrier().book({ order_id: 'ord_1', address, items });
    expect(booking.carrier).toBe('simcarrier');
    expect(booking.trackingNumber).toMatch(/^GM\d{10}$/);
  });

  it('refuses country XX', async () => {
    await expect(simulatedCarrier().book({ order_id: 'ord_1', address: { ...address, country: 'XX' }, items })).rejects.toBeInstanceOf(
      UndeliverableError,
    );
  });
});
