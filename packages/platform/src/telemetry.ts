import type { IncomingMessage } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';

type SdkOptions = NonNullable<ConstructorParameters<typeof NodeSDK>[0]>;
type SpanProcessor = NonNullable<SdkOptions['spanProcessors']>[number];

export interface TelemetryOptions {
  serviceName: string;
  /**
   * Read for OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT (the SDK's exporter reads the same variables itself) and
   * METRICS_PORT (the app's Prometheus endpoint, on METRICS_HOST, default 127.0.0.1).
   */
  env?: Record<string, string | undefined>;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/** Probes are not worth a span (or a latency sample) each. */
const PROBE_PATHS = new Set(['/healthz', '/readyz']);
const isProbe = (req: IncomingMessage) => PROBE_PATHS.has((req.url ?? '').split('?')[0] ?? '');

// NodeSDK creates no TracerProvider without a span processor; this one keeps spans local (ids for logs only).
const keepLocal: SpanProcessor = {
  onStart() {},
  onEnd() {},
  forceFlush: async () => {},
  shutdown: async () => {},
};

let active: { sdk: NodeSDK; shutdown: Promise<void> | undefined; metricsUrl: string | undefined } | undefined;

/** METRICS_PORT as a port number (0 = any free port), or undefined when unset; anything else is a startup error. */
export function metricsPortOf(env: Record<string, string | undefined>): number | undefined {
  const raw = env.METRICS_PORT;
  if (raw === undefined || raw === '') return undefined;
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new Error(`METRICS_PORT is invalid (must be an integer port 0-65535)`);
  return port;
}

/**
 * Starts the OpenTelemetry NodeSDK once per process: W3C trace-context propagation (the SDK default, which is
 * what the Dapr sidecar speaks), http + express instrumentation, service.name = APP_ID.
 * - Traces: with OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT the SDK's env-driven OTLP exporter (http/protobuf, batched:
 *   a collector that is down costs a failed POST per batch, never a blocked request, and the SDK logs nothing
 *   unless a diag logger is set); without one, spans stay local (ids in the logs only).
 * - Metrics: with METRICS_PORT a Prometheus endpoint `http://<METRICS_HOST|127.0.0.1>:<port>/metrics` serving the
 *   instrumentation's HTTP server histogram and the kit's instruments (metrics.ts); without it, no metric reader.
 * OTel logs stay off: logs go to stdout via pino.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (!active) {
    const env = options.env ?? process.env;
    const exporting = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
    const metricsPort = metricsPortOf(env);
    const host = env.METRICS_HOST || '127.0.0.1';
    const prometheus =
      metricsPort === undefined
        ? undefined
        : new PrometheusExporter(
            {
              host,
              port: metricsPort,
              endpoint: '/metrics',
              withoutScopeInfo: true,
              // service_name on every series, so a dashboard can tell the apps apart wherever they are scraped from.
              withResourceConstantLabels: /^service\.name$/,
            },
            (err) => {
              // A taken port must not take the service down with it: say so once, the service runs on without metrics.
              if (err) process.stderr.write(`metrics endpoint not started on ${host}:${metricsPort}: ${err.message}\n`);
            },
          );
    const sdk = new NodeSDK({
      serviceName: options.serviceName,
      // Without an endpoint: no exporter at all (no retries against a collector that is not there).
      ...(exporting ? {} : { spanProcessors: [keepLocal] }),
      metricReaders: prometheus ? [prometheus] : [],
      logRecordProcessors: [],
      instrumentations: [
        new HttpInstrumentation({ ignoreIncomingRequestHook: isProbe }),
        new ExpressInstrumentation({
          // One span per request handler; each middleware and router layer as its own span made ~40 spans per request.
          ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER],
        }),
      ],
    });
    sdk.start();
    active = { sdk, shutdown: undefined, metricsUrl: metricsPort === undefined ? undefined : `http://${host}:${metricsPort}/metrics` };
  }
  return { shutdown: shutdownTelemetry };
}

export function isTelemetryStarted(): boolean {
  return active !== undefined;
}

/** The Prometheus endpoint this process serves, when METRICS_PORT was set. */
export function metricsEndpoint(): string | undefined {
  return active?.metricsUrl;
}

/** Flushes and stops the SDK; safe to call more than once and when telemetry never started. */
export function shutdownTelemetry(): Promise<void> {
  if (!active) return Promise.resolve();
  active.shutdown ??= active.sdk.shutdown();
  return active.shutdown;
}
