// Graceful degradation under load (part of `npm run bench`): is checkout unaffected while the fan-out consumers are
// down, and is anything lost or doubled when they come back? One platform, one paced checkout load in three phases of
// BENCH_DEGRADE_SECONDS (default 30) at BENCH_DEGRADE_RATE orders/s (default 2; the fan-out target holds there):
//   1. all apps up;
//   2. notifications, recommendations and analytics stopped (app and sidecar);
//   3. the three started again, catching up on what was published meanwhile while the load goes on.
// Per phase: acceptance latency of POST /api/orders (p50/p95/p99) and completion (PENDING → CONFIRMED, from each
// order's recorded history). After the load: every confirmed order's confirmation email (MailDev, by order id) and the
// analytics sales report's order count, waited for (bounded), with how long after the restart the last one arrived.
import { allApps, startPlatform, type Platform } from '../tests/harness/platform.ts';
import { relaxedRateLimits } from '../tests/harness/rate-limits.ts';
import type { Email } from '../tests/harness/maildev.ts';
import { prepareShop, runCheckoutLoad, settledOrders, type CheckoutLoad } from './checkout-load.ts';
import { percentile, saveResult } from './results.ts';

const seconds = Number(process.env.BENCH_DEGRADE_SECONDS ?? 30);
const rate = Number(process.env.BENCH_DEGRADE_RATE ?? 2);
const workers = Number(process.env.BENCH_DEGRADE_WORKERS ?? 4);
const consumers = ['notifications', 'recommendations', 'analytics'];
const apps = [...allApps];

interface PhaseRow {
  phase: string;
  orders_accepted: number;
  acceptance_p50_ms: number;
  acceptance_p95_ms: number;
  acceptance_p99_ms: number;
  completion_p50_ms: number;
  completion_p99_ms: number;
  orders_confirmed: number;
  checkout_failed: number;
}

type Settled = Awaited<ReturnType<typeof settledOrders>>;

/** One row from the checkouts that began in [from, to) (epoch ms). */
function phaseRow(phase: string, load: CheckoutLoad, settled: Settled, from = 0, to = Infinity): { row: PhaseRow; confirmed: string[] } {
  const inPhase = (at: number) => at >= from && at < to;
  const completion: number[] = [];
  const confirmed: string[] = [];
  let accepted = 0;
  for (const o of settled) {
    const placedAt = o.history?.find((h) => h.status === 'PENDING')?.at;
    if (!placedAt || !inPhase(Date.parse(placedAt))) continue;
    accepted++;
    const confirmedAt = o.history?.find((h) => h.status === 'CONFIRMED')?.at;
    if (confirmedAt) {
      completion.push(Date.parse(confirmedAt) - Date.parse(placedAt));
      confirmed.push(o.id);
    }
  }
  const accept = load.accept.filter((_, i) => inPhase(load.acceptStartedAt[i]!)).sort((a, b) => a - b);
  completion.sort((a, b) => a - b);
  return {
    confirmed,
    row: {
      phase,
      orders_accepted: accepted,
      acceptance_p50_ms: Math.round(percentile(accept, 50)),
      acceptance_p95_ms: Math.round(percentile(accept, 95)),
      acceptance_p99_ms: Math.round(percentile(accept, 99)),
      completion_p50_ms: percentile(completion, 50),
      completion_p99_ms: percentile(completion, 99),
      orders_confirmed: confirmed.length,
      checkout_failed: load.failedAt.filter(inPhase).length,
    },
  };
}

async function salesOrders(platform: Platform, adminToken: string, from: string): Promise<number | undefined> {
  const url = `${platform.url('gateway')}/api/admin/reports/sales?granularity=hour&from=${encodeURIComponent(from)}`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${adminToken}` } }).catch(() => undefined);
  if (!res?.ok) {
    await res?.body?.cancel();
    return undefined;
  }
  return ((await res.json()) as { totals: { orders: number } }).totals.orders;
}

export async function degradationBench(): Promise<void> {
  const platform = await startPlatform({ apps, placement: true, scheduler: true, maildev: true, env: { gateway: relaxedRateLimits } });
  try {
    const from = new Date(Date.now() - 60_000).toISOString();
    const prepared = await prepareShop(platform, workers);
    const phases: { row: PhaseRow; confirmed: string[] }[] = [];

    const phase = async (name: string) => {
      const load = await runCheckoutLoad(platform, workers, seconds, rate, prepared);
      return phaseRow(name, load, await settledOrders(load));
    };
    phases.push(await phase('all up'));
    for (const app of consumers) await platform.stopApp(app);
    phases.push(await phase(`${consumers.join(', ')} down`));
    // Started again while the load goes on; the phase is split at the moment all three are ready.
    const restartedAt = Date.now();
    const third = runCheckoutLoad(platform, workers, seconds, rate, prepared);
    for (const app of consumers) await platform.startApp(app);
    const readyAt = Date.now();
    const restartMs = readyAt - restartedAt;
    const load = await third;
    const settled = await settledOrders(load);
    phases.push(phaseRow('restarting them', load, settled, 0, readyAt));
    phases.push(phaseRow('restarted, catching up', load, settled, readyAt));

    // Every confirmed order: one confirmation email, and counted by analytics (bounded wait). "Caught up": every order
    // confirmed while the consumers were down has its email / the report counts at least the orders of phases 1-2.
    const confirmed = phases.flatMap((p) => p.confirmed);
    const backlog = phases[1]!.confirmed;
    const beforeRestart = phases[0]!.confirmed.length + backlog.length;
    let emails: Email[] = [];
    const perOrder = () => {
      const n = new Map<string, number>();
      for (const e of emails) {
        if (!/confirm/i.test(e.subject)) continue;
        const id = confirmed.find((o) => e.subject.includes(o));
        if (id) n.set(id, (n.get(id) ?? 0) + 1);
      }
      return n;
    };
    let emailsCaughtUpAt: number | undefined;
    let analyticsCaughtUpAt: number | undefined;
    let counted = 0;
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      emails = (await fetch(`${platform.infra.maildevUrl}/email`)
        .then((r) => r.json())
        .catch(() => emails)) as Email[];
      const n = perOrder();
      counted = (await salesOrders(platform, prepared.adminToken, from)) ?? counted;
      emailsCaughtUpAt ??= backlog.every((o) => n.has(o)) ? Date.now() : undefined;
      analyticsCaughtUpAt ??= counted >= beforeRestart ? Date.now() : undefined;
      if (n.size >= confirmed.length && counted >= confirmed.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // Redeliveries after the restart have had their chance to double anything.
    await new Promise((r) => setTimeout(r, 3_000));
    emails = (await (await fetch(`${platform.infra.maildevUrl}/email`)).json()) as Email[];
    const n = perOrder();
    const since = (at: number | undefined) => (at === undefined ? null : at - restartedAt);
    const recovery = {
      consumers_restart_ms: restartMs,
      orders_confirmed: confirmed.length,
      orders_confirmed_while_down: backlog.length,
      emails_missing: confirmed.filter((o) => !n.has(o)).length,
      emails_doubled: [...n.values()].filter((c) => c > 1).length,
      backlog_emails_sent_after_restart_ms: since(emailsCaughtUpAt),
      analytics_orders_counted: (await salesOrders(platform, prepared.adminToken, from)) ?? counted,
      backlog_counted_after_restart_ms: since(analyticsCaughtUpAt),
    };

    const rows = phases.map((p) => p.row);
    const file = saveResult('degradation', { settings: { seconds, rate, workers, consumers }, rows, recovery });
    console.log(`\n### Degradation (${rate} orders/s paced, ${seconds} s per phase, ${workers} customers)\n`);
    console.log(
      '| phase | accepted | accept p50 ms | accept p95 ms | accept p99 ms | complete p50 ms | complete p99 ms | confirmed | failed |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) {
      console.log(
        `| ${r.phase} | ${r.orders_accepted} | ${r.acceptance_p50_ms} | ${r.acceptance_p95_ms} | ${r.acceptance_p99_ms} | ${r.completion_p50_ms} | ${r.completion_p99_ms} | ${r.orders_confirmed} | ${r.checkout_failed} |`,
      );
    }
    console.log(
      `\nAfter the restart (${recovery.consumers_restart_ms} ms to start the three apps and their sidecars): ` +
        `${recovery.orders_confirmed} orders confirmed in all, ${recovery.orders_confirmed_while_down} of them while the consumers were down; ` +
        `confirmation emails missing ${recovery.emails_missing}, doubled ${recovery.emails_doubled}; the backlog's emails all sent ` +
        `${recovery.backlog_emails_sent_after_restart_ms} ms and counted by analytics ${recovery.backlog_counted_after_restart_ms} ms ` +
        `after the restart began (polled every 500 ms); analytics counted ${recovery.analytics_orders_counted}. JSON: ${file}`,
    );
  } finally {
    await platform.stop();
  }
}
