// Reading traces back from the trace backend's query API (Jaeger's `/api/traces`), for operators: the gateway's admin
// route and the system tests find a checkout by its order id the same way, here. Jaeger's HTTP JSON is its own
// (microseconds, processes, references), so it is turned into the contracts' compact TraceSummary in one place.
import type { TraceSpan, TraceSummary } from '@globalmart/contracts';

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: { key: string; value: unknown }[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** The query API could not be asked (unreachable, timed out) or answered with an error. */
export class TraceQueryError extends Error {
  override readonly name = 'TraceQueryError';
}

export interface FindTracesOptions {
  /** Traces at most this old (default 7 days; Jaeger's own default is shorter). */
  sinceMs?: number;
  limit?: number;
  timeoutMs?: number;
}

/** The traces of `service` that hold a span tagged with every one of `tags` (Jaeger's own tag search). */
export async function findTraces(
  queryUrl: string,
  service: string,
  tags: Record<string, string>,
  { sinceMs = 7 * 24 * 3600_000, limit = 20, timeoutMs = 5_000 }: FindTracesOptions = {},
): Promise<JaegerTrace[]> {
  const start = String((Date.now() - sinceMs) * 1000);
  const q = new URLSearchParams({ service, tags: JSON.stringify(tags), limit: String(limit), start });
  const url = `${queryUrl.replace(/\/+$/, '')}/api/traces?${q}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new TraceQueryError(`trace query API unreachable: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) throw new TraceQueryError(`trace query API answered ${res.status}: ${text.slice(0, 200)}`);
  try {
    return (JSON.parse(text) as { data: JaegerTrace[] | null }).data ?? [];
  } catch (err) {
    throw new TraceQueryError('trace query API answered something other than JSON', { cause: err });
  }
}

/** The span's parent within its own trace (CHILD_OF), if it names one. */
export const parentOf = (span: JaegerSpan): string | undefined =>
  span.references.find((r) => r.refType === 'CHILD_OF' && r.traceID === span.traceID)?.spanID;

const isError = (span: JaegerSpan): boolean =>
  span.tags.some(
    (t) => (t.key === 'error' && (t.value === true || t.value === 'true')) || (t.key === 'otel.status_code' && t.value === 'ERROR'),
  );

const ms = (micros: number) => Math.round(micros) / 1000;
const byStart = (a: JaegerSpan, b: JaegerSpan) => a.startTime - b.startTime;

/**
 * One trace, compact: spans in tree order (a span whose parent has not arrived counts as a root), offsets from the
 * earliest span, the services in order of appearance.
 */
export function summarizeTrace(trace: JaegerTrace): TraceSummary {
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const children = new Map<string | undefined, JaegerSpan[]>();
  for (const s of trace.spans) {
    const parent = parentOf(s);
    const key = parent && byId.has(parent) && parent !== s.spanID ? parent : undefined;
    const list = children.get(key);
    if (list) list.push(s);
    else children.set(key, [s]);
  }
  const t0 = trace.spans.reduce((min, s) => Math.min(min, s.startTime), trace.spans[0]?.startTime ?? 0);
  const end = trace.spans.reduce((max, s) => Math.max(max, s.startTime + s.duration), t0);
  const spans: TraceSpan[] = [];
  const seen = new Set<string>();
  const visit = (s: JaegerSpan, depth: number) => {
    if (seen.has(s.spanID)) return; // a malformed trace (a repeated id) is shown once, not forever
    seen.add(s.spanID);
    spans.push({
      span_id: s.spanID,
      parent_id: parentOf(s) ?? null,
      service: trace.processes[s.processID]?.serviceName ?? 'unknown',
      operation: s.operationName,
      start_ms: ms(s.startTime - t0),
      duration_ms: ms(s.duration),
      depth,
      error: isError(s),
    });
    for (const c of [...(children.get(s.spanID) ?? [])].sort(byStart)) visit(c, depth + 1);
  };
  for (const root of [...(children.get(undefined) ?? [])].sort(byStart)) visit(root, 0);
  // Whatever a cycle of parents left unreached, as roots too.
  for (const s of [...trace.spans].sort(byStart)) visit(s, 0);
  return {
    trace_id: trace.traceID,
    started_at: new Date(Math.floor(t0 / 1000)).toISOString(),
    duration_ms: ms(end - t0),
    services: [...new Set(spans.map((s) => s.service))],
    spans,
  };
}
