// The gateway's own settings, on top of the kit's base ones. The defaults are production's: local runs and the tests
// relax the rate limits through env (tests/harness/rate-limits.ts), never by editing these.
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

const count = (fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'must be a positive integer' })
    .transform(Number)
    .pipe(z.int().min(1, { error: 'must be a positive integer' }))
    .default(fallback);

// Express' 'trust proxy' as an operator writes it: off, a hop count, or a comma-separated list of addresses, CIDRs and
// Express' names for ranges. Checked here so a typo fails at start, not as a TypeError on the first request.
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const trustProxy = z
  .string()
  .default('off')
  .transform((value, ctx): false | number | string => {
    if (value === 'off' || value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    const bad = entries.find((entry) => !PROXY_RANGES.has(entry) && !ipaddr.isValid(entry) && !ipaddr.isValidCIDR(entry));
    if (bad === undefined) return entries.join(',');
    ctx.addIssue({ code: 'custom', message: `must be off, a hop count or addresses/CIDRs/loopback/linklocal/uniquelocal (got "${bad}")` });
    return z.NEVER;
  });

/**
 * Rate limits, per policy (see edge/rate-limits.ts). Production defaults, per client = per IP address (an IPv6 /64):
 * - api: 600 requests a minute on every /api route but login and signup, ~10/s, room for a storefront page's bursts
 *   and for a few shoppers behind one NAT;
 * - auth-client: 30 login or signup attempts per 15 minutes, successful or not: each costs identity a 32 MiB scrypt,
 *   so this bounds the CPU one address can spend;
 * - auth-account: 10 failed logins (or signups) per account per 15 minutes whatever the address (OWASP's
 *   credential-stuffing advice); a successful login clears it. Its price: an attacker can lock an account for 15 min.
 */
export const gatewayConfigShape = {
  /** Where the counters live so every replica shares them; absent = counters in this process only (refused in production). */
  RATE_LIMIT_REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  RATE_LIMIT_API_POINTS: count(600),
  RATE_LIMIT_API_WINDOW_SECONDS: count(60),
  RATE_LIMIT_AUTH_CLIENT_POINTS: count(30),
  RATE_LIMIT_AUTH_CLIENT_WINDOW_SECONDS: count(900),
  RATE_LIMIT_AUTH_ACCOUNT_POINTS: count(10),
  RATE_LIMIT_AUTH_ACCOUNT_WINDOW_SECONDS: count(900),
  /**
   * Checkout admission (docs/adr/0002): at most this many checkouts per gateway instance wait on orders at once; one
   * more is shed at once with 503 CHECKOUT.BUSY + Retry-After, so a burst queues in the saga backlog or is refused
   * explicitly, never piling up into timeouts. Little's law sizes it: admitted rate × acceptance time.
   */
  CHECKOUT_MAX_IN_FLIGHT: count(16),
  /** How long the gateway waits for orders to accept a checkout before answering 503 CHECKOUT.BUSY (retry, same key). */
  CHECKOUT_ACCEPT_TIMEOUT_MS: count(2_000),
  /**
   * Checkouts admitted per second across every gateway replica (a token bucket in the rate-limit Redis, one-second
   * windows); one more is shed at once with 503 CHECKOUT.BUSY + Retry-After. Set it to ~80 % of the checkout capacity
   * the deployment measured (README "Capacity model"): admitting more than the platform completes only saturates the
   * CPU every acceptance needs, and acceptance latency collapses for everyone. 0 = no rate bound (the default; local runs).
   */
  CHECKOUT_MAX_RATE: z.coerce.number().int().nonnegative().default(0),
  /** Express 'trust proxy'. Off: the client is the socket's address and X-Forwarded-For is ignored (no spoofing). */
  TRUST_PROXY: trustProxy,
  /** Strict-Transport-Security, only for deployments behind TLS (a browser would pin http://localhost otherwise). */
  HSTS: z.enum(['on', 'off']).default('off'),
  /**
   * The trace backend's query API (Jaeger's, e.g. http://127.0.0.1:16686), read by the admin console's Operations page
   * for an order's trace. An operator tool outside the Dapr mesh: the gateway calls it directly over HTTP. Absent = the
   * route answers 503 TRACING.NOT_CONFIGURED.
   */
  TRACE_QUERY_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** The storefront's build (services/web/dist); absent or unbuilt = the API only. */
  WEB_DIST_DIR: z.string().min(1).optional(),
};

export type GatewayConfig = z.infer<z.ZodObject<typeof gatewayConfigShape>>;
