// The capacity model (`npm run bench -- capacity`, after `-- checkout` and `-- browse`): the measured CPU per order
// (whole journey, every process) and per catalog page view (every process), from the newest results of those two
// benchmarks, scaled to seed 003's peak — 116 orders/s (1M orders a day with 10x peaks) with 1,000 browse req/s — into
// cores per service, pods per service at the HPA's target utilisation, and the Helm values that deploy it
// (helm/globalmart/values-peak.yaml, written here; `npm run helm:check` validates it with the other variants).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@globalmart/devstack';
import { stringify } from 'yaml';

export const PEAK = { ordersPerS: 116, browsePerS: 1_000 };
/** The HPA's target: pods run at most this busy at peak, the rest is headroom for a spike within the scale-up delay. */
export const TARGET_UTILISATION = 0.7;
/** Each pod's CPU requests: the app and its daprd (values.yaml resources / sidecarResources at peak). */
export const POD = { appMilli: 500, sidecarMilli: 250 };
/** Normal load is a tenth of the peak (seed 003: 10x peaks): the fewest pods the HPA keeps, and never under 2 (PDBs). */
const MIN_FRACTION_OF_PEAK = 0.1;
/** Admission: the gateways admit this share of what the scaled-out platform completes (ADR 0002 "Admission"). */
const ADMIT_SHARE = 0.8;

const newest = (prefix: string): string => {
  const dir = join(repoRoot, 'bench/results');
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new Error(`no bench/results/${prefix}-*.json: run \`npm run bench -- ${prefix}\` first`);
  return join(dir, files.at(-1)!);
};

/** An app and its sidecar are one pod; infrastructure is what runs outside the chart. */
function groupOf(process: string): { group: string; app: boolean } {
  const app = process.replace(/-daprd$/, '');
  if (['ferretdb', 'postgres'].includes(app)) return { group: 'document store (FerretDB + PostgreSQL here)', app: false };
  if (app.startsWith('redis')) return { group: 'Redis (state, pub/sub, locks)', app: false };
  if (['scheduler', 'placement', 'sentry'].includes(app)) return { group: 'Dapr control plane (scheduler, placement, sentry)', app: false };
  if (app === 'maildev') return { group: 'SMTP (MailDev here)', app: false };
  return { group: app, app: true };
}

interface Load {
  file: string;
  /** process → CPU ms per unit (order or request). */
  perUnit: Map<string, number>;
}

function checkoutLoad(file = newest('checkout')): Load {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { cpu?: { rows: { process: string; cpu_ms_per_order: number }[] } };
  if (!json.cpu) throw new Error(`${file} has no CPU per order (an older checkout bench): run \`npm run bench -- checkout\``);
  return { file, perUnit: new Map(json.cpu.rows.map((r) => [r.process, Math.max(0, r.cpu_ms_per_order)])) };
}

function browseLoad(file = newest('browse')): Load {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { rows: { cpu_ms_per_request?: Record<string, number> }[] };
  const row = json.rows.find((r) => r.cpu_ms_per_request);
  if (!row) throw new Error(`${file} has no CPU per request (an older browse bench): run \`npm run bench -- browse\``);
  return { file, perUnit: new Map(Object.entries(row.cpu_ms_per_request!)) };
}

export interface ServiceNeed {
  group: string;
  app: boolean;
  orderMs: number;
  browseMs: number;
  cores: number;
  /** Pods at peak at the target utilisation (apps only). */
  pods?: number;
  minPods?: number;
}

export function capacityModel(orders: Load, browse: Load) {
  const needs = new Map<string, ServiceNeed>();
  const add = (process: string, key: 'orderMs' | 'browseMs', ms: number) => {
    const { group, app } = groupOf(process);
    const n = needs.get(group) ?? { group, app, orderMs: 0, browseMs: 0, cores: 0 };
    n[key] += ms;
    needs.set(group, n);
  };
  for (const [p, ms] of orders.perUnit) add(p, 'orderMs', ms);
  for (const [p, ms] of browse.perUnit) add(p, 'browseMs', ms);
  const podCores = (POD.appMilli + POD.sidecarMilli) / 1000;
  for (const n of needs.values()) {
    n.cores = (PEAK.ordersPerS * n.orderMs + PEAK.browsePerS * n.browseMs) / 1000;
    if (n.app) {
      n.pods = Math.max(2, Math.ceil(n.cores / (podCores * TARGET_UTILISATION)));
      n.minPods = Math.max(2, Math.ceil(n.pods * MIN_FRACTION_OF_PEAK));
    }
  }
  const rows = [...needs.values()].sort((a, b) => b.cores - a.cores);
  const total = {
    orderMs: rows.reduce((s, r) => s + r.orderMs, 0),
    browseMs: rows.reduce((s, r) => s + r.browseMs, 0),
    cores: rows.reduce((s, r) => s + r.cores, 0),
  };
  return { rows, total };
}

/** The Helm values of the peak: per app pod size, HPA bounds, and the gateway's admission rate. */
export function peakValues(model: ReturnType<typeof capacityModel>, sources: string[]) {
  const apps: Record<string, unknown> = {};
  const orderCoresPerS = model.total.orderMs / 1000;
  for (const r of model.rows.filter((x) => x.app && x.group !== 'psp')) {
    apps[r.group] = {
      resources: { requests: { cpu: `${POD.appMilli}m`, memory: '256Mi' }, limits: { memory: '512Mi' } },
      sidecarResources: { requests: { cpu: `${POD.sidecarMilli}m`, memory: '64Mi' }, limits: { memory: '256Mi' } },
      autoscaling: { minReplicas: r.minPods, maxReplicas: r.pods },
    };
  }
  // What the platform completes at maxReplicas and the target utilisation is the peak itself; admit ADMIT_SHARE of what
  // it completes at full use of those pods (peak / target utilisation), so a burst beyond is shed, not queued.
  const admitted = Math.floor((ADMIT_SHARE * PEAK.ordersPerS) / TARGET_UTILISATION);
  const gateway = (apps.gateway ?? {}) as Record<string, unknown>;
  apps.gateway = { ...gateway, env: { CHECKOUT_MAX_RATE: String(admitted) } };
  const header = [
    'GENERATED by `npm run bench -- capacity` (bench/capacity.ts) from the measured CPU per order and per page view:',
    ...sources.map((s) => `  ${s}`),
    `Seed 003's peak: ${PEAK.ordersPerS} orders/s with ${PEAK.browsePerS} browse req/s; ${model.total.cores.toFixed(1)} cores in all at`,
    `${orderCoresPerS.toFixed(3)} CPU-s per order. Pods: ${POD.appMilli}m app + ${POD.sidecarMilli}m daprd requested, HPA at ${TARGET_UTILISATION * 100}% of`,
    `that; maxReplicas carries the peak, minReplicas a tenth of it (never under 2). psp stays 1 replica (simulated).`,
    `Install with: helm install globalmart helm/globalmart -f helm/globalmart/values-peak.yaml (README "Capacity model").`,
  ];
  const values = {
    autoscaling: { enabled: true, targetCPUUtilizationPercentage: TARGET_UTILISATION * 100 },
    apps,
  };
  // Single quotes: the repository's Prettier style, so the written file passes `prettier --check`.
  return `${header.map((l) => `# ${l}`.trimEnd()).join('\n')}\n${stringify(values, { singleQuote: true })}`;
}

export async function capacityBench(): Promise<void> {
  const orders = checkoutLoad();
  const browse = browseLoad();
  const model = capacityModel(orders, browse);
  const rel = (f: string) => f.slice(repoRoot.length + 1);
  console.log(
    `\n### Capacity model: ${PEAK.ordersPerS} orders/s with ${PEAK.browsePerS} browse req/s (from ${rel(orders.file)}, ${rel(browse.file)})\n`,
  );
  console.log(
    '| service (app + daprd) / infrastructure | CPU ms per order | CPU ms per page view | cores at peak | pods at peak (max) | min pods |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of model.rows) {
    console.log(
      `| ${r.group} | ${r.orderMs.toFixed(1)} | ${r.browseMs.toFixed(2)} | ${r.cores.toFixed(1)} | ${r.pods ?? ''} | ${r.minPods ?? ''} |`,
    );
  }
  console.log(
    `| **total** | **${model.total.orderMs.toFixed(1)}** | **${model.total.browseMs.toFixed(2)}** | **${model.total.cores.toFixed(1)}** | | |`,
  );
  const file = join(repoRoot, 'helm/globalmart/values-peak.yaml');
  writeFileSync(file, peakValues(model, [rel(orders.file), rel(browse.file)]));
  console.log(`\nHelm values for the peak written to ${rel(file)}.`);
}
