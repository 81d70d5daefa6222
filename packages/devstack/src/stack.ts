import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort } from './net.ts';
import { daprConfigDir, repoRoot } from './paths.ts';
import {
  startFerretDb,
  startMaildev,
  startMosquitto,
  startNats,
  startPlacement,
  startPostgres,
  postgresUrl,
  startRabbitMq,
  sentryTls,
  startRedis,
  startScheduler,
  startSentry,
  type SentryTls,
  type InfraHandle,
  type InfraOptions,
} from './infra.ts';
import type { Broker } from './resources.ts';
import type { Toolchain } from './toolchain.ts';

export interface InfraPorts {
  redis: number;
  /** The project's own PostgreSQL cluster behind FerretDB (never the system one on 5432). */
  postgres: number;
  ferretdb: number;
  sentry: number;
  sentryHealthz: number;
  placement: number;
  placementHealthz: number;
  /** Placement's raft peer port (a fixed 8201 would collide between a test run and npm start). */
  placementRaft: number;
  scheduler: number;
  schedulerHealthz: number;
  schedulerEtcdClient: number;
  schedulerEtcdPeer: number;
  smtp: number;
  maildevWeb: number;
  rabbitmq: number;
  nats: number;
  mqtt: number;
}

/**
 * The well-known local ports (`dapr init` defaults for placement and scheduler; MailDev's 1025/1080). PostgreSQL on
 * 5442: below the Linux ephemeral range (32768+) and beside, not on, a system cluster's 5432.
 */
export const defaultPorts: InfraPorts = {
  redis: 6379,
  postgres: 5442,
  ferretdb: 27017,
  sentry: 50001,
  sentryHealthz: 58083,
  placement: 50005,
  placementHealthz: 58081,
  placementRaft: 8201,
  scheduler: 50006,
  schedulerHealthz: 58082,
  schedulerEtcdClient: 52379,
  schedulerEtcdPeer: 52380,
  smtp: 1025,
  maildevWeb: 1080,
  rabbitmq: 5672,
  nats: 4222,
  mqtt: 1883,
};

export async function randomPorts(): Promise<InfraPorts> {
  const keys = Object.keys(defaultPorts) as (keyof InfraPorts)[];
  const ports = await Promise.all(keys.map(() => freePort()));
  // RabbitMQ is the machine's one server (a run gets its own vhost instead of its own server).
  return { ...(Object.fromEntries(keys.map((k, i) => [k, ports[i]!])) as unknown as InfraPorts), rabbitmq: defaultPorts.rabbitmq };
}

export interface Infra {
  ports: InfraPorts;
  handles: InfraHandle[];
  redisHost: string;
  mongoUrl: string;
  /** FerretDB's PostgreSQL database, for looking under it (psql, EXPLAIN of what FerretDB pushes down). */
  postgresUrl: string;
  placementAddress?: string;
  schedulerAddress?: string;
  /** Sentry, the CA behind mTLS between sidecars (always on: accessControl identifies callers by certificate). */
  sentry: SentryTls & { trustAnchors: string };
  smtpPort?: number;
  /** MailDev's web UI and REST API (GET /email lists what arrived). */
  maildevUrl?: string;
  /** The broker behind `pubsub`. */
  broker: Broker;
  /** Its address for the component (amqp://…/<vhost>, nats://…, tcp://…); Redis: `redisHost`. */
  pubsubUrl?: string;
  stop(): Promise<void>;
}

export interface InfraWants {
  placement?: boolean;
  scheduler?: boolean;
  maildev?: boolean;
  /** The broker behind `pubsub` (default redis, which runs anyway for the state store). */
  broker?: Broker;
  /** Where Sentry keeps its CA (default <dataDir>/sentry). */
  sentryCredentialsDir?: string;
}

function startBroker(broker: Broker, ports: InfraPorts, opts: InfraOptions): Promise<InfraHandle> | undefined {
  switch (broker) {
    case 'rabbitmq':
      return startRabbitMq(ports.rabbitmq, opts);
    case 'jetstream':
      return startNats(ports.nats, opts);
    case 'mqtt':
      return startMosquitto(ports.mqtt, opts);
    case 'redis':
      return undefined;
  }
}

/** Starts (or, with `reuse`, finds) what the services need, in dependency order; stops in reverse. */
export async function startInfra(tc: Toolchain, ports: InfraPorts, opts: InfraOptions, wants: InfraWants = {}): Promise<Infra> {
  const handles: InfraHandle[] = [];
  const broker = wants.broker ?? 'redis';
  let pubsubUrl: string | undefined;
  const stop = async () => {
    for (const h of handles.reverse()) await h.stop();
  };
  const credentialsDir = wants.sentryCredentialsDir ?? join(opts.dataDir, 'sentry');
  const tls = sentryTls(ports.sentry, credentialsDir);
  try {
    // Sentry first: placement and scheduler ask it for their own certificates at start.
    handles.push(
      await startSentry(
        tc,
        { port: ports.sentry, healthzPort: ports.sentryHealthz },
        credentialsDir,
        join(daprConfigDir, 'config.yaml'),
        opts,
      ),
    );
    const starts: Promise<InfraHandle>[] = [
      startRedis(tc, ports.redis, opts),
      // FerretDB after its PostgreSQL (pushed first, so stopped last).
      startPostgres(tc, ports.postgres, opts).then((pg) => {
        handles.push(pg);
        return startFerretDb(tc, ports.ferretdb, postgresUrl(ports.postgres), opts);
      }),
    ];
    if (wants.placement)
      starts.push(
        startPlacement(tc, { port: ports.placement, healthzPort: ports.placementHealthz, raftPort: ports.placementRaft }, opts, tls),
      );
    if (wants.scheduler) {
      starts.push(
        startScheduler(
          tc,
          {
            port: ports.scheduler,
            healthzPort: ports.schedulerHealthz,
            etcdClientPort: ports.schedulerEtcdClient,
            etcdPeerPort: ports.schedulerEtcdPeer,
          },
          opts,
          tls,
        ),
      );
    }
    if (wants.maildev) starts.push(startMaildev(ports.smtp, ports.maildevWeb, opts));
    const brokerStart = startBroker(broker, ports, opts);
    if (brokerStart) {
      starts.push(
        brokerStart.then((h) => {
          pubsubUrl = h.url;
          return h;
        }),
      );
    }
    const settled = await Promise.allSettled(starts);
    for (const s of settled) if (s.status === 'fulfilled') handles.push(s.value);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ports,
    handles,
    redisHost: `127.0.0.1:${ports.redis}`,
    mongoUrl: `mongodb://127.0.0.1:${ports.ferretdb}`,
    postgresUrl: postgresUrl(ports.postgres),
    ...(wants.placement ? { placementAddress: `127.0.0.1:${ports.placement}` } : {}),
    ...(wants.scheduler ? { schedulerAddress: `127.0.0.1:${ports.scheduler}` } : {}),
    sentry: { ...tls, trustAnchors: readFileSync(tls.trustAnchorsFile, 'utf8') },
    ...(wants.maildev ? { smtpPort: ports.smtp, maildevUrl: `http://127.0.0.1:${ports.maildevWeb}` } : {}),
    broker,
    ...(pubsubUrl ? { pubsubUrl } : {}),
    stop,
  };
}

export interface RunFileApp {
  appID: string;
  appDirPath: string;
  appPort?: number;
  daprHTTPPort?: number;
  env?: Record<string, string>;
}

/** dapr.yaml is the one list of apps (ids, ports, env): the harness and the start script read it too. */
export function readRunFile(): { apps: RunFileApp[]; commonEnv: Record<string, string> } {
  const doc = parse(readFileSync(join(repoRoot, 'dapr.yaml'), 'utf8')) as { common?: { env?: Record<string, string> }; apps: RunFileApp[] };
  return { apps: doc.apps, commonEnv: doc.common?.env ?? {} };
}
