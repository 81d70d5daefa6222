import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ManagedProcess } from './proc.ts';
import { httpOk, isListening, waitUntil } from './net.ts';
import type { Toolchain } from './toolchain.ts';

/** One piece of infrastructure: either started here (and stopped by `stop`) or found already running. */
export interface InfraHandle {
  name: string;
  port: number;
  url: string;
  owned: boolean;
  process?: ManagedProcess;
  stop(): Promise<void>;
}

export interface InfraOptions {
  logDir: string;
  dataDir: string;
  /** Reuse whatever already listens on the port (npm start) instead of insisting on a fresh one (tests). */
  reuse?: boolean;
}

async function startOrReuse(
  name: string,
  port: number,
  url: string,
  opts: InfraOptions,
  launch: () => ManagedProcess,
  ready: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<InfraHandle> {
  if (opts.reuse && (await isListening(port))) {
    return { name, port, url, owned: false, stop: async () => {} };
  }
  const proc = launch();
  await waitUntil(`${name} on port ${port}`, ready, { timeoutMs, abortIf: () => proc.deadReason() });
  return { name, port, url, owned: true, process: proc, stop: () => proc.stop() };
}

export async function startRedis(tc: Toolchain, port: number, opts: InfraOptions): Promise<InfraHandle> {
  if (!tc.redisServer && !(opts.reuse && (await isListening(port)))) {
    throw new Error(`Redis is required: install it (apt-get install redis-server) or start one on port ${port}.`);
  }
  return startOrReuse(
    'redis',
    port,
    `redis://127.0.0.1:${port}`,
    opts,
    () =>
      new ManagedProcess('redis', tc.redisServer!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        logFile: join(opts.logDir, 'redis.log'),
      }),
    () => isListening(port),
  );
}

export async function startFerretDb(tc: Toolchain, port: number, opts: InfraOptions): Promise<InfraHandle> {
  const dir = join(opts.dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true });
  return startOrReuse(
    'ferretdb',
    port,
    `mongodb://127.0.0.1:${port}/`,
    opts,
    () =>
      new ManagedProcess('ferretdb', tc.ferretdb, ['--listen-addr', `127.0.0.1:${port}`, '--sqlite-dir', dir], {
        logFile: join(opts.logDir, 'ferretdb.log'),
      }),
    () => isListening(port),
  );
}

export async function startPlacement(tc: Toolchain, port: number, healthzPort: number, opts: InfraOptions): Promise<InfraHandle> {
  return startOrReuse(
    'placement',
    port,
    `127.0.0.1:${port}`,
    opts,
    () =>
      new ManagedProcess(
        'placement',
        tc.placement,
        [
          '--port',
          String(port),
          '--listen-address',
          '127.0.0.1',
          '--healthz-port',
          String(healthzPort),
          '--healthz-listen-address',
          '127.0.0.1',
          '--enable-metrics=false',
        ],
        { logFile: join(opts.logDir, 'placement.log') },
      ),
    () => httpOk(`http://127.0.0.1:${healthzPort}/healthz`),
  );
}

export interface SchedulerPorts {
  port: number;
  healthzPort: number;
  etcdClientPort: number;
  etcdPeerPort: number;
}

export async function startScheduler(tc: Toolchain, p: SchedulerPorts, opts: InfraOptions): Promise<InfraHandle> {
  const dir = join(opts.dataDir, 'scheduler');
  mkdirSync(dir, { recursive: true });
  return startOrReuse(
    'scheduler',
    p.port,
    `127.0.0.1:${p.port}`,
    opts,
    () =>
      new ManagedProcess(
        'scheduler',
        tc.scheduler,
        [
          '--port',
          String(p.port),
          '--listen-address',
          '127.0.0.1',
          '--healthz-port',
          String(p.healthzPort),
          '--healthz-listen-address',
          '127.0.0.1',
          '--enable-metrics=false',
          '--etcd-data-dir',
          dir,
          '--etcd-client-port',
          String(p.etcdClientPort),
          '--etcd-client-listen-address',
          '127.0.0.1',
          '--etcd-initial-cluster',
          `dapr-scheduler-server-0=http://127.0.0.1:${p.etcdPeerPort}`,
        ],
        { logFile: join(opts.logDir, 'scheduler.log') },
      ),
    () => httpOk(`http://127.0.0.1:${p.healthzPort}/healthz`),
    120_000,
  );
}

export async function startMaildev(smtpPort: number, webPort: number, opts: InfraOptions): Promise<InfraHandle> {
  const bin = createRequire(import.meta.url).resolve('maildev/bin/maildev');
  const handle = await startOrReuse(
    'maildev',
    webPort,
    `http://127.0.0.1:${webPort}`,
    opts,
    () =>
      new ManagedProcess(
        'maildev',
        process.execPath,
        [bin, '--smtp', String(smtpPort), '--web', String(webPort), '--ip', '127.0.0.1', '--silent'],
        { logFile: join(opts.logDir, 'maildev.log') },
      ),
    () => httpOk(`http://127.0.0.1:${webPort}/healthz`).catch(() => httpOk(`http://127.0.0.1:${webPort}/`)),
  );
  return { ...handle, name: `maildev (smtp ${smtpPort})` };
}
