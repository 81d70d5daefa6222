import { describe, expect, it } from 'vitest';
import { cancelReason, classifyStatus, compensationsFor, nextRetry } from '../src/checkout.saga.ts';

describe('saga decisions', () => {
  it('classifies answers: business no is final, outages and timeouts are retried', () => {
    expect([200, 201].map(classifyStatus)).toEqual(['ok', 'ok']);
    expect([400, 402, 404, 409, 422].map(classifyStatus)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
    expect([0, 408, 429, 500, 502, 503].map(classifyStatus)).toEqual(Array(6).fill('unavailable'));
  });

  it.each([
    // [completed, failed step, outcome, compensations in the order they run]
    [[], 'reserve', 'failed', []],
    [[], 'reserve', 'unavailable', ['releaseStock']],
    [['reserve'], 'authorize', 'failed', ['releaseStock']],
    [['reserve'], 'authorize', 'unavailable', ['refundPayment', 'releaseStock']],
    [['reserve', 'authorize'], 'ship', 'failed', ['refundPayment', 'releaseStock']],
    [['reserve', 'authorize'], 'ship', 'unavailable', ['cancelShipment', 'refundPayment', 'releaseStock']],
    [['reserve', 'authorize', 'ship'], 'capture', 'failed', ['cancelShipment', 'refundPayment', 'releaseStock']],
    [['reserve', 'authorize', 'ship', 'capture'], 'commit', 'failed', ['refundPayment', 'cancelShipment', 'releaseStock']],
  ] as const)('after %j, %s %s → compensate %j', (completed, step, outcome, expected) => {
    expect(compensationsFor(completed, step, outcome)).toEqual(expected);
  });

  it('names the reason the customer sees', () => {
    expect(cancelReason('reserve', { kind: 'failed', status: 409, code: 'INVENTORY.INSUFFICIENT_STOCK' })).toBe('out of stock');
    expect(cancelReason('authorize', { kind: 'failed', status: 402 })).toBe('payment declined');
    expect(cancelReason('authorize', { kind: 'unavailable', status: 503 })).toBe('payment provider unavailable');
    expect(cancelReason('ship', { kind: 'failed', status: 422 })).toBe('shipment failed');
    expect(cancelReason('reserve', { kind: 'unavailable', status: 0 })).toBe('inventory unavailable');
  });

  it('backs off exponentially within the budget and gives up at its end', () => {
    const t0 = 1_000_000;
    expect(nextRetry(0, t0, t0, 120)).toEqual({ retryAtMs: t0 + 1_000 });
    expect(nextRetry(3, t0, t0 + 10_000, 120)).toEqual({ retryAtMs: t0 + 18_000 });
    expect(nextRetry(9, t0, t0 + 60_000, 120)).toEqual({ retryAtMs: t0 + 70_000 }); // capped at 10 s
    expect(nextRetry(9, t0, t0 + 115_000, 120)).toEqual({ retryAtMs: t0 + 120_000 }); // pulled in to the deadline
    expect(nextRetry(10, t0, t0 + 120_000, 120)).toEqual({ giveUp: true });
  });
});
