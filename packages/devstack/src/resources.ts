import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parseDocument, stringify } from 'yaml';
import { componentsDir, daprConfigDir } from './paths.ts';

export interface ResourceOverrides {
  /** host:port of the Redis behind `statestore` and `pubsub`. */
  redisHost?: string;
  /** Absolute path of the local secrets file behind `secretstore`. */
  secretsFile?: string;
  /** Absolute path of the SQLite file behind Dapr name resolution (one per platform). */
  nameResolutionDb?: string;
  /** The SMTP port behind the `email` binding (this run's MailDev). */
  smtpPort?: number;
  /** Which broker's file becomes `pubsub` (default redis: components/pubsub.yaml itself). */
  broker?: Broker;
  /** The broker's address for `pubsub` (RabbitMQ `connectionString`, JetStream `natsURL`, MQTT `url`); Redis uses `redisHost`. */
  pubsubUrl?: string;
  /** host:port of the OTLP/HTTP trace receiver the sidecars export to (`tracing.otel.endpointAddress`). */
  otlpAddress?: string;
  /** `tracing.samplingRate` instead of dapr-config's '1' (every request traced), e.g. '0.1' as in production. */
  samplingRate?: string;
}

/** The brokers `pubsub` runs on locally. Redis Streams is components/pubsub.yaml; the others are components/brokers/<broker>.yaml. */
export const brokers = ['redis', 'rabbitmq', 'jetstream', 'mqtt'] as const;
export type Broker = (typeof brokers)[number];

/** BROKER=… as a Broker (unset or empty: redis); anything else is a one-line error that lists the choices. */
export function parseBroker(value: string | undefined): Broker {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'redis';
  if ((brokers as readonly string[]).includes(v)) return v as Broker;
  throw new Error(`unknown BROKER=${value}: choose one of ${brokers.join(', ')}`);
}

/**
 * The component file behind `pubsub` for a broker. The alternatives sit in components/brokers/ because daprd reads
 * each resources path without descending into sub-folders, so `dapr run -f .` loads only components/pubsub.yaml.
 */
export function brokerComponentFile(broker: Broker): string {
  return broker === 'redis' ? join(componentsDir, 'pubsub.yaml') : join(componentsDir, 'brokers', `${broker}.yaml`);
}

/** The metadata field that holds each broker's address. */
const brokerAddressField: Record<Broker, string> = {
  redis: 'redisHost',
  rabbitmq: 'connectionString',
  jetstream: 'natsURL',
  mqtt: 'url',
};

interface Metadatum {
  name: string;
  value?: unknown;
}
interface ResourceDoc {
  kind?: string;
  metadata?: { name?: string };
  spec?: { type?: string; metadata?: Metadatum[] };
}

/**
 * Copies components/ and dapr-config/ into `outDir`, pointing them at this run's infrastructure.
 * The committed YAML stays the plain data a developer reads and `dapr run -f .` uses; tests that
 * run their own Redis on a free port get a rendered copy instead of editing the originals.
 */
export function renderResources(
  outDir: string,
  o: ResourceOverrides,
): { resourcesPaths: string[]; configFile: string; configFileFor: (appId: string) => string } {
  const compOut = join(outDir, 'components');
  const cfgOut = join(outDir, 'dapr-config');
  mkdirSync(compOut, { recursive: true });
  mkdirSync(cfgOut, { recursive: true });
  const broker = o.broker ?? 'redis';
  for (const f of readdirSync(componentsDir).filter((n) => /\.ya?ml$/.test(n))) {
    // components/pubsub.yaml is the one `pubsub`: the chosen broker's file takes its place.
    const source = f === 'pubsub.yaml' ? brokerComponentFile(broker) : join(componentsDir, f);
    const docs = parseAllDocuments(readFileSync(source, 'utf8')).map((d) => d.toJS() as ResourceDoc);
    if (f === 'pubsub.yaml' && !docs.some((d) => d.kind === 'Component' && d.metadata?.name === 'pubsub')) {
      throw new Error(`${source} does not define the component \`pubsub\``);
    }
    for (const doc of docs) override(doc, o);
    writeFileSync(join(compOut, f), docs.map((d) => stringify(d)).join('---\n'));
  }
  // dapr-config/*.yaml, and apps/*.yaml: each app's own Configuration (accessControl, secret scopes).
  mkdirSync(join(cfgOut, 'apps'), { recursive: true });
  for (const sub of ['', 'apps']) {
    for (const f of readdirSync(join(daprConfigDir, sub)).filter((n) => /\.ya?ml$/.test(n))) {
      const doc = parseDocument(readFileSync(join(daprConfigDir, sub, f), 'utf8'));
      if (o.otlpAddress && doc.hasIn(['spec', 'tracing', 'otel'])) doc.setIn(['spec', 'tracing', 'otel', 'endpointAddress'], o.otlpAddress);
      if (o.samplingRate !== undefined && doc.hasIn(['spec', 'tracing'])) doc.setIn(['spec', 'tracing', 'samplingRate'], o.samplingRate);
      if (o.nameResolutionDb && doc.hasIn(['spec', 'nameResolution'])) {
        doc.setIn(['spec', 'nameResolution', 'configuration', 'connectionString'], o.nameResolutionDb);
      }
      writeFileSync(join(cfgOut, sub, f), doc.toString());
    }
  }
  return {
    resourcesPaths: [compOut, cfgOut],
    configFile: join(cfgOut, 'config.yaml'),
    configFileFor: (appId) => join(cfgOut, 'apps', `${appId}.yaml`),
  };
}

function override(doc: ResourceDoc, o: ResourceOverrides): void {
  if (doc.kind !== 'Component' || !doc.spec?.metadata) return;
  const isPubsub = doc.metadata?.name === 'pubsub';
  for (const m of doc.spec.metadata) {
    if (o.pubsubUrl && isPubsub && o.broker && o.broker !== 'redis' && m.name === brokerAddressField[o.broker]) m.value = o.pubsubUrl;
    if (o.redisHost && m.name === 'redisHost') m.value = o.redisHost;
    if (o.secretsFile && m.name === 'secretsFile') m.value = o.secretsFile;
    if (o.smtpPort && doc.spec.type === 'bindings.smtp' && m.name === 'port') m.value = String(o.smtpPort);
  }
}
