// Notifications (app-id `notifications`): email through the Dapr SMTP output binding, and the platform's dead letters.
import { z } from 'zod';
import { IsoDateTime, PROBLEM_JSON, ProblemDetails, queryInt } from './common.ts';
import { apiSchemas } from './registry.ts';
import type { EventSpec } from './events.ts';
import type { RouteResponse, RouteSpec } from './routes.ts';

export const NotificationKind = z.enum(['welcome', 'order-confirmed', 'order-cancelled', 'order-shipped', 'order-delivered']);
export type NotificationKind = z.infer<typeof NotificationKind>;

// ---- events (topic `notifications`; CloudEvent id `notification:<source event id>`) ----

export const notificationsEventTypes = {
  NotificationSent: 'globalmart.notifications.notification-sent.v1',
} as const;

/** No address in the event: consumers that need contact details ask identity. */
export const NotificationSent = z.object({
  notification_id: z.string().min(1).max(200),
  kind: NotificationKind,
  channel: z.enum(['email']),
  customer_id: z.string().min(1).max(64),
  order_id: z.string().min(1).max(64).optional(),
  /** The CloudEvent id of the event that caused it. */
  source_event_id: z.string().min(1).max(200),
  occurred_at: IsoDateTime,
});
export type NotificationSent = z.infer<typeof NotificationSent>;

export const notificationsEvents = {
  [notificationsEventTypes.NotificationSent]: {
    name: 'NotificationSent',
    topic: 'notifications',
    schema: NotificationSent,
    description: 'An email went out (once per source event, however often that event was delivered).',
  },
} as const satisfies Record<string, EventSpec>;

// ---- dead letters: every subscription's `<topic>-dlq`, kept for admins to inspect and replay ----

export const DeadLetterId = z.string().regex(/^dl_[A-Za-z0-9_-]{1,80}$/, { error: 'must look like dl_…' });

export const DeadLetter = z
  .object({
    id: DeadLetterId,
    /** The topic the event was published to (the dead-letter topic is `<topic>-dlq`). */
    topic: z.string(),
    dead_letter_topic: z.string(),
    /** CloudEvent id and type of the original event; a replay publishes the same id, so consumers that applied it dedupe. */
    event_id: z.string(),
    event_type: z.string(),
    data: z.unknown(),
    received_at: IsoDateTime,
    status: z.enum(['pending', 'replayed']),
    replayed_at: IsoDateTime.optional(),
    replay_count: z.int().min(0),
  })
  .register(apiSchemas, { id: 'DeadLetter', description: 'An event no subscriber could take after the pub/sub retry policy.' });
export type DeadLetter = z.infer<typeof DeadLetter>;

export const DeadLetterListQuery = z.object({
  status: z.enum(['pending', 'replayed', 'all']).default('pending'),
  topic: z.string().min(1).max(100).optional(),
  limit: queryInt('limit', 1, 500, 100),
});
export type DeadLetterListQuery = z.infer<typeof DeadLetterListQuery>;

export const DeadLetterList = z
  .object({ items: z.array(DeadLetter), total: z.int().min(0) })
  .register(apiSchemas, { id: 'DeadLetterList', description: 'Newest first.' });
export type DeadLetterList = z.infer<typeof DeadLetterList>;

export const DeadLetterParams = z.object({ id: DeadLetterId });

const problem: RouteResponse = { schema: ProblemDetails, contentType: PROBLEM_JSON };
const deadLetterRoutes = (prefix: string, tag: string, note: string): RouteSpec[] => [
  {
    method: 'GET',
    path: `${prefix}/dead-letters`,
    summary: `Dead letters of every topic, newest first${note}`,
    tags: [tag],
    ...(tag === 'gateway' ? { security: 'admin' as const } : {}),
    query: DeadLetterListQuery,
    responses: { 200: { schema: DeadLetterList }, 400: problem, 401: problem, 403: problem },
  },
  {
    method: 'POST',
    path: `${prefix}/dead-letters/{id}/replay`,
    summary: `Publish a dead letter again to its topic, same CloudEvent id and type${note}`,
    tags: [tag],
    ...(tag === 'gateway' ? { security: 'admin' as const } : {}),
    params: DeadLetterParams,
    responses: { 200: { schema: DeadLetter }, 400: problem, 401: problem, 403: problem, 404: problem },
  },
];

export const notificationsRoutes: RouteSpec[] = [
  ...deadLetterRoutes('/api/admin', 'gateway', ' (admin)'),
  ...deadLetterRoutes('', 'notifications', ' (notifications, internal; admins only)'),
];
