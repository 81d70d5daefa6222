import { LoginRequest, SignupRequest, type SignupResponse, type TokenResponse, type UserProfile } from '@globalmart/contracts';
import { InvokeError, parseBody, unauthorized, unavailable, type InvokeResponse, type ServiceInvoker } from '@globalmart/platform';
import { Router, type Response } from 'express';
import { callerOf } from '../auth/auth.middleware.ts';
import type { AccountAttempt, AuthLimits } from '../edge/rate-limits.ts';
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
    // An email signs up once: what counts is probing it again (409s), not the signup that worked.
    const created = await atIdentity(res, attempt, () => invoker.invoke<SignupResponse>('identity', 'users', { body }));
    res.status(201).json(created);
  });

  router.post('/api/auth/login', limits.perClient, async (req, res) => {
    const body = parseBody(LoginRequest, req);
    const attempt = await limits.chargeAccount(res, body.email);
    // One call, never retried (nor by Dapr: dapr-config/resiliency.yaml): one attempt is one scrypt at identity, and
    // a retried wrong password would count twice.
    const token = await atIdentity(res, attempt, () => invoker.invoke<TokenResponse>('identity', 'sessions', { body }));
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

const isShed = (err: unknown): err is InvokeError =>
  err instanceof InvokeError && err.status === 503 && (err.body as { code?: unknown } | undefined)?.code === 'AUTH.BUSY';

/**
 * A login or signup at identity, settling its account attempt: a success clears the count, a failure keeps it. When
 * identity sheds the call (503 AUTH.BUSY: no hashing slot, so no password was tried) the attempt is given back and the
 * client gets that 503 with Retry-After, not the 502 the kit makes of a failed call: it should come back, not give up.
 */
async function atIdentity<T>(res: Response, attempt: AccountAttempt, call: () => Promise<InvokeResponse<T>>): Promise<T> {
  try {
    const { body } = await call();
    await attempt.succeeded();
    return body;
  } catch (err) {
    if (!isShed(err)) throw err;
    await attempt.untried();
    const given = Number((err.body as { retry_after?: unknown }).retry_after);
    const seconds = Number.isInteger(given) && given > 0 ? given : 1;
    res.set('retry-after', String(seconds));
    throw unavailable('AUTH.BUSY', 'Too many logins and sign-ups at once: try again shortly.', { retry_after: seconds });
  }
}
