// @vitest-environment jsdom
// The Operations page's Trace panel: spans as rows indented by depth with offset and duration; clear words when
// tracing is off or the trace has not arrived yet (and a later look finds it).
import type { OrderTraces } from '@globalmart/contracts';
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TracePanel } from '../src/admin/TracePanel.tsx';

const ORDER = `ord_${'b'.repeat(32)}`;
const traces: OrderTraces = {
  order_id: ORDER,
  traces: [
    {
      trace_id: 'abc123',
      started_at: '2026-11-30T12:00:00.000Z',
      duration_ms: 113.5,
      services: ['gateway', 'orders'],
      spans: [
        {
          span_id: 's1',
          parent_id: null,
          service: 'gateway',
          operation: 'POST /api/orders',
          start_ms: 0,
          duration_ms: 113.5,
          depth: 0,
          error: false,
        },
        {
          span_id: 's2',
          parent_id: 's1',
          service: 'orders',
          operation: 'checkout saga start',
          start_ms: 10,
          duration_ms: 80,
          depth: 1,
          error: true,
        },
      ],
    },
  ],
};

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json' },
  });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('Trace panel', () => {
  it('lists the spans in order, indented by depth, with offset, duration and errors', async () => {
    const urls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => (urls.push(url), answer(200, traces)));
    render(<TracePanel orderId={ORDER} />);
    const table = await screen.findByRole('table', { name: /Spans of trace abc123/ });
    expect(urls).toEqual([`/api/admin/ops/traces/${ORDER}`]);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-service'))).toEqual(['gateway', 'orders']);
    expect(rows[0]!.textContent).toContain('113.5 ms');
    expect(rows[1]!.textContent).toContain('10.0 ms');
    expect(rows[1]!.textContent).toContain('error');
    const indent = (row: HTMLElement) => parseFloat((row.querySelectorAll('td')[1] as HTMLElement).style.paddingLeft);
    expect(indent(rows[1]!)).toBeGreaterThan(indent(rows[0]!));
  });

  it('says tracing is off when the gateway has no trace backend', async () => {
    vi.stubGlobal('fetch', async () => answer(503, { status: 503, code: 'TRACING.NOT_CONFIGURED', detail: 'Tracing is not configured' }));
    render(<TracePanel orderId={ORDER} />);
    expect((await screen.findByText(/Tracing is off/)).textContent).toContain('TRACE_QUERY_URL');
  });

  it('says the trace is not there yet, and shows it once a later look finds it', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let calls = 0;
    vi.stubGlobal('fetch', async () =>
      ++calls === 1 ? answer(404, { status: 404, code: 'TRACE.NOT_FOUND', detail: 'No trace yet' }) : answer(200, traces),
    );
    render(<TracePanel orderId={ORDER} />);
    await screen.findByText(/No trace of this order yet/);
    await vi.advanceTimersByTimeAsync(3_100);
    await screen.findByRole('table', { name: /Spans of trace abc123/ });
    expect(calls).toBe(2);
  });
});
