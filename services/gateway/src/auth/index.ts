// Gateway authentication: bearer JWTs verified against identity's JWKS (EdDSA pinned), RBAC guards.
export { createAuth, callerOf, type Auth, type AuthCaller, type AuthOptions } from './auth.middleware.ts';
export { createJwksCache, JwksUnavailableError, type JwksCache, type JwksCacheOptions } from './jwks.cache.ts';
