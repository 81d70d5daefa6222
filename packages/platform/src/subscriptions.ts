import { eventCatalog, topics, type EventData, type EventType } from '@globalmart/contracts';
import { Router } from 'express';
import type { Logger } from './logger.ts';
import { platformMetrics } from './metrics.ts';

/** What a handler tells Dapr: done, deliver again later, or never deliver again (to the dead-letter topic). */
export type DeliveryStatus = 'SUCCESS' | 'RETRY' | 'DROP';

export interface EventMeta {
  id?: string;
  type: string;
}

/** Returns nothing for SUCCESS; a thrown error means RETRY (Dapr's inbound resiliency policy, then the DLQ). */
export type EventHandler<T extends EventType> = (data: EventData<T>, meta: EventMeta) => Promise<DeliveryStatus | void>;

/**
 * What Dapr delivers on a dead-letter topic: the original message as it was published (the sidecar re-publishes
 * the bytes it could not deliver), so the CloudEvent keeps its id, type, source, time and `topic` attribute.
 */
export interface DeadLetterEvent {
  /** The topic the event was published to (the dead-letter topic without `-dlq`). */
  topic: string;
  deadLetterTopic: string;
  /** CloudEvent id and type; undefined only when the dead-lettered message was not a CloudEvent. */
  id: string | undefined;
  type: string | undefined;
  data: unknown;
  /** The whole envelope (source, time, traceparent, ...). */
  cloudEvent: Record<string, unknown>;
}

/** Returns nothing for SUCCESS; a thrown error means RETRY. A dead-letter topic has no dead-letter topic of its own. */
export type DeadLetterHandler = (event: DeadLetterEvent) => Promise<DeliveryStatus | void>;

const DLQ_SUFFIX = '-dlq';

/** `data`, or `data_base64` decoded (JSON when it parses), as CloudEvents 1.0 carries a binary payload. */
function cloudEventData(ce: Record<string, unknown>): unknown {
  if (ce.data !== undefined || typeof ce.data_base64 !== 'string') return ce.data;
  const text = Buffer.from(ce.data_base64, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `/events/order-placed` for OrderPlaced: a readable route per event. */
const routeFor = (name: string) => `/events/${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;

/**
 * Programmatic Dapr subscriptions from the event catalogue: topic and schema come from @globalmart/contracts,
 * never re-declared by a consumer. One subscription per topic with CloudEvents `type` routing rules, a default
 * route that acknowledges other types, and `<topic>-dlq` as dead-letter topic. Invalid data is dropped (to the
 * DLQ, logged), a handler that throws is retried.
 */
export class Subscriptions {
  readonly #logger: Logger;
  readonly #pubsubName: string;
  readonly #handlers = new Map<
    string,
    { route: string; topic: string; handle: (body: { id?: string; time?: unknown; data?: unknown }) => Promise<DeliveryStatus> }
  >();
  readonly #deadLetterTopics: { topic: string; route: string; handle: (body: Record<string, unknown>) => Promise<DeliveryStatus> }[] = [];

  constructor(logger: Logger, pubsubName = 'pubsub') {
    this.#logger = logger;
    this.#pubsubName = pubsubName;
  }

  on<T extends EventType>(type: T, handler: EventHandler<T>): this {
    const spec = eventCatalog[type];
    const log = this.#logger;
    // Zero rather than absent until the first retry (see platformMetrics).
    platformMetrics().eventsRetried.add(0, { topic: spec.topic, type });
    this.#handlers.set(type, {
      route: routeFor(spec.name),
      topic: spec.topic,
      handle: async (body) => {
        const labels = { topic: spec.topic, type };
        const published = typeof body.time === 'string' ? Date.parse(body.time) : NaN;
        if (Number.isFinite(published)) platformMetrics().eventLag.record(Math.max(0, Date.now() - published) / 1000, labels);
        const parsed = spec.schema.safeParse(body.data);
        if (!parsed.success) {
          log.warn({ event_id: body.id, type, issues: parsed.error.issues }, `invalid ${spec.name} dropped`);
          platformMetrics().eventsConsumed.add(1, { ...labels, outcome: 'dropped' });
          return 'DROP';
        }
        try {
          const status = (await handler(parsed.data as EventData<T>, { id: body.id, type })) ?? 'SUCCESS';
          if (status === 'RETRY') platformMetrics().eventsRetried.add(1, labels);
          else platformMetrics().eventsConsumed.add(1, { ...labels, outcome: status === 'DROP' ? 'dropped' : 'applied' });
          return status;
        } catch (err) {
          log.warn({ err, event_id: body.id, type }, `${spec.name} not applied yet; Dapr will redeliver`);
          platformMetrics().eventsRetried.add(1, labels);
          return 'RETRY';
        }
      },
    });
    return this;
  }

  /**
   * Subscribes to `<topic>-dlq` for every topic of the catalogue (`notifications` too: analytics consumes it), with no
   * dead-letter topic of its own; `handler` gets each dead-lettered CloudEvent. Dapr puts a message there
   * after the inbound retry policy gave up on it, or at once when a subscriber answered DROP, so the same event
   * arrives once per subscriber that failed it.
   */
  deadLetters(handler: DeadLetterHandler): this {
    const log = this.#logger;
    for (const topic of Object.values(topics)) {
      const deadLetterTopic = `${topic}${DLQ_SUFFIX}`;
      platformMetrics().eventsDeadLettered.add(0, { topic });
      this.#deadLetterTopics.push({
        topic: deadLetterTopic,
        route: `/events/dead-letters/${topic}`,
        handle: async (ce) => {
          const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
          const event = { topic, deadLetterTopic, id: str(ce.id), type: str(ce.type), data: cloudEventData(ce), cloudEvent: ce };
          try {
            const status = (await handler(event)) ?? 'SUCCESS';
            if (status === 'SUCCESS') platformMetrics().eventsDeadLettered.add(1, { topic });
            return status;
          } catch (err) {
            log.warn({ err, event_id: event.id, topic: deadLetterTopic }, 'dead letter not stored yet; Dapr will redeliver');
            return 'RETRY';
          }
        },
      });
    }
    return this;
  }

  /** GET /dapr/subscribe and one POST route per event type (and per dead-letter topic). */
  router(): Router {
    const router = Router();
    const byTopic = new Map<string, { match: string; path: string }[]>();
    for (const [type, h] of this.#handlers) {
      byTopic.set(h.topic, [...(byTopic.get(h.topic) ?? []), { match: `event.type == '${type}'`, path: h.route }]);
      router.post(h.route, async (req, res) => {
        res.json({ status: await h.handle((req.body ?? {}) as { id?: string; time?: unknown; data?: unknown }) });
      });
    }
    for (const d of this.#deadLetterTopics) {
      router.post(d.route, async (req, res) => {
        const body: unknown = req.body;
        res.json({ status: await d.handle(body && typeof body === 'object' ? (body as Record<string, unknown>) : {}) });
      });
    }
    router.get('/dapr/subscribe', (_req, res) => {
      res.json([
        ...[...byTopic].map(([topic, rules]) => ({
          pubsubname: this.#pubsubName,
          topic,
          routes: { rules, default: '/events/ignored' },
          deadLetterTopic: `${topic}${DLQ_SUFFIX}`,
        })),
        ...this.#deadLetterTopics.map((d) => ({ pubsubname: this.#pubsubName, topic: d.topic, routes: { default: d.route } })),
      ]);
    });
    router.post('/events/ignored', (_req, res) => {
      res.json({ status: 'SUCCESS' });
    });
    return router;
  }
}
