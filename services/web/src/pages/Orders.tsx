import type { Order, OrderPage as OrderList, OrderTracking } from '@globalmart/contracts';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, money } from '../api.ts';
import { ErrorNotice, Loading, StatusBadge, statusLabel } from '../components.tsx';
import { useLoad, usePolling } from '../hooks.ts';
import { RequireLogin } from './Auth.tsx';

const FINAL = new Set(['DELIVERED', 'CANCELLED']);
const STEPS = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED'];

export function OrderHistory({ order }: { order: Order }) {
  return (
    <ol className="timeline" aria-label="Status history">
      {order.status_history.map((h, i) => (
        <li key={`${h.status}-${i}`}>
          <StatusBadge status={h.status} /> <time dateTime={h.at}>{new Date(h.at).toLocaleString()}</time>
          {h.reason && <span className="reason"> — {h.reason}</span>}
        </li>
      ))}
    </ol>
  );
}

function OrderView() {
  const { id = '' } = useParams();
  const order = useLoad(id, (signal) => api<Order>(`/api/orders/${encodeURIComponent(id)}`, { signal }));
  const tracking = useLoad(`${id}|tracking`, (signal) => api<OrderTracking>(`/api/orders/${encodeURIComponent(id)}/tracking`, { signal }));
  const status = order.data?.status;
  // Live status: poll until the order is final (the saga moves it on without the customer doing anything).
  const live = Boolean(status && !FINAL.has(status));
  usePolling(live, 1_000, () => {
    order.reload();
    tracking.reload();
  });
  if (order.loading && !order.data) return <Loading what="Loading the order" />;
  if (order.error && !order.data) return <ErrorNotice error={order.error} onRetry={order.reload} />;
  if (!order.data) return null;
  const o = order.data;
  const shipment = tracking.data?.shipment;
  return (
    <>
      <p className="order-status" aria-live="polite">
        Status: <StatusBadge status={o.status} />
        {live && <span className="muted"> (updating live)</span>}
      </p>
      {o.status === 'CANCELLED' && (
        <div className="notice notice-error" role="alert">
          This order was cancelled: <span className="cancel-reason">{o.cancel_reason ?? 'no reason given'}</span>
        </div>
      )}
      {o.status !== 'CANCELLED' && (
        <ol className="steps" aria-label="Progress">
          {STEPS.map((s) => (
            <li
              key={s}
              className={o.status_history.some((h) => h.status === s) ? 'done' : ''}
              aria-current={o.status === s ? 'step' : undefined}
            >
              {statusLabel[s]}
            </li>
          ))}
        </ol>
      )}
      <h2>Items</h2>
      <ul className="lines">
        {o.items.map((l) => (
          <li key={l.product_id}>
            {l.quantity} × <Link to={`/products/${l.product_id}`}>{l.name}</Link> — {money(l.line_total, l.currency)}
          </li>
        ))}
      </ul>
      <p>
        Total: <strong>{money(o.total, o.currency)}</strong> · paid with <code>{o.payment_method}</code>
      </p>
      <h2>Tracking</h2>
      {shipment ? (
        <p>
          {shipment.carrier} {shipment.tracking_number}: {shipment.status}
        </p>
      ) : (
        <p className="muted">No shipment yet.</p>
      )}
      <h2>History</h2>
      <OrderHistory order={o} />
    </>
  );
}

export function OrderPage() {
  const { id = '' } = useParams();
  return (
    <RequireLogin>
      <section>
        <h1>Order {id.slice(0, 12)}…</h1>
        <OrderView />
      </section>
    </RequireLogin>
  );
}

function OrderListView() {
  const [page, setPage] = useState(1);
  const list = useLoad(String(page), (signal) => api<OrderList>('/api/orders', { query: { page, page_size: 10 }, signal }));
  if (list.loading && !list.data) return <Loading what="Loading your orders" />;
  if (list.error) return <ErrorNotice error={list.error} onRetry={list.reload} />;
  if (!list.data) return null;
  if (list.data.total === 0)
    return (
      <p className="empty">
        No orders yet. <Link to="/">Start shopping</Link>.
      </p>
    );
  const pages = Math.ceil(list.data.total / 10);
  return (
    <>
      <ul className="orders">
        {list.data.data.map((o) => (
          <li key={o.order_id}>
            <Link to={`/orders/${o.order_id}`}>{new Date(o.created_at).toLocaleString()}</Link> <StatusBadge status={o.status} />{' '}
            {money(o.total, o.currency)}
          </li>
        ))}
      </ul>
      <nav aria-label="Pages" className="pager">
        <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous page
        </button>
        <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next page
        </button>
      </nav>
    </>
  );
}

export function OrdersPage() {
  return (
    <RequireLogin>
      <section>
        <h1>Your orders</h1>
        <OrderListView />
      </section>
    </RequireLogin>
  );
}
