import { describe, expect, it } from 'vitest';
import { parseReplicas, replicaCounts, replicaPort } from '../src/replicas.ts';

const apps = ['gateway', 'orders', 'analytics'] as const;

describe('parseReplicas', () => {
  it('gives every app one instance when REPLICAS is unset or empty', () => {
    expect(parseReplicas(undefined, apps)).toEqual({ gateway: 1, orders: 1, analytics: 1 });
    expect(parseReplicas('  ', apps)).toEqual({ gateway: 1, orders: 1, analytics: 1 });
  });

  it('gives every app the same count for a bare number', () => {
    expect(parseReplicas('2', apps)).toEqual({ gateway: 2, orders: 2, analytics: 2 });
  });

  it('keeps the simulated PSP (in-memory ledger) at one instance, and refuses more when it is named', () => {
    expect(parseReplicas('2', ['orders', 'psp'])).toEqual({ orders: 2, psp: 1 });
    expect(replicaCounts(3, ['psp'])).toEqual({ psp: 1 });
    expect(() => parseReplicas('psp:2', ['orders', 'psp'])).toThrow(/psp runs as one instance only/);
    expect(parseReplicas('psp:1', ['orders', 'psp'])).toEqual({ orders: 1, psp: 1 });
  });

  it('sets the named apps and leaves the others at 1', () => {
    expect(parseReplicas('orders:3, analytics:2', apps)).toEqual({ gateway: 1, orders: 3, analytics: 2 });
  });

  it.each([
    ['0', /0 is not a whole number from 1 to 9/],
    ['10', /10 is not a whole number from 1 to 9/],
    ['two', /"two" is not <app-id>:<count>/],
    ['orders=2', /"orders=2" is not <app-id>:<count>/],
    ['orders:', /"orders:" is not <app-id>:<count>/],
    ['orders:1.5', /REPLICAS orders: "1.5" is not a whole number/],
    ['orders:0', /REPLICAS orders: 0 is not a whole number/],
    ['orders:2,orders:3', /orders is named twice/],
    ['billing:2', /billing is not one of the apps \(gateway, orders, analytics\)/],
    ['orders:2,', /"" is not <app-id>:<count>/],
  ])('rejects %j with a message naming the problem', (value, message) => {
    expect(() => parseReplicas(value, apps)).toThrow(message);
  });
});

describe('replicaCounts', () => {
  it('takes a number or a per-app record, as startPlatform({ replicas }) does', () => {
    expect(replicaCounts(undefined, apps)).toEqual({ gateway: 1, orders: 1, analytics: 1 });
    expect(replicaCounts(3, apps)).toEqual({ gateway: 3, orders: 3, analytics: 3 });
    expect(replicaCounts({ orders: 2 }, apps)).toEqual({ gateway: 1, orders: 2, analytics: 1 });
  });

  it('rejects apps that are not started and counts out of range', () => {
    expect(() => replicaCounts({ cart: 2 }, apps)).toThrow(/cart is not one of the apps/);
    expect(() => replicaCounts(0, apps)).toThrow(/replicas: 0 is not a whole number/);
    expect(() => replicaCounts({ orders: 2.5 }, apps)).toThrow(/replicas of orders: 2.5/);
  });
});

describe('replicaPort', () => {
  it("keeps the first replica on dapr.yaml's port and moves the others by 1000 each, below the ephemeral range", () => {
    expect(replicaPort(3005, 0)).toBe(3005);
    expect(replicaPort(3505, 1)).toBe(4505);
    expect(replicaPort(8080, 2)).toBe(10080);
    expect(replicaPort(8080, 9)).toBeLessThan(32768);
  });
});
