// The capacity model (bench/capacity.ts): measured CPU per order and per page view → cores, pods and Helm values.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { capacityModel, PEAK, peakValues, POD, TARGET_UTILISATION } from '../../bench/capacity.ts';

const orders = {
  file: 'checkout.json',
  perUnit: new Map([
    ['orders', 40],
    ['orders-daprd', 20],
    ['ferretdb', 80],
    ['postgres', 20],
    ['psp', 4],
    ['gateway', 6],
    ['gateway-daprd', 4],
  ]),
};
const browse = {
  file: 'browse.json',
  perUnit: new Map([
    ['gateway', 0.5],
    ['gateway-daprd', 0.5],
    ['catalog', 0.3],
    ['catalog-daprd', 0.4],
  ]),
};

describe('capacity model', () => {
  const model = capacityModel(orders, browse);
  const row = (group: string) => model.rows.find((r) => r.group === group)!;

  it('adds an app and its sidecar into one pod, and scales both loads to the peak', () => {
    expect(row('orders')).toMatchObject({ app: true, orderMs: 60, browseMs: 0 });
    expect(row('orders').cores).toBeCloseTo((PEAK.ordersPerS * 60) / 1000);
    expect(row('gateway').cores).toBeCloseTo((PEAK.ordersPerS * 10 + PEAK.browsePerS * 1) / 1000);
    expect(row('catalog').cores).toBeCloseTo((PEAK.browsePerS * 0.7) / 1000);
    expect(model.total.orderMs).toBe(174);
  });

  it('keeps infrastructure out of the pods (it runs outside the chart)', () => {
    const store = model.rows.find((r) => r.group.startsWith('document store'))!;
    expect(store).toMatchObject({ app: false, orderMs: 100 });
    expect(store.pods).toBeUndefined();
  });

  it('sizes pods so each runs at the HPA target at peak, never fewer than 2', () => {
    const podCores = (POD.appMilli + POD.sidecarMilli) / 1000;
    const orders = row('orders');
    expect(orders.pods).toBe(Math.ceil(orders.cores / (podCores * TARGET_UTILISATION)));
    expect(orders.cores / orders.pods!).toBeLessThanOrEqual(podCores * TARGET_UTILISATION);
    expect(row('catalog').pods).toBe(2);
    expect(orders.minPods).toBe(2);
  });

  it('writes Helm values: the HPA on, bounds per app, psp left alone, the gateway admission rate', () => {
    const values = parse(peakValues(model, ['a.json'])) as {
      autoscaling: { enabled: boolean; targetCPUUtilizationPercentage: number };
      apps: Record<string, { autoscaling?: { maxReplicas: number }; env?: Record<string, string> }>;
    };
    expect(values.autoscaling).toEqual({ enabled: true, targetCPUUtilizationPercentage: TARGET_UTILISATION * 100 });
    expect(values.apps.orders!.autoscaling!.maxReplicas).toBe(row('orders').pods);
    expect(values.apps.psp).toBeUndefined();
    expect(Number(values.apps.gateway!.env!.CHECKOUT_MAX_RATE)).toBe(Math.floor((0.8 * PEAK.ordersPerS) / TARGET_UTILISATION));
  });
});
