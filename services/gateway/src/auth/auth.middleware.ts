import { AccessTokenClaims, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, type UserRole } from '@globalmart/contracts';
import {
  USER_ID_HEADER,
  USER_ROLE_HEADER,
  forbidden,
  identityHeaders,
  unauthorized,
  unavailable,
  type Logger,
  type ServiceInvoker,
} from '@globalmart/platform';
import type { Request, RequestHandler, Response } from 'express';
import { errors, jwtVerify } from 'jose';
import { JwksUnavailableError, createJwksCache } from './jwks.cache.ts';

/** The verified caller, kept in res.locals.caller for the request's lifetime. */
export interface AuthCaller {
  userId: string;
  role: UserRole;
}

export interface Auth {
  /** Verifies `Authorization: Bearer <jwt>` if present (absent = anonymous); always strips client-sent identity headers. */
  authenticate: RequestHandler;
  /** 401 unless signed in (customers and admins pass). Authenticates first if `authenticate` has not run. */
  requireCustomer: RequestHandler;
  /** 401 when anonymous, 403 for a customer. */
  requireAdmin: RequestHandler;
  /** Headers that carry the verified caller on through Dapr (x-user-id, x-user-role), or {} when anonymous. */
  forwardHeaders(res: Response): Record<string, string>;
  /** Readiness check: the JWKS has been (or can now be) loaded from identity. */
  ready(): Promise<boolean>;
}

export interface AuthOptions {
  invoker: ServiceInvoker;
  logger: Logger;
  /** Seconds of clock skew tolerated on exp/iat between identity and the gateway. Default 5. */
  clockToleranceSeconds?: number;
  jwksMinRefetchMs?: number;
  now?: () => number;
}

const CHECKED = 'authChecked';
const BEARER = /^Bearer[ ]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)[ ]*$/i;

/** The caller `authenticate` verified, or undefined for an anonymous request. */
export function callerOf(res: Response): AuthCaller | undefined {
  return res.locals.caller as AuthCaller | undefined;
}

function invalidToken(res: Response, detail: string) {
  res.set('www-authenticate', 'Bearer error="invalid_token"');
  return unauthorized('AUTH.INVALID_TOKEN', detail);
}

export function createAuth({ invoker, logger, clockToleranceSeconds = 5, jwksMinRefetchMs, now }: AuthOptions): Auth {
  const log = logger.child({ component: 'auth' });
  const jwks = createJwksCache({
    invoker,
    ...(jwksMinRefetchMs === undefined ? {} : { minRefetchMs: jwksMinRefetchMs }),
    ...(now ? { now } : {}),
  });
  const currentDate = now ? () => new Date(now()) : undefined;

  async function verify(req: Request, res: Response): Promise<void> {
    // Only a verified token may say who the caller is: never a header the client sent.
    delete req.headers[USER_ID_HEADER];
    delete req.headers[USER_ROLE_HEADER];
    res.locals.caller = undefined;
    res.locals[CHECKED] = true;
    const header = req.headers.authorization;
    if (header === undefined) return;
    const token = BEARER.exec(header)?.[1];
    if (!token) throw invalidToken(res, 'Send the access token as "Authorization: Bearer <token>".');
    try {
      const { payload } = await jwtVerify(token, jwks.getKey, {
        algorithms: [JWT_ALGORITHM],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: clockToleranceSeconds,
        ...(currentDate ? { currentDate: currentDate() } : {}),
      });
      const claims = AccessTokenClaims.safeParse(payload);
      if (!claims.success) throw invalidToken(res, 'The access token is invalid.');
      res.locals.caller = { userId: claims.data.sub, role: claims.data.role } satisfies AuthCaller;
    } catch (err) {
      if (err instanceof JwksUnavailableError) {
        log.warn({ err }, 'cannot verify tokens: JWKS unavailable');
        throw unavailable('AUTH.UNAVAILABLE', 'Sign-in cannot be checked right now; retry shortly.');
      }
      if (err instanceof errors.JWTExpired) throw invalidToken(res, 'The access token has expired.');
      if (err instanceof errors.JOSEError) throw invalidToken(res, 'The access token is invalid.');
      throw err;
    }
  }

  const ensure = async (req: Request, res: Response) => {
    if (res.locals[CHECKED] !== true) await verify(req, res);
  };

  return {
    authenticate: async (req, res, next) => {
      await verify(req, res);
      next();
    },
    requireCustomer: async (req, res, next) => {
      await ensure(req, res);
      if (!callerOf(res)) {
        res.set('www-authenticate', 'Bearer');
        throw unauthorized('AUTH.UNAUTHENTICATED', 'Sign in first.');
      }
      next();
    },
    requireAdmin: async (req, res, next) => {
      await ensure(req, res);
      const caller = callerOf(res);
      if (!caller) {
        res.set('www-authenticate', 'Bearer');
        throw unauthorized('AUTH.UNAUTHENTICATED', 'Sign in first.');
      }
      if (caller.role !== 'admin') throw forbidden('AUTH.ADMIN_ONLY', 'This needs the admin role.');
      next();
    },
    forwardHeaders(res) {
      const caller = callerOf(res);
      return caller ? identityHeaders(caller) : {};
    },
    async ready() {
      await jwks.load();
      return true;
    },
  };
}
