import { z } from 'zod';
import { appIds, deadLetterKeeper, deadLetterTopic, publishableTopics, subscribableTopics, topicAccess, type AppId } from './access.ts';
import { eventCatalog, topics, type EventSpec, type Topic } from './events.ts';
import { API_VERSION } from './openapi.ts';
import { registryToSchemas, sortKeys, type JsonSchema } from './registry.ts';

/** How Dapr carries every event: a structured-mode CloudEvents 1.0 JSON envelope, the event in `data`. */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

const SCHEMAS = '#/components/schemas/';

type Ref = { $ref: string };

export interface AsyncApiOperation {
  action: 'send' | 'receive';
  channel: Ref;
  title: string;
  summary: string;
  tags: { name: string }[];
  /** The Dapr app-id that sends or receives (also its tag). */
  'x-dapr-app-id': AppId;
}

/** The CloudEvents 1.0 attributes every GlobalMart event carries (Dapr adds topic, pubsubname and the trace context). */
const cloudEventEnvelope: JsonSchema = {
  type: 'object',
  description:
    'CloudEvents 1.0, structured mode (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md): Dapr wraps ' +
    'what a service publishes and delivers it so; the subscriber routes on `type` and deduplicates on `id`.',
  required: ['specversion', 'id', 'source', 'type', 'data'],
  properties: {
    specversion: { const: '1.0' },
    id: { type: 'string', minLength: 1, description: 'Unique per event; redeliveries and replays keep it.' },
    source: { type: 'string', minLength: 1, description: 'The publishing app-id.' },
    type: { type: 'string', description: 'globalmart.<context>.<event>.v<major>: names the schema of `data`.' },
    datacontenttype: { const: 'application/json' },
    time: { type: 'string', format: 'date-time' },
    topic: { type: 'string', description: 'Set by Dapr: the topic the event was published to.' },
    pubsubname: { type: 'string', description: 'Set by Dapr: the pub/sub component.' },
    traceparent: { type: 'string', description: 'W3C trace context, set by Dapr.' },
    tracestate: { type: 'string' },
    data: { type: 'object' },
  },
};

function messagesOf(topic: Topic): Record<string, Ref> {
  const refs: Record<string, Ref> = {};
  for (const spec of Object.values(eventCatalog) as EventSpec[]) {
    if (spec.topic === topic) refs[spec.name] = { $ref: `#/components/messages/${spec.name}` };
  }
  return sortKeys(refs);
}

const list = (apps: readonly string[]) => (apps.length ? apps.join(', ') : 'nobody');

function channels() {
  const out: Record<string, unknown> = {};
  for (const topic of Object.values(topics)) {
    const access = topicAccess[topic];
    out[topic] = {
      address: topic,
      title: `Topic ${topic}`,
      description: `Published by ${list(access.publishers)}; subscribed by ${list(access.subscribers)}. Replays of its dead letters come back here.`,
      messages: messagesOf(topic),
    };
    const dlq = deadLetterTopic(topic);
    out[dlq] = {
      address: dlq,
      title: `Dead letters of ${topic}`,
      description:
        `Events of ${topic} a subscriber could not take (invalid, or still failing after Dapr's retries), moved here ` +
        `unchanged by the subscriber's sidecar; ${deadLetterKeeper} keeps them for the admin list and replay.`,
      messages: messagesOf(topic),
    };
  }
  return sortKeys(out);
}

function operation(app: AppId, action: 'send' | 'receive', channel: string): AsyncApiOperation {
  const dlq = channel.endsWith('-dlq');
  const topic = dlq ? channel.slice(0, -'-dlq'.length) : channel;
  const own = topicAccess[topic as Topic]?.publishers.includes(app) ?? false;
  const summary =
    action === 'receive'
      ? dlq
        ? `Keeps what no subscriber of ${topic} could take (admin list, replay).`
        : `Subscribes to ${topic}: routes each event on its CloudEvent type; types it does not handle are acknowledged.`
      : dlq
        ? `Its sidecar dead-letters the ${topic} events ${app} answered DROP to, or kept failing on.`
        : own
          ? `Publishes its own events to ${topic}.`
          : `Replays a dead letter to ${topic}, the same CloudEvent (id, type, data) as first published.`;
  return {
    action,
    channel: { $ref: `#/channels/${channel}` },
    title: `${app} ${action === 'send' ? 'sends to' : 'receives from'} ${channel}`,
    summary,
    tags: [{ name: app }],
    'x-dapr-app-id': app,
  };
}

/**
 * The AsyncAPI 3.0 document of every topic and event: channels per topic (and its dead-letter topic), a message per
 * CloudEvent type with the same zod schemas as events.schema.json (as draft-07, AsyncAPI's schema dialect), and who
 * sends and receives what from the access table that also scopes pub/sub in Dapr (access.ts).
 */
export function buildAsyncApiDocument() {
  const registry = z.registry<{ id: string; description: string }>();
  const specs = Object.entries(eventCatalog) as [string, EventSpec][];
  for (const [, spec] of specs) registry.add(spec.schema, { id: spec.name, description: spec.description });
  const schemas = { ...registryToSchemas(registry, SCHEMAS, 'draft-07'), CloudEvent: cloudEventEnvelope };

  const messages: Record<string, unknown> = {};
  for (const [type, spec] of specs) {
    messages[spec.name] = {
      name: spec.name,
      title: spec.name,
      summary: spec.description,
      contentType: CLOUDEVENTS_JSON,
      payload: {
        allOf: [
          { $ref: `${SCHEMAS}CloudEvent` },
          {
            type: 'object',
            required: ['data'],
            properties: { type: { const: type }, data: { $ref: `${SCHEMAS}${spec.name}` } },
          },
        ],
      },
      'x-cloudevents-type': type,
    };
  }

  const operations: Record<string, AsyncApiOperation> = {};
  for (const app of appIds) {
    for (const topic of publishableTopics(app)) operations[`${app}.send.${topic}`] = operation(app, 'send', topic);
    for (const topic of subscribableTopics(app)) operations[`${app}.receive.${topic}`] = operation(app, 'receive', topic);
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'GlobalMart events',
      version: API_VERSION,
      description:
        'Every pub/sub topic of GlobalMart and the events on it. Services publish and subscribe through their Dapr ' +
        'sidecar (component `pubsub`: Redis Streams locally, or RabbitMQ, NATS JetStream, MQTT), so no broker ' +
        'address belongs here. Each message is a CloudEvents 1.0 JSON envelope whose `type` names the event and whose ' +
        '`data` follows the event schema (the same zod schemas as events.schema.json). Delivery is at least once: ' +
        'consumers are idempotent by CloudEvent id; one that cannot apply an event yet (e.g. a busy per-key lock, ' +
        'ANALYTICS.BUSY or ORDER.BUSY) answers RETRY, Dapr redelivers and finally dead-letters it to `<topic>-dlq`.',
    },
    defaultContentType: CLOUDEVENTS_JSON,
    channels: channels(),
    operations: sortKeys(operations),
    components: { schemas: sortKeys(schemas), messages: sortKeys(messages) },
  };
}
