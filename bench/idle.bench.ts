// `npm run bench -- idle`: what the whole platform costs while nobody calls it. Everything `npm start` runs (every app
// and its daprd, Sentry, placement, scheduler, Redis, FerretDB on PostgreSQL, MailDev, Jaeger) is started through the
// harness, left to settle, then every process the bench started is read from /proc: resident memory (RSS, and PSS,
// which shares the pages several processes map between them: the node binary, postgres' buffers), its anonymous part
// (heaps), threads, and CPU (utime+stime) over an idle window. One row per process (kind app / daprd / infra), totals
// per kind and overall. Target: the whole platform idle ≤ 3 GB RSS. Results: bench/results/idle-<timestamp>.json.
// BENCH_IDLE_SETTLE_S (default 20) and BENCH_IDLE_WINDOW_S (default 30) change the waits.
import { nodeOptionsFor, sidecarGoEnv } from '@globalmart/devstack';
import { allApps, startPlatform } from '../tests/harness/platform.ts';
import { descendants, identify, sample as procSample, TICKS_PER_S, type Kind, type ProcSample as Sample } from './proc-stats.ts';
import { saveResult } from './results.ts';

const SETTLE_S = Number(process.env.BENCH_IDLE_SETTLE_S ?? 20);
const WINDOW_S = Number(process.env.BENCH_IDLE_WINDOW_S ?? 30);
/** RSS samples taken over the window (the row shows the last and the highest). */
const SAMPLES = 6;
const TARGET_MB = 3 * 1024;
export interface ProcessRow {
  name: string;
  kind: Kind;
  pid: number;
  rss_mb: number;
  rss_max_mb: number;
  pss_mb: number;
  anon_mb: number;
  threads: number;
  cpu_pct: number;
}

/** Memory with PSS (smaps_rollup) and CPU of one process (bench/proc-stats.ts, shared with the other benches). */
const sample = (pid: number) => procSample(pid, { pss: true });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kib: number) => +(kib / 1024).toFixed(1);

/** Samples every process SAMPLES times over WINDOW_S; CPU is the difference between the first and the last sample. */
async function measure(): Promise<ProcessRow[]> {
  const pids = descendants();
  const first = new Map<number, Sample>();
  const max = new Map<number, number>();
  for (const pid of pids) {
    const s = sample(pid);
    if (s) {
      first.set(pid, s);
      max.set(pid, s.rss_kb);
    }
  }
  const t0 = performance.now();
  let last = new Map<number, Sample>();
  for (let i = 1; i <= SAMPLES; i++) {
    await sleep((WINDOW_S * 1000) / SAMPLES);
    last = new Map();
    for (const pid of pids) {
      const s = sample(pid);
      if (!s) continue;
      last.set(pid, s);
      max.set(pid, Math.max(max.get(pid) ?? 0, s.rss_kb));
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const rows: ProcessRow[] = [];
  for (const pid of pids) {
    const [a, b, who] = [first.get(pid), last.get(pid), identify(pid)];
    if (!a || !b || !who) continue;
    rows.push({
      ...who,
      pid,
      rss_mb: mb(b.rss_kb),
      rss_max_mb: mb(max.get(pid)!),
      pss_mb: mb(b.pss_kb),
      anon_mb: mb(b.anon_kb),
      threads: b.threads,
      cpu_pct: +((100 * (b.ticks - a.ticks)) / TICKS_PER_S / seconds).toFixed(2),
    });
  }
  const order: Kind[] = ['app', 'daprd', 'infra'];
  return rows.sort((x, y) => order.indexOf(x.kind) - order.indexOf(y.kind) || y.rss_mb - x.rss_mb);
}

type Totals = Pick<ProcessRow, 'rss_mb' | 'pss_mb' | 'anon_mb' | 'cpu_pct'> & { processes: number };

function total(rows: ProcessRow[]): Totals {
  const sum = (k: 'rss_mb' | 'pss_mb' | 'anon_mb' | 'cpu_pct') => +rows.reduce((n, r) => n + r[k], 0).toFixed(1);
  return { processes: rows.length, rss_mb: sum('rss_mb'), pss_mb: sum('pss_mb'), anon_mb: sum('anon_mb'), cpu_pct: sum('cpu_pct') };
}

export async function idleBench(): Promise<void> {
  const started = performance.now();
  // As `npm start`: every app, placement, scheduler, MailDev, and Jaeger receiving every app's and sidecar's spans.
  const platform = await startPlatform({ apps: [...allApps], placement: true, scheduler: true, maildev: true, tracing: true });
  const readyS = +((performance.now() - started) / 1000).toFixed(1);
  let rows: ProcessRow[];
  try {
    console.error(`idle bench: ready in ${readyS} s; settling ${SETTLE_S} s, then sampling every process for ${WINDOW_S} s`);
    await sleep(SETTLE_S * 1000);
    rows = await measure();
  } finally {
    await platform.stop();
  }
  const kinds = { app: total(rows.filter((r) => r.kind === 'app')), daprd: total(rows.filter((r) => r.kind === 'daprd')) };
  const totals = { ...kinds, infra: total(rows.filter((r) => r.kind === 'infra')), all: total(rows) };
  const ok = totals.all.rss_mb <= TARGET_MB;
  const file = saveResult('idle', {
    settings: { settle_s: SETTLE_S, window_s: WINDOW_S, samples: SAMPLES, target_rss_mb: TARGET_MB },
    // What the apps and sidecars ran with (packages/devstack/src/sidecar.ts, plus any NODE_OPTIONS / GOGC given).
    app_node_options: nodeOptionsFor(process.env.NODE_OPTIONS),
    daprd_env: {
      ...sidecarGoEnv,
      ...Object.fromEntries(Object.keys(sidecarGoEnv).flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
    },
    ready_s: readyS,
    totals,
    ok,
    processes: rows,
  });
  console.log(`\n### Idle: every process of the whole platform (${SETTLE_S} s after ready, CPU over ${WINDOW_S} s)\n`);
  console.log('| process | kind | RSS MB | max RSS MB | PSS MB | anon MB | threads | CPU % |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.kind} | ${r.rss_mb} | ${r.rss_max_mb} | ${r.pss_mb} | ${r.anon_mb} | ${r.threads} | ${r.cpu_pct} |`);
  }
  console.log('\n| kind | processes | RSS MB | RSS MB each | PSS MB | anon MB | CPU % |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [kind, t] of Object.entries(totals)) {
    const each = t.processes ? (t.rss_mb / t.processes).toFixed(0) : '-';
    console.log(`| ${kind} | ${t.processes} | ${t.rss_mb} | ${each} | ${t.pss_mb} | ${t.anon_mb} | ${t.cpu_pct} |`);
  }
  console.log(
    `\nTotal RSS ${(totals.all.rss_mb / 1024).toFixed(2)} GB (PSS ${(totals.all.pss_mb / 1024).toFixed(2)} GB) against ≤ 3 GB: ${ok ? 'ok' : 'OVER'}. JSON: ${file}`,
  );
  if (!ok) process.exitCode = 1;
}
