// How many instances of each app run locally: `REPLICAS=2 npm start` (every app), `REPLICAS=orders:3,analytics:2`
// (the rest 1), and `startPlatform({ replicas })` in the system-test harness. Each instance is its own app process
// beside its own daprd with the same app-id; Dapr's name resolution (the SQLite component in dapr-config/config.yaml)
// spreads service invocations across them.

/** Most instances of one app on a development machine (the fixed local ports below leave room for this many). */
export const maxReplicas = 9;

/**
 * Apps that run as exactly one instance whatever the spec says: the simulated payment provider keeps its ledger and
 * its outage switch in process memory (it stands in for an external PSP; Helm's values.schema.json caps it at 1 too).
 * `REPLICAS=2` leaves them at 1; naming one with more (`psp:2`) is refused.
 */
export const singleInstanceApps: Readonly<Record<string, string>> = {
  psp: 'the simulated payment provider keeps its ledger in process memory',
};

/** Replica counts: a number for every app, or per app (the others 1). */
export type ReplicaSpec = number | Readonly<Record<string, number>>;

/**
 * Parses the REPLICAS environment variable: empty → 1 each; `2` → 2 each; `orders:3,analytics:2` → those, others 1.
 * Throws a one-line error naming what is wrong (an unknown app, a count that is not 1..9, a repeated app).
 */
export function parseReplicas(value: string | undefined, appIds: readonly string[]): Record<string, number> {
  const text = (value ?? '').trim();
  if (text === '') return replicaCounts(undefined, appIds);
  if (/^\d+$/.test(text)) return replicaCounts(count(text, 'REPLICAS'), appIds);
  const perApp: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^([a-z][a-z0-9-]*):(\S+)$/.exec(part);
    if (!m) {
      throw new Error(`REPLICAS: "${part}" is not <app-id>:<count> (expected e.g. REPLICAS=2 or REPLICAS=orders:3,analytics:2)`);
    }
    const app = m[1]!;
    const n = m[2]!;
    if (app in perApp) throw new Error(`REPLICAS: ${app} is named twice`);
    perApp[app] = count(n, `REPLICAS ${app}`);
  }
  return replicaCounts(perApp, appIds);
}

/** The count of every app in `appIds` for a spec (undefined: 1 each), checking the spec's apps and counts. */
export function replicaCounts(spec: ReplicaSpec | undefined, appIds: readonly string[]): Record<string, number> {
  const counts = Object.fromEntries(appIds.map((id) => [id, 1]));
  if (spec === undefined) return counts;
  if (typeof spec === 'number') {
    checkCount(spec, 'replicas');
    return Object.fromEntries(appIds.map((id) => [id, id in singleInstanceApps ? 1 : spec]));
  }
  for (const [app, n] of Object.entries(spec)) {
    if (!appIds.includes(app)) throw new Error(`replicas: ${app} is not one of the apps (${appIds.join(', ')})`);
    checkCount(n, `replicas of ${app}`);
    if (n > 1 && app in singleInstanceApps) throw new Error(`replicas: ${app} runs as one instance only (${singleInstanceApps[app]})`);
    counts[app] = n;
  }
  return counts;
}

function count(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${what}: "${text}" is not a whole number from 1 to ${maxReplicas}`);
  const n = Number(text);
  checkCount(n, what);
  return n;
}

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > maxReplicas) throw new Error(`${what}: ${n} is not a whole number from 1 to ${maxReplicas}`);
}

/**
 * The fixed local port of replica `index` (0 = the first, which keeps dapr.yaml's port) of an app whose first replica
 * uses `port`: +1000 per replica (3005 → 4005 → 5005 …, 8080 → 9080 …). dapr.yaml's app, sidecar HTTP and sidecar gRPC
 * ports are 30xx/80xx, 35xx and 36xx, so the replicas' ports never meet each other's or the infrastructure's, and all
 * stay below the Linux ephemeral range (32768+) where an outgoing connection could hold them.
 */
export function replicaPort(port: number, index: number): number {
  return port + 1000 * index;
}
