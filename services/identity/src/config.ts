import { z } from 'zod';

export const identityConfig = {
  /** Access-token lifetime; short, because a token cannot be revoked before it expires. */
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /** How often unpublished CustomerRegistered events are retried (the outbox sweep). */
  IDENTITY_OUTBOX_INTERVAL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
};
