// Checkout benchmark (part of `npm run bench`): customers refill their carts and check out for
// BENCH_CHECKOUT_SECONDS (default 60) through the gateway; then every order's own status history gives
// the completion latency (PENDING → CONFIRMED) as the platform recorded it.
import { startPlatform } from '../tests/harness/platform.ts';
import { relaxedRateLimits } from '../tests/harness/rate-limits.ts';
import { runCheckoutLoad, settledOrders } from './checkout-load.ts';
import { percentile, saveResult } from './results.ts';

const seconds = Number(process.env.BENCH_CHECKOUT_SECONDS ?? 60);
const workers = Number(process.env.BENCH_CHECKOUT_WORKERS ?? 32);
const apps = ['catalog', 'inventory', 'cart', 'psp', 'payments', 'shipping', 'identity', 'orders', 'gateway'];

export async function checkoutBench(): Promise<void> {
  const platform = await startPlatform({ apps, placement: true, scheduler: true, env: { gateway: relaxedRateLimits } });
  try {
    const { accept, orders, failed, failures, ...load } = await runCheckoutLoad(platform, workers, seconds);
    const placedPerSecond = orders.length / seconds;

    // Completion: wait for every order to leave PENDING (bounded), then read the recorded history.
    const completion: number[] = [];
    let pending = 0;
    for (const { history: h } of await settledOrders({ accept, orders, failed, failures, ...load })) {
      const placedAt = h?.find((x) => x.status === 'PENDING')?.at;
      const doneAt = h?.find((x) => x.status === 'CONFIRMED' || x.status === 'CANCELLED')?.at;
      if (placedAt && doneAt) completion.push(Date.parse(doneAt) - Date.parse(placedAt));
      else pending++;
    }
    accept.sort((a, b) => a - b);
    completion.sort((a, b) => a - b);
    const row = {
      orders_placed: orders.length,
      orders_per_s: +placedPerSecond.toFixed(1),
      acceptance_p50_ms: +percentile(accept, 50).toFixed(1),
      acceptance_p99_ms: +percentile(accept, 99).toFixed(1),
      completion_p50_ms: percentile(completion, 50),
      completion_p99_ms: percentile(completion, 99),
      failed_requests: failed,
      failures,
      not_completed_in_120s: pending,
    };
    const file = saveResult('checkout', { settings: { seconds, workers }, row });
    console.log(`\n### Checkout (${seconds} s, ${workers} customers each refilling a cart and checking out, on the same machine)\n`);
    console.log(
      '| orders placed | orders/s | accept p50 ms | accept p99 ms | complete p50 ms | complete p99 ms | failed | not completed |',
    );
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(
      `| ${row.orders_placed} | ${row.orders_per_s} | ${row.acceptance_p50_ms} | ${row.acceptance_p99_ms} | ${row.completion_p50_ms} | ${row.completion_p99_ms} | ${row.failed_requests} | ${row.not_completed_in_120s} |`,
    );
    if (failed > 0) console.log(`\nFailed requests by step and status: ${JSON.stringify(failures)}`);
    console.log(`\nTargets: ≥ 116 orders/s, acceptance p99 ≤ 100 ms, completion p99 ≤ 5000 ms. JSON: ${file}`);
  } finally {
    await platform.stop();
  }
}
