// Which file becomes `pubsub` for each broker, and what a run overrides in it.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { topics } from '@globalmart/contracts';
import {
  brokerComponentFile,
  brokers,
  componentsDir,
  jetStreamStreams,
  parseBroker,
  renderResources,
  systemBinary,
  type Broker,
} from '../src/index.ts';

interface Doc {
  kind?: string;
  metadata?: { name?: string };
  spec?: { type?: string; metadata?: { name: string; value?: unknown }[] };
  scopes?: string[];
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'devstack-resources-'));
  dirs.push(d);
  return d;
};

/** Every Component the rendered folder holds, as daprd would see them (one level, YAML files only). */
function rendered(dir: string): Doc[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .flatMap((e) => parseAllDocuments(readFileSync(join(dir, e.name), 'utf8')).map((d) => d.toJS() as Doc))
    .filter((d) => d.kind === 'Component');
}
const meta = (doc: Doc, name: string) => doc.spec?.metadata?.find((m) => m.name === name)?.value;
const pubsubOf = (broker: Broker | undefined, extra: { pubsubUrl?: string; redisHost?: string } = {}) => {
  const out = tmp();
  const { resourcesPaths } = renderResources(out, { ...(broker ? { broker } : {}), ...extra });
  const pubsubs = rendered(resourcesPaths[0]!).filter((d) => d.metadata?.name === 'pubsub');
  expect(pubsubs).toHaveLength(1);
  return pubsubs[0]!;
};

const expectedType: Record<Broker, string> = {
  redis: 'pubsub.redis',
  rabbitmq: 'pubsub.rabbitmq',
  jetstream: 'pubsub.jetstream',
  mqtt: 'pubsub.mqtt3',
};

describe('broker selection', () => {
  it('reads BROKER: unset or empty is redis, case does not matter, anything else names the choices', () => {
    expect(parseBroker(undefined)).toBe('redis');
    expect(parseBroker('')).toBe('redis');
    expect(parseBroker('RabbitMQ')).toBe('rabbitmq');
    expect(parseBroker('jetstream')).toBe('jetstream');
    expect(() => parseBroker('kafka')).toThrow('unknown BROKER=kafka: choose one of redis, rabbitmq, jetstream, mqtt');
  });

  it('keeps redis in components/pubsub.yaml and the others in components/brokers/, which daprd does not descend into', () => {
    expect(brokerComponentFile('redis')).toBe(join(componentsDir, 'pubsub.yaml'));
    for (const b of brokers.filter((x) => x !== 'redis')) expect(brokerComponentFile(b)).toBe(join(componentsDir, 'brokers', `${b}.yaml`));
    // The committed components/ folder itself (what `dapr run -f .` loads) holds exactly one `pubsub`: redis.
    const committed = rendered(componentsDir).filter((d) => d.metadata?.name === 'pubsub');
    expect(committed.map((d) => d.spec?.type)).toEqual(['pubsub.redis']);
  });

  it.each(brokers)('%s: its file is named pubsub, with the scopes of components/pubsub.yaml', (broker) => {
    const doc = parse(readFileSync(brokerComponentFile(broker), 'utf8')) as Doc;
    const redis = parse(readFileSync(brokerComponentFile('redis'), 'utf8')) as Doc;
    expect(doc.metadata?.name).toBe('pubsub');
    expect(doc.spec?.type).toBe(expectedType[broker]);
    expect(doc.scopes).toEqual(redis.scopes);
  });

  it('configures every broker for durable, at-least-once consumers per app-id', () => {
    const file = (b: Broker) => parse(readFileSync(brokerComponentFile(b), 'utf8')) as Doc;
    const rabbit = file('rabbitmq');
    expect([meta(rabbit, 'consumerID'), meta(rabbit, 'durable'), meta(rabbit, 'deletedWhenUnused'), meta(rabbit, 'autoAck')]).toEqual([
      '{appID}',
      'true',
      'false',
      'false',
    ]);
    const js = file('jetstream');
    expect([meta(js, 'queueGroupName'), meta(js, 'ackPolicy'), meta(js, 'deliverPolicy'), meta(js, 'durableName')]).toEqual([
      '{appID}',
      'explicit',
      'all',
      undefined,
    ]);
    // Topics and their dead-letter topics are in different streams (one stream would dedupe the dead letter away).
    expect(meta(js, 'streamName')).toBeUndefined();
    const mqtt = file('mqtt');
    expect([meta(mqtt, 'consumerID'), meta(mqtt, 'qos'), meta(mqtt, 'cleanSession')]).toEqual(['{appID}', '1', 'false']);
  });
});

describe('renderResources', () => {
  it.each(brokers)('renders %s as the one pubsub and copies no brokers/ folder', (broker) => {
    const out = tmp();
    const { resourcesPaths } = renderResources(out, { broker });
    const comps = rendered(resourcesPaths[0]!);
    expect(comps.filter((d) => d.metadata?.name === 'pubsub').map((d) => d.spec?.type)).toEqual([expectedType[broker]]);
    expect(readdirSync(resourcesPaths[0]!, { withFileTypes: true }).filter((e) => e.isDirectory())).toEqual([]);
    // The other components are still there (the state store stays on Redis whatever the broker).
    expect(comps.map((d) => d.metadata?.name)).toEqual(expect.arrayContaining(['statestore', 'secretstore']));
  });

  it('defaults to redis', () => {
    expect(pubsubOf(undefined).spec?.type).toBe('pubsub.redis');
  });

  it.each([
    ['rabbitmq', 'connectionString', 'amqp://guest:guest@127.0.0.1:5672/globalmart-abc'],
    ['jetstream', 'natsURL', 'nats://127.0.0.1:41234'],
    ['mqtt', 'url', 'tcp://127.0.0.1:41235'],
  ] as const)('points %s at this run’s broker (%s)', (broker, field, url) => {
    const doc = pubsubOf(broker, { pubsubUrl: url });
    expect(meta(doc, field)).toBe(url);
    // The other fields are the committed file's.
    const committed = parse(readFileSync(brokerComponentFile(broker), 'utf8')) as Doc;
    expect(doc.spec?.metadata?.filter((m) => m.name !== field)).toEqual(committed.spec?.metadata?.filter((m) => m.name !== field));
  });

  it('keeps the committed broker address without an override, and points redis at redisHost only', () => {
    expect(meta(pubsubOf('mqtt'), 'url')).toBe('tcp://127.0.0.1:1883');
    const redis = pubsubOf('redis', { redisHost: '127.0.0.1:40000' });
    expect(meta(redis, 'redisHost')).toBe('127.0.0.1:40000');
    // A pubsubUrl is not a Redis address: the statestore keeps redisHost, not the broker URL.
    const out = tmp();
    const { resourcesPaths } = renderResources(out, { broker: 'rabbitmq', pubsubUrl: 'amqp://x/', redisHost: '127.0.0.1:40001' });
    const state = rendered(resourcesPaths[0]!).find((d) => d.metadata?.name === 'statestore')!;
    expect(meta(state, 'redisHost')).toBe('127.0.0.1:40001');
  });
});

describe('JetStream streams', () => {
  it('keep every topic in one stream and every <topic>-dlq in another, so a dead letter is not deduped as its original', () => {
    const [main, dlq] = jetStreamStreams();
    expect(main!.subjects.sort()).toEqual(Object.values(topics).sort());
    expect(dlq!.subjects.sort()).toEqual(
      Object.values(topics)
        .map((t) => `${t}-dlq`)
        .sort(),
    );
    expect(main!.name).not.toBe(dlq!.name);
  });
});

describe('broker binaries', () => {
  it('finds sbin binaries off PATH, and names the Debian package in one line when one is missing', () => {
    expect(systemBinary('sh', 'dash')).toMatch(/\/sh$/);
    expect(() => systemBinary('no-such-broker-server', 'no-such-broker')).toThrow(
      'no-such-broker-server is required for this broker: install it (apt-get install no-such-broker) or start one yourself.',
    );
  });
});
