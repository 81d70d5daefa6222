// Recommendations engines side by side (`npm run bench -- recommendations`): the TypeScript engine and its Go twin, each
// on its own platform, loaded through their sidecars exactly as the product page calls them (gateway's daprd → the
// engine's daprd → the engine, by service invocation), after the same learned history. Per engine: latency at a fixed
// rate and saturated, and what one request costs the engine process (CPU from /proc utime+stime over the run, divided by
// the requests served) and its memory (resident set after the run, and its peak). The sidecars' CPU is reported apart.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { Stack } from '@globalmart/devstack';
import { waitUntil } from '@globalmart/devstack';
import { publishRaw } from '../tests/harness/events.ts';
import { startPlatform, type Platform } from '../tests/harness/platform.ts';
import { saveResult } from './results.ts';

const rate = Number(process.env.BENCH_RATE ?? 100);
const durationS = Number(process.env.BENCH_DURATION ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ORDERS = 300;
const CLOCK_TICKS = 100; // USER_HZ on Linux

interface ProcUsage {
  cpuS: number;
  rssMb: number;
  peakRssMb: number;
}

function usage(pid: number | undefined): ProcUsage {
  if (!pid) throw new Error('process not running');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After the ") ": state is field 0, utime 11, stime 12 (fields 14 and 15 of proc(5)).
  const cpuS = (Number(stat[11]) + Number(stat[12])) / CLOCK_TICKS;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuS, rssMb: +(kb('VmRSS') / 1024).toFixed(1), peakRssMb: +(kb('VmHWM') / 1024).toFixed(1) };
}

/** A deterministic history: orders of two or three products among the first 400, so every tier has answers. */
async function teach(platform: Platform): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const n = (k: number) => `prd_${String(1 + ((i * 7 + k * 13) % 400)).padStart(6, '0')}`;
    const products = [...new Set([n(0), n(1), ...(i % 3 === 0 ? [n(2)] : [])])];
    const id = `bench-order-${i}`;
    ids.push(id);
    await publishRaw(
      platform,
      'orders',
      'globalmart.orders.order-confirmed.v1',
      {
        order_id: `ord_${createHash('md5').update(id).digest('hex')}`,
        customer_id: 'usr_bench',
        items: products.map((product_id) => ({ product_id, quantity: 1, unit_price: 10, currency: 'USD' })),
        total: 10 * products.length,
        currency: 'USD',
        occurred_at: new Date().toISOString(),
      },
      id,
    );
  }
  // Learned once the last order's marker is stored and its pair is answered.
  const sidecar = platform.daprUrl('recommendations');
  const marker = `recs:event:${createHash('sha256').update(ids.at(-1)!).digest('hex')}`;
  await waitUntil(
    'the history learned',
    async () =>
      (await fetch(`${sidecar}/v1.0/state/statestore/${marker}`, { headers: platform.daprHeaders('recommendations') })).status === 200,
    { timeoutMs: 120_000 },
  );
}

interface Row {
  load: string;
  requests_per_s: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  engine_cpu_ms_per_1k_requests: number;
  sidecars_cpu_ms_per_1k_requests: number;
  engine_rss_mb: number;
}

interface EngineResult {
  engine: Stack;
  rows: Row[];
  engine_idle_rss_mb: number;
  engine_peak_rss_mb: number;
}

async function benchEngine(engine: Stack): Promise<EngineResult> {
  const platform = await startPlatform({ apps: ['catalog', 'recommendations', 'gateway'], stacks: { recommendations: engine } });
  try {
    await teach(platform);
    // The gateway's sidecar is where the product page's call starts (the gateway app itself is not in the path).
    const via = platform.apps.gateway!;
    const url = `${via.daprUrl}/v1.0/invoke/recommendations/method/recommendations`;
    // Product pages (co-purchase + similar + popular) over 200 products, and a few users (read-through of recent views).
    const paths = [
      ...Array.from(
        { length: 200 },
        (_, i) => `/v1.0/invoke/recommendations/method/recommendations?product_id=prd_${String(i + 1).padStart(6, '0')}&limit=6`,
      ),
      ...Array.from({ length: 10 }, (_, i) => `/v1.0/invoke/recommendations/method/recommendations?user_id=bench-user-${i}&limit=6`),
    ];
    const app = platform.apps.recommendations!;
    const sidecars = [app.sidecar.pid, via.sidecar.pid];
    const idle = usage(app.app.pid);
    const rows: EngineResult['rows'] = [];
    const requests = paths.map((path) => ({ method: 'GET' as const, path }));
    const options = { url, connections, headers: via.daprHeaders, requests };
    for (const overallRate of [rate, undefined]) {
      // Warm up connections, JIT and caches, then measure only the measured run.
      await autocannon({ ...options, duration: 3, ...(overallRate ? { overallRate } : {}) });
      const before = usage(app.app.pid);
      const sidecarsBefore = sidecars.map((p) => usage(p).cpuS);
      const r = await autocannon({ ...options, duration: durationS, ...(overallRate ? { overallRate } : {}) });
      const after = usage(app.app.pid);
      const sidecarsCpu = sidecars.map((p, i) => usage(p).cpuS - sidecarsBefore[i]!).reduce((a, b) => a + b, 0);
      const perK = (s: number) => +((s * 1000 * 1000) / Math.max(r.requests.total, 1)).toFixed(1);
      rows.push({
        load: overallRate ? `${overallRate} req/s` : `saturated (${connections} connections)`,
        requests_per_s: Math.round(r.requests.average),
        p50_ms: r.latency.p50,
        p99_ms: r.latency.p99,
        errors: r.errors + r.timeouts + r.non2xx,
        engine_cpu_ms_per_1k_requests: perK(after.cpuS - before.cpuS),
        sidecars_cpu_ms_per_1k_requests: perK(sidecarsCpu),
        engine_rss_mb: after.rssMb,
      });
    }
    return { engine, rows, engine_peak_rss_mb: usage(app.app.pid).peakRssMb, engine_idle_rss_mb: idle.rssMb };
  } finally {
    await platform.stop();
  }
}

export async function recommendationsBench(): Promise<void> {
  const engines: EngineResult[] = [];
  for (const engine of ['ts', 'go'] as const) engines.push(await benchEngine(engine));
  const file = saveResult('recommendations', { settings: { rate, duration_s: durationS, connections, orders: ORDERS }, engines });
  console.log(`\n### Recommendations engines (through 2 sidecars, load generator on the same 2 cores)\n`);
  console.log(
    '| engine | load | req/s | p50 ms | p99 ms | errors | engine CPU ms / 1k req | sidecars CPU ms / 1k req | engine RSS MB after (peak) |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const e of engines)
    for (const r of e.rows)
      console.log(
        `| ${e.engine === 'go' ? 'Go' : 'TypeScript'} | ${r.load} | ${r.requests_per_s} | ${r.p50_ms} | ${r.p99_ms} | ${r.errors} | ${r.engine_cpu_ms_per_1k_requests} | ${r.sidecars_cpu_ms_per_1k_requests} | ${r.engine_rss_mb} (${e.engine_peak_rss_mb}) |`,
      );
  console.log(`\nJSON: ${file}`);
}
