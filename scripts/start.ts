// `npm start`: the whole platform on this machine. Starts what is not already running (Redis,
// FerretDB, placement, scheduler, MailDev), then every app and its sidecar through the real Dapr CLI
// (`dapr run -f`), prints a readiness table, and on Ctrl-C / SIGTERM stops everything it started.
// `BROKER=rabbitmq|jetstream|mqtt|redis npm start` puts `pubsub` on that broker (components/brokers/<broker>.yaml;
// redis, the default, is components/pubsub.yaml): the components are rendered into .data/run/resources with that file
// as `pubsub`, and the broker is found on its port or started (and then stopped on exit).
// `RECOMMENDATIONS=go npm start` runs the Go twin of recommendations (services/recommendations-go, built on first use into
// ~/.cache/globalmart/bin) in place of the TypeScript service: same app-id, routes, events and state.
// Traces and metrics: Jaeger (built from tools/jaeger on first use) receives OTLP from every sidecar and app on 4318,
// its query API answers on 16686; every app serves Prometheus metrics on 37xx, its sidecar on 38xx (printed at the end).
// `REPLICAS=2 npm start` runs two instances of every app, `REPLICAS=orders:3,analytics:2` of those (the rest one):
// each instance is its own app process beside its own daprd, same app-id, further entries of the same run file (see
// replicaEntry); Dapr's name resolution spreads invocations across them.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import {
  brokerComponentFile,
  brokers,
  dataDir,
  defaultJaegerPorts,
  defaultPorts,
  ensureJaeger,
  ensureLocalTokens,
  tokensFile,
  tokensOf,
  httpOk,
  ManagedProcess,
  nodeOptionsFor,
  sidecarGoEnv,
  parseBroker,
  parseReplicas,
  appLaunch,
  parseStacks,
  type AppLaunch,
  type Stack,
  readRunFile,
  renderResources,
  replicaPort,
  repoRoot,
  startInfra,
  startJaeger,
  waitUntil,
  type Broker,
  type Infra,
  type Jaeger,
} from '@globalmart/devstack';
import { setup } from './setup.ts';

const log = (line: string) => console.log(`» ${line}`);
let broker: Broker;
let replicas: Record<string, number>;
/** RECOMMENDATIONS=go: the Go twin behind that app-id (packages/devstack/src/stacks.ts). */
let stacks: Record<string, Stack>;
const launches: Record<string, AppLaunch> = {};
try {
  broker = parseBroker(process.env.BROKER);
  stacks = parseStacks(process.env);
  replicas = parseReplicas(
    process.env.REPLICAS,
    readRunFile().apps.map((a) => a.appID),
  );
} catch (err) {
  console.error(`npm start: ${(err as Error).message}`);
  process.exit(2);
}
const started = Date.now();
const runDir = join(dataDir, 'run');
const logDir = join(runDir, 'logs');
mkdirSync(logDir, { recursive: true });

interface RunApp {
  appID: string;
  appDirPath: string;
  appPort: number;
  daprHTTPPort: number;
  daprGRPCPort: number;
  command: string[];
  appLogDestination?: string;
  /** daprd's Prometheus port. */
  metricsPort?: number;
  configFilePath?: string;
  runtimePath?: string;
  env?: Record<string, string>;
}
interface RunFile {
  common: Record<string, unknown> & { resourcesPaths: string[]; configFilePath: string };
  apps: RunApp[];
}

/** One instance to wait for and list: an app's first (replica 0) or a further replica. */
interface Instance {
  appID: string;
  replica: number;
  appPort: number;
  daprHTTPPort: number;
  /** The app's Prometheus endpoint port (METRICS_PORT) and its sidecar's. */
  metricsPort: number;
  daprMetricsPort: number;
}

/** The n-th app of dapr.yaml serves its metrics on 3700+n, its sidecar on 3800+n (replicas 1000 above, as the rest). */
const APP_METRICS_BASE = 3700;
const DAPRD_METRICS_BASE = 3800;

/** The committed dapr.yaml with absolute paths and this run's overrides (GATEWAY_PORT, BROKER, REPLICAS). */
function renderRunFile(i: Infra, daprd: string, jaeger: Jaeger): { file: string; instances: Instance[] } {
  const doc = parse(readFileSync(join(repoRoot, 'dapr.yaml'), 'utf8')) as RunFile;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(repoRoot, p));
  doc.common.resourcesPaths = doc.common.resourcesPaths.map(abs);
  if (i.broker !== 'redis') {
    // The same components with the chosen broker's file as `pubsub` (relative paths inside them are daprd's cwd's,
    // so the copies work from any folder); dapr-config stays the committed one.
    rmSync(join(runDir, 'resources'), { recursive: true, force: true });
    const rendered = renderResources(join(runDir, 'resources'), {
      broker: i.broker,
      ...(i.pubsubUrl ? { pubsubUrl: i.pubsubUrl } : {}),
    });
    const committed = resolve(repoRoot, 'components');
    doc.common.resourcesPaths = doc.common.resourcesPaths.map((p) => (p === committed ? rendered.resourcesPaths[0]! : p));
  }
  doc.common.configFilePath = abs(doc.common.configFilePath);
  const tokens = ensureLocalTokens(
    tokensFile,
    doc.apps.map((a) => a.appID),
  );
  for (const [n, app] of doc.apps.entries()) {
    app.metricsPort = DAPRD_METRICS_BASE + n;
    app.env = { ...app.env, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, METRICS_PORT: String(APP_METRICS_BASE + n) };
    // The memory settings of every service (devstack sidecar.ts, as the Dockerfile's; README "Memory").
    app.env.NODE_OPTIONS = nodeOptionsFor(app.env.NODE_OPTIONS ?? process.env.NODE_OPTIONS);
    app.appDirPath = abs(app.appDirPath);
    if (app.configFilePath) app.configFilePath = abs(app.configFilePath);
    if (app.appID === 'gateway' && process.env.GATEWAY_PORT) app.appPort = Number(process.env.GATEWAY_PORT);
    // The admin console's Operations page reads an order's trace from Jaeger's query API, directly (outside the mesh).
    if (app.appID === 'gateway') app.env = { ...app.env, TRACE_QUERY_URL: jaeger.queryUrl };
    // Another stack's binary in place of `node … src/main.ts`; the sidecar stays in services/<app-id>.
    if (launches[app.appID]) app.command = launches[app.appID]!.command;
    const t = tokensOf(tokens, app.appID);
    // The app presents DAPR_API_TOKEN to its sidecar and expects APP_API_TOKEN from it.
    app.env = { ...app.env, DAPR_API_TOKEN: t.daprApiToken, ...(t.appApiToken ? { APP_API_TOKEN: t.appApiToken } : {}) };
    app.runtimePath = sealedRuntime(daprd, app.appID, t.daprApiToken, t.appApiToken, i.sentry.trustAnchors);
  }
  const instances: Instance[] = [];
  const extra: RunApp[] = [];
  for (const app of doc.apps) {
    const instance = (a: RunApp, replica: number): Instance => ({
      appID: a.appID,
      replica,
      appPort: a.appPort,
      daprHTTPPort: a.daprHTTPPort,
      metricsPort: Number(a.env?.METRICS_PORT),
      daprMetricsPort: a.metricsPort!,
    });
    instances.push(instance(app, 0));
    for (let r = 1; r < (replicas[app.appID] ?? 1); r++) {
      const entry = replicaEntry(app, r);
      extra.push(entry);
      instances.push(instance(entry, r));
    }
  }
  doc.apps.push(...extra);
  // It holds the apps' tokens: readable by this user only (.data is git-ignored).
  const file = join(runDir, 'dapr.yaml');
  writeFileSync(file, stringify(doc), { mode: 0o600 });
  chmodSync(file, 0o600);
  return { file, instances };
}

/**
 * A further instance of `app` as one more entry of the run file: the Dapr CLI takes several entries with one appID.
 * Same app-id, env, tokens and sealed runtime; ports moved by replicaPort (below the ephemeral range; the CLI refuses a
 * port in use with "Port N is not available"). Its own folder, because the CLI names its log files
 * <appDirPath>/.dapr/logs/<appID>_{app,daprd}_<second>.log and two instances started within one second would write
 * one file. That folder is .data/<app>-replica-<n>: two levels below the repository like services/<app>, because the
 * sidecar's working folder is the instance's folder and components/secretstore.yaml and dapr-config's SQLite name
 * resolution name their files relative to it (../../.data/...). The app's entry point is then an absolute path.
 */
function replicaEntry(app: RunApp, replica: number): RunApp {
  const dir = join(dataDir, `${app.appID}-replica-${replica}`);
  if (relative(repoRoot, dir).split('/').length !== 2) throw new Error(`${dir} must be two levels below ${repoRoot}`);
  mkdirSync(dir, { recursive: true });
  const main = app.command.at(-1)!;
  return {
    ...app,
    appDirPath: dir,
    command: [...app.command.slice(0, -1), resolve(app.appDirPath, main)],
    appPort: replicaPort(app.appPort, replica),
    daprHTTPPort: replicaPort(app.daprHTTPPort, replica),
    daprGRPCPort: replicaPort(app.daprGRPCPort, replica),
    metricsPort: replicaPort(app.metricsPort!, replica),
    env: { ...app.env, METRICS_PORT: String(replicaPort(Number(app.env?.METRICS_PORT), replica)) },
  };
}

/**
 * The Dapr CLI starts every daprd with its own environment and only the flags its run file knows. What it cannot say
 * per app — the sidecar's API token, the token it presents to its app, Sentry's root certificate, and loopback for the
 * internal gRPC and metrics listeners — goes through a per-app runtime folder (the run file's `runtimePath`) whose
 * bin/daprd sets them and runs the real daprd. Written 0700/0600 under .data (git-ignored); `dapr list` still sees daprd.
 */
function sealedRuntime(daprd: string, appId: string, daprApiToken: string, appApiToken: string | undefined, trustAnchors: string): string {
  // The CLI looks for <runtimePath>/.dapr/bin/daprd.
  const root = join(runDir, 'runtime', appId);
  const home = join(root, '.dapr');
  mkdirSync(join(home, 'bin'), { recursive: true, mode: 0o700 });
  const quote = (v: string) => `'${v.replaceAll("'", `'\\''`)}'`;
  const env = [
    `export DAPR_API_TOKEN=${quote(daprApiToken)}`,
    ...(appApiToken ? [`export APP_API_TOKEN=${quote(appApiToken)}`] : []),
    `export DAPR_TRUST_ANCHORS=${quote(trustAnchors)}`,
    // daprd's Go runtime settings (devstack sidecar.ts, as Helm's dapr.sidecarEnv), unless the environment has its own.
    ...Object.entries(sidecarGoEnv).map(([k, v]) => `export ${k}="\${${k}:-${v}}"`),
  ];
  writeFileSync(join(home, 'env'), `${env.join('\n')}\n`, { mode: 0o600 });
  writeFileSync(
    join(home, 'bin', 'daprd'),
    [
      '#!/bin/sh',
      `# Written by npm start for ${appId}: tokens and Sentry's root from ./env, every listener on loopback.`,
      '. "$(dirname "$0")/../env"',
      `exec ${quote(daprd)} --dapr-internal-grpc-listen-address 127.0.0.1 --metrics-listen-address 127.0.0.1 "$@"`,
      '',
    ].join('\n'),
    { mode: 0o700 },
  );
  return root;
}

let infra: Infra | undefined;
let cli: ManagedProcess | undefined;
let signalled = false;
let stopping: Promise<void> | undefined;

/** Stops what this script started, once, whoever asks first (a signal, or the CLI exiting). */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    log('stopping ...');
    await cli?.stop(15_000);
    await infra?.stop();
    log('stopped everything npm start started');
  })();
  return stopping;
}

async function shutdown(code: number): Promise<never> {
  await stopAll();
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    signalled = true;
    void shutdown(0);
  });
}

try {
  const tc = await setup(log);
  for (const [appId, stack] of Object.entries(stacks)) {
    const launch = await appLaunch(appId, stack, log);
    if (launch) launches[appId] = launch;
    log(`${appId}: the ${stack === 'go' ? 'Go' : 'TypeScript'} engine (${appId.toUpperCase()}=${stack})`);
  }
  log(`pub/sub broker: ${broker} (${relative(repoRoot, brokerComponentFile(broker))}; BROKER=${brokers.join('|')} picks another)`);
  infra = await startInfra(tc, defaultPorts, { logDir, dataDir, reuse: true }, { placement: true, scheduler: true, maildev: true, broker });
  // The trace backend: sidecars (dapr-config/config.yaml: localhost:4318) and apps (OTEL_EXPORTER_OTLP_ENDPOINT) export here.
  const jaeger = await startJaeger(await ensureJaeger(log), defaultJaegerPorts, { logDir, dataDir, reuse: true });
  infra.handles.push(jaeger);
  const { file, instances } = renderRunFile(infra, tc.daprd, jaeger);
  const counts = instances
    .filter((a) => a.replica === 0)
    .map((a) => (replicas[a.appID]! > 1 ? `${a.appID} ×${replicas[a.appID]}` : a.appID));
  log(
    `starting ${counts.join(', ')} with \`dapr run -f\` (logs: services/<app>/.dapr/logs${instances.length > counts.length ? ', .data/<app>-replica-<n>/.dapr/logs' : ''})`,
  );
  cli = new ManagedProcess('dapr', tc.dapr, ['run', '-f', file], {
    cwd: repoRoot,
    echo: true,
    logFile: join(logDir, 'dapr-run.log'),
    env: { ...process.env, DAPR_SCHEDULER_HOST_ADDRESS_DNS_A: infra.schedulerAddress ?? '' },
  });
  const abortIf = () => cli?.deadReason();
  // The CLI starts its entries one after the other: more instances, longer until the last one is up.
  const timeoutMs = 120_000 + 5_000 * instances.length;
  await Promise.all(
    instances.map(async (a) => {
      const name = instanceName(a);
      await waitUntil(`${name} sidecar`, () => httpOk(`http://127.0.0.1:${a.daprHTTPPort}/v1.0/healthz`), { timeoutMs, abortIf });
      await waitUntil(`${name} app`, () => httpOk(`http://127.0.0.1:${a.appPort}/readyz`), { timeoutMs, abortIf });
    }),
  );
  printTable(infra, instances);
  log(`all ready in ${((Date.now() - started) / 1000).toFixed(1)} s — Ctrl-C stops everything`);
  await cli.exited;
  if (!signalled) log(`dapr run exited (${cli.exitSignal ?? cli.exitCode})`);
  await shutdown(signalled ? 0 : 1);
} catch (err) {
  console.error(`npm start failed: ${(err as Error).message}`);
  await shutdown(1);
}

function instanceName(a: Instance): string {
  return a.replica === 0 ? a.appID : `${a.appID} #${a.replica + 1}`;
}

function printTable(i: Infra, instances: Instance[]): void {
  const rows: [string, string, string][] = [['component', 'address', 'state']];
  for (const h of i.handles) rows.push([h.name, h.url, h.owned ? 'started' : 'already running']);
  for (const a of instances) {
    rows.push([instanceName(a), `http://localhost:${a.appPort}`, `ready (sidecar http://localhost:${a.daprHTTPPort})`]);
  }
  const gateway = instances.find((a) => a.appID === 'gateway' && a.replica === 0);
  if (gateway) {
    rows.push(['storefront', `http://localhost:${gateway.appPort}/`, 'open it in a browser']);
    rows.push(['admin console', `http://localhost:${gateway.appPort}/admin`, 'admins only: npm run create-admin']);
    rows.push(['storefront API', `http://localhost:${gateway.appPort}/api/products`, 'try: curl it']);
  }
  const jaeger = i.handles.find((h) => h.name === 'jaeger');
  if (jaeger) {
    rows.push(['traces (Jaeger query API)', `http://localhost:${jaeger.port}/api/traces?service=orders`, 'README: Observability']);
  }
  for (const a of instances) {
    rows.push([
      `${instanceName(a)} metrics`,
      `http://localhost:${a.metricsPort}/metrics`,
      `sidecar http://localhost:${a.daprMetricsPort}/metrics`,
    ]);
  }
  const w = [0, 1].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log(`\n${rows.map((r) => `  ${r[0].padEnd(w[0]!)}  ${r[1].padEnd(w[1]!)}  ${r[2]}`).join('\n')}\n`);
}
