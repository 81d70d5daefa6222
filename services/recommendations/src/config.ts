import { z } from 'zod';

const ms = (min: number, fallback: number) => z.coerce.number().int().min(min).max(86_400_000).default(fallback);

export const recommendationsConfig = {
  /** How often every replica re-reads the learned counts from the state store (convergence across replicas). */
  RECS_RELOAD_MS: ms(100, 30_000),
  /** How often the catalog is asked again while it has not answered yet at start. */
  RECS_CATALOG_RETRY_MS: ms(100, 5_000),
  /** How long a user's recent views read from the state store are trusted before they are read again. */
  RECS_USER_CACHE_MS: ms(0, 30_000),
  /** How long an applied event's id is remembered (dedupe of late redeliveries). 7 days. */
  RECS_EVENT_MEMORY_SECONDS: z.coerce.number().int().min(60).max(31_536_000).default(604_800),
  /** Read-change-save attempts on one document before the event is left to Dapr's redelivery. */
  RECS_CAS_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(30),
};
