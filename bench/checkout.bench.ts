// Checkout benchmark (`npm run bench -- checkout`): the whole platform (every app and its daprd, Redis, FerretDB on
// PostgreSQL, placement, scheduler, Sentry, MailDev) with the gateway's production checkout admission
// (CHECKOUT_MAX_IN_FLIGHT, CHECKOUT_ACCEPT_TIMEOUT_MS: their defaults) and only the edge rate limits relaxed (one client
// address). Every checkout is one attempt (Storefront.checkoutOnce), so a shed is an answer counted, not retried.
//   1. Capacity: BENCH_CHECKOUT_WORKERS (12) customers add to their carts and check out in a closed loop for
//      BENCH_CHECKOUT_CAPACITY_SECONDS (30). C = the lower of orders accepted/s and sagas ended/s (after 5 s of warm-up,
//      from each order's recorded history): acceptance faster than the sagas would only grow a backlog.
//      BENCH_CHECKOUT_CAPACITY (orders/s) pins the C the next phases use (to compare runs at the same rates).
//   2. Idle: the CPU of every process over BENCH_CHECKOUT_IDLE_SECONDS (20) with nobody calling.
//   3. Paced at 0.8 × C for BENCH_CHECKOUT_PACED_SECONDS (60): open-loop arrivals (each checkout sent when due, whatever
//      the answers; its cart filled 1 s before). Acceptance and PENDING → CONFIRMED/CANCELLED (orders' own history)
//      p50/p99, failed requests; the fan-out lag, OrderConfirmed (orders' history) → the email received by MailDev (its
//      .eml file's mtime) and → applied by analytics (the fact's applied_at: counted in the sales report); and the CPU
//      per order for the whole journey (add to cart, checkout, saga, every fan-out consumer and email, and the
//      simulated carrier shipping the order ~5 s after booking and delivering it ~10 s later, with their events and
//      emails): utime+stime (and reaped children's) of every process the bench started, read from /proc just before
//      the first add-to-cart and again once every order's delivery email is in MailDev's folder and the sales report
//      counts every order sold and DELIVERED, minus each process's idle rate over the same window, divided by the
//      orders whose saga ended. Nothing polls the platform inside that window but the report, once the emails are in.
//   4. Burst at 2 × C for BENCH_CHECKOUT_BURST_SECONDS (30): POST /api/orders latency, answers by status (201 / 503
//      CHECKOUT.BUSY with retry_after / anything else / no answer within 10 s), and every accepted order final after.
// Results: bench/results/checkout-<timestamp>.json and markdown tables (target vs measured) on stdout.
import { ordersEventTypes } from '@globalmart/contracts';
import { allApps, startPlatform } from '../tests/harness/platform.ts';
import { Storefront } from '../tests/harness/storefront.ts';
import { relaxedRateLimits } from '../tests/harness/rate-limits.ts';
import { gatewayConfigShape } from '../services/gateway/src/config.ts';
import {
  addCustomers,
  analyticsAppliedAt,
  customersFor,
  fanoutLags,
  mailDir,
  prepareShop,
  runClosedLoop,
  runOpenLoad,
  sagaTimes,
  salesCount,
  settledOrders,
  waitForFanout,
  type LoadRun,
  type SettledOrder,
} from './checkout-load.ts';
import { cpuSecondsByName, kindsByName, snapshot } from './proc-stats.ts';
import { percentile, saveResult } from './results.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const workers = env('BENCH_CHECKOUT_WORKERS', 12);
const capacitySeconds = env('BENCH_CHECKOUT_CAPACITY_SECONDS', 30);
const idleSeconds = env('BENCH_CHECKOUT_IDLE_SECONDS', 20);
const pacedSeconds = env('BENCH_CHECKOUT_PACED_SECONDS', 60);
const burstSeconds = env('BENCH_CHECKOUT_BURST_SECONDS', 30);
const WARMUP_S = 5;
const SETTLE_S = 5;
const CLIENT_TIMEOUT_MS = 10_000;
const TARGET = { cpuMsPerOrder: 150, acceptP99: 100, completionP99: 5000, burstP99: 200, fanoutP99: 1000 };

/** Production's checkout admission: the gateway config's own defaults. */
const admission = {
  CHECKOUT_MAX_IN_FLIGHT: String(gatewayConfigShape.CHECKOUT_MAX_IN_FLIGHT.parse(undefined)),
  CHECKOUT_ACCEPT_TIMEOUT_MS: String(gatewayConfigShape.CHECKOUT_ACCEPT_TIMEOUT_MS.parse(undefined)),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const p = (xs: number[], q: number) => Math.round(percentile(sorted(xs), q));
const t0 = performance.now();
const log = (msg: string) => console.error(`checkout bench ${((performance.now() - t0) / 1000).toFixed(0)} s: ${msg}`);
const yes = (ok: boolean) => (ok ? 'yes' : 'NO');

/** Answers by status: 201, 503 CHECKOUT.BUSY (with its retry_after), other codes, no answer. */
function byStatus(run: LoadRun): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of run.attempts) {
    const key =
      a.status === 'timeout'
        ? `no answer in ${CLIENT_TIMEOUT_MS / 1000} s`
        : a.status === 503 && a.code === 'CHECKOUT.BUSY'
          ? `503 CHECKOUT.BUSY${a.retryAfter !== undefined ? ' (retry_after)' : ' (no retry_after)'}`
          : `${a.status}${a.code ? ` ${a.code}` : ''}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

function sagaSummary(settled: SettledOrder[]) {
  const completion: number[] = [];
  let notFinal = 0;
  const finals: Record<string, number> = {};
  for (const o of settled) {
    const t = sagaTimes(o);
    if (t.placedAt === undefined || t.finalAt === undefined) {
      notFinal++;
      continue;
    }
    completion.push(t.finalAt - t.placedAt);
    finals[t.final!] = (finals[t.final!] ?? 0) + 1;
  }
  return { completion, notFinal, finals };
}

export async function checkoutBench(): Promise<void> {
  const benchStarted = performance.now();
  const platform = await startPlatform({
    apps: [...allApps],
    placement: true,
    scheduler: true,
    maildev: true,
    // BENCH_TRACE_SAMPLING: the sidecars' tracing.samplingRate (default dapr-config's '1'; Helm's production default).
    ...(process.env.BENCH_TRACE_SAMPLING ? { samplingRate: process.env.BENCH_TRACE_SAMPLING } : {}),
    env: { gateway: { ...relaxedRateLimits, ...admission } },
  });
  try {
    log(`platform ready in ${((performance.now() - benchStarted) / 1000).toFixed(0)} s; admission ${JSON.stringify(admission)}`);
    // A few customers per worker: a customer checks out again only once its last order has left its cart.
    const prepared = await prepareShop(platform, workers * 4);
    const reportFrom = new Date(Date.now() - 60_000);
    const gateway = platform.url('gateway');

    // ---- 1. capacity: closed loop ----
    log(`capacity: closed loop, ${workers} customers, ${capacitySeconds} s`);
    const closed = await runClosedLoop(prepared, workers, capacitySeconds, { timeoutMs: CLIENT_TIMEOUT_MS });
    const closedSettled = await settledOrders(closed);
    const steadyFrom = closed.startedAt + WARMUP_S * 1000;
    const steadyS = (closed.endedAt - steadyFrom) / 1000;
    const closedAccepted = closed.attempts.filter((a) => a.status === 201);
    const acceptedPerS = closedAccepted.filter((a) => a.sentAt >= steadyFrom).length / steadyS;
    const endedPerS =
      closedSettled.filter((o) => {
        const t = sagaTimes(o);
        return t.finalAt !== undefined && t.finalAt >= steadyFrom && t.finalAt < closed.endedAt;
      }).length / steadyS;
    const measuredC = Math.min(acceptedPerS, endedPerS);
    // BENCH_CHECKOUT_CAPACITY pins C (orders/s) for the paced and burst phases, to compare runs at the same rates.
    const C = Number(process.env.BENCH_CHECKOUT_CAPACITY ?? measuredC);
    const closedSaga = sagaSummary(closedSettled);
    const closedMs = closedAccepted.map((a) => a.ms);
    const capacity = {
      workers,
      seconds: capacitySeconds,
      orders_accepted: closedAccepted.length,
      accepted_per_s: +acceptedPerS.toFixed(2),
      sagas_ended_per_s: +endedPerS.toFixed(2),
      capacity_orders_per_s: +measuredC.toFixed(2),
      rates_from_orders_per_s: +C.toFixed(2),
      acceptance_p50_ms: p(closedMs, 50),
      acceptance_p99_ms: p(closedMs, 99),
      completion_p50_ms: p(closedSaga.completion, 50),
      completion_p99_ms: p(closedSaga.completion, 99),
      answers: byStatus(closed),
      add_to_cart_failed: closed.addFailures,
      not_final: closedSaga.notFinal,
    };
    log(
      `capacity C = ${capacity.capacity_orders_per_s} orders/s (accepted ${capacity.accepted_per_s}/s, sagas ended ${capacity.sagas_ended_per_s}/s)`,
    );
    if (!(C > 0.2)) throw new Error(`no capacity measured: ${JSON.stringify(capacity)}`);
    const dir = await mailDir(platform.infra.maildevUrl!);
    const drained = await waitForFanout({
      platform,
      adminToken: prepared.adminToken,
      orderIds: closed.orders.map((o) => o.id),
      dir,
      reportFrom,
      baseline: { orders: 0, byStatus: {} },
      until: 'delivered',
      boundMs: 120_000,
    });

    // ---- 2. idle ----
    const pacedRate = 0.8 * C;
    const burstRate = 2 * C;
    await addCustomers(prepared, customersFor(burstRate));
    log(`${prepared.customers.length} customers; settling ${SETTLE_S} s, idle CPU over ${idleSeconds} s`);
    await sleep(SETTLE_S * 1000);
    const idle0 = snapshot();
    await sleep(idleSeconds * 1000);
    const idle1 = snapshot();
    const idleWindowS = (idle1.at - idle0.at) / 1000;
    const idleRate = new Map([...cpuSecondsByName(idle0, idle1)].map(([name, s]) => [name, s / idleWindowS]));

    // ---- 3. paced at 0.8 C: acceptance, completion, fan-out lag, CPU per order ----
    const mailFolder = dir ?? (await mailDir(platform.infra.maildevUrl!));
    const baseline = (await salesCount(gateway, prepared.adminToken, reportFrom)) ?? { orders: 0, byStatus: {} };
    log(`paced: ${pacedRate.toFixed(2)} orders/s (open loop) for ${pacedSeconds} s`);
    const before = snapshot();
    const paced = await runOpenLoad(prepared, pacedRate, pacedSeconds, { timeoutMs: CLIENT_TIMEOUT_MS });
    const fanout = await waitForFanout({
      platform,
      adminToken: prepared.adminToken,
      orderIds: paced.orders.map((o) => o.id),
      dir: mailFolder,
      reportFrom,
      baseline,
      until: 'delivered',
      // The last order is delivered ~15 s after its booking; a missing email ends the window here (and is reported).
      boundMs: 45_000,
    });
    const after = snapshot();
    // What analytics shows for the orders after the window: status per order view, and their OrderDelivered applied.
    const analyticsView = await salesCount(gateway, prepared.adminToken, reportFrom);
    const deliveredApplied = (
      await analyticsAppliedAt(
        platform,
        paced.orders.map((o) => o.id),
        ordersEventTypes.OrderDelivered,
      )
    ).size;
    const windowS = (after.at - before.at) / 1000;
    const pacedSettled = await settledOrders(paced);
    const pacedSaga = sagaSummary(pacedSettled);
    const ended = pacedSettled.length - pacedSaga.notFinal;

    const used = cpuSecondsByName(before, after);
    const kinds = kindsByName(after);
    const cpuRows = [...new Set([...used.keys(), ...idleRate.keys()])]
      .map((name) => {
        const gross = used.get(name) ?? 0;
        const idleS = (idleRate.get(name) ?? 0) * windowS;
        return {
          process: name,
          kind: kinds.get(name) ?? '?',
          cpu_ms_per_order: +(((gross - idleS) * 1000) / ended).toFixed(1),
          gross_cpu_s: +gross.toFixed(2),
          idle_cpu_s: +idleS.toFixed(2),
        };
      })
      .sort((a, b) => b.cpu_ms_per_order - a.cpu_ms_per_order);
    const cpuTotal = +cpuRows.reduce((n, r) => n + r.cpu_ms_per_order, 0).toFixed(1);
    const idleCores = +[...idleRate.values()].reduce((n, r) => n + r, 0).toFixed(3);

    const lags = await fanoutLags(platform, pacedSettled);
    const pacedAnswers = paced.attempts.filter((a) => a.status !== 'timeout');
    const pacedFailed = paced.attempts.filter((a) => a.status !== 201).length + Object.values(paced.addFailures).reduce((n, k) => n + k, 0);
    const pacedMs = pacedAnswers.map((a) => a.ms);
    const pacedRow = {
      rate_per_s: +pacedRate.toFixed(2),
      seconds: pacedSeconds,
      arrivals: paced.attempts.length,
      orders_accepted: paced.orders.length,
      acceptance_p50_ms: p(pacedMs, 50),
      acceptance_p99_ms: p(pacedMs, 99),
      completion_p50_ms: p(pacedSaga.completion, 50),
      completion_p99_ms: p(pacedSaga.completion, 99),
      failed_requests: pacedFailed,
      answers: byStatus(paced),
      add_to_cart_failed: paced.addFailures,
      late_starts: paced.lateStarts,
      customers_short: paced.customersShort,
      finals: pacedSaga.finals,
      not_final: pacedSaga.notFinal,
    };
    const fanoutRow = {
      ...lags,
      wait: fanout,
      analytics_orders_by_status: analyticsView?.byStatus,
      analytics_order_delivered_applied: deliveredApplied,
    };

    // ---- 4. burst at 2 C ----
    // With the admission rate a deployment derives from its capacity model (CHECKOUT_MAX_RATE, README "Capacity model"):
    // 80 % of C. The gateway restarts with it (on a new port: a new Storefront for the burst).
    const burstAdmission = { ...admission, CHECKOUT_MAX_RATE: String(Math.max(1, Math.floor(0.8 * C))) };
    await platform.stopApp('gateway');
    await platform.startApp('gateway', { CHECKOUT_MAX_RATE: burstAdmission.CHECKOUT_MAX_RATE });
    prepared.shop = new Storefront(platform.url('gateway'));
    log(`burst: ${burstRate.toFixed(2)} orders/s (open loop) for ${burstSeconds} s, admission ${JSON.stringify(burstAdmission)}`);
    const burst = await runOpenLoad(prepared, burstRate, burstSeconds, { timeoutMs: CLIENT_TIMEOUT_MS });
    const burstSettled = await settledOrders(burst, 180_000);
    const burstSaga = sagaSummary(burstSettled);
    const burstAnswers = byStatus(burst);
    const other = Object.entries(burstAnswers)
      .filter(([k]) => k !== '201' && !k.startsWith('503 CHECKOUT.BUSY (retry_after)'))
      .reduce((n, [, k]) => n + k, 0);
    const burstRow = {
      rate_per_s: +burstRate.toFixed(2),
      seconds: burstSeconds,
      arrivals: burst.attempts.length,
      post_p50_ms: p(
        burst.attempts.map((a) => a.ms),
        50,
      ),
      post_p99_ms: p(
        burst.attempts.map((a) => a.ms),
        99,
      ),
      answers: burstAnswers,
      answered_201: burstAnswers['201'] ?? 0,
      shed_503_busy: burstAnswers['503 CHECKOUT.BUSY (retry_after)'] ?? 0,
      other_answers: other,
      answered_502: burstAnswers['502'] ?? 0,
      timeouts: burstAnswers[`no answer in ${CLIENT_TIMEOUT_MS / 1000} s`] ?? 0,
      orders_accepted: burst.orders.length,
      accepted_not_final: burstSaga.notFinal,
      completion_p99_ms: p(burstSaga.completion, 99),
      add_to_cart_failed: burst.addFailures,
      late_starts: burst.lateStarts,
      customers_short: burst.customersShort,
    };

    const totalS = Math.round((performance.now() - benchStarted) / 1000);
    const file = saveResult('checkout', {
      settings: {
        workers,
        capacitySeconds,
        idleSeconds,
        pacedSeconds,
        burstSeconds,
        admission,
        burstAdmission,
        samplingRate: process.env.BENCH_TRACE_SAMPLING ?? '1',
        customers: prepared.customers.length,
      },
      capacity,
      capacity_drain: drained,
      cpu: { window_s: +windowS.toFixed(1), orders_ended: ended, idle_cores: idleCores, total_ms_per_order: cpuTotal, rows: cpuRows },
      paced: pacedRow,
      fanout: fanoutRow,
      burst: burstRow,
      total_s: totalS,
    });

    console.log(`\n### Checkout: capacity (closed loop, ${workers} customers, ${capacitySeconds} s, one attempt per checkout)\n`);
    console.log('| accepted/s | sagas ended/s | C orders/s | accept p50 / p99 ms | complete p50 / p99 ms | answers |');
    console.log('| ---: | ---: | ---: | ---: | ---: | --- |');
    console.log(
      `| ${capacity.accepted_per_s} | ${capacity.sagas_ended_per_s} | **${capacity.capacity_orders_per_s}** | ${capacity.acceptance_p50_ms} / ${capacity.acceptance_p99_ms} | ${capacity.completion_p50_ms} / ${capacity.completion_p99_ms} | ${JSON.stringify(capacity.answers)} |`,
    );

    console.log(
      `\n### CPU per order at 0.8 × C (${pacedRow.rate_per_s} orders/s for ${pacedSeconds} s; window ${windowS.toFixed(0)} s, to every order delivered and counted; ${ended} orders ended; idle ${idleCores} cores subtracted)\n`,
    );
    console.log('| process | kind | CPU ms/order | gross CPU s | idle CPU s |');
    console.log('| --- | --- | ---: | ---: | ---: |');
    for (const r of cpuRows.filter((r) => Math.abs(r.cpu_ms_per_order) >= 0.05 || r.gross_cpu_s >= 0.01)) {
      console.log(`| ${r.process} | ${r.kind} | ${r.cpu_ms_per_order} | ${r.gross_cpu_s} | ${r.idle_cpu_s} |`);
    }
    console.log(`| **total** | | **${cpuTotal}** (target ≤ ${TARGET.cpuMsPerOrder}: ${yes(cpuTotal <= TARGET.cpuMsPerOrder)}) | | |`);

    const rows: [string, string, string | number, boolean | undefined][] = [
      ['arrivals (open loop) / orders accepted', '', `${pacedRow.arrivals} / ${pacedRow.orders_accepted}`, undefined],
      ['acceptance p50 ms', '', pacedRow.acceptance_p50_ms, undefined],
      ['acceptance p99 ms', `≤ ${TARGET.acceptP99}`, pacedRow.acceptance_p99_ms, pacedRow.acceptance_p99_ms <= TARGET.acceptP99],
      ['PENDING → final p50 ms', '', pacedRow.completion_p50_ms, undefined],
      [
        'PENDING → final p99 ms',
        `≤ ${TARGET.completionP99}`,
        pacedRow.completion_p99_ms,
        pacedRow.completion_p99_ms <= TARGET.completionP99,
      ],
      ['failed requests', '0', pacedRow.failed_requests, pacedRow.failed_requests === 0],
      ['orders not final', '0', pacedRow.not_final, pacedRow.not_final === 0],
      ['OrderConfirmed → email p50 ms', '', fanoutRow.email_p50_ms, undefined],
      ['OrderConfirmed → email p99 ms', `≤ ${TARGET.fanoutP99}`, fanoutRow.email_p99_ms, fanoutRow.email_p99_ms <= TARGET.fanoutP99],
      ['emails missing', '0', fanoutRow.emails_missing, fanoutRow.emails_missing === 0],
      ['OrderConfirmed → analytics p50 ms', '', fanoutRow.analytics_p50_ms, undefined],
      [
        'OrderConfirmed → analytics p99 ms',
        `≤ ${TARGET.fanoutP99}`,
        fanoutRow.analytics_p99_ms,
        fanoutRow.analytics_p99_ms <= TARGET.fanoutP99,
      ],
      ['not counted by analytics', '0', fanoutRow.analytics_not_counted, fanoutRow.analytics_not_counted === 0],
    ];
    console.log(`\n### Paced arrivals at 0.8 × C = ${pacedRow.rate_per_s} orders/s for ${pacedSeconds} s, and fan-out lag\n`);
    console.log('| metric | target | measured | ok |');
    console.log('| --- | --- | ---: | --- |');
    for (const [m, t, v, ok] of rows) console.log(`| ${m} | ${t} | ${v} | ${ok === undefined ? '' : yes(ok)} |`);
    if (pacedRow.failed_requests > 0)
      console.log(`\nPaced answers: ${JSON.stringify(pacedRow.answers)}; add-to-cart failures ${JSON.stringify(paced.addFailures)}`);
    console.log(
      `\nAfter the paced window: delivery emails missing ${fanout.emailsMissing} ${JSON.stringify(fanout.missingIds)}; analytics applied OrderDelivered for ${deliveredApplied} of ${paced.orders.length} orders; its orders by status ${JSON.stringify(analyticsView?.byStatus)}.`,
    );

    const burstRows: [string, string, string | number, boolean | undefined][] = [
      ['arrivals / 201 / 503 CHECKOUT.BUSY', '', `${burstRow.arrivals} / ${burstRow.answered_201} / ${burstRow.shed_503_busy}`, undefined],
      ['POST /api/orders p50 ms', '', burstRow.post_p50_ms, undefined],
      ['POST /api/orders p99 ms', `≤ ${TARGET.burstP99}`, burstRow.post_p99_ms, burstRow.post_p99_ms <= TARGET.burstP99],
      ['any other answer (502 …)', '0', burstRow.other_answers, burstRow.other_answers === 0],
      [`no answer in ${CLIENT_TIMEOUT_MS / 1000} s`, '0', burstRow.timeouts, burstRow.timeouts === 0],
      ['accepted orders not final after the burst', '0', burstRow.accepted_not_final, burstRow.accepted_not_final === 0],
    ];
    console.log(
      `\n### Burst at 2 × C = ${burstRow.rate_per_s} orders/s for ${burstSeconds} s (production admission ${JSON.stringify(burstAdmission)})\n`,
    );
    console.log('| metric | target | measured | ok |');
    console.log('| --- | --- | ---: | --- |');
    for (const [m, t, v, ok] of burstRows) console.log(`| ${m} | ${t} | ${v} | ${ok === undefined ? '' : yes(ok)} |`);
    console.log(`\nBurst answers: ${JSON.stringify(burstAnswers)}`);
    const benchShort = paced.lateStarts + paced.customersShort + burst.lateStarts + burst.customersShort;
    if (benchShort > 0) {
      console.log(
        `Bench lag: late starts ${paced.lateStarts} / ${burst.lateStarts}, customers short ${paced.customersShort} / ${burst.customersShort} (paced / burst).`,
      );
    }
    console.log(`\nWhole bench ${totalS} s. JSON: ${file}`);
  } finally {
    await platform.stop();
  }
}
