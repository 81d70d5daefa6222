import { createHash } from 'node:crypto';
import { eventCatalog, type EventType } from '@globalmart/contracts';
import { Subscriptions, type Logger } from '@globalmart/platform';
import type { Router } from 'express';
import type { AnalyticsService } from './analytics.service.ts';

/** The Dapr job that runs the rollup (main.ts): daprd POSTs /job/analytics-rollup to one replica per tick. */
export const ROLLUP_JOB = 'analytics-rollup';

/** An event without a CloudEvent id (a producer outside the platform) gets one from its content, so a repeat dedupes. */
export const fallbackId = (type: string, data: unknown) => `${type}:${createHash('sha256').update(JSON.stringify(data)).digest('hex')}`;

/**
 * The fan-out consumer: every event type in the catalogue, on every topic, is stored as a fact and applied to its
 * read models before the delivery is acknowledged. The kit validates each against its schema first (invalid → dead
 * letter); a storage failure throws, so Dapr redelivers.
 */
export function analyticsEventRoutes(analytics: AnalyticsService, logger: Logger): Router {
  const subscriptions = new Subscriptions(logger);
  for (const type of Object.keys(eventCatalog) as EventType[]) {
    subscriptions.on(type, async (data, meta) => {
      const outcome = await analytics.record(type, meta.id ?? fallbackId(type, data), data as Record<string, unknown>);
      if (outcome === 'duplicate') logger.info({ event_id: meta.id, type }, 'event already recorded; not counted again');
      if (outcome === 'reapplied') logger.info({ event_id: meta.id, type }, 'event recorded before but not finished; applied again');
    });
  }
  return subscriptions.router();
}
