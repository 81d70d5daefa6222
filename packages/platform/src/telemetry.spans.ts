// Spans the instrumentation cannot make by itself: work that resumes a trace from a carried W3C context (a Dapr
// Workflow activity runs from a gRPC work item that carries none), and the attributes that find a trace again.
import { context, propagation, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

/** A W3C trace-context carrier (`traceparent`, optionally `tracestate`), as stored beside durable work. */
export type TraceCarrier = Record<string, string>;

const tracer = () => trace.getTracer('globalmart');

/** The active trace context as a carrier (empty when there is no sampled active span). */
export function currentTraceCarrier(): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * Runs `work` in a new span named `name`, child of the context in `parent` (a carrier from currentTraceCarrier) or
 * of the active context when there is none. Errors are recorded and rethrown; the span ends either way.
 */
export function inSpan<T>(name: string, options: { parent?: TraceCarrier; attributes?: Attributes }, work: () => Promise<T>): Promise<T> {
  const parent = options.parent && options.parent.traceparent ? propagation.extract(context.active(), options.parent) : context.active();
  return tracer().startActiveSpan(name, { ...(options.attributes ? { attributes: options.attributes } : {}) }, parent, async (span) => {
    try {
      return await work();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
