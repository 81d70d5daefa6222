import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { topics } from '@globalmart/contracts';
import { ManagedProcess } from './proc.ts';
import { httpOk, isListening, waitUntil } from './net.ts';
import { serviceNodeOptions } from './sidecar.ts';
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
  /**
   * The data is thrown away after the run (the test harness: a data folder per run). PostgreSQL then skips fsync and
   * synchronous commits: a crash of the machine loses the cluster, which a test run does not care about.
   */
  ephemeral?: boolean;
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

/** The PostgreSQL role FerretDB connects as (trust authentication on loopback: no password) and its database. */
export const postgresRole = 'globalmart';
export const ferretDbDatabase = 'ferretdb';

/** The URL FerretDB's postgresql handler connects to. */
export const postgresUrl = (port: number, database = ferretDbDatabase) => `postgres://${postgresRole}@127.0.0.1:${port}/${database}`;

/**
 * The project's own PostgreSQL cluster behind FerretDB (never the machine's system cluster on 5432): initialised once
 * into <dataDir>/postgres (trust authentication for the role `globalmart`, which is safe because the server listens
 * on 127.0.0.1 only and its Unix socket lives inside that folder), started on `port`, and given the `ferretdb`
 * database. PostgreSQL refuses to run as root: as root, the cluster belongs to the system user `postgres` (Debian's
 * package creates it) and both initdb and the server run as that user through setpriv.
 */
export async function startPostgres(tc: Toolchain, port: number, opts: InfraOptions): Promise<InfraHandle> {
  const pg = tc.postgres;
  const dir = join(opts.dataDir, 'postgres');
  const reusing = opts.reuse && (await isListening(port));
  const owner = reusing ? undefined : serverUser();
  if (!reusing) await initCluster(pg, dir, owner, opts);
  const settings = [
    'listen_addresses=127.0.0.1',
    // A dev box / CI runner with 2 cores: modest memory; FerretDB pools up to 50 connections per cluster.
    'shared_buffers=64MB',
    'max_connections=100',
    'log_min_messages=warning',
    // FerretDB binds the field name as a parameter (`_jsonb->$1 @> $2`) in prepared statements: only a custom plan
    // can match an expression index on `_jsonb->'field'` (a GIN index on it serves the pushed-down equality), a generic one never does.
    'plan_cache_mode=force_custom_plan',
    // Tests only (a data folder per run): durability traded for speed. npm start keeps PostgreSQL's defaults.
    ...(opts.ephemeral ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ];
  const handle = await startOrReuse(
    'postgres',
    port,
    postgresUrl(port),
    opts,
    () => {
      const [cmd, ...args] = asUser(owner, pg.postgres, ['-D', dir, '-p', String(port), '-k', dir, ...settings.flatMap((c) => ['-c', c])]);
      // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for FerretDB's pooled connections to go away).
      return new ManagedProcess('postgres', cmd!, args, { logFile: join(opts.logDir, 'postgres.log'), stopSignal: 'SIGINT' });
    },
    () => pgIsReady(pg, port),
  );
  try {
    await ensureDatabase(pg, port, ferretDbDatabase);
    await installGinTwins(pg, port, ferretDbDatabase);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

/** Who runs the cluster: this user, or (as root, which PostgreSQL refuses) the system user `postgres`. */
function serverUser(): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) {
    throw new Error(
      'PostgreSQL refuses to run as root and there is no system user `postgres` to run it as: install the postgresql package (it creates that user) or run as an ordinary user.',
    );
  }
  return { name: 'postgres', uid: Number(uid), gid: Number(gid) };
}

function asUser(user: ServerUser | undefined, bin: string, args: string[]): string[] {
  if (!user) return [bin, ...args];
  // setpriv (util-linux) execs the program (no extra parent process), so signals reach PostgreSQL directly.
  return [systemBinary('setpriv', 'util-linux'), `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', bin, ...args];
}

async function initCluster(pg: Toolchain['postgres'], dir: string, owner: ServerUser | undefined, opts: InfraOptions): Promise<void> {
  const versionFile = join(dir, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const made = readFileSync(versionFile, 'utf8').trim();
    const have = /\/(\d+)\/bin$/.exec(pg.binDir)?.[1];
    if (have && made !== have) {
      throw new Error(
        `${dir} holds a PostgreSQL ${made} cluster but this machine runs PostgreSQL ${have}: remove that folder (its data is lost).`,
      );
    }
    return;
  }
  mkdirSync(dirname(dir), { recursive: true });
  mkdirSync(dir, { mode: 0o700 });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    letUserReach(dir, owner, [opts.dataDir, tmpdir()]);
  }
  const [cmd, ...args] = asUser(owner, pg.initdb, [
    '-D',
    dir,
    '-U',
    postgresRole,
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
    ...(opts.ephemeral ? ['--no-sync'] : []),
  ]);
  try {
    await execFileAsync(cmd!, args, { timeout: 120_000, cwd: dir });
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    throw new Error(`initdb of the PostgreSQL cluster in ${dir} failed:\n${(stderr ?? String(err)).trim()}`, { cause: err });
  }
}

/**
 * The server user must be able to walk down to its data folder. A parent folder it cannot enter is given search
 * permission (o+x: enter, not list) when it is ours to change — inside the run's data folder or a per-run temporary
 * folder (mkdtemp makes them 0700); anything else is an error naming the folder.
 */
function letUserReach(dir: string, user: ServerUser, changeable: string[]): void {
  const roots = changeable.map((d) => resolve(d));
  for (let d = dirname(resolve(dir)); ; d = dirname(d)) {
    const st = statSync(d);
    const reachable = st.mode & 0o001 || (st.uid === user.uid && st.mode & 0o100) || (st.gid === user.gid && st.mode & 0o010);
    if (!reachable) {
      if (!roots.some((r) => d === r || d.startsWith(r + sep))) {
        throw new Error(
          `PostgreSQL runs as the user ${user.name} (it refuses root), who cannot enter ${d}: chmod o+x ${d}, or keep the data folder elsewhere.`,
        );
      }
      chmodSync(d, st.mode | 0o001);
    }
    if (d === dirname(d)) return;
  }
}

async function pgIsReady(pg: Toolchain['postgres'], port: number): Promise<boolean> {
  try {
    await execFileAsync(pg.pgIsReady, ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', postgresRole, '-d', 'postgres'], {
      timeout: 5_000,
    });
    return true;
  } catch {
    return false;
  }
}

async function ensureDatabase(pg: Toolchain['postgres'], port: number, database: string): Promise<void> {
  const conn = ['-h', '127.0.0.1', '-p', String(port), '-U', postgresRole];
  const { stdout } = await execFileAsync(
    pg.psql,
    [...conn, '-d', 'postgres', '-tAX', '-c', `SELECT 1 FROM pg_database WHERE datname = '${database}'`],
    {
      timeout: 30_000,
    },
  );
  if (stdout.trim() === '1') return;
  try {
    await execFileAsync(pg.createdb, [...conn, database], { timeout: 30_000 });
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    if (!stderr?.includes('already exists'))
      throw new Error(`createdb ${database} on port ${port} failed: ${stderr ?? String(err)}`, { cause: err });
  }
}

/**
 * Makes FerretDB's indexes usable on PostgreSQL: an event trigger that gives each index it creates a GIN twin which
 * can serve its `@>` equality filters (ferretdb-gin-twins.sql says why). Idempotent, run on every start.
 */
async function installGinTwins(pg: Toolchain['postgres'], port: number, database: string): Promise<void> {
  const sql = fileURLToPath(new URL('./ferretdb-gin-twins.sql', import.meta.url));
  try {
    await execFileAsync(
      pg.psql,
      ['-h', '127.0.0.1', '-p', String(port), '-U', postgresRole, '-d', database, '-qX', '-v', 'ON_ERROR_STOP=1', '-f', sql],
      {
        timeout: 30_000,
      },
    );
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    throw new Error(`installing FerretDB's GIN index twins on port ${port} failed: ${stderr ?? String(err)}`, { cause: err });
  }
}

/** FerretDB (the MongoDB wire protocol the services speak) on its postgresql handler, storing into `postgresqlUrl`. */
export async function startFerretDb(tc: Toolchain, port: number, postgresqlUrl: string, opts: InfraOptions): Promise<InfraHandle> {
  return startOrReuse(
    'ferretdb',
    port,
    `mongodb://127.0.0.1:${port}/`,
    opts,
    () =>
      new ManagedProcess(
        'ferretdb',
        tc.ferretdb,
        ['--listen-addr', `127.0.0.1:${port}`, '--handler', 'postgresql', '--postgresql-url', postgresqlUrl],
        { logFile: join(opts.logDir, 'ferretdb.log') },
      ),
    () => isListening(port),
  );
}

/** Where Sentry keeps its CA (it generates a self-signed root and issuer there on first start) and what others need of it. */
export interface SentryTls {
  /** host:port of Sentry's gRPC API (daprd, placement and scheduler ask it for their certificates). */
  address: string;
  /** The root certificate file: placement and scheduler's --trust-anchors-file. */
  trustAnchorsFile: string;
}

export function sentryTls(port: number, credentialsDir: string): SentryTls {
  return { address: `127.0.0.1:${port}`, trustAnchorsFile: join(credentialsDir, 'ca.crt') };
}

/** A control-plane process's gRPC and healthz ports, on loopback (Dapr 1.18.2 ignores the healthz address: docs/security.md). */
const controlPlaneListeners = (port: number, healthzPort: number): string[] => [
  '--port',
  String(port),
  '--listen-address',
  '127.0.0.1',
  '--healthz-port',
  String(healthzPort),
  '--healthz-listen-address',
  '127.0.0.1',
  '--enable-metrics=false',
];

/** The control plane's TLS flags for placement and scheduler (their gRPC servers require mTLS once Sentry runs). */
const controlPlaneTls = (tls: SentryTls | undefined): string[] =>
  tls ? ['--tls-enabled', '--trust-anchors-file', tls.trustAnchorsFile, '--sentry-address', tls.address] : [];

/**
 * Dapr's certificate authority. It issues every sidecar a SPIFFE certificate for its app-id, which mTLS between
 * sidecars and the accessControl policies rest on. Self-hosted, it generates its root and issuer into
 * `credentialsDir` at first start and keeps them (npm start: .data/sentry; the harness: one per run).
 */
export async function startSentry(
  tc: Toolchain,
  p: { port: number; healthzPort: number },
  credentialsDir: string,
  configFile: string,
  opts: InfraOptions,
): Promise<InfraHandle> {
  mkdirSync(credentialsDir, { recursive: true, mode: 0o700 });
  const tls = sentryTls(p.port, credentialsDir);
  return startOrReuse(
    'sentry',
    p.port,
    tls.address,
    opts,
    () =>
      new ManagedProcess(
        'sentry',
        tc.sentry,
        [
          ...controlPlaneListeners(p.port, p.healthzPort),
          '--mode',
          'standalone',
          '--issuer-credentials',
          credentialsDir,
          '--config',
          configFile,
        ],
        { logFile: join(opts.logDir, 'sentry.log') },
      ),
    async () => (await httpOk(`http://127.0.0.1:${p.healthzPort}/healthz`)) && existsSync(tls.trustAnchorsFile),
  );
}

export async function startPlacement(
  tc: Toolchain,
  { port, healthzPort, raftPort }: { port: number; healthzPort: number; raftPort: number },
  opts: InfraOptions,
  tls?: SentryTls,
): Promise<InfraHandle> {
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
          ...controlPlaneListeners(port, healthzPort),
          '--initial-cluster',
          `dapr-placement-0=127.0.0.1:${raftPort}`,
          ...controlPlaneTls(tls),
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

export async function startScheduler(tc: Toolchain, p: SchedulerPorts, opts: InfraOptions, tls?: SentryTls): Promise<InfraHandle> {
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
          ...controlPlaneListeners(p.port, p.healthzPort),
          '--etcd-data-dir',
          dir,
          '--etcd-client-port',
          String(p.etcdClientPort),
          '--etcd-client-listen-address',
          '127.0.0.1',
          '--etcd-initial-cluster',
          `dapr-scheduler-server-0=http://127.0.0.1:${p.etcdPeerPort}`,
          ...controlPlaneTls(tls),
          // Its own certificate goes to this run's folder, not the shared /tmp default (parallel platforms).
          '--identity-directory-write',
          join(opts.dataDir, 'scheduler-tls'),
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
        // The services' V8 settings (sidecar.ts): MailDev is a Node app like them.
        [...serviceNodeOptions.split(' '), bin, '--smtp', String(smtpPort), '--web', String(webPort), '--ip', '127.0.0.1', '--silent'],
        { logFile: join(opts.logDir, 'maildev.log') },
      ),
    () => httpOk(`http://127.0.0.1:${webPort}/healthz`).catch(() => httpOk(`http://127.0.0.1:${webPort}/`)),
  );
  return { ...handle, name: `maildev (smtp ${smtpPort})` };
}

// ---------------------------------------------------------------------------------------------------------------------
// Brokers behind `pubsub` other than Redis (components/brokers/*.yaml). Each is found on its port or started here, and
// only what was started here is stopped. The test harness isolates every run: RabbitMQ is one shared server (too slow to
// start per run) with a vhost per run; NATS and Mosquitto are cheap, so every run gets a private server on a free port.

const execFileAsync = promisify(execFile);

/** A system binary (brokers install into sbin, which is not on every user's PATH), or a one-line error naming its Debian package. */
export function systemBinary(bin: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return join(dir, bin);
    } catch {
      // not in this folder
    }
  }
  throw new Error(`${bin} is required for this broker: install it (apt-get install ${debianPackage}) or start one yourself.`);
}

const rabbitmqctl = async (...args: string[]) => {
  const { stdout } = await execFileAsync(systemBinary('rabbitmqctl', 'rabbitmq-server'), ['-q', ...args], { timeout: 60_000 });
  return stdout;
};

/**
 * RabbitMQ on `port`: the running server, or `rabbitmq-server` started here (and stopped by `stop`). With `reuse`
 * (npm start) the default vhost `/` is used; otherwise (tests) this run gets its own vhost, deleted by `stop`, so that
 * runs on one machine never see each other's exchanges, queues or messages.
 */
export async function startRabbitMq(port: number, opts: InfraOptions): Promise<InfraHandle> {
  let server: ManagedProcess | undefined;
  if (!(await isListening(port))) {
    const bin = systemBinary('rabbitmq-server', 'rabbitmq-server');
    server = new ManagedProcess('rabbitmq', bin, [], {
      logFile: join(opts.logDir, 'rabbitmq.log'),
      env: { ...process.env, RABBITMQ_NODE_PORT: String(port), RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1' },
    });
    const proc = server;
    await waitUntil(`rabbitmq on port ${port}`, () => isListening(port), { timeoutMs: 120_000, abortIf: () => proc.deadReason() });
  }
  const stopServer = async () => {
    await server?.stop(30_000);
  };
  let vhost = '';
  if (!opts.reuse) {
    vhost = `globalmart-${randomBytes(6).toString('hex')}`;
    try {
      await rabbitmqctl('add_vhost', vhost);
      await rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
    } catch (err) {
      await stopServer();
      throw new Error(`could not create the RabbitMQ vhost ${vhost} with rabbitmqctl: ${(err as Error).message}`, { cause: err });
    }
  }
  return {
    name: vhost ? `rabbitmq (vhost ${vhost})` : 'rabbitmq',
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}/${vhost}`,
    owned: server !== undefined,
    ...(server ? { process: server } : {}),
    stop: async () => {
      if (vhost) await rabbitmqctl('delete_vhost', vhost).catch(() => {});
      await stopServer();
    },
  };
}

/**
 * The JetStream streams behind `pubsub` (Dapr never creates one): `globalmart` keeps every topic of the event catalogue,
 * `globalmart-dlq` every `<topic>-dlq`. Two streams, because JetStream dedupes by message id per stream and Dapr
 * publishes a dead-lettered event with its original CloudEvent id as Nats-Msg-Id: in one stream, the dead letter
 * arriving within the duplicate window (2 min) of the original would be dropped as a duplicate. The component names
 * no streamName: Dapr finds each subscription's stream by its subject.
 */
export function jetStreamStreams(): JetStreamStreamConfig[] {
  const names = Object.values(topics);
  const stream = (name: string, subjects: string[]): JetStreamStreamConfig => ({
    name,
    subjects,
    storage: 'file',
    retention: 'limits',
    // Consumers start from the first message kept (deliverPolicy all): this bounds what a restarted app sees again.
    max_age: 24 * 3600 * 1e9,
    num_replicas: 1,
  });
  return [
    stream('globalmart', names),
    stream(
      'globalmart-dlq',
      names.map((t) => `${t}-dlq`),
    ),
  ];
}

export interface JetStreamStreamConfig {
  name: string;
  subjects: string[];
  storage: 'file';
  retention: 'limits';
  max_age: number;
  num_replicas: number;
}

/** NATS with JetStream on `port` (found, or `nats-server -js` started here with its store in dataDir), with the streams. */
export async function startNats(port: number, opts: InfraOptions): Promise<InfraHandle> {
  const dir = join(opts.dataDir, 'nats');
  const handle = await startOrReuse(
    'nats (jetstream)',
    port,
    `nats://127.0.0.1:${port}`,
    opts,
    () => {
      mkdirSync(dir, { recursive: true });
      return new ManagedProcess(
        'nats',
        systemBinary('nats-server', 'nats-server'),
        ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir],
        {
          logFile: join(opts.logDir, 'nats.log'),
        },
      );
    },
    () => isListening(port),
  );
  try {
    for (const stream of jetStreamStreams()) await ensureJetStreamStream(port, stream);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

interface JsApiAnswer {
  error?: { code: number; err_code?: number; description?: string };
}

/** Creates the stream, or updates its subjects when topics were added. One JetStream API request each, over NATS's text protocol. */
export async function ensureJetStreamStream(port: number, stream: JetStreamStreamConfig): Promise<void> {
  const info = (await natsRequest(port, `$JS.API.STREAM.INFO.${stream.name}`, '')) as JsApiAnswer & { config?: { subjects?: string[] } };
  let action: 'CREATE' | 'UPDATE' = 'CREATE';
  if (!info.error) {
    const have = [...(info.config?.subjects ?? [])].sort().join(' ');
    if (have === [...stream.subjects].sort().join(' ')) return;
    action = 'UPDATE';
  } else if (info.error.code !== 404) {
    throw new Error(`JetStream on port ${port}: ${info.error.description ?? JSON.stringify(info.error)}`);
  }
  const answer = (await natsRequest(port, `$JS.API.STREAM.${action}.${stream.name}`, JSON.stringify(stream))) as JsApiAnswer;
  if (answer.error) {
    throw new Error(
      `could not ${action.toLowerCase()} the JetStream stream ${stream.name} on port ${port}: ${answer.error.description ?? ''}`,
    );
  }
}

/** One NATS request/reply: CONNECT, SUB an inbox, PUB with that reply subject, wait for the MSG. */
function natsRequest(port: number, subject: string, payload: string, timeoutMs = 5_000): Promise<unknown> {
  const inbox = `_INBOX.globalmart.${randomBytes(8).toString('hex')}`;
  return new Promise((resolveAnswer, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no JetStream answer to ${subject} on port ${port}: is nats-server running with -js?`));
    }, timeoutMs);
    const finish = (err: Error | undefined, value?: unknown) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolveAnswer(value);
    };
    sock.once('connect', () => {
      const body = Buffer.from(payload, 'utf8');
      sock.write(`CONNECT {"verbose":false,"pedantic":false,"name":"globalmart-devstack"}\r\nSUB ${inbox} 1\r\n`);
      sock.write(`PUB ${subject} ${inbox} ${body.length}\r\n`);
      sock.write(Buffer.concat([body, Buffer.from('\r\n')]));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const text = buf.toString('latin1');
      const err = /^-ERR (.*)\r\n/m.exec(text);
      if (err) return finish(new Error(`NATS on port ${port}: ${err[1]}`));
      if (/^PING\r\n/m.test(text)) sock.write('PONG\r\n');
      const head = new RegExp(`MSG ${inbox.replace(/\./g, '\\.')} 1 (\\d+)\r\n`).exec(text);
      if (!head) return;
      const start = head.index + head[0].length;
      const len = Number(head[1]);
      if (buf.length < start + len) return;
      try {
        finish(undefined, JSON.parse(buf.subarray(start, start + len).toString('utf8')));
      } catch (e) {
        finish(e as Error);
      }
    });
    sock.once('error', (e) => finish(e));
  });
}

/**
 * Mosquitto on `port` (found, or started here from a minimal config: loopback, anonymous, sessions persisted in
 * dataDir so that a stopped app's queued QoS 1 messages survive a broker restart too).
 */
export async function startMosquitto(port: number, opts: InfraOptions): Promise<InfraHandle> {
  const dir = join(opts.dataDir, 'mosquitto');
  return startOrReuse(
    'mosquitto (mqtt)',
    port,
    `tcp://127.0.0.1:${port}`,
    opts,
    () => {
      const bin = systemBinary('mosquitto', 'mosquitto');
      mkdirSync(dir, { recursive: true });
      const conf = join(dir, 'mosquitto.conf');
      writeFileSync(
        conf,
        [
          `listener ${port} 127.0.0.1`,
          'allow_anonymous true',
          'persistence true',
          `persistence_location ${dir}/`,
          // Started as root, Mosquitto would switch to the user `mosquitto`, who cannot write the persistence folder.
          `user ${userInfo().username}`,
          'log_dest stdout',
          '',
        ].join('\n'),
      );
      return new ManagedProcess('mosquitto', bin, ['-c', conf], { logFile: join(opts.logDir, 'mosquitto.log') });
    },
    () => isListening(port),
  );
}
