// Runs a fuzz campaign against a started platform: sessions first (a customer, another customer, an admin, one real
// order), then `requests` generated cases through a small pool of connections, liveness checks along the way, and a
// report: counts by status class and strategy, and one minimal reproducible case per distinct failure.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@globalmart/devstack';
import type { Platform } from '../harness/platform.ts';
import { Storefront, type Session } from '../harness/storefront.ts';
import { bodyLength, generateCase, type FuzzCase, type FuzzContext } from './cases.ts';
import { judge, type Verdict } from './oracle.ts';
import { isAnswer, send, type Answer, type Endpoint, type NoAnswer } from './send.ts';
import { loadContract, type Operation } from './spec.ts';

export interface FuzzOptions {
  seed: number;
  requests: number;
  concurrency: number;
  timeoutMs: number;
  /** Only operations whose id (`POST /api/orders`) matches. */
  only?: RegExp;
  /** Replay only these case numbers of the seed. */
  cases?: number[];
  log?: (line: string) => void;
}

/** Options from the environment: FUZZ_SEED replays a run, FUZZ_REQUESTS sets its size, FUZZ_ONLY / FUZZ_CASES narrow it. */
export function optionsFromEnv(defaultRequests: number, defaultSeed?: number): FuzzOptions {
  const env = process.env;
  const seed = env.FUZZ_SEED ? Number(env.FUZZ_SEED) : (defaultSeed ?? Math.floor(Math.random() * 2 ** 31));
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${env.FUZZ_SEED}`);
  return {
    seed,
    requests: env.FUZZ_REQUESTS ? Number(env.FUZZ_REQUESTS) : defaultRequests,
    // Four at a time: robustness, not capacity (npm run bench measures that); more and the catalog's uncached list
    // queries on FerretDB miss the gateway's 2 s budget on a shared 2-core machine.
    concurrency: env.FUZZ_CONCURRENCY ? Number(env.FUZZ_CONCURRENCY) : 4,
    timeoutMs: env.FUZZ_TIMEOUT_MS ? Number(env.FUZZ_TIMEOUT_MS) : 30_000,
    ...(env.FUZZ_ONLY ? { only: new RegExp(env.FUZZ_ONLY) } : {}),
    ...(env.FUZZ_CASES ? { cases: env.FUZZ_CASES.split(',').map(Number) } : {}),
  };
}

export interface Finding {
  kind: Exclude<Verdict['kind'], 'ok' | 'sidecar' | 'sidecar-refused'>;
  /** Failures fail the run; degradations (kind 'degraded') are reported to investigate. */
  failure: boolean;
  why: string;
  signature: string;
  count: number;
  /** The smallest case with this signature. */
  case: FuzzCase;
  answer: Answer | NoAnswer;
}

export interface FuzzReport {
  seed: number;
  sent: number;
  ms: number;
  byClass: Record<string, number>;
  byStrategy: Record<string, Record<string, number>>;
  findings: Finding[];
  /** Apps or sidecars that died or stopped answering /healthz. */
  crashes: string[];
  reportFile: string;
}

interface RunValues {
  customer: Session;
  other: Session;
  admin: Session;
  orderId: string;
  ctx: FuzzContext;
}

const subOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sub as string;

/** Retries a setup step until it succeeds: on a busy 2-core machine a login (one scrypt) can miss its 5 s budget. */
async function eventually<T>(what: string, step: () => Promise<T>): Promise<T> {
  let result: T | undefined;
  let last: unknown;
  await waitUntil(
    what,
    async () => {
      result = await step().catch((err: unknown) => {
        last = err;
        return undefined;
      });
      return result !== undefined;
    },
    { timeoutMs: 90_000, intervalMs: 1_000 },
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last error: ${String(last)}`);
  });
  return result!;
}

/** Accounts and data the valid requests refer to: real ids make the services go past their 404s. */
async function prepare(platform: Platform, log: (line: string) => void): Promise<RunValues> {
  const shop = new Storefront(platform.url('gateway'));
  const customer = await eventually('a customer', () => shop.newCustomer('Fuzz Customer'));
  const other = await eventually('another customer', () => shop.newCustomer('Fuzz Other'));
  const email = 'fuzz-admin@globalmart.test';
  const password = 'a long fuzzing admin passphrase';
  await platform.createAdmin(email, password);
  const admin = await eventually('the admin', async (): Promise<Session> => {
    const login = await shop.call('POST', '/api/auth/login', { body: { email, password } });
    if (login.status !== 200) throw new Error(`admin login ${login.status}: ${JSON.stringify(login.body)}`);
    return { email, token: login.body.access_token, userId: subOf(login.body.access_token) };
  });
  const page = await shop.call('GET', '/api/products?page_size=100');
  if (page.status !== 200) throw new Error(`product list ${page.status}`);
  const products = page.body.data as { id: string; category: string }[];
  const productIds = products.map((p) => p.id).slice(0, 12);
  const categories = [...new Set(products.map((p) => p.category))].sort();
  // One real order, so order, payment and shipment routes have something to find. Checkout has tests of its own:
  // when it fails here the run goes on with an id that finds nothing, and says so.
  const add = await shop.call('POST', '/api/cart/items', { token: customer.token, body: { product_id: productIds[0], quantity: 1 } });
  const order = add.status === 200 ? await shop.checkout(customer) : add;
  if (order.status !== 201) log(`fuzz: no real order to refer to (${order.status}: ${JSON.stringify(order.body)})`);
  const orderId = order.status === 201 ? (order.body.order_id as string) : `ord_${'0'.repeat(32)}`;
  return { customer, other, admin, orderId, ctx: { productIds, categories } };
}

function resolver(v: RunValues, seed: number) {
  const table: Record<string, string> = {
    run: String(seed),
    'customer.id': v.customer.userId,
    'customer.token': v.customer.token,
    'other.id': v.other.userId,
    'other.token': v.other.token,
    'admin.id': v.admin.userId,
    'admin.token': v.admin.token,
    'order.id': v.orderId,
  };
  return (text: string) => (text.includes('{{') ? text.replace(/\{\{([a-z.]+)\}\}/g, (m, k: string) => table[k] ?? m) : text);
}

function endpointFor(platform: Platform, c: FuzzCase): Endpoint {
  const url = new URL(c.via ? platform.daprUrl(c.via) : platform.url('gateway'));
  return {
    host: url.hostname,
    port: Number(url.port),
    prefix: c.via ? `/v1.0/invoke/${c.app}/method` : '',
    headers: c.via ? platform.daprHeaders(c.via) : {},
  };
}

/** Which apps or sidecars are dead; with `probe`, also which no longer answer their health endpoints. */
async function casualties(platform: Platform, probe: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const [id, a] of Object.entries(platform.apps)) {
    const dead = a.app.deadReason() ?? a.sidecar.deadReason();
    if (dead) {
      out.push(`${id}: ${dead.split('\n')[0]}`);
      continue;
    }
    if (!probe) continue;
    const checks: [string, string, Record<string, string>][] = [
      ['app /healthz', `${a.appUrl}/healthz`, platform.appHeaders(id)],
      ['sidecar /v1.0/healthz', `${a.daprUrl}/v1.0/healthz`, platform.daprHeaders(id)],
    ];
    for (const [what, url, headers] of checks) {
      // A moment of slowness after a flood is not a crash: allow a few seconds to answer.
      const ok = await waitUntil(
        `${id} ${what}`,
        async () => (await fetch(url, { headers, signal: AbortSignal.timeout(3_000) }).catch(() => undefined))?.ok === true,
        { timeoutMs: 15_000 },
      ).then(
        () => true,
        () => false,
      );
      if (!ok) out.push(`${id}: ${what} not ok`);
    }
  }
  return out;
}

const statusClass = (r: Answer | NoAnswer) => (isAnswer(r) ? `${Math.floor(r.status / 100)}xx` : 'no answer');

const sizeOf = (c: FuzzCase) => c.target.length + bodyLength(c.body) + c.headers.reduce((n, [k, v]) => n + k.length + v.length, 0);

function signatureOf(c: FuzzCase, v: Extract<Verdict, { why: string }>, r: Answer | NoAnswer): string {
  let code = '';
  if (isAnswer(r)) {
    try {
      const b = JSON.parse(r.body) as { code?: string; errorCode?: string };
      code = b.code ?? b.errorCode ?? '';
    } catch {
      code = '';
    }
  }
  return [v.kind, isAnswer(r) ? r.status : 'none', code, c.op].join(' | ');
}

export async function runFuzz(platform: Platform, opts: FuzzOptions): Promise<FuzzReport> {
  const log = opts.log ?? ((l: string) => console.log(l));
  log(`fuzz: seed ${opts.seed} (replay: FUZZ_SEED=${opts.seed}), ${opts.requests} requests, ${opts.concurrency} at a time`);
  const contract = loadContract();
  const values = await prepare(platform, log);
  const resolve = resolver(values, opts.seed);
  const only = opts.only ? (op: Operation) => opts.only!.test(op.id) : undefined;
  const indices = opts.cases ?? Array.from({ length: opts.requests }, (_, i) => i);

  const byClass: Record<string, number> = {};
  const byStrategy: Record<string, Record<string, number>> = {};
  const findings = new Map<string, Finding>();
  const crashes: string[] = [];
  let next = 0;
  let sent = 0;
  const started = Date.now();

  const worker = async () => {
    while (next < indices.length && crashes.length === 0) {
      const index = indices[next++]!;
      const c = generateCase(contract, values.ctx, opts.seed, index, only);
      const answer = await send(c, endpointFor(platform, c), resolve, opts.timeoutMs);
      sent++;
      const cls = statusClass(answer);
      byClass[cls] = (byClass[cls] ?? 0) + 1;
      const row = (byStrategy[c.strategy] ??= {});
      row[cls] = (row[cls] ?? 0) + 1;
      const verdict = judge(c, answer);
      if (verdict.kind === 'sidecar') byClass['4xx answered by daprd'] = (byClass['4xx answered by daprd'] ?? 0) + 1;
      if (verdict.kind === 'sidecar-refused') {
        byClass['5xx daprd refusal (undecodable path, body > 4 MiB)'] =
          (byClass['5xx daprd refusal (undecodable path, body > 4 MiB)'] ?? 0) + 1;
      }
      if (!verdict.ok || verdict.kind === 'degraded') {
        const signature = signatureOf(c, verdict, answer);
        const seen = findings.get(signature);
        if (!seen)
          findings.set(signature, { kind: verdict.kind, why: verdict.why, failure: !verdict.ok, signature, count: 1, case: c, answer });
        else {
          seen.count++;
          if (sizeOf(c) < sizeOf(seen.case)) Object.assign(seen, { case: c, answer, why: verdict.why });
        }
      }
      if (sent % 250 === 0) {
        crashes.push(...(await casualties(platform, false)).map((d) => `${d} (noticed after case ${index})`));
        if (sent % 1000 === 0) log(`fuzz: ${sent}/${indices.length} sent, ${findings.size} distinct findings`);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  crashes.push(...(await casualties(platform, true)));
  const report: FuzzReport = {
    seed: opts.seed,
    sent,
    ms: Date.now() - started,
    byClass,
    byStrategy,
    findings: [...findings.values()].sort((a, b) => a.signature.localeCompare(b.signature)),
    crashes: [...new Set(crashes)],
    reportFile: join(tmpdir(), `globalmart-fuzz-${opts.seed}.json`),
  };
  writeFileSync(report.reportFile, JSON.stringify(report, null, 2));
  log(summary(report));
  return report;
}

const preview = (text: string, max = 240) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

function bodyPreview(c: FuzzCase): string {
  if (!c.body) return '(none)';
  const text = c.body
    .map((p) => (typeof p === 'string' ? p : 'hex' in p ? `<bytes ${p.hex}>` : `<${p.times} × ${JSON.stringify(p.repeat)}>`))
    .join('');
  return `${preview(text)} [${bodyLength(c.body)} bytes]`;
}

/** The report as text: counts, then one reproducible case per finding (replay it with FUZZ_SEED and FUZZ_CASES). */
export function summary(r: FuzzReport): string {
  const lines = [
    `fuzz: ${r.sent} requests in ${(r.ms / 1000).toFixed(1)} s (${(r.sent / (r.ms / 1000)).toFixed(0)} req/s), seed ${r.seed}`,
    `by status class: ${Object.entries(r.byClass)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
    `${'strategy'.padEnd(16)} ${['2xx', '3xx', '4xx', '5xx', 'no answer'].map((s) => s.padStart(9)).join(' ')}`,
    ...Object.entries(r.byStrategy)
      .sort()
      .map(
        ([s, row]) => `${s.padEnd(16)} ${['2xx', '3xx', '4xx', '5xx', 'no answer'].map((k) => String(row[k] ?? 0).padStart(9)).join(' ')}`,
      ),
    '',
  ];
  if (r.crashes.length) lines.push('CRASHES:', ...r.crashes.map((c) => `  ${c}`), '');
  const failures = r.findings.filter((f) => f.failure);
  const degraded = r.findings.filter((f) => !f.failure);
  lines.push(failures.length ? `FAILURES: ${failures.length} distinct (kind | status | code | operation: count)` : 'failures: none');
  for (const f of failures) lines.push(`  ${f.signature}: ${f.count}`);
  if (degraded.length) {
    lines.push(`deliberate degradation, to investigate (not failures): ${degraded.length} distinct`);
    for (const f of degraded) lines.push(`  ${f.signature}: ${f.count} (${f.why})`);
  }
  if (r.findings.length) {
    lines.push('', 'minimal cases:');
    for (const f of r.findings) {
      const c = f.case;
      const a = f.answer;
      lines.push(
        `- ${f.signature} (${f.why})`,
        `  replay: FUZZ_SEED=${r.seed} FUZZ_CASES=${c.index}   [${c.strategy}: ${c.note}]`,
        `  ${c.method} ${c.via ? `(invoked from ${c.via}'s sidecar) /v1.0/invoke/${c.app}/method` : ''}${preview(c.target, 300)}`,
        ...c.headers.map(([k, v]) => `  ${k}: ${preview(v, 120)}`),
        `  body: ${bodyPreview(c)}`,
        isAnswer(a) ? `  → ${a.status} ${String(a.headers['content-type'] ?? '')} ${preview(a.body, 300)}` : `  → no answer: ${a.error}`,
      );
    }
  }
  lines.push(`full report: ${r.reportFile}`);
  return lines.join('\n');
}
