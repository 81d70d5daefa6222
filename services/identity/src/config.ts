import { availableParallelism } from 'node:os';
import { z } from 'zod';

// scrypt runs on libuv's thread pool (UV_THREADPOOL_SIZE, default 4) beside file and DNS work: more hashes at once
// than cores, or than that pool, only queue inside Node where nobody can shed them.
export const defaultHashConcurrency = Math.max(1, Math.min(availableParallelism(), Number(process.env.UV_THREADPOOL_SIZE) || 4));

export const identityConfig = {
  /** Access-token lifetime; short, because a token cannot be revoked before it expires. */
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /** How often unpublished CustomerRegistered events are retried (the outbox sweep). */
  IDENTITY_OUTBOX_INTERVAL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  /** Password hashes (login, sign-up) computed at once; default: the CPU cores, at most the libuv pool. */
  IDENTITY_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(defaultHashConcurrency),
  /**
   * Logins and sign-ups that may wait for a hashing slot; beyond it they get 503 AUTH.BUSY at once. Short on
   * purpose: a waiter's answer comes a hash time (~0.3 s) later per round, and a long queue only turns a flood into
   * timeouts (Dapr's 5 s on identity) for every client.
   */
  IDENTITY_HASH_QUEUE: z.coerce.number().int().min(0).max(1_000).default(defaultHashConcurrency),
};
