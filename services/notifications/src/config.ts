import { z } from 'zod';

export const notificationsConfig = {
  /** Sender address; unset, the `email` component's `emailFrom` applies. */
  NOTIFICATIONS_FROM: z.string().min(3).max(200).optional(),
  /** The app-id that answers GET /contacts/{id}. */
  NOTIFICATIONS_IDENTITY_APP_ID: z.string().min(1).default('identity'),
  /** A `sending` claim older than this is taken as left by a crash and sent again; longer than one SMTP send may take. */
  NOTIFICATIONS_CLAIM_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /** How long a sent notification is remembered for dedupe (Dapr state TTL). 30 days. */
  NOTIFICATIONS_DEDUPE_TTL_SECONDS: z.coerce.number().int().min(60).max(31_536_000).default(2_592_000),
  /** Dead letters kept (the newest; older ones are forgotten). */
  NOTIFICATIONS_DEAD_LETTERS_KEPT: z.coerce.number().int().min(10).max(10_000).default(1000),
};
