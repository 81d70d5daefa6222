// Reading traces back from Jaeger's query API (http://<query>/api/traces), as the README's look-up does.
import { findTraces, parentOf, type JaegerSpan, type JaegerTrace } from '@globalmart/platform/traces';

// The query itself and Jaeger's JSON shapes are the kit's (the gateway's admin route reads traces the same way).
export { findTraces, type JaegerSpan, type JaegerTrace };

/** A trace's spans with their service, parent and tags resolved, for structural assertions. */
export class TraceView {
  readonly trace: JaegerTrace;
  readonly spans: (JaegerSpan & { service: string; parentId: string | undefined })[];
  readonly #byId: Map<string, TraceView['spans'][number]>;

  constructor(trace: JaegerTrace) {
    this.trace = trace;
    this.spans = trace.spans.map((s) => ({
      ...s,
      service: trace.processes[s.processID]?.serviceName ?? '?',
      parentId: parentOf(s),
    }));
    this.#byId = new Map(this.spans.map((s) => [s.spanID, s]));
  }

  get services(): Set<string> {
    return new Set(this.spans.map((s) => s.service));
  }

  get roots(): TraceView['spans'] {
    return this.spans.filter((s) => !s.parentId || !this.#byId.has(s.parentId));
  }

  tag(span: JaegerSpan, key: string): unknown {
    return span.tags.find((t) => t.key === key)?.value;
  }

  /** The span's ancestors, nearest first (within this trace). */
  ancestors(span: JaegerSpan): TraceView['spans'] {
    const out: TraceView['spans'] = [];
    for (let p = this.#byId.get(span.spanID)?.parentId; p && this.#byId.has(p); p = this.#byId.get(p)!.parentId) {
      out.push(this.#byId.get(p)!);
    }
    return out;
  }

  /** One line per span, indented under its parent: service, operation, duration. */
  render(): string {
    const children = new Map<string | undefined, TraceView['spans']>();
    for (const s of this.spans) {
      const key = s.parentId && this.#byId.has(s.parentId) ? s.parentId : undefined;
      children.set(key, [...(children.get(key) ?? []), s]);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, depth: number) => {
      for (const s of (children.get(parent) ?? []).sort((a, b) => a.startTime - b.startTime)) {
        lines.push(`${'  '.repeat(depth)}${s.service}: ${s.operationName} (${(s.duration / 1000).toFixed(1)} ms)`);
        walk(s.spanID, depth + 1);
      }
    };
    walk(undefined, 0);
    return lines.join('\n');
  }
}
