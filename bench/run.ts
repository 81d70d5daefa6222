// `npm run bench`: load on the real platform (real sidecars, FerretDB, Redis) on this machine.
// Browse: GET /api/products?page=1 through gateway → 2 sidecars → catalog, against the same request
// sent straight to catalog's app port; the difference is what Dapr (and the gateway hop) adds.
// Results: bench/results/<name>-<timestamp>.json and a markdown table on stdout.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { repoRoot } from '@globalmart/devstack';
import { startPlatform } from '../tests/harness/platform.ts';

const durationS = Number(process.env.BENCH_DURATION ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);

interface Row {
  scenario: string;
  url: string;
  requests_per_s: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  errors: number;
  non_2xx: number;
}

async function load(scenario: string, url: string): Promise<Row> {
  // Warm up connections, JIT and caches before measuring.
  await autocannon({ url, connections, duration: 3 });
  const r = await autocannon({ url, connections, duration: durationS });
  return {
    scenario,
    url,
    requests_per_s: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p90_ms: r.latency.p90,
    p99_ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non_2xx: r.non2xx,
  };
}

const platform = await startPlatform({ apps: ['catalog', 'gateway'] });
try {
  const direct = await load('catalog app, direct (no Dapr)', `${platform.url('catalog')}/products?page=1`);
  const viaDapr = await load('gateway → daprd → daprd → catalog', `${platform.url('gateway')}/api/products?page=1`);
  const rows = [direct, viaDapr];
  const added = {
    p50_ms: +(viaDapr.p50_ms - direct.p50_ms).toFixed(2),
    p99_ms: +(viaDapr.p99_ms - direct.p99_ms).toFixed(2),
  };
  const result = {
    name: 'browse',
    at: new Date().toISOString(),
    machine: { cores: (await import('node:os')).availableParallelism(), node: process.versions.node },
    settings: { duration_s: durationS, connections },
    rows,
    dapr_and_gateway_add: added,
  };
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  const file = join(repoRoot, 'bench/results', `browse-${result.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `\n### Browse: GET products page 1 (${durationS} s, ${connections} connections, load generator on the same ${result.machine.cores} cores)\n`,
  );
  console.log('| scenario | req/s | p50 ms | p90 ms | p99 ms | errors | non-2xx |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows)
    console.log(`| ${r.scenario} | ${r.requests_per_s} | ${r.p50_ms} | ${r.p90_ms} | ${r.p99_ms} | ${r.errors} | ${r.non_2xx} |`);
  console.log(`\nDapr + gateway hop add: p50 ${added.p50_ms} ms, p99 ${added.p99_ms} ms. JSON: ${file}`);
  if (rows.some((r) => r.errors > 0 || r.non_2xx > 0)) process.exitCode = 1;
} finally {
  await platform.stop();
}
