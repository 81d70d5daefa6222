// Publishing CloudEvents through a real sidecar, as a producer service would (for tests of consumers).
import { randomUUID } from 'node:crypto';
import { eventCatalog, type EventData, type EventType } from '@globalmart/contracts';

/**
 * POST /v1.0/publish/pubsub/<topic> with a whole CloudEvent (`application/cloudevents+json`): Dapr keeps our `id`,
 * so publishing the same id twice is exactly a broker redelivery as consumers see it.
 */
export async function publishEvent<T extends EventType>(daprUrl: string, type: T, data: EventData<T>, id: string = randomUUID()) {
  return publishRaw(daprUrl, eventCatalog[type].topic, type, data, id);
}

/** The same, for data that need not match the schema (poison events). */
export async function publishRaw(daprUrl: string, topic: string, type: string, data: unknown, id: string = randomUUID()) {
  const res = await fetch(`${daprUrl}/v1.0/publish/pubsub/${topic}`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({ specversion: '1.0', id, source: 'system-test', type, datacontenttype: 'application/json', data }),
  });
  if (res.status !== 204) throw new Error(`publish ${type} → ${res.status}: ${await res.text()}`);
  return id;
}
