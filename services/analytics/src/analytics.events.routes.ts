import { createHash } from 'node:crypto';
import { eventCatalog, type EventType } from '@globalmart/contracts';
import { Subscriptions, type Logger, type Periodic } from '@globalmart/platform';
import type { Router } from 'express';
import type { AnalyticsService } from './analytics.service.ts';

/** The Dapr cron input binding's name (components/analytics-rollup.yaml): daprd POSTs to /<name> on schedule. */
export const ROLLUP_BINDING = 'analytics-rollup';

/** An event without a CloudEvent id (a producer outside the platform) gets one from its content, so a repeat dedupes. */
export const fallbackId = (type: string, data: unknown) => `${type}:${createHash('sha256').update(JSON.stringify(data)).digest('hex')}`;

/**
 * The fan-out consumer: every event type in the catalogue, on every topic, is stored as a fact and applied to its
 * read models before the delivery is acknowledged. The kit validates each against its schema first (invalid → dead
 * letter); a storage failure throws, so Dapr redelivers.
 */
export function analyticsEventRoutes(analytics: AnalyticsService, rollup: Periodic, logger: Logger): Router {
  const subscriptions = new Subscriptions(logger);
  for (const type of Object.keys(eventCatalog) as EventType[]) {
    subscriptions.on(type, async (data, meta) => {
      const outcome = await analytics.record(type, meta.id ?? fallbackId(type, data), data as Record<string, unknown>);
      if (outcome === 'duplicate') logger.info({ event_id: meta.id, type }, 'event already recorded; not counted again');
      if (outcome === 'reapplied') logger.info({ event_id: meta.id, type }, 'event recorded before but not finished; applied again');
    });
  }
  const router = subscriptions.router();
  // daprd asks with OPTIONS whether the app takes the binding's events (a 404 would switch it off).
  router.options(`/${ROLLUP_BINDING}`, (_req, res) => {
    res.sendStatus(200);
  });
  router.post(`/${ROLLUP_BINDING}`, async (_req, res) => {
    await rollup.runNow();
    res.sendStatus(200);
  });
  return router;
}
