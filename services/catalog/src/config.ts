import { z } from 'zod';

export const catalogConfig = {
  /** `demo` seeds the deterministic demo catalog when the collection is short of it; `none` leaves it alone. */
  CATALOG_SEED: z.enum(['demo', 'none']).default('none'),
};
