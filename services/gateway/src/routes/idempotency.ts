import { randomUUID } from 'node:crypto';
import { IDEMPOTENCY_KEY_HEADER, IdempotencyKey } from '@globalmart/contracts';
import type { Request } from 'express';
import { z } from 'zod';

const KeyHeader = z.object({ [IDEMPOTENCY_KEY_HEADER]: IdempotencyKey.optional() });

/**
 * The Idempotency-Key a change travels with: the client's (400 naming the header when malformed), else one minted for
 * this request. Dapr's retries of the invocation resend the same headers, so the service applies the change once
 * however many attempts reach it; a client that repeats a request itself sends its own key to get the same.
 */
export function idempotencyHeaders(req: Request): Record<string, string> {
  const sent = KeyHeader.parse({ [IDEMPOTENCY_KEY_HEADER]: req.get(IDEMPOTENCY_KEY_HEADER) })[IDEMPOTENCY_KEY_HEADER];
  return { [IDEMPOTENCY_KEY_HEADER]: sent ?? randomUUID() };
}
