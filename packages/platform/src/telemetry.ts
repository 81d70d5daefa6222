import type { IncomingMessage } from 'node:http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';

type SdkOptions = NonNullable<ConstructorParameters<typeof NodeSDK>[0]>;
type SpanProcessor = NonNullable<SdkOptions['spanProcessors']>[number];

export interface TelemetryOptions {
  serviceName: string;
  /** Read for OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT; the SDK's exporter reads the same variables itself. */
  env?: Record<string, string | undefined>;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/** Probes are not worth a span each. */
const PROBE_PATHS = new Set(['/healthz', '/readyz']);
const isProbe = (req: IncomingMessage) => PROBE_PATHS.has((req.url ?? '').split('?')[0] ?? '');

// NodeSDK creates no TracerProvider without a span processor; this one keeps spans local (ids for logs only).
const keepLocal: SpanProcessor = {
  onStart() {},
  onEnd() {},
  forceFlush: async () => {},
  shutdown: async () => {},
};

let active: { sdk: NodeSDK; shutdown: Promise<void> | undefined } | undefined;

/**
 * Starts the OpenTelemetry NodeSDK once per process: W3C trace-context propagation (the SDK default, which is
 * what the Dapr sidecar speaks), http + express instrumentation, service.name = APP_ID. With an endpoint the
 * SDK's env-driven OTLP trace exporter is used (OTLP over HTTP, http/protobuf unless OTEL_EXPORTER_OTLP_PROTOCOL
 * says otherwise). Metrics and OTel logs stay off: logs go to stdout via pino.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (!active) {
    const env = options.env ?? process.env;
    const exporting = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
    const sdk = new NodeSDK({
      serviceName: options.serviceName,
      // Without an endpoint: no exporter at all (no retries against a collector that is not there).
      ...(exporting ? {} : { spanProcessors: [keepLocal] }),
      metricReaders: [],
      logRecordProcessors: [],
      instrumentations: [new HttpInstrumentation({ ignoreIncomingRequestHook: isProbe }), new ExpressInstrumentation()],
    });
    sdk.start();
    active = { sdk, shutdown: undefined };
  }
  return { shutdown: shutdownTelemetry };
}

export function isTelemetryStarted(): boolean {
  return active !== undefined;
}

/** Flushes and stops the SDK; safe to call more than once and when telemetry never started. */
export function shutdownTelemetry(): Promise<void> {
  if (!active) return Promise.resolve();
  active.shutdown ??= active.sdk.shutdown();
  return active.shutdown;
}
