import { eventCatalog, type EventData, type EventType } from '@globalmart/contracts';
import { Router } from 'express';
import type { Logger } from './logger.ts';

/** What a handler tells Dapr: done, deliver again later, or never deliver again (to the dead-letter topic). */
export type DeliveryStatus = 'SUCCESS' | 'RETRY' | 'DROP';

export interface EventMeta {
  id?: string;
  type: string;
}

/** Returns nothing for SUCCESS; a thrown error means RETRY (Dapr's inbound resiliency policy, then the DLQ). */
export type EventHandler<T extends EventType> = (data: EventData<T>, meta: EventMeta) => Promise<DeliveryStatus | void>;

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
    { route: string; topic: string; handle: (body: { id?: string; data?: unknown }) => Promise<DeliveryStatus> }
  >();

  constructor(logger: Logger, pubsubName = 'pubsub') {
    this.#logger = logger;
    this.#pubsubName = pubsubName;
  }

  on<T extends EventType>(type: T, handler: EventHandler<T>): this {
    const spec = eventCatalog[type];
    const log = this.#logger;
    this.#handlers.set(type, {
      route: routeFor(spec.name),
      topic: spec.topic,
      handle: async (body) => {
        const parsed = spec.schema.safeParse(body.data);
        if (!parsed.success) {
          log.warn({ event_id: body.id, type, issues: parsed.error.issues }, `invalid ${spec.name} dropped`);
          return 'DROP';
        }
        try {
          return (await handler(parsed.data as EventData<T>, { id: body.id, type })) ?? 'SUCCESS';
        } catch (err) {
          log.warn({ err, event_id: body.id, type }, `${spec.name} not applied yet; Dapr will redeliver`);
          return 'RETRY';
        }
      },
    });
    return this;
  }

  /** GET /dapr/subscribe and one POST route per event type. */
  router(): Router {
    const router = Router();
    const byTopic = new Map<string, { match: string; path: string }[]>();
    for (const [type, h] of this.#handlers) {
      byTopic.set(h.topic, [...(byTopic.get(h.topic) ?? []), { match: `event.type == '${type}'`, path: h.route }]);
      router.post(h.route, async (req, res) => {
        res.json({ status: await h.handle((req.body ?? {}) as { id?: string; data?: unknown }) });
      });
    }
    router.get('/dapr/subscribe', (_req, res) => {
      res.json(
        [...byTopic].map(([topic, rules]) => ({
          pubsubname: this.#pubsubName,
          topic,
          routes: { rules, default: '/events/ignored' },
          deadLetterTopic: `${topic}-dlq`,
        })),
      );
    });
    router.post('/events/ignored', (_req, res) => {
      res.json({ status: 'SUCCESS' });
    });
    return router;
  }
}
