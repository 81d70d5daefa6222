// The Dapr Workflow engine's own ceiling on this machine (figures for docs/adr/0002-checkout-saga.md); not a test.
//   node services/orders/test/measure/workflow-ceiling.ts [sagas=200] [concurrency=50]
// The real checkout workflow (its happy path is one activity, `advance`, since issue 9) and the real WorkflowHost, but
// the activity answers at once: no services, no FerretDB. One daprd (no app channel needed: the worker dials the sidecar), Redis, placement, scheduler.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ManagedProcess,
  ensureLocalSecrets,
  ensureToolchain,
  freePort,
  httpOk,
  randomPorts,
  renderResources,
  startInfra,
  waitUntil,
} from '@globalmart/devstack';
import { createLogger } from '@globalmart/platform';
import { activity } from '../../src/checkout.workflow.ts';
import { WorkflowHost } from '../../src/workflow.host.ts';
import { anOrder } from '../fixtures.ts';
import { cpuSecondsByName, snapshot } from '../../../../bench/proc-stats.ts';

const N = Number(process.argv[2] ?? 200);
const CONCURRENCY = Number(process.argv[3] ?? 50);
const workDir = mkdtempSync(join(tmpdir(), 'wf-ceiling-'));
const tc = await ensureToolchain(() => {});
const infra = await startInfra(
  tc,
  await randomPorts(),
  { logDir: join(workDir, 'logs'), dataDir: join(workDir, 'data') },
  { placement: true, scheduler: true },
);
const secretsFile = join(workDir, 'secrets.json');
ensureLocalSecrets(secretsFile);
const { resourcesPaths, configFile } = renderResources(join(workDir, 'resources'), { redisHost: infra.redisHost, secretsFile });
const [httpPort, grpcPort, internalPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
const daprd = new ManagedProcess(
  'daprd',
  tc.daprd,
  [
    ...['--app-id', 'orders', '--dapr-http-port', String(httpPort), '--dapr-grpc-port', String(grpcPort)],
    ...['--dapr-internal-grpc-port', String(internalPort), '--metrics-port', String(metricsPort), '--dapr-listen-addresses', '127.0.0.1'],
    // mTLS with this run's Sentry, as every sidecar since the zero-trust work: placement and the scheduler refuse others.
    ...['--enable-mtls', '--sentry-address', infra.sentry.address],
    ...[
      '--config',
      configFile,
      '--log-level',
      'warn',
      '--placement-host-address',
      infra.placementAddress!,
      '--scheduler-host-address',
      infra.schedulerAddress!,
    ],
    ...resourcesPaths.flatMap((p) => ['--resources-path', p]),
  ],
  { logFile: join(workDir, 'logs', 'daprd.log'), env: { ...process.env, DAPR_TRUST_ANCHORS: infra.sentry.trustAnchors } },
);

/** This process (the worker runs in it) in the CPU figures, beside every process it started (daprd, Redis, placement …). */
const WORKER = 'worker (this node process)';

let host: WorkflowHost | undefined;
try {
  await waitUntil('daprd', () => httpOk(`http://127.0.0.1:${httpPort}/v1.0/healthz/outbound`), { timeoutMs: 60_000 });
  let confirmed = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  host = new WorkflowHost({
    sidecar: { DAPR_HOST: '127.0.0.1', DAPR_GRPC_PORT: grpcPort, DAPR_API_TOKEN: undefined },
    budgets: { paymentWaitSeconds: 120, stepRetrySeconds: 60 },
    activities: {
      [activity.advance]: async () => {
        if (++confirmed === N) allDone();
        return { kind: 'confirmed' };
      },
    },
    maxConcurrency: 200,
    logger: createLogger({ APP_ID: 'wf-ceiling', LOG_LEVEL: 'warn' }),
  });
  await host.connect();
  const orders = Array.from({ length: N }, () => anOrder());
  const before = snapshot({ self: WORKER });
  const startLatency: number[] = [];
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < orders.length) {
        const order = orders[next++]!;
        const s = performance.now();
        await host!.start(order);
        startLatency.push(performance.now() - s);
      }
    }),
  );
  const scheduledS = (performance.now() - t0) / 1000;
  await finished;
  const totalS = (performance.now() - t0) / 1000;
  startLatency.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(startLatency[Math.min(N - 1, Math.floor((p / 100) * N))]!);
  console.log(
    JSON.stringify(
      {
        sagas: N,
        concurrency: CONCURRENCY,
        activities_per_saga: 1,
        start_ms: { p50: pct(50), p99: pct(99) },
        scheduled_in_s: Math.round(scheduledS * 100) / 100,
        all_completed_in_s: Math.round(totalS * 100) / 100,
        sagas_per_s: Math.round((N / totalS) * 10) / 10,
        cpu_seconds: Object.fromEntries(
          [...cpuSecondsByName(before, snapshot({ self: WORKER }))].filter(([, s]) => s > 0.005).map(([n, s]) => [n, +s.toFixed(2)]),
        ),
      },
      null,
      2,
    ),
  );
} finally {
  await host?.stop();
  await daprd.stop();
  await infra.stop();
}
process.exit(0);
