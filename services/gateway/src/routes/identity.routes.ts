import { LoginRequest, SignupRequest, type SignupResponse, type TokenResponse, type UserProfile } from '@globalmart/contracts';
import { parseBody, unauthorized, type ServiceInvoker } from '@globalmart/platform';
import { Router } from 'express';
import { callerOf } from '../auth/auth.middleware.ts';
import type { AuthLimits } from '../edge/rate-limits.ts';
import type { GatewayAuth } from './gateway-auth.ts';

/**
 * Sign-up, login and the caller's own profile: validated here (400 before any call), answered by identity.
 * Login and signup are rate limited per client (every attempt) and per account (every attempt that fails; a success
 * clears the account's count), so neither credential stuffing nor a flood of scrypt work gets far.
 */
export function identityRoutes(invoker: ServiceInvoker, auth: GatewayAuth, limits: AuthLimits): Router {
  const router = Router();

  router.post('/api/auth/signup', limits.perClient, async (req, res) => {
    const body = parseBody(SignupRequest, req);
    const attempt = await limits.chargeAccount(res, body.email);
    const { body: created } = await invoker.invoke<SignupResponse>('identity', 'users', { body });
    // An email signs up once: what counts is probing it again (409s), not the signup that worked.
    await attempt.succeeded();
    res.status(201).json(created);
  });

  router.post('/api/auth/login', limits.perClient, async (req, res) => {
    const body = parseBody(LoginRequest, req);
    const attempt = await limits.chargeAccount(res, body.email);
    // One call, never retried (nor by Dapr: dapr-config/resiliency.yaml): one attempt is one scrypt at identity, and
    // a retried wrong password would count twice. A failure of any kind keeps the attempt charged.
    const { body: token } = await invoker.invoke<TokenResponse>('identity', 'sessions', { body });
    await attempt.succeeded();
    res.set('cache-control', 'no-store').json(token);
  });

  router.get('/api/me', auth.requireCustomer, async (_req, res) => {
    const caller = callerOf(res);
    if (!caller) throw unauthorized('AUTH.UNAUTHENTICATED', 'Sign in first.');
    const { body: profile } = await invoker.invoke<UserProfile>('identity', `users/${encodeURIComponent(caller.userId)}`, {
      headers: auth.forwardHeaders(res),
    });
    res.set('cache-control', 'private, no-store').json(profile);
  });

  return router;
}
