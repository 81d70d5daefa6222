import { LoginRequest, SignupRequest, UserIdParams, type ContactDetails } from '@globalmart/contracts';
import { canRead, forbidden, isAppError, notFound, parseBody, parseParams, requireUser } from '@globalmart/platform';
import { Router, type ErrorRequestHandler } from 'express';
import type { IdentityService } from './identity.service.ts';
import type { JwtIssuer } from './jwt.issuer.ts';

/** identity's internal API, reached through Dapr service invocation (the gateway fronts it as /api/auth, /api/me). */
export function identityRoutes(
  identity: IdentityService,
  issuer: JwtIssuer,
  contactReaders: readonly string[] = ['notifications'],
): Router {
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

  // Contact details for the services that write to customers, and nobody else: the Dapr caller decides, not a user
  // header (notifications acts on events, with no signed-in user). Events never carry addresses.
  router.get('/contacts/:id', async (req, res) => {
    const appId = req.get('dapr-caller-app-id');
    if (!appId || !contactReaders.includes(appId))
      throw forbidden('IDENTITY.CONTACTS_FORBIDDEN', 'Only the notifications service may read contact details.');
    const { id } = parseParams(UserIdParams, req);
    const profile = await identity.profile(id);
    if (!profile) throw notFound('IDENTITY.USER_NOT_FOUND', 'No such user.');
    const contact: ContactDetails = { user_id: profile.user_id, email: profile.email, name: profile.name };
    res.set('cache-control', 'private, no-store').json(contact);
  });

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json(issuer.jwks);
  });

  router.use(retryAfterOnBusy);
  return router;
}

// A shed login or sign-up (503 AUTH.BUSY) tells the client when to come back (RFC 9110 §10.2.3); the kit's error
// handler then writes the problem+json.
const retryAfterOnBusy: ErrorRequestHandler = (err, _req, res, next) => {
  if (isAppError(err) && err.code === 'AUTH.BUSY') res.set('retry-after', String(err.details?.retry_after ?? 1));
  next(err);
};
