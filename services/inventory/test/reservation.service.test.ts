import { describe, expect, it } from 'vitest';
import { sweepOnce } from '../src/expiry.sweep.ts';
import { newReservation } from '../src/reservation.rules.ts';
import { reservationKey } from '../src/reservation.service.ts';
import { inventoryFixture, logger, rejection } from './inventory.fixture.ts';

const [A, B] = ['prd_000001', 'prd_000002'];
const line = (product_id: string, quantity: number) => ({ product_id, quantity });

describe('reservations', () => {
  it('reserves every line: available down, reserved up, 201 once, StockUpdated per line', async () => {
    const f = inventoryFixture();
    await f.stock.set(A, 10);
    await f.stock.set(B, 5);
    const { created, reservation } = await f.reservations.reserve({ order_id: 'o1', items: [line(A, 3), line(B, 5)] });
    expect(created).toBe(true);
    expect(reservation).toMatchObject({ order_id: 'o1', status: 'reserved', expires_at: '2026-01-01T00:15:00.000Z' });
    expect(await f.stock.levels([A, B])).toEqual([
      { product_id: A, stock_qty: 7, reserved: 3 },
      { product_id: B, stock_qty: 0, reserved: 5 },
    ]);
    const published = f.dapr.publisher.ofType('globalmart.inventory.stock-updated.v1');
    expect(published.map((e) => [e.id, (e.data as { stock_qty: number }).stock_qty])).toEqual([
      [`stock:${A}:2`, 7],
      [`stock:${B}:2`, 0],
    ]);
  });

  it('reserves all or none: a short second line leaves the first untouched and names the short line', async () => {
    const f = inventoryFixture();
    await f.stock.set(A, 10);
    await f.stock.set(B, 1);
    const err = await rejection(f.reservations.reserve({ order_id: 'o1', items: [line(A, 4), line(B, 2)] }));
    expect(err).toMatchObject({ status: 409, code: 'INVENTORY.INSUFFICIENT_STOCK', details: { product_ids: [B] } });
    expect(await f.stock.level(A)).toEqual({ product_id: A, stock_qty: 10, reserved: 0 });
    // The outcome is recorded: the same order again gets the same answer, even after a restock.
    await f.stock.set(B, 50);
    expect(await rejection(f.reservations.reserve({ order_id: 'o1', items: [line(A, 4), line(B, 2)] }))).toMatchObject({
      code: 'INVENTORY.INSUFFICIENT_STOCK',
      details: { product_ids: [B] },
    });
    expect((await f.stock.level(A)).stock_qty).toBe(10);
  });

  it('lists every short line when the first one is short', async () => {
    const f = inventoryFixture();
    const err = await rejection(f.reservations.reserve({ order_id: 'o1', items: [line(A, 1), line(B, 1)] }));
    expect(err.details).toEqual({ product_ids: [A, B] });
  });

  it('is idempotent by order_id: a repeat answers the same reservation and takes nothing more', async () => {
    const f = inventoryFixture();
    await f.stock.set(A, 10);
    const request = { order_id: 'o1', items: [line(A, 2)] };
    const first = await f.reservations.reserve(request);
    const again = await f.reservations.reserve({ ...request, items: [...request.items] });
    expect(again).toEqual({ created: false, reservation: first.reservation });
    const burst = await Promise.all(Array.from({ length: 5 }, () => f.reservations.reserve({ order_id: 'o2', items: [line(A, 3)] })));
    expect(burst.every((r) => r.reservation.status === 'reserved')).toBe(true);
    expect(await f.stock.level(A)).toEqual({ product_id: A, stock_qty: 5, reserved: 5 });
    expect(await rejection(f.reservations.reserve({ order_id: 'o1', items: [line(A, 3)] }))).toMatchObject({
      code: 'INVENTORY.ORDER_ID_REUSED',
    });
  });

  it('never oversells: 40 concurrent one-unit orders against 10 units → exactly 10 reserved', async () => {
    const f = inventoryFixture();
    await f.stock.set(A, 10);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => f.reservations.reserve({ order_id: `race-${i}`, items: [line(A, 1)] })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : []));
    expect(new Set(failures)).toEqual(new Set(['INVENTORY.INSUFFICIENT_STOCK']));
    expect(await f.stock.level(A)).toEqual({ product_id: A, stock_qty: 0, reserved: 10 });
  });

  it('commits: the reserved units leave for good, idempotently; a committed reservation cannot be released', async () => {
    const f = inventoryFixture();
    await f.stock.set(A, 10);
    await f.reservations.reserve({ order_id: 'o1', items: [line(A, 4)] });
    await f.reservations.commit('o1');
    await f.reservations.commit('o1');
    expect(await f.stock.level(A)).toEqual({ product_id: A, stock_qty: 6, reserved: 0 });
    expect(await rejection(f.reservations.release('o1', 'release_requested'))).toMatchObject({
      status: 409,
      code: 'INVENTORY.RESERVATION_COMMITTED',
    });
    expect(await rejection(f.reservations.commit('nope'))).toMatchObject({ status: 404 });
  });

  it('releases: units back to available, idempotently; an unknown order is tombstoned against a late reserve', async () => {
    const f = inventoryFixture();
    await f.stock.set(A, 10);
    await f.reservations.reserve({ order_id: 'o1', items: [line(A, 4)] });
    await f.reservations.release('o1', 'release_requested');
    await f.reservations.release('o1', 'release_requested');
    expect(await f.stock.level(A)).toEqual({ product_id: A, stock_qty: 10, reserved: 0 });
    expect(await rejection(f.reservations.commit('o1'))).toMatchObject({ status: 409, code: 'INVENTORY.RESERVATION_RELEASED' });
    await f.reservations.release('late', 'release_requested');
    expect(await rejection(f.reservations.reserve({ order_id: 'late', items: [line(A, 1)] }))).toMatchObject({
      code: 'INVENTORY.RESERVATION_RELEASED',
    });
    expect((await f.stock.level(A)).stock_qty).toBe(10);
  });

  it('finishes a reservation that crashed after taking a line but before recording it, without taking twice', async () => {
    const f = inventoryFixture();
    await f.stock.set(A, 10);
    await f.stock.set(B, 10);
    await f.store.save(reservationKey('o1'), newReservation('o1', [line(A, 2), line(B, 3)], f.now(), 60));
    await f.stock.take(A, 'o1', 2); // the crashed attempt got this far
    const { reservation } = await f.reservations.reserve({ order_id: 'o1', items: [line(A, 2), line(B, 3)] });
    expect(reservation.status).toBe('reserved');
    expect(await f.stock.levels([A, B])).toMatchObject([{ stock_qty: 8 }, { stock_qty: 7 }]);
  });

  it('undoes a crashed pending reservation on release, and the sweep releases expired ones', async () => {
    const f = inventoryFixture();
    await f.stock.set(A, 10);
    await f.index.schedule('o1', f.clock.ms + 60_000);
    await f.store.save(reservationKey('o1'), newReservation('o1', [line(A, 2), line(B, 3)], f.now(), 60));
    await f.stock.take(A, 'o1', 2);
    await f.reservations.reserve({ order_id: 'o2', items: [line(A, 5)], ttl_seconds: 120 });
    expect((await f.stock.level(A)).stock_qty).toBe(3);

    f.clock.ms += 61_000; // o1 expired, o2 not yet
    expect(await sweepOnce({ ...f, logger }, f.now())).toEqual({ expired: 1, settled: 0 });
    expect(await f.stock.level(A)).toEqual({ product_id: A, stock_qty: 5, reserved: 5 });
    f.clock.ms += 60_000; // o2 expired, o1 due for its settle pass
    expect(await sweepOnce({ ...f, logger }, f.now())).toEqual({ expired: 1, settled: 1 });
    expect(await f.stock.level(A)).toEqual({ product_id: A, stock_qty: 10, reserved: 0 });
    expect(await rejection(f.reservations.commit('o2'))).toMatchObject({ code: 'INVENTORY.RESERVATION_RELEASED' });
    f.clock.ms += 2_000;
    await sweepOnce({ ...f, logger }, f.now());
    expect(await f.index.due(f.clock.ms + 10 ** 9)).toEqual([]);
  });

  it('the settle pass puts back units a racing step took after the release', async () => {
    const f = inventoryFixture();
    await f.stock.set(A, 10);
    await f.reservations.reserve({ order_id: 'o1', items: [line(A, 2)] });
    await f.reservations.release('o1', 'order_cancelled');
    await f.stock.take(A, 'o1', 2); // a stale resume of o1 that read "pending" before the release
    expect((await f.stock.level(A)).stock_qty).toBe(8);
    f.clock.ms += 1_000;
    expect(await sweepOnce({ ...f, logger }, f.now())).toEqual({ expired: 0, settled: 1 });
    expect(await f.stock.level(A)).toEqual({ product_id: A, stock_qty: 10, reserved: 0 });
  });
});
