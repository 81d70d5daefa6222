import { Currency } from '@globalmart/contracts';
import { z } from 'zod';

const ms = (min: number, fallback: number) => z.coerce.number().int().min(min).max(86_400_000).default(fallback);

export const analyticsConfig = {
  /** The one currency the reports are in; orders in another currency are left out of sales figures (and logged). */
  ANALYTICS_CURRENCY: Currency.default('USD'),
  /** How often the rollup runs: the Dapr job `analytics-rollup`, in one replica per run. */
  ANALYTICS_ROLLUP_INTERVAL_MS: ms(100, 5_000),
  /**
   * The rollup finishes pending facts (stored, not yet applied everywhere) older than this: younger ones belong to
   * the delivery applying them right now (it takes milliseconds; a failed one is retried by Dapr as well).
   */
  ANALYTICS_PENDING_GRACE_MS: ms(0, 5_000),
};
