import { LoginRequest, SignupRequest, UserIdParams } from '@globalmart/contracts';
import { canRead, notFound, parseBody, parseParams, requireUser } from '@globalmart/platform';
import { Router } from 'express';
import type { IdentityService } from './identity.service.ts';
import type { JwtIssuer } from './jwt.issuer.ts';

/** identity's internal API, reached through Dapr service invocation (the gateway fronts it as /api/auth, /api/me). */
export function identityRoutes(identity: IdentityService, issuer: JwtIssuer): Router {
  const router = Router();

  router.post('/users', async (req, res) => {
    const body = parseBody(SignupRequest, req);
    res.status(201).json(await identity.signup(body));
  });

  router.post('/sessions', async (req, res) => {
    const body = parseBody(LoginRequest, req);
    const token = await identity.login(body);
    // RFC 6749 §5.1: token responses must not be cached.
    res.set('cache-control', 'no-store').json(token);
  });

  router.get('/users/:id', async (req, res) => {
    const caller = requireUser(req);
    const { id } = parseParams(UserIdParams, req);
    // Someone else's id answers exactly like a missing one, so ids cannot be probed.
    const profile = canRead(caller, id) ? await identity.profile(id) : undefined;
    if (!profile) throw notFound('IDENTITY.USER_NOT_FOUND', 'No such user.');
    res.set('cache-control', 'private, no-store').json(profile);
  });

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json(issuer.jwks);
  });

  return router;
}
