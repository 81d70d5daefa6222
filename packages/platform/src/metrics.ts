// The platform's own OpenTelemetry instruments, exported in Prometheus format by telemetry.ts (METRICS_PORT).
// Names are OpenTelemetry's (dots); the Prometheus exporter writes them with underscores, `_total` on counters and
// the unit on histograms (`globalmart_saga_step_duration_seconds_bucket`). deploy/grafana/globalmart-slo.json queries
// them, and a test checks every metric it names against a real scrape.
import type { ServerResponse } from 'node:http';
import { metrics, type Attributes, type Counter, type Histogram, type Meter } from '@opentelemetry/api';

export interface PlatformInstruments {
  /** Orders accepted and their saga started (orders). */
  ordersPlaced: Counter;
  /** Orders that reached CONFIRMED / CANCELLED (orders' saga), `reason` on cancellations. */
  ordersConfirmed: Counter;
  ordersCancelled: Counter;
  /** One checkout saga activity, `step` = activity name, `outcome` = ok | failed | unavailable | error. */
  sagaStepDuration: Histogram;
  /** Events a subscriber took (`outcome` = applied | dropped), by `topic` and `type`. */
  eventsConsumed: Counter;
  /** Events a subscriber asked Dapr to deliver again (handler threw). */
  eventsRetried: Counter;
  /** Events that reached a dead-letter topic and were stored by its subscriber (by original `topic`). */
  eventsDeadLettered: Counter;
  /** Fan-out lag: from the CloudEvent's `time` (set when it was published) to its delivery to a subscriber, by `topic`, `type`. */
  eventLag: Histogram;
  /** Cache look-ups answered by an app (`cache`, `result` = hit | miss | bypass), from its `x-cache` answers. */
  cacheLookups: Counter;
}

let meter: Meter | undefined;
let instruments: PlatformInstruments | undefined;

/**
 * The kit's instruments, created on first use from the global MeterProvider: without METRICS_PORT there is none
 * and every instrument is a no-op (nothing is kept). OpenTelemetry JS has no proxy meter provider, so they must
 * not be created before telemetry has started (the preload starts it before any service module is loaded).
 */
export function platformMetrics(): PlatformInstruments {
  if (instruments) return instruments;
  meter = metrics.getMeter('globalmart');
  instruments = {
    ordersPlaced: meter.createCounter('globalmart.orders.placed', { description: 'Orders accepted (their saga started)' }),
    ordersConfirmed: meter.createCounter('globalmart.orders.confirmed', { description: 'Orders confirmed by the checkout saga' }),
    ordersCancelled: meter.createCounter('globalmart.orders.cancelled', { description: 'Orders cancelled by the checkout saga' }),
    sagaStepDuration: meter.createHistogram('globalmart.saga.step.duration', {
      description: 'Duration of one checkout saga activity',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    }),
    eventsConsumed: meter.createCounter('globalmart.events.consumed', { description: 'Events delivered to a subscriber and taken' }),
    eventsRetried: meter.createCounter('globalmart.events.retried', { description: 'Events a subscriber asked Dapr to redeliver' }),
    eventsDeadLettered: meter.createCounter('globalmart.events.dead_lettered', {
      description: 'Events that reached a dead-letter topic',
    }),
    eventLag: meter.createHistogram('globalmart.events.lag', {
      description: 'From publish (CloudEvent time) to delivery to a subscriber',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] },
    }),
    cacheLookups: meter.createCounter('globalmart.cache.lookups', { description: 'Cache look-ups by result (hit, miss, bypass)' }),
  };
  // Counters start at 0 rather than appearing with their first event: a rate over "no series" is no data, not 0.
  instruments.ordersPlaced.add(0);
  instruments.ordersConfirmed.add(0);
  instruments.ordersCancelled.add(0);
  return instruments;
}

/** Runs `work` and records its duration in seconds on `histogram` with `attributes` plus what `outcomeOf` says. */
export async function timed<T>(
  histogram: Histogram,
  attributes: Attributes,
  work: () => Promise<T>,
  outcomeOf: (result: T) => string = () => 'ok',
): Promise<T> {
  const started = performance.now();
  try {
    const result = await work();
    histogram.record((performance.now() - started) / 1000, { ...attributes, outcome: outcomeOf(result) });
    return result;
  } catch (err) {
    histogram.record((performance.now() - started) / 1000, { ...attributes, outcome: 'error' });
    throw err;
  }
}

/**
 * Counts the `x-cache` outcome an app sets on its answers (catalog's cache-aside pages and products) as
 * `globalmart.cache.lookups{cache=<app-id>, result}`: the services report their cache without touching metrics.
 */
export function cacheLookupMetrics(cache: string): (req: unknown, res: ServerResponse, next: () => void) => void {
  return (_req, res, next) => {
    res.once('finish', () => {
      const result = res.getHeader('x-cache');
      if (typeof result === 'string') platformMetrics().cacheLookups.add(1, { cache, result });
    });
    next();
  };
}
