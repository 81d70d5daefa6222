// Product page benchmark (part of `npm run bench`): GET /api/products/{id} through the gateway, which fetches
// catalog, stock and recommendations in parallel, at a fixed rate; the recommendations engine alone (straight to its
// app port); and the page again with recommendations stopped, where it must still answer (degraded) within budget.
import { startPlatform } from '../tests/harness/platform.ts';
import { relaxedRateLimits } from '../tests/harness/rate-limits.ts';
import { asDeliveredFromGateway, load, type Row } from './browse.bench.ts';
import { saveResult } from './results.ts';

const rate = Number(process.env.BENCH_RATE ?? 100);

export async function productPageBench(): Promise<void> {
  const platform = await startPlatform({
    apps: ['catalog', 'inventory', 'recommendations', 'gateway'],
    env: { gateway: relaxedRateLimits },
  });
  try {
    const page = `${platform.url('gateway')}/api/products/prd_000007`;
    const rows: Row[] = [];
    rows.push(
      await load(
        'recommendations direct (no Dapr)',
        `${platform.url('recommendations')}/recommendations?product_id=prd_000007`,
        rate,
        undefined,
        asDeliveredFromGateway(platform, 'recommendations'),
      ),
    );
    rows.push(await load('product page: catalog + stock + recommendations', page, rate));
    await platform.stopApp('recommendations');
    const degraded = (await (await fetch(page)).json()) as { degraded: string[] };
    rows.push(await load(`product page, recommendations down (degraded: ${degraded.degraded.join(', ')})`, page, rate));
    const file = saveResult('product-page', { settings: { rate }, rows });
    console.log(`\n### Product page (${rate} req/s, load generator on the same machine)\n`);
    console.log('| scenario | req/s | p50 ms | p90 ms | p97.5 ms | p99 ms | errors | non-2xx |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows)
      console.log(
        `| ${r.scenario} | ${r.requests_per_s} | ${r.p50_ms} | ${r.p90_ms} | ${r.p97_5_ms} | ${r.p99_ms} | ${r.errors} | ${r.non_2xx} |`,
      );
    console.log(`\nBudgets: stock 300 ms, recommendations 250 ms; a page never waits longer for a non-essential part. JSON: ${file}`);
  } finally {
    await platform.stop();
  }
}
