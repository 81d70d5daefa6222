import { z } from 'zod';

export const catalogConfig = {
  /** `demo` seeds the deterministic demo catalog when the collection is short of it; `none` leaves it alone. */
  CATALOG_SEED: z.enum(['demo', 'none']).default('none'),
  /** How long a product page stays in the state-store cache. */
  CATALOG_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
};
