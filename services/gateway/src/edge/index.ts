// The edge: what every public request meets before a route, so that the API withstands abuse.
import type { Logger } from '@globalmart/platform';
import type { Express, Router } from 'express';
import type { GatewayConfig } from '../config.ts';
import {
  connectRateLimitStore,
  createRateLimits,
  PolicyLimiter,
  type AuthLimits,
  type Policy,
  type RateLimitPolicies,
  type RateLimitStore,
} from './rate-limits.ts';
import { securityHeaders } from './security-headers.ts';

export { API_CONTENT_SECURITY_POLICY, WEB_CONTENT_SECURITY_POLICY, securityHeaders } from './security-headers.ts';
export * from './rate-limits.ts';

/** The counters' namespace in Redis. */
export const RATE_LIMIT_KEY_PREFIX = 'gateway:rate-limit';

export function policiesFrom(config: GatewayConfig): RateLimitPolicies {
  return {
    api: { name: 'api', points: config.RATE_LIMIT_API_POINTS, windowSeconds: config.RATE_LIMIT_API_WINDOW_SECONDS },
    authClient: {
      name: 'auth-client',
      points: config.RATE_LIMIT_AUTH_CLIENT_POINTS,
      windowSeconds: config.RATE_LIMIT_AUTH_CLIENT_WINDOW_SECONDS,
    },
    authAccount: {
      name: 'auth-account',
      points: config.RATE_LIMIT_AUTH_ACCOUNT_POINTS,
      windowSeconds: config.RATE_LIMIT_AUTH_ACCOUNT_WINDOW_SECONDS,
    },
  };
}

export interface Edge {
  /** For the login and signup routes. */
  auth: AuthLimits;
  /** A limiter of one more policy, on the same counters (e.g. the checkout admission rate). */
  limiter(policy: Policy): PolicyLimiter;
  close(): Promise<void>;
}

/**
 * Installs the edge on the gateway: who the client is ('trust proxy', on the app), then on `edge` — which runs before
 * the kit's probes, token check and body parsing (svc.edge) — security headers on every answer and the general rate
 * limit on /api. `edge` defaults to the app itself (unit tests). `store` replaces the one from RATE_LIMIT_REDIS_URL.
 */
export function installEdge(
  app: Express,
  config: GatewayConfig,
  logger: Logger,
  store?: RateLimitStore,
  edge: Pick<Router, 'use'> = app,
): Edge {
  app.set('trust proxy', config.TRUST_PROXY);
  edge.use(securityHeaders({ hsts: config.HSTS === 'on' }));
  const url = config.RATE_LIMIT_REDIS_URL;
  const own = !store && url ? connectRateLimitStore(url, logger) : undefined;
  const counters = store ?? (own && { redis: own, keyPrefix: RATE_LIMIT_KEY_PREFIX });
  if (!counters) logger.warn('RATE_LIMIT_REDIS_URL is not set: rate limits count per gateway process, not across replicas');
  const limits = createRateLimits(policiesFrom(config), counters);
  edge.use('/api', limits.general);
  return {
    auth: limits.auth,
    limiter: (policy) => new PolicyLimiter(policy, counters || undefined),
    // Only a connection made here is ours to close; the server has drained, so nothing is waiting on it.
    close: async () => own?.disconnect(),
  };
}
