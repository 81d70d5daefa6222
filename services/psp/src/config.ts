import { z } from 'zod';

export const pspConfig = {
  /** How long `tok_slow` takes to approve: long enough to rehearse Dapr's timeout policy on the provider. */
  PSP_SLOW_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(3000),
};
