// Rate limits at the edge, with rate-limiter-flexible: its RateLimiterRedis counts in one atomic Lua script (INCR with
// the window's expiry), so every gateway replica shares one counter per key, and its `insuranceLimiter` takes over in
// process memory while Redis is down or slow: an outage neither lifts the limits nor fails requests. It also has
// get/delete per key, which per-account login limiting needs (a successful login clears its failures).
// express-rate-limit + rate-limit-redis was the alternative: on a store error it either lets everything through
// (passOnStoreError) or fails the request, and it has no insurance.
// Dapr's state API cannot do this: it has no atomic increment-with-expiry, so the gateway talks to Redis itself.
import { createHash } from 'node:crypto';
import { AppError, type Logger } from '@globalmart/platform';
import type { Request, RequestHandler, Response } from 'express';
import ipaddr from 'ipaddr.js';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { serializeList } from 'structured-headers';

/** A quota: `points` requests per fixed window of `windowSeconds`, per key. `name` is what the RateLimit headers show. */
export interface Policy {
  name: string;
  points: number;
  windowSeconds: number;
}

export interface RateLimitPolicies {
  /** Every /api request but login and signup, per client. */
  api: Policy;
  /** Login and signup attempts, per client. */
  authClient: Policy;
  /** Failed logins and signups, per account (normalised email). */
  authAccount: Policy;
}

/** Where the counters live: `keyPrefix` separates them from everything else in that Redis. */
export interface RateLimitStore {
  redis: Redis;
  keyPrefix: string;
}

/** One policy's counters: in Redis with a per-process insurance limiter, or (no store) in this process only. */
export class PolicyLimiter {
  readonly policy: Policy;
  readonly #limiter: RateLimiterRedis | RateLimiterMemory;

  constructor(policy: Policy, store?: RateLimitStore) {
    this.policy = policy;
    const { points, windowSeconds: duration } = policy;
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: policy.name });
    this.#limiter = store
      ? new RateLimiterRedis({
          storeClient: store.redis,
          keyPrefix: `${store.keyPrefix}:${policy.name}`,
          points,
          duration,
          insuranceLimiter: memory,
          // Not connected: straight to the insurance limiter instead of waiting on a dead socket.
          rejectIfRedisNotReady: true,
          // A key over its quota is refused from memory until its window ends: a flood costs Redis nothing.
          inMemoryBlockOnConsumed: points + 1,
        })
      : memory;
  }

  /** Counts one request against `key` and advertises the quota; throws 429 RATE_LIMITED once it is spent. */
  async consume(res: Response, key: string): Promise<void> {
    let state: RateLimiterRes;
    try {
      state = await this.#count(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      advertise(res, this.policy, err);
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(seconds));
      throw new AppError(429, 'RATE_LIMITED', `Too many requests: try again in ${seconds} s.`, { policy: this.policy.name });
    }
    advertise(res, this.policy, state);
  }

  // Requests for one key that arrived while its previous count was in flight: counted together by the next one.
  readonly #queued = new Map<string, { resolve: (state: RateLimiterRes) => void; reject: (err: unknown) => void }[]>();
  readonly #counting = new Set<string>();

  /**
   * One request counted against `key`, exactly as its own consume(key) would count it, but a client's concurrent
   * requests share one round trip to Redis: the first goes at once, those arriving meanwhile go together as one
   * consume(key, n), and each gets the count it would have had alone (the i-th of a batch that ends at `consumed`
   * is number consumed - n + i + 1: within the quota or not, with its own remaining). Under a flood from one client
   * this costs Redis one script per round trip instead of one per request; a lone request waits for nobody.
   */
  #count(key: string): Promise<RateLimiterRes> {
    return new Promise((resolve, reject) => {
      const batch = this.#queued.get(key);
      if (batch) batch.push({ resolve, reject });
      else this.#queued.set(key, [{ resolve, reject }]);
      if (!this.#counting.has(key)) this.#countQueued(key);
    });
  }

  #countQueued(key: string): void {
    const batch = this.#queued.get(key);
    if (!batch) {
      this.#counting.delete(key);
      return;
    }
    this.#queued.delete(key);
    this.#counting.add(key);
    const n = batch.length;
    const { points } = this.policy;
    const settle = (total: RateLimiterRes) => {
      batch.forEach((waiter, i) => {
        const consumed = total.consumedPoints - n + i + 1;
        const state = new RateLimiterRes(Math.max(0, points - consumed), total.msBeforeNext, consumed, total.isFirstInDuration && i === 0);
        if (consumed > points) waiter.reject(state);
        else waiter.resolve(state);
      });
    };
    this.#limiter
      .consume(key, n)
      .then(settle, (err: unknown) => {
        // Counted and over the quota: settle each by its own number. Refused from memory (a key blocked until its window
        // ends, consumedPoints 0) or Redis and insurance both failing: every request of the batch gets that answer.
        if (err instanceof RateLimiterRes && err.consumedPoints > 0) settle(err);
        else for (const waiter of batch) waiter.reject(err);
      })
      .finally(() => this.#countQueued(key));
  }

  /** Forgets what `key` consumed. */
  async reset(key: string): Promise<void> {
    await this.#limiter.delete(key);
  }

  /** Gives `key` back one request that turned out not to count. */
  async refund(key: string): Promise<void> {
    await this.#limiter.reward(key, 1);
  }
}

// The policies that applied to a response so far, so that RateLimit-Policy and RateLimit list all of them.
const advertised = new WeakMap<Response, Map<string, { policy: Policy; state: RateLimiterRes }>>();

/** draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy: "api";q=600;w=60` and `RateLimit: "api";r=599;t=60`. */
function advertise(res: Response, policy: Policy, state: RateLimiterRes): void {
  const entries = advertised.get(res) ?? new Map<string, { policy: Policy; state: RateLimiterRes }>();
  advertised.set(res, entries.set(policy.name, { policy, state }));
  const all = [...entries.values()];
  res.setHeader(
    'RateLimit-Policy',
    serializeList(
      all.map(({ policy: p }) => [
        p.name,
        new Map([
          ['q', p.points],
          ['w', p.windowSeconds],
        ]),
      ]),
    ),
  );
  res.setHeader(
    'RateLimit',
    serializeList(
      all.map(({ policy: p, state: s }) => [
        p.name,
        new Map([
          ['r', Math.max(0, s.remainingPoints)],
          ['t', Math.max(0, Math.ceil(s.msBeforeNext / 1000))],
        ]),
      ]),
    ),
  );
}

/**
 * The client a per-client budget belongs to: its address as Express sees it (req.ip follows 'trust proxy'). An IPv6
 * client counts per /64, the block one subscriber gets, or it could take a fresh address for every request.
 */
export function clientKey(req: Request): string {
  const raw = req.ip ?? req.socket.remoteAddress ?? '';
  if (!ipaddr.isValid(raw)) return raw || 'unknown';
  const address = ipaddr.process(raw); // ::ffff:192.0.2.1 is 192.0.2.1
  return address.kind() === 'ipv6' ? `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64` : address.toString();
}

/** An account's key: identity's normalisation of the email (NFC, trimmed, lower case), hashed so Redis holds no email. */
export function accountKey(email: string): string {
  return createHash('sha256').update(email.normalize('NFC').trim().toLowerCase(), 'utf8').digest('base64url');
}

/** One login or signup charged to its account. */
export interface AccountAttempt {
  /** It worked: the account's count starts again. */
  succeeded(): Promise<void>;
  /** No password was tried (identity shed it): the attempt is given back. */
  untried(): Promise<void>;
}

/** What the login and signup routes need (routes/identity.routes.ts). */
export interface AuthLimits {
  /** Route middleware: the client's budget of login and signup attempts, charged before the body is even read. */
  perClient: RequestHandler;
  /** Charges one attempt to the account (429 when its budget is spent); a failure keeps it charged. */
  chargeAccount(res: Response, email: string): Promise<AccountAttempt>;
}

export interface RateLimits {
  /** The general per-client budget: mount at /api. Login and signup are left to `auth`. */
  general: RequestHandler;
  auth: AuthLimits;
}

// Login and signup (as Express routes them: any case, an optional trailing slash) have budgets of their own.
const AUTH_ATTEMPTS = new Set(['/auth/login', '/auth/signup']);
const isAuthAttempt = (req: Request) => req.method === 'POST' && AUTH_ATTEMPTS.has(req.path.toLowerCase().replace(/\/$/, ''));

export function createRateLimits(policies: RateLimitPolicies, store?: RateLimitStore): RateLimits {
  const api = new PolicyLimiter(policies.api, store);
  const authClient = new PolicyLimiter(policies.authClient, store);
  const authAccount = new PolicyLimiter(policies.authAccount, store);
  return {
    general: async (req, res, next) => {
      if (!isAuthAttempt(req)) await api.consume(res, clientKey(req));
      next();
    },
    auth: {
      perClient: async (req, res, next) => {
        await authClient.consume(res, clientKey(req));
        next();
      },
      async chargeAccount(res, email) {
        const key = accountKey(email);
        await authAccount.consume(res, key);
        return { succeeded: () => authAccount.reset(key), untried: () => authAccount.refund(key) };
      },
    },
  };
}

/**
 * The Redis connection for the counters. Commands fail fast instead of queueing while Redis is away (the insurance
 * limiter answers meanwhile), and an outage is logged once, not on every reconnect attempt.
 */
export function connectRateLimitStore(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: 'gateway-rate-limits',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
  });
  let healthy = true;
  redis.on('ready', () => {
    if (!healthy) logger.info('rate-limit store is back: limits are shared again');
    healthy = true;
  });
  redis.on('error', (err) => {
    if (healthy) logger.warn({ err }, 'rate-limit store unavailable: limiting per gateway process until it is back');
    healthy = false;
  });
  return redis;
}
