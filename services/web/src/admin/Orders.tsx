import type { AdminOrderPage, Order } from '@globalmart/contracts';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, money } from '../api.ts';
import { ErrorNotice, Loading, StatusBadge } from '../components.tsx';
import { useLoad } from '../hooks.ts';
import { OrderHistory } from '../pages/Orders.tsx';

const STATUSES = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'];

/** A date input's day as the start (or the end) of that UTC day. */
const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00.000Z`).toISOString() : undefined);
const dayEnd = (d: string) => (d ? new Date(`${d}T23:59:59.999Z`).toISOString() : undefined);

function OrderDetail({ id }: { id: string }) {
  const order = useLoad(id, (signal) => api<Order>(`/api/orders/${encodeURIComponent(id)}`, { signal }));
  if (order.loading && !order.data) return <Loading what="Loading the order" />;
  if (order.error) return <ErrorNotice error={order.error} onRetry={order.reload} />;
  if (!order.data) return null;
  const o = order.data;
  return (
    <section className="panel" aria-labelledby="order-detail">
      <h2 id="order-detail">
        Order <code>{o.order_id}</code>
      </h2>
      <p>
        <StatusBadge status={o.status} /> · {money(o.total, o.currency)} · customer <code>{o.customer_id}</code> · card{' '}
        <code>{o.payment_method}</code>
      </p>
      {o.cancel_reason && <p>Cancelled: {o.cancel_reason}</p>}
      <ul className="lines">
        {o.items.map((l) => (
          <li key={l.product_id}>
            {l.quantity} × {l.name} — {money(l.line_total, l.currency)}
          </li>
        ))}
      </ul>
      <p>
        Ships to {o.shipping_address.name}, {o.shipping_address.line1}, {o.shipping_address.postal_code} {o.shipping_address.city},{' '}
        {o.shipping_address.country}
      </p>
      <h3>History</h3>
      <OrderHistory order={o} />
      <p>
        <Link to={`/admin/ops?order=${o.order_id}`}>Saga timeline (Dapr workflow)</Link> ·{' '}
        <Link to="/admin/orders">Back to all orders</Link>
      </p>
    </section>
  );
}

export function AdminOrdersPage() {
  const { id } = useParams();
  const [status, setStatus] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [filters, setFilters] = useState({ status: '', from: '', to: '' });
  // Keyset pages: the cursors of the pages before this one.
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const list = useLoad(`${JSON.stringify(filters)}|${after ?? ''}`, (signal) =>
    api<AdminOrderPage>('/api/admin/orders', {
      query: {
        status: filters.status || undefined,
        from: dayStart(filters.from),
        to: dayEnd(filters.to),
        starting_after: after,
        page_size: 20,
      },
      signal,
    }),
  );
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setCursors([]);
    setFilters({ status, from, to });
  };
  if (id) return <OrderDetail id={id} />;
  return (
    <section>
      <h1>Orders</h1>
      <form className="filters row" onSubmit={apply}>
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-from">From (UTC day)</label>
          <input id="f-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="f-to">To (UTC day)</label>
          <input id="f-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <button type="submit">Filter</button>
        <button type="button" onClick={() => list.reload()}>
          Refresh
        </button>
      </form>
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading what="Loading orders" />}
      {list.data && list.data.data.length === 0 && <p className="empty">No orders match these filters.</p>}
      {list.data && list.data.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Orders, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Placed</th>
                <th scope="col">Status</th>
                <th scope="col">Items</th>
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((o) => (
                <tr key={o.order_id}>
                  <td>
                    <Link to={`/admin/orders/${o.order_id}`}>{o.order_id}</Link>
                  </td>
                  <td>{new Date(o.created_at).toLocaleString()}</td>
                  <td>
                    <StatusBadge status={o.status} />
                  </td>
                  <td>{o.items.reduce((n, l) => n + l.quantity, 0)}</td>
                  <td>{money(o.total, o.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && (
        <nav aria-label="Pages" className="pager">
          <button type="button" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Newer
          </button>
          <button
            type="button"
            disabled={!list.data.has_more}
            onClick={() => {
              const last = list.data?.data.at(-1)?.order_id;
              if (last) setCursors((c) => [...c, last]);
            }}
          >
            Older
          </button>
        </nav>
      )}
    </section>
  );
}
