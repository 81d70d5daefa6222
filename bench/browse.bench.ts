// Browse benchmark (part of `npm run bench`): load on the real platform (real sidecars, FerretDB, Redis) on this machine.
// Browse: GET /api/products?page=1 through gateway → 2 sidecars → catalog, against the same request
// sent straight to catalog's app port; the difference is what Dapr (and the gateway hop) adds.
// Each pair runs saturated (all the machine gives, 16 connections) and at a fixed rate below saturation.
// Results: bench/results/<name>-<timestamp>.json and a markdown table on stdout.
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { startPlatform, type Platform } from '../tests/harness/platform.ts';
import { relaxedRateLimits } from '../tests/harness/rate-limits.ts';
import { saveResult } from './results.ts';

const durationS = Number(process.env.BENCH_DURATION ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** A rate below saturation, where latency is service time rather than queueing. */
const fixedRate = Number(process.env.BENCH_RATE ?? 100);

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
}

/**
 * `paths`: each connection cycles through them (e.g. many products) instead of requesting `url` only. `headers` go on
 * every request (e.g. what a sidecar sends an app, for a straight call to the app's port).
 */
export async function load(
  scenario: string,
  url: string,
  overallRate?: number,
  paths?: string[],
  headers: Record<string, string> = {},
): Promise<Row> {
  const requests = paths?.map((path) => ({ method: 'GET' as const, path }));
  // Warm up connections, JIT and caches before measuring.
  await autocannon({ url, connections, duration: 3, headers, ...(requests ? { requests } : {}) });
  const r = await autocannon({
    url,
    connections,
    duration: durationS,
    headers,
    ...(overallRate ? { overallRate } : {}),
    ...(requests ? { requests } : {}),
  });
  return {
    scenario: overallRate ? `${scenario} at ${overallRate} req/s` : `${scenario}, saturated`,
    url,
    requests_per_s: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p90_ms: r.latency.p90,
    p97_5_ms: r.latency.p97_5,
    p99_ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non_2xx: r.non2xx,
  };
}

/**
 * What an app's sidecar sends it for a call from the gateway: the app token (the app refuses anything else) and the
 * caller's app-id (the app's per-route allow-list); a straight call to the app's port needs both to be served.
 */
export function asDeliveredFromGateway(platform: Platform, appId: string): Record<string, string> {
  return { ...platform.appHeaders(appId), 'dapr-caller-app-id': 'gateway' };
}

export async function browseBench(): Promise<void> {
  const platform = await startPlatform({ apps: ['catalog', 'gateway'], env: { gateway: relaxedRateLimits } });
  try {
    const directUrl = `${platform.url('catalog')}/products?page=1`;
    const viaDaprUrl = `${platform.url('gateway')}/api/products?page=1`;
    const directHeaders = asDeliveredFromGateway(platform, 'catalog');
    const direct = await load('catalog direct (no Dapr)', directUrl, undefined, undefined, directHeaders);
    const viaDapr = await load('gateway → daprd → daprd → catalog', viaDaprUrl);
    const directRated = await load('catalog direct (no Dapr)', directUrl, fixedRate, undefined, directHeaders);
    const viaDaprRated = await load('gateway → daprd → daprd → catalog', viaDaprUrl, fixedRate);
    const rows = [direct, viaDapr, directRated, viaDaprRated];
    // What the gateway hop and two sidecars add, measured where nothing queues (the fixed-rate runs).
    const added = {
      p50_ms: +(viaDaprRated.p50_ms - directRated.p50_ms).toFixed(2),
      p99_ms: +(viaDaprRated.p99_ms - directRated.p99_ms).toFixed(2),
    };
    const result = {
      settings: { duration_s: durationS, connections },
      rows,
      dapr_and_gateway_add: added,
    };
    const file = saveResult('browse', result);
    console.log(
      `\n### Browse: GET products page 1 (${durationS} s, ${connections} connections, load generator on the same ${availableParallelism()} cores)\n`,
    );
    console.log('| scenario | req/s | p50 ms | p90 ms | p97.5 ms | p99 ms | errors | non-2xx |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows)
      console.log(
        `| ${r.scenario} | ${r.requests_per_s} | ${r.p50_ms} | ${r.p90_ms} | ${r.p97_5_ms} | ${r.p99_ms} | ${r.errors} | ${r.non_2xx} |`,
      );
    console.log(
      `\nAt ${fixedRate} req/s the gateway hop and two sidecars add p50 ${added.p50_ms} ms, p99 ${added.p99_ms} ms. JSON: ${file}`,
    );
    if (rows.some((r) => r.errors > 0 || r.non_2xx > 0)) process.exitCode = 1;
  } finally {
    await platform.stop();
  }
}
