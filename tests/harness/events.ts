// Publishing CloudEvents through a real sidecar, as a producer service would (for tests of consumers).
import { randomUUID } from 'node:crypto';
import { appIds, eventCatalog, publishableTopics, type EventData, type EventType } from '@globalmart/contracts';
import type { Platform } from './platform.ts';

/**
 * POST /v1.0/publish/pubsub/<topic> with a whole CloudEvent (`application/cloudevents+json`): Dapr keeps our `id`,
 * so publishing the same id twice is exactly a broker redelivery as consumers see it. Published through the sidecar of
 * an app the publishing scopes allow (a running one, else a bare sidecar with that app-id), as that app would.
 */
export async function publishEvent<T extends EventType>(platform: Platform, type: T, data: EventData<T>, id: string = randomUUID()) {
  return publishRaw(platform, eventCatalog[type].topic, type, data, id);
}

/** The app whose sidecar publishes to `topic`: a running one the scopes allow, else the topic's first publisher. */
export function publisherOf(platform: Platform, topic: string): string {
  const allowed = appIds.filter((a) => publishableTopics(a).includes(topic));
  const app = allowed.find((a) => platform.apps[a]) ?? allowed[0];
  if (!app) throw new Error(`no app may publish to ${topic}`);
  return app;
}

/** The same, for data that need not match the schema (poison events); `via` picks the publishing app. */
export async function publishRaw(platform: Platform, topic: string, type: string, data: unknown, id: string = randomUUID(), via?: string) {
  const sidecar = await platform.sidecarOf(via ?? publisherOf(platform, topic));
  const res = await fetch(`${sidecar.daprUrl}/v1.0/publish/pubsub/${topic}`, {
    method: 'POST',
    headers: { ...sidecar.daprHeaders, 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({ specversion: '1.0', id, source: 'system-test', type, datacontenttype: 'application/json', data }),
  });
  if (res.status !== 204) throw new Error(`publish ${type} → ${res.status}: ${await res.text()}`);
  return id;
}
