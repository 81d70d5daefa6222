import { LoginRequest, SignupRequest, type SignupResponse, type TokenResponse, type UserProfile } from '@globalmart/contracts';
import { parseBody, unauthorized, type ServiceInvoker } from '@globalmart/platform';
import { Router } from 'express';
import { callerOf } from '../auth/auth.middleware.ts';
import type { GatewayAuth } from './gateway-auth.ts';

/** Sign-up, login and the caller's own profile: validated here (400 before any call), answered by identity. */
export function identityRoutes(invoker: ServiceInvoker, auth: GatewayAuth): Router {
  const router = Router();

  router.post('/api/auth/signup', async (req, res) => {
    const body = parseBody(SignupRequest, req);
    const { body: created } = await invoker.invoke<SignupResponse>('identity', 'users', { body });
    res.status(201).json(created);
  });

  router.post('/api/auth/login', async (req, res) => {
    const body = parseBody(LoginRequest, req);
    const { body: token } = await invoker.invoke<TokenResponse>('identity', 'sessions', { body });
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
