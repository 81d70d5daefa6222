import type { Funnel, ProductListResponse, SalesReport, TopProducts } from '@globalmart/contracts';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, money } from '../api.ts';
import { ErrorNotice, Loading } from '../components.tsx';
import { useLoad } from '../hooks.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function label(iso: string, granularity: 'hour' | 'day'): string {
  const d = new Date(iso);
  return granularity === 'hour' ? `${d.toISOString().slice(5, 10)} ${d.toISOString().slice(11, 13)}:00` : d.toISOString().slice(0, 10);
}

function SalesChart() {
  const [granularity, setGranularity] = useState<'hour' | 'day'>('hour');
  const sales = useLoad(granularity, (signal) => {
    const to = new Date(Math.ceil(Date.now() / HOUR) * HOUR);
    const from = new Date(to.getTime() - (granularity === 'hour' ? DAY : 30 * DAY));
    return api<SalesReport>('/api/admin/reports/sales', { query: { granularity, from: from.toISOString(), to: to.toISOString() }, signal });
  });
  const data = sales.data?.buckets.map((b) => ({ when: label(b.start, granularity), orders: b.orders, revenue: b.revenue })) ?? [];
  return (
    <section aria-labelledby="sales-title" className="panel">
      <h2 id="sales-title">Sales per {granularity}</h2>
      <div className="row" role="group" aria-label="Granularity">
        <button type="button" aria-pressed={granularity === 'hour'} onClick={() => setGranularity('hour')}>
          Last 24 hours, hourly
        </button>
        <button type="button" aria-pressed={granularity === 'day'} onClick={() => setGranularity('day')}>
          Last 30 days, daily
        </button>
        <button type="button" onClick={sales.reload}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={sales.error} onRetry={sales.reload} />
      {sales.loading && !sales.data && <Loading what="Loading sales" />}
      {sales.data && (
        <>
          <p className="sales-totals">
            <strong>{sales.data.totals.orders}</strong> confirmed orders,{' '}
            <strong>{money(sales.data.totals.revenue, sales.data.currency)}</strong> revenue
          </p>
          {data.length === 0 ? (
            <p className="empty">No confirmed orders in this range.</p>
          ) : (
            <div className="chart" data-testid="sales-chart">
              <ResponsiveContainer width="100%" height={260}>
                <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="when" />
                  <YAxis yAxisId="orders" allowDecimals={false} />
                  <YAxis yAxisId="revenue" orientation="right" />
                  <Tooltip />
                  <Legend />
                  <Bar yAxisId="orders" dataKey="orders" name="Orders" fill="#1d4ed8" isAnimationActive={false} />
                  <Bar
                    yAxisId="revenue"
                    dataKey="revenue"
                    name={`Revenue (${sales.data.currency})`}
                    fill="#047857"
                    isAnimationActive={false}
                  />
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
          <details>
            <summary>Sales as a table</summary>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{granularity === 'hour' ? 'Hour (UTC)' : 'Day (UTC)'}</th>
                  <th scope="col">Orders</th>
                  <th scope="col">Revenue</th>
                </tr>
              </thead>
              <tbody>
                {data.map((d) => (
                  <tr key={d.when}>
                    <td>{d.when}</td>
                    <td>{d.orders}</td>
                    <td>{money(d.revenue, sales.data?.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
          <p className="muted">
            Orders by status:{' '}
            {Object.entries(sales.data.orders_by_status)
              .map(([s, n]) => `${s} ${n}`)
              .join(' · ') || 'none'}
          </p>
        </>
      )}
    </section>
  );
}

function TopProductsChart() {
  const [by, setBy] = useState<'units' | 'revenue'>('units');
  const top = useLoad(by, async (signal) => {
    const report = await api<TopProducts>('/api/admin/reports/top-products', { query: { by, limit: 10 }, signal });
    const ids = report.items.map((i) => i.product_id);
    const names = ids.length
      ? await api<ProductListResponse>('/api/products', { query: { ids: ids.join(','), page_size: ids.length }, signal })
      : { data: [] };
    const nameOf = new Map(names.data.map((p) => [p.id, p.name]));
    return report.items.map((i) => ({ ...i, name: nameOf.get(i.product_id) ?? i.product_id }));
  });
  return (
    <section aria-labelledby="top-title" className="panel">
      <h2 id="top-title">Top products by {by}</h2>
      <div className="row" role="group" aria-label="Rank by">
        <button type="button" aria-pressed={by === 'units'} onClick={() => setBy('units')}>
          Units
        </button>
        <button type="button" aria-pressed={by === 'revenue'} onClick={() => setBy('revenue')}>
          Revenue
        </button>
      </div>
      <ErrorNotice error={top.error} onRetry={top.reload} />
      {top.loading && !top.data && <Loading what="Loading top products" />}
      {top.data && top.data.length === 0 && <p className="empty">No sales in the last 7 days.</p>}
      {top.data && top.data.length > 0 && (
        <>
          <div className="chart">
            <ResponsiveContainer width="100%" height={Math.max(160, top.data.length * 32)}>
              <BarChart data={top.data} layout="vertical" margin={{ left: 24, right: 8 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis type="number" />
                <YAxis type="category" dataKey="name" width={160} />
                <Tooltip />
                <Bar dataKey={by} name={by === 'units' ? 'Units' : 'Revenue'} fill="#7c3aed" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <details>
            <summary>Top products as a table</summary>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Units</th>
                  <th scope="col">Revenue</th>
                  <th scope="col">Views</th>
                </tr>
              </thead>
              <tbody>
                {top.data.map((i) => (
                  <tr key={i.product_id}>
                    <td>{i.name}</td>
                    <td>{i.units}</td>
                    <td>{money(i.revenue)}</td>
                    <td>{i.views}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}

function FunnelChart() {
  const funnel = useLoad('funnel', (signal) => api<Funnel>('/api/admin/reports/funnel', { signal }));
  const f = funnel.data;
  const data = f
    ? [
        { step: 'Product views', count: f.product_views },
        { step: 'Orders placed', count: f.orders_placed },
        { step: 'Orders confirmed', count: f.orders_confirmed },
      ]
    : [];
  return (
    <section aria-labelledby="funnel-title" className="panel">
      <h2 id="funnel-title">View-to-order funnel (last 7 days)</h2>
      <ErrorNotice error={funnel.error} onRetry={funnel.reload} />
      {funnel.loading && !f && <Loading what="Loading the funnel" />}
      {f && (
        <>
          <p>
            View to order: <strong>{(f.view_to_order * 100).toFixed(1)} %</strong> · order to confirmed:{' '}
            <strong>{(f.order_to_confirmed * 100).toFixed(1)} %</strong> · cancelled: {f.orders_cancelled}
          </p>
          <div className="chart">
            <ResponsiveContainer width="100%" height={200}>
              <BarChart data={data}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="step" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="count" name="Count" fill="#b45309" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </>
      )}
    </section>
  );
}

export default function ReportsPage() {
  return (
    <section>
      <h1>Reports</h1>
      <SalesChart />
      <TopProductsChart />
      <FunnelChart />
    </section>
  );
}
