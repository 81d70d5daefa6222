import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import express from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventCatalog, eventTypes } from '@globalmart/contracts';
import { dashboardMetricNames, metricNamesOf } from '../../../tests/harness/dashboard.ts';
import { createApp, createLogger, finalizeApp, loadConfig, platformMetrics, Subscriptions, timed } from '../src/index.ts';
import { metricsPortOf } from '../src/telemetry.ts';

// The kit's instruments through a real Prometheus exporter (in process, no server), registered as the global meter
// provider before first use, exactly as the preload does with METRICS_PORT.
const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
beforeAll(() => {
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
});

async function scrape(): Promise<string> {
  const app = express().get('/metrics', (req, res) => exporter.getMetricsRequestHandler(req, res));
  return (await request(app).get('/metrics')).text;
}
const seriesNames = (text: string) =>
  new Set(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(/[{ ]/)[0]!),
  );

const logger = createLogger(loadConfig({}, { APP_ID: 'test', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const dashboard = JSON.parse(readFileSync(fileURLToPath(new URL('../../../deploy/grafana/globalmart-slo.json', import.meta.url)), 'utf8'));

describe('platform metrics', () => {
  it('counts subscriber outcomes, the fan-out lag, cache look-ups and saga steps in Prometheus format', async () => {
    const subs = new Subscriptions(logger)
      .on(eventTypes.ProductViewed, async (data) => (data.product_id === 'prd_000002' ? 'RETRY' : undefined))
      .deadLetters(async () => {});
    const app = createApp({ config: { APP_ID: 'catalog' }, logger });
    app.use(subs.router());
    app.get('/cached', (_req, res) => void res.set('x-cache', 'hit').json({}));
    finalizeApp(app, logger);
    const event = (product_id: string) => ({
      id: product_id,
      time: new Date(Date.now() - 1500).toISOString(),
      data: { product_id, occurred_at: new Date().toISOString() },
    });
    const deliver = async (body: object) =>
      (await request(app).post('/events/product-viewed').set('content-type', 'application/cloudevents+json').send(body)).body.status;
    expect(await deliver(event('prd_000001'))).toBe('SUCCESS');
    expect(await deliver(event('prd_000002'))).toBe('RETRY');
    expect(await deliver({ id: 'bad', data: { nope: true } })).toBe('DROP');
    const deadLetter = await request(app)
      .post(`/events/dead-letters/${eventCatalog[eventTypes.ProductViewed].topic}`)
      .set('content-type', 'application/cloudevents+json')
      .send(event('prd_000003'));
    expect(deadLetter.body.status).toBe('SUCCESS');
    expect((await request(app).get('/cached')).status).toBe(200);
    await timed(
      platformMetrics().sagaStepDuration,
      { step: 'reserveStock' },
      async () => ({ kind: 'ok' }),
      (r) => r.kind,
    );

    const text = await scrape();
    const topic = eventCatalog[eventTypes.ProductViewed].topic;
    expect(text).toMatch(new RegExp(`globalmart_events_consumed_total\\{topic="${topic}",type="[^"]+",outcome="applied"\\} 1`));
    expect(text).toMatch(new RegExp(`globalmart_events_consumed_total\\{topic="${topic}",type="[^"]+",outcome="dropped"\\} 1`));
    expect(text).toMatch(new RegExp(`globalmart_events_retried_total\\{topic="${topic}",type="[^"]+"\\} 1`));
    // Lag from the CloudEvent's time: two events delivered 1.5 s after publishing (the dropped one had no time).
    expect(text).toMatch(new RegExp(`globalmart_events_lag_count\\{topic="${topic}",type="[^"]+"\\} 2`));
    expect(text).toMatch(new RegExp(`globalmart_events_lag_bucket\\{topic="${topic}",type="[^"]+",le="1"\\} 0`));
    expect(text).toMatch(new RegExp(`globalmart_events_lag_bucket\\{topic="${topic}",type="[^"]+",le="2.5"\\} 2`));
    expect(text).toContain(`globalmart_events_dead_lettered_total{topic="${topic}"} 1`);
    expect(text).toContain('globalmart_cache_lookups_total{cache="catalog",result="hit"} 1');
    expect(text).toContain('globalmart_saga_step_duration_count{step="reserveStock",outcome="ok"} 1');
    // Started at zero, not absent, before anything happened.
    expect(text).toContain('globalmart_orders_cancelled_total 0');
  });

  it('METRICS_PORT is a port or unset', () => {
    expect(metricsPortOf({})).toBeUndefined();
    expect(metricsPortOf({ METRICS_PORT: '3701' })).toBe(3701);
    expect(() => metricsPortOf({ METRICS_PORT: '37o1' })).toThrow(/METRICS_PORT/);
  });
});

describe('the Grafana dashboard (deploy/grafana/globalmart-slo.json)', () => {
  it('reads metric names out of PromQL, not functions, labels, grouping or ranges', () => {
    expect(
      metricNamesOf('histogram_quantile(0.99, sum by (le, topic) (rate(globalmart_events_lag_bucket{result="x_y"}[5m]))) / (1 - 0.999)'),
    ).toEqual(['globalmart_events_lag_bucket']);
  });

  it("queries only the kit's metrics (served above), the HTTP server histogram, and daprd's own", async () => {
    const names = dashboardMetricNames(dashboard);
    const served = seriesNames(await scrape());
    const kit = names.filter((n) => n.startsWith('globalmart_'));
    expect(kit.length).toBeGreaterThan(5);
    // A name the kit does not serve (a typo, a renamed instrument) fails here; the system test checks the rest
    // (http_server_*, dapr_*) against real apps and sidecars after a checkout.
    expect(kit.filter((n) => !served.has(n))).toEqual([]);
    expect(names.filter((n) => !/^(globalmart_|http_server_request_duration_|dapr_)/.test(n))).toEqual([]);
  });

  it('has the SLO panels: browse and checkout burn rates, fan-out lag, dead letters', () => {
    const titles = (dashboard.panels as { title: string }[]).map((p) => p.title);
    for (const t of [
      /^Browse availability burn/,
      /^Browse latency burn/,
      /^Checkout availability burn/,
      /^Checkout latency burn/,
      /^Fan-out lag/,
      /^Dead letters/,
    ]) {
      expect(
        titles.some((x) => t.test(x)),
        String(t),
      ).toBe(true);
    }
  });
});
