// Fan-out lag (part of `npm run bench`): under the checkout load, how long after an order is CONFIRMED (the time
// orders recorded in its history; OrderConfirmed leaves through the outbox right after) does
//   - its confirmation email arrive at MailDev (first seen in MailDev's REST API, polled every 250 ms, matched by the
//     order id; MailDev's own `time` is the Date header, whole seconds), and
//   - the analytics sales report count it (the report is polled every 250 ms, so this lag is overstated by up to
//     250 ms; polling faster loads FerretDB, which every app shares; the k-th confirmation is counted when the
//     report's total first reaches k)?
// Target p99 ≤ 1 s for both. Two runs: checkouts paced at BENCH_FANOUT_RATE orders/s (default 1), then the closed
// loop (all the machine gives). BENCH_FANOUT_SECONDS (default 45), BENCH_FANOUT_WORKERS (default 8), BROKER (default redis).
import { allApps, startPlatform } from '../tests/harness/platform.ts';
import { relaxedRateLimits } from '../tests/harness/rate-limits.ts';
import { runCheckoutLoad, settledOrders } from './checkout-load.ts';
import { percentile, saveResult } from './results.ts';

const seconds = Number(process.env.BENCH_FANOUT_SECONDS ?? 45);
const workers = Number(process.env.BENCH_FANOUT_WORKERS ?? 8);
const pacedRate = Number(process.env.BENCH_FANOUT_RATE ?? 1);
const apps = [...allApps];

interface MailDevEmail {
  subject: string;
  text?: string;
  time: string;
}

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
  const stopAt = { polling: false };
  try {
    const started = new Date(Date.now() - 60_000).toISOString();
    // The analytics report, sampled while the load runs and until it has caught up.
    const samples: { at: number; orders: number }[] = [];
    // MailDev's list, sampled the same way: when each email was first seen.
    const firstSeen = new Map<string, { at: number; email: MailDevEmail }>();
    let adminToken = '';
    const poll = (async () => {
      while (!stopAt.polling) {
        const mails = await fetch(`${platform.infra.maildevUrl}/email`)
          .then((r) => r.json() as Promise<(MailDevEmail & { id: string })[]>)
          .catch(() => []);
        const seenAt = Date.now();
        for (const m of mails) if (!firstSeen.has(m.id)) firstSeen.set(m.id, { at: seenAt, email: m });
        if (adminToken) {
          const res = await fetch(
            `${platform.url('gateway')}/api/admin/reports/sales?granularity=hour&from=${encodeURIComponent(started)}`,
            {
              headers: { authorization: `Bearer ${adminToken}` },
            },
          ).catch(() => undefined);
          if (res?.ok) samples.push({ at: Date.now(), orders: ((await res.json()) as { totals: { orders: number } }).totals.orders });
          else await res?.body?.cancel();
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    const loadPromise = runCheckoutLoad(platform, workers, seconds, rate);
    // prepareShop logs the admin in first; read its token for the poller from the same login.
    const login = async () => {
      for (let i = 0; i < 100 && !adminToken; i++) {
        const res = await fetch(`${platform.url('gateway')}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'bench@globalmart.test', password: 'a long admin passphrase' }),
        });
        if (res.ok) adminToken = ((await res.json()) as { access_token: string }).access_token;
        else await new Promise((r) => setTimeout(r, 500));
      }
    };
    await login();
    const load = await loadPromise;
    const settled = await settledOrders(load);
    const confirmedAt = new Map<string, number>();
    for (const o of settled) {
      const at = o.history?.find((h) => h.status === 'CONFIRMED')?.at;
      if (at) confirmedAt.set(o.id, Date.parse(at));
    }
    // Let the consumers catch up (bounded), then stop sampling.
    const caughtUp = Date.now() + 30_000;
    const confirmationsSeen = () => [...firstSeen.values()].filter(({ email }) => /confirm/i.test(email.subject)).length;
    while (Date.now() < caughtUp && ((samples.at(-1)?.orders ?? 0) < confirmedAt.size || confirmationsSeen() < confirmedAt.size)) {
      await new Promise((r) => setTimeout(r, 200));
    }
    stopAt.polling = true;
    await poll;
    const emails = [...firstSeen.values()];

    const emailLag: number[] = [];
    let emailsMissing = 0;
    for (const [orderId, at] of confirmedAt) {
      const mail = emails.find(({ email: e }) => /confirm/i.test(e.subject) && (e.subject.includes(orderId) || e.text?.includes(orderId)));
      if (mail) emailLag.push(mail.at - at);
      else emailsMissing++;
    }
    const confirmations = [...confirmedAt.values()].sort((a, b) => a - b);
    const analyticsLag: number[] = [];
    confirmations.forEach((at, k) => {
      const seen = samples.find((s) => s.orders >= k + 1);
      if (seen) analyticsLag.push(seen.at - at);
    });
    emailLag.sort((a, b) => a - b);
    analyticsLag.sort((a, b) => a - b);
    const row = {
      broker: broker ?? 'redis',
      load: rate ? `${rate} orders/s` : `closed loop, ${workers} customers`,
      orders_confirmed: confirmedAt.size,
      orders_per_s: +(load.orders.length / seconds).toFixed(1),
      email_p50_ms: percentile(emailLag, 50),
      email_p99_ms: percentile(emailLag, 99),
      emails_missing: emailsMissing,
      analytics_p50_ms: percentile(analyticsLag, 50),
      analytics_p99_ms: percentile(analyticsLag, 99),
      analytics_not_counted: confirmations.length - analyticsLag.length,
      checkout_failed: load.failed,
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
    stopAt.polling = true;
    await platform.stop();
  }
}
