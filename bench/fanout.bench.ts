// Fan-out lag (part of `npm run bench`): under the checkout load, how long after an order is CONFIRMED (the time
// orders recorded in its history; OrderConfirmed leaves through the outbox right after) does
//   - its confirmation email arrive at MailDev (the .eml file MailDev wrote, ms precision; MailDev's own `time` is the
//     Date header, whole seconds), and
//   - analytics count it in the sales report (the fact's applied_at: set once the order is in every read model)?
// Both are read once after the load (bench/checkout-load.ts fanoutLags), so nothing polls the platform meanwhile.
// Target p99 ≤ 1 s for both. Two runs: open-loop arrivals at BENCH_FANOUT_RATE orders/s (default 1), then the closed
// loop (all the machine gives). BENCH_FANOUT_SECONDS (default 45), BENCH_FANOUT_WORKERS (default 8), BROKER (default redis).
// `npm run bench -- checkout` measures the same lag at 0.8 × the measured capacity.
import { allApps, startPlatform } from '../tests/harness/platform.ts';
import { relaxedRateLimits } from '../tests/harness/rate-limits.ts';
import {
  customersFor,
  fanoutLags,
  mailDir,
  prepareShop,
  runClosedLoop,
  runOpenLoad,
  settledOrders,
  waitForFanout,
} from './checkout-load.ts';
import { saveResult } from './results.ts';

const seconds = Number(process.env.BENCH_FANOUT_SECONDS ?? 45);
const workers = Number(process.env.BENCH_FANOUT_WORKERS ?? 8);
const pacedRate = Number(process.env.BENCH_FANOUT_RATE ?? 1);
const apps = [...allApps];

export async function fanoutBench(): Promise<void> {
  await fanoutRun(pacedRate);
  await fanoutRun(undefined);
}

/** One platform, one load (paced at `rate` orders/s, or closed when undefined), one row. */
async function fanoutRun(rate: number | undefined): Promise<void> {
  const broker = process.env.BROKER;
  const platform = await startPlatform({
    apps,
    placement: true,
    scheduler: true,
    maildev: true,
    env: { gateway: relaxedRateLimits },
    ...(broker ? { broker: broker as never } : {}),
  });
  try {
    const reportFrom = new Date(Date.now() - 60_000);
    const prepared = await prepareShop(platform, rate ? Math.max(workers, customersFor(rate)) : workers * 4);
    const dir = await mailDir(platform.infra.maildevUrl!);
    const load = rate ? await runOpenLoad(prepared, rate, seconds) : await runClosedLoop(prepared, workers, seconds);
    const settled = await settledOrders(load);
    // Let the consumers catch up (bounded) before reading what they did.
    await waitForFanout({
      platform,
      adminToken: prepared.adminToken,
      orderIds: load.orders.map((o) => o.id),
      dir,
      reportFrom,
      baseline: { orders: 0, byStatus: {} },
      until: 'confirmed',
      boundMs: 30_000,
    });
    const lags = await fanoutLags(platform, settled);
    const checkoutFailed =
      load.attempts.filter((a) => a.status !== 201).length + Object.values(load.addFailures).reduce((n, k) => n + k, 0);
    const row = {
      broker: broker ?? 'redis',
      load: rate ? `${rate} orders/s (open loop)` : `closed loop, ${workers} customers`,
      orders_per_s: +(load.orders.length / seconds).toFixed(1),
      ...lags,
      checkout_failed: checkoutFailed,
    };
    const file = saveResult('fanout', { settings: { seconds, workers, rate }, row });
    console.log(`\n### Fan-out lag (${seconds} s of checkout load: ${row.load}; broker ${row.broker})\n`);
    console.log(
      '| orders confirmed | orders/s | email p50 ms | email p99 ms | emails missing | analytics p50 ms | analytics p99 ms | not counted |',
    );
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(
      `| ${row.orders_confirmed} | ${row.orders_per_s} | ${row.email_p50_ms} | ${row.email_p99_ms} | ${row.emails_missing} | ${row.analytics_p50_ms} | ${row.analytics_p99_ms} | ${row.analytics_not_counted} |`,
    );
    console.log(`\nTarget: p99 ≤ 1000 ms from OrderConfirmed to email received and to the analytics read model updated. JSON: ${file}`);
  } finally {
    await platform.stop();
  }
}
