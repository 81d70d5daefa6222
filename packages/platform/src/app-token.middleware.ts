import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { unauthorized } from './errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Dapr's app API token: with APP_API_TOKEN set on the sidecar, every call it makes to the app carries
 * `dapr-api-token`; anything else reaching the port is refused. Compared in constant time (digests have equal
 * length, so timingSafeEqual never throws and the length of the secret does not leak).
 */
export function requireAppToken(token: string): RequestHandler {
  const expected = digest(token);
  return (req, _res, next) => {
    const given = req.get('dapr-api-token');
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    next(unauthorized('AUTH.APP_TOKEN_INVALID', 'Missing or invalid dapr-api-token.'));
  };
}
