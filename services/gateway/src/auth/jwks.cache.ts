import { Jwks } from '@globalmart/contracts';
import type { ServiceInvoker } from '@globalmart/platform';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/** identity could not be asked for its keys: the caller answers 503, not 401 (the token may well be fine). */
export class JwksUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the JWKS could not be loaded from identity', { cause });
    this.name = 'JwksUnavailableError';
  }
}

export interface JwksCacheOptions {
  invoker: ServiceInvoker;
  /**
   * An unknown `kid` (a key identity rotated in) triggers a refetch at most this often, so forged kids cannot flood
   * identity. Default 5 s: a fresh key is picked up within seconds, at one call to identity per 5 s at worst.
   */
  minRefetchMs?: number;
  /** Keys older than this are refreshed in the background (a removed key stops verifying). Default 10 min. */
  maxAgeMs?: number;
  now?: () => number;
}

export interface JwksCache {
  /** The key resolver for jose's jwtVerify. */
  getKey: JWTVerifyGetKey;
  /** Loads the keys if they are not loaded yet; throws JwksUnavailableError when identity cannot be reached. */
  load(): Promise<void>;
  loaded(): boolean;
}

export function createJwksCache({ invoker, minRefetchMs = 5_000, maxAgeMs = 600_000, now = Date.now }: JwksCacheOptions): JwksCache {
  let keySet: JWTVerifyGetKey | undefined;
  let kids = new Set<string>();
  let fetchedAt = -Infinity;
  let inflight: Promise<void> | undefined;

  // Single flight: a burst of requests with a new kid makes one call to identity.
  const refresh = (): Promise<void> =>
    (inflight ??= (async () => {
      fetchedAt = now();
      try {
        const { body } = await invoker.invoke('identity', '.well-known/jwks.json', { timeoutMs: 2_000 });
        const jwks = Jwks.parse(body);
        keySet = createLocalJWKSet(jwks as JSONWebKeySet);
        kids = new Set(jwks.keys.map((k) => k.kid));
      } catch (err) {
        throw new JwksUnavailableError(err);
      }
    })().finally(() => (inflight = undefined)));

  return {
    async getKey(header, token) {
      // Every token identity issues names its key; one without a kid is none of ours (and would make jose try each key).
      if (typeof header.kid !== 'string') throw new errors.JWKSNoMatchingKey('the token names no key (kid)');
      if (!keySet) await refresh();
      else if (!kids.has(header.kid) && now() - fetchedAt >= minRefetchMs) {
        // A rotated key: fetch once; if identity is down, the old keys answer (the token then fails as invalid).
        await refresh().catch(() => undefined);
      } else if (now() - fetchedAt >= maxAgeMs) {
        void refresh().catch(() => undefined);
      }
      return keySet!(header, token);
    },
    async load() {
      if (!keySet) await refresh();
    },
    loaded: () => keySet !== undefined,
  };
}
