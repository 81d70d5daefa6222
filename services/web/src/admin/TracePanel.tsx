// An order's trace on the Operations page: the gateway reads it from the trace backend (Jaeger) and answers spans in
// tree order with offsets and durations; each trace is a waterfall-ish table (indented by depth, a bar for its time).
import type { OrderTraces, TraceSpan, TraceSummary } from '@globalmart/contracts';
import { useState } from 'react';
import { api } from '../api.ts';
import { ErrorNotice, Loading } from '../components.tsx';
import { useLoad, usePolling } from '../hooks.ts';
import './trace.css';

/** Spans reach the backend in batches, seconds after the checkout: while there is no trace, look again this often… */
const RETRY_MS = 3_000;
/** …this many times, then leave it to the Refresh button. */
const MAX_RETRIES = 20;

const duration = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

function SpanRow({ span, total }: { span: TraceSpan; total: number }) {
  const left = total > 0 ? (span.start_ms / total) * 100 : 0;
  const width = total > 0 ? Math.max((span.duration_ms / total) * 100, 0.5) : 100;
  return (
    <tr data-span={span.span_id} data-service={span.service} className={span.error ? 'span-error' : undefined}>
      <td>{span.service}</td>
      <td className="col-op" style={{ paddingLeft: `${0.5 + Math.min(span.depth, 16) * 0.75}rem` }}>
        {span.operation}
        {span.error && <span className="badge badge-out"> error</span>}
      </td>
      <td className="col-num">{duration(span.start_ms)}</td>
      <td className="col-num">{duration(span.duration_ms)}</td>
      <td className="col-bar" aria-hidden="true">
        <div
          className="trace-bar"
          style={{ marginLeft: `${Math.min(left, 99.5)}%`, width: `${Math.min(width, 100 - Math.min(left, 99.5))}%` }}
        />
      </td>
    </tr>
  );
}

function Trace({ trace, open }: { trace: TraceSummary; open: boolean }) {
  return (
    <details open={open} className="trace" data-trace={trace.trace_id}>
      <summary>
        <code>{trace.trace_id}</code>: {trace.spans.length} spans, {duration(trace.duration_ms)}, from{' '}
        {new Date(trace.started_at).toLocaleTimeString()} · <span className="trace-services">{trace.services.join(', ')}</span>
      </summary>
      {/* Wide at phone width: the scrolling wrapper takes focus so a keyboard can scroll it too. */}
      <div className="table-wrap" role="region" aria-label={`Spans of trace ${trace.trace_id}`} tabIndex={0}>
        <table className="table trace-table">
          <caption className="sr-only">Spans of trace {trace.trace_id}, each below its parent</caption>
          <thead>
            <tr>
              <th scope="col" className="col-service">
                Service
              </th>
              <th scope="col">Operation</th>
              <th scope="col" className="col-num">
                Start
              </th>
              <th scope="col" className="col-num">
                Duration
              </th>
              <th scope="col" className="col-bar">
                <span className="sr-only">Timeline</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {trace.spans.map((s) => (
              <SpanRow key={s.span_id} span={s} total={trace.duration_ms} />
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function TracePanel({ orderId }: { orderId: string }) {
  const [tries, setTries] = useState({ orderId, count: 0 });
  const count = tries.orderId === orderId ? tries.count : 0;
  const traces = useLoad(`trace:${orderId}`, (signal) =>
    api<OrderTraces>(`/api/admin/ops/traces/${encodeURIComponent(orderId)}`, { signal }),
  );
  const notYet = traces.error?.status === 404;
  usePolling(notYet && count < MAX_RETRIES, RETRY_MS, () => {
    setTries({ orderId, count: count + 1 });
    traces.reload();
  });
  const refresh = (
    <button type="button" onClick={traces.reload}>
      Refresh trace
    </button>
  );
  let body;
  if (traces.loading && !traces.data && !traces.error) body = <Loading what="Reading the trace" />;
  else if (traces.error?.code === 'TRACING.NOT_CONFIGURED') {
    body = <p className="notice notice-warn trace-off">Tracing is off: this gateway has no trace backend configured (TRACE_QUERY_URL).</p>;
  } else if (notYet) {
    body = (
      <div className="notice notice-warn trace-missing">
        <p>
          No trace of this order yet: spans reach the trace backend a few seconds after the checkout
          {count < MAX_RETRIES ? '. Looking again…' : '.'}
        </p>
        {refresh}
      </div>
    );
  } else if (traces.error) body = <ErrorNotice error={traces.error} onRetry={traces.reload} />;
  else if (traces.data) {
    body = (
      <>
        <p className="muted">
          {traces.data.traces.length === 1 ? 'One trace' : `${traces.data.traces.length} traces`} tagged with this order, the checkout
          first. {refresh}
        </p>
        {traces.data.traces.map((t, i) => (
          <Trace key={t.trace_id} trace={t} open={i === 0} />
        ))}
      </>
    );
  }
  return (
    <section aria-labelledby="trace-title">
      <h3 id="trace-title">Trace</h3>
      {body}
    </section>
  );
}
