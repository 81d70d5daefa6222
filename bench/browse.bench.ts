// Browse benchmark (part of `npm run bench`): load on the real platform (real sidecars, FerretDB, Redis) on this machine.
// Browse: GET /api/products?page=1 through gateway → 2 sidecars → catalog, beside the ceiling measured in the same run:
// a trivial handler through the same two sidecars (bench/ceiling.ts). Everything, the load generator included, shares
// the machine's cores, so absolute figures move from run to run; the ratio to the ceiling of the same run is the figure
// to compare. Each runs saturated (all the machine gives, 16 connections) and at a fixed rate below saturation (p99).
// Results: bench/results/<name>-<timestamp>.json and markdown tables on stdout.
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { startPlatform, type Platform } from '../tests/harness/platform.ts';
import { relaxedRateLimits } from '../tests/harness/rate-limits.ts';
import { startCeiling } from './ceiling.ts';
import { cpuSecondsByName, snapshot } from './proc-stats.ts';
import { saveResult } from './results.ts';

const durationS = Number(process.env.BENCH_DURATION ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** The rate the p99 target is stated at: below saturation, where latency is service time rather than queueing. */
const fixedRate = Number(process.env.BENCH_RATE ?? 500);

export interface Row {
  scenario: string;
  url: string;
  requests_per_s: number;
  p50_ms: number;
  p90_ms: number;
  p97_5_ms: number;
  p99_ms: number;
  errors: number;
  non_2xx: number;
  /** Answers `check` refused (e.g. a product page with something in `degraded`), when there was a check. */
  refused?: number;
  /** The platform's CPU per request by process, ms (rows measured with `cpu`). */
  cpu_ms_per_request?: Record<string, number>;
}

export interface LoadOptions {
  /** Total requests per second across connections; absent = saturated. */
  rate?: number;
  /** Each connection cycles through them (e.g. many products) instead of requesting `url` only. */
  paths?: string[];
  /** On every request (e.g. what a sidecar sends an app, for a straight call to the app's port). */
  headers?: Record<string, string>;
  /** Counts answers whose body it refuses (the body is then read by the load generator, which costs it some CPU). */
  check?: (body: string) => boolean;
  /** Also measure the platform's CPU per request, by process (/proc, the load generator left out): the capacity model's input. */
  cpu?: boolean;
}

export async function load(scenario: string, url: string, { rate, paths, headers = {}, check, cpu }: LoadOptions = {}): Promise<Row> {
  let refused = 0;
  const onResponse = check ? (_status: number, body: string) => void (check(body) || refused++) : undefined;
  const requests = (paths ?? [new URL(url).pathname + new URL(url).search]).map((path) => ({
    method: 'GET' as const,
    path,
    ...(onResponse ? { onResponse } : {}),
  }));
  // Warm up connections, JIT and caches before measuring.
  await autocannon({ url, connections, duration: 3, headers, requests });
  refused = 0;
  const before = cpu ? snapshot() : undefined;
  const r = await autocannon({ url, connections, duration: durationS, headers, requests, ...(rate ? { overallRate: rate } : {}) });
  const cpuMs = before
    ? Object.fromEntries(
        [...cpuSecondsByName(before, snapshot())]
          .map(([name, s]) => [name, +((s * 1000) / Math.max(1, r.requests.total)).toFixed(3)] as const)
          .filter(([, ms]) => ms > 0)
          .sort((a, b) => b[1] - a[1]),
      )
    : undefined;
  return {
    scenario: rate ? `${scenario} at ${rate} req/s` : `${scenario}, saturated`,
    url,
    requests_per_s: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p90_ms: r.latency.p90,
    p97_5_ms: r.latency.p97_5,
    p99_ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non_2xx: r.non2xx,
    ...(check ? { refused } : {}),
    ...(cpuMs ? { cpu_ms_per_request: cpuMs } : {}),
  };
}

/**
 * What an app's sidecar sends it for a call from the gateway: the app token (the app refuses anything else) and the
 * caller's app-id (the app's per-route allow-list); a straight call to the app's port needs both to be served.
 */
export function asDeliveredFromGateway(platform: Platform, appId: string): Record<string, string> {
  return { ...platform.appHeaders(appId), 'dapr-caller-app-id': 'gateway' };
}

export function printRows(title: string, rows: Row[]): void {
  const withChecks = rows.some((r) => r.refused !== undefined);
  console.log(`\n### ${title}\n`);
  console.log(`| scenario | req/s | p50 ms | p90 ms | p97.5 ms | p99 ms | errors | non-2xx |${withChecks ? ' refused |' : ''}`);
  console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${withChecks ? ' ---: |' : ''}`);
  for (const r of rows)
    console.log(
      `| ${r.scenario} | ${r.requests_per_s} | ${r.p50_ms} | ${r.p90_ms} | ${r.p97_5_ms} | ${r.p99_ms} | ${r.errors} | ${r.non_2xx} |${withChecks ? ` ${r.refused ?? ''} |` : ''}`,
    );
}

export interface Target {
  figure: string;
  target: string;
  measured: number;
  /** The same figure for the trivial handler through the same two sidecars, in the same run. */
  ceiling: number;
  met: boolean;
}

export function printTargets(targets: Target[]): void {
  console.log('\n| figure | target | measured | ceiling (same run) | measured / ceiling | met |');
  console.log('| --- | --- | ---: | ---: | ---: | --- |');
  for (const t of targets)
    console.log(
      `| ${t.figure} | ${t.target} | ${t.measured} | ${t.ceiling} | ${(t.measured / t.ceiling).toFixed(2)} | ${t.met ? 'yes' : 'no'} |`,
    );
}

export async function browseBench(): Promise<void> {
  const platform = await startPlatform({ apps: ['catalog', 'gateway'], env: { gateway: relaxedRateLimits } });
  const ceiling = await startCeiling(platform).catch(async (err: unknown) => {
    await platform.stop();
    throw err;
  });
  try {
    const directUrl = `${platform.url('catalog')}/products?page=1`;
    const viaDaprUrl = `${platform.url('gateway')}/api/products?page=1`;
    const direct = { headers: asDeliveredFromGateway(platform, 'catalog') };
    const trivial = 'ceiling: trivial handler, daprd → daprd';
    const page = 'gateway → daprd → daprd → catalog';
    const rows = [
      await load(trivial, ceiling.url, { headers: ceiling.headers }),
      await load(page, viaDaprUrl),
      await load('catalog direct (no Dapr)', directUrl, direct),
      await load(trivial, ceiling.url, { headers: ceiling.headers, rate: fixedRate }),
      await load(page, viaDaprUrl, { rate: fixedRate, cpu: true }),
    ];
    const [ceilingMax, pageMax, , ceilingRated, pageRated] = rows as [Row, Row, Row, Row, Row];
    const targets: Target[] = [
      {
        figure: 'catalog page, saturated, req/s',
        target: '≥ 1500',
        measured: pageMax.requests_per_s,
        ceiling: ceilingMax.requests_per_s,
        met: pageMax.requests_per_s >= 1500,
      },
      {
        figure: `catalog page p99 at ${fixedRate} req/s, ms`,
        target: '≤ 50',
        measured: pageRated.p99_ms,
        ceiling: ceilingRated.p99_ms,
        met: pageRated.p99_ms <= 50 && pageRated.requests_per_s >= fixedRate * 0.98,
      },
    ];
    const file = saveResult('browse', { settings: { duration_s: durationS, connections, fixed_rate: fixedRate }, rows, targets });
    printRows(
      `Browse: GET products page 1 (${durationS} s per row, ${connections} connections, load generator on the same ${availableParallelism()} cores)`,
      rows,
    );
    printTargets(targets);
    console.log(`\nJSON: ${file}`);
    if (rows.some((r) => r.errors > 0 || r.non_2xx > 0)) process.exitCode = 1;
  } finally {
    await ceiling.stop();
    await platform.stop();
  }
}
