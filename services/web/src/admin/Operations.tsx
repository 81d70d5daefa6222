import type { OpsApps, Order, WorkflowInstance } from '@globalmart/contracts';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../api.ts';
import { ErrorNotice, Loading } from '../components.tsx';
import { useLoad } from '../hooks.ts';
import { OrderHistory } from '../pages/Orders.tsx';
import { TracePanel } from './TracePanel.tsx';

function Apps() {
  const ops = useLoad('apps', (signal) => api<OpsApps>('/api/admin/ops/apps', { signal }));
  if (ops.loading && !ops.data) return <Loading what="Asking every sidecar" />;
  if (ops.error) return <ErrorNotice error={ops.error} onRetry={ops.reload} />;
  if (!ops.data) return null;
  const pubsub = ops.data.apps.flatMap((a) => a.metadata?.components ?? []).find((c) => c.name === 'pubsub');
  const healthy = ops.data.apps.filter((a) => a.healthy).length;
  return (
    <section aria-labelledby="apps-title">
      <h2 id="apps-title">Apps and sidecars</h2>
      <p className="ops-summary">
        <strong>
          {healthy} of {ops.data.apps.length}
        </strong>{' '}
        sidecars healthy · broker: <strong className="broker">{pubsub ? `${pubsub.type} (${pubsub.version ?? 'v1'})` : 'unknown'}</strong> ·
        checked {new Date(ops.data.checked_at).toLocaleTimeString()}{' '}
        <button type="button" onClick={ops.reload}>
          Refresh
        </button>
      </p>
      <div className="table-wrap">
        <table className="table ops-table">
          <caption className="sr-only">Every app-id with its sidecar</caption>
          <thead>
            <tr>
              <th scope="col">App-id</th>
              <th scope="col">Sidecar</th>
              <th scope="col">Dapr</th>
              <th scope="col">Components</th>
              <th scope="col">Subscriptions</th>
              <th scope="col">Actors and workflows</th>
            </tr>
          </thead>
          <tbody>
            {ops.data.apps.map((a) => {
              const m = a.metadata;
              const actors = m?.actorRuntime?.activeActors ?? [];
              return (
                <tr key={a.app_id} data-app={a.app_id}>
                  <th scope="row">{a.app_id}</th>
                  <td>
                    {a.healthy ? <span className="badge badge-in">healthy</span> : <span className="badge badge-out">unreachable</span>}
                    {a.error && <div className="muted">{a.error}</div>}
                  </td>
                  <td>{m?.runtimeVersion ?? '—'}</td>
                  <td>
                    <ul className="plain">
                      {(m?.components ?? []).map((c) => (
                        <li key={c.name}>
                          {c.name}: <code>{c.type}</code>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <ul className="plain">
                      {(m?.subscriptions ?? []).map((s) => (
                        <li key={`${s.pubsubname}/${s.topic}`}>
                          {s.topic}
                          {s.deadLetterTopic && <span className="muted"> → {s.deadLetterTopic}</span>}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    {actors.length > 0 ? actors.map((x) => `${x.type} ×${x.count ?? 0}`).join(', ') : 'no active actors'}
                    {m?.workflows?.connectedWorkers !== undefined && <div>workflow workers: {m.workflows.connectedWorkers}</div>}
                    {m?.actorRuntime?.placement && <div className="muted">{m.actorRuntime.placement}</div>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Saga() {
  const [params, setParams] = useSearchParams();
  const orderId = params.get('order') ?? '';
  const [text, setText] = useState(orderId);
  const saga = useLoad(orderId || null, async (signal) => {
    const [workflow, order] = await Promise.all([
      api<WorkflowInstance>(`/api/admin/ops/workflows/${encodeURIComponent(orderId)}`, { signal }),
      api<Order>(`/api/orders/${encodeURIComponent(orderId)}`, { signal }),
    ]);
    return { workflow, order };
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setParams(text.trim() ? { order: text.trim() } : {});
  };
  const w = saga.data?.workflow;
  return (
    <section aria-labelledby="saga-title" className="panel">
      <h2 id="saga-title">Saga timeline</h2>
      <form className="row" onSubmit={submit}>
        <div className="field">
          <label htmlFor="saga-order">Order id</label>
          <input id="saga-order" value={text} onChange={(e) => setText(e.target.value)} placeholder="ord_…" />
        </div>
        <button type="submit">Show workflow</button>
      </form>
      {orderId && saga.loading && !saga.data && <Loading what="Reading the workflow" />}
      <ErrorNotice error={saga.error} onRetry={saga.reload} />
      {w && saga.data && (
        <>
          <dl className="facts">
            <dt>Workflow</dt>
            <dd>
              {w.workflowName ?? '—'} <code>{w.instanceID}</code>
            </dd>
            <dt>Runtime status</dt>
            <dd className="workflow-status">{w.runtimeStatus}</dd>
            <dt>Started</dt>
            <dd>{w.createdAt ? new Date(w.createdAt).toLocaleString() : '—'}</dd>
            <dt>Last updated</dt>
            <dd>{w.lastUpdatedAt ? new Date(w.lastUpdatedAt).toLocaleString() : '—'}</dd>
            {w.properties?.['dapr.workflow.custom_status'] && (
              <>
                <dt>Custom status</dt>
                <dd>{w.properties['dapr.workflow.custom_status']}</dd>
              </>
            )}
          </dl>
          <h3>Order status, step by step</h3>
          <OrderHistory order={saga.data.order} />
        </>
      )}
      {/* After the workflow look-up, found or not: the trace may tell why it failed. */}
      {orderId && !saga.loading && <TracePanel orderId={orderId} />}
    </section>
  );
}

export default function OperationsPage() {
  return (
    <section>
      <h1>Operations</h1>
      <p className="muted">
        What each sidecar reports through Dapr&apos;s metadata API (the local stand-in for the Dapr dashboard; on Kubernetes use{' '}
        <code>dapr dashboard -k</code>).
      </p>
      <Apps />
      <Saga />
    </section>
  );
}
