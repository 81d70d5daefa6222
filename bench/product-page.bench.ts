// Product page benchmark (part of `npm run bench`): GET /api/products/{id} through the gateway, which fetches catalog,
// stock and recommendations in parallel (three invocations, each through two sidecars) and publishes a ProductViewed
// per view (which recommendations learns from), over 200 products; beside the ceiling of the same run (a trivial
// handler through two sidecars, bench/ceiling.ts). Saturated, at the target rate (every answer checked for
// `degraded: []`), and at the target rate with recommendations stopped, where the page must still answer (degraded).
import { startPlatform } from '../tests/harness/platform.ts';
import { relaxedRateLimits } from '../tests/harness/rate-limits.ts';
import { load, printRows, printTargets, type Row, type Target } from './browse.bench.ts';
import { startCeiling } from './ceiling.ts';
import { saveResult } from './results.ts';

const rate = Number(process.env.BENCH_RATE ?? 300);
const products = Array.from({ length: 200 }, (_, i) => `/api/products/prd_${String(i + 1).padStart(6, '0')}`);
/** A whole page: stock and recommendations both in it. */
const whole = (body: string) => body.includes('"degraded":[]');

export async function productPageBench(): Promise<void> {
  const platform = await startPlatform({
    apps: ['catalog', 'inventory', 'recommendations', 'gateway'],
    env: { gateway: relaxedRateLimits },
  });
  const ceiling = await startCeiling(platform).catch(async (err: unknown) => {
    await platform.stop();
    throw err;
  });
  try {
    const gateway = platform.url('gateway');
    const page = 'product page: catalog + stock + recommendations';
    const rows: Row[] = [];
    rows.push(await load('ceiling: trivial handler, daprd → daprd', ceiling.url, { headers: ceiling.headers }));
    rows.push(await load(page, `${gateway}${products[0]}`, { paths: products, check: whole }));
    rows.push(await load(page, `${gateway}${products[0]}`, { paths: products, check: whole, rate }));
    await platform.stopApp('recommendations');
    const degraded = (await (await fetch(`${gateway}${products[0]}`)).json()) as { degraded: string[] };
    rows.push(
      await load(`product page, recommendations down (degraded: ${degraded.degraded.join(', ')})`, `${gateway}${products[0]}`, {
        paths: products,
        rate,
      }),
    );
    const [ceilingMax, pageMax, pageRated] = rows as [Row, Row, Row];
    const targets: Target[] = [
      {
        figure: 'product page, saturated, req/s (whole pages)',
        target: '≥ 300, degraded: []',
        measured: pageMax.requests_per_s,
        ceiling: ceilingMax.requests_per_s,
        met: pageMax.requests_per_s >= 300 && pageMax.refused === 0,
      },
      {
        figure: `product page at ${rate} req/s, req/s served (whole pages)`,
        target: `${rate}, degraded: []`,
        measured: pageRated.requests_per_s,
        ceiling: ceilingMax.requests_per_s,
        met: pageRated.requests_per_s >= rate * 0.98 && pageRated.refused === 0,
      },
    ];
    const file = saveResult('product-page', { settings: { rate, products: products.length }, rows, targets });
    printRows(`Product page over ${products.length} products (load generator on the same machine)`, rows);
    printTargets(targets);
    console.log(
      `\n"refused": answers with something in \`degraded\`. Budgets: stock 300 ms, recommendations 250 ms; a page never waits longer for a non-essential part. JSON: ${file}`,
    );
    if (rows.some((r) => r.errors > 0 || r.non_2xx > 0)) process.exitCode = 1;
  } finally {
    await ceiling.stop();
    await platform.stop();
  }
}
