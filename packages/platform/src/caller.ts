import { allowedCallers, edgeAppId, isInvocable } from '@globalmart/contracts';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { forbidden, unauthorized } from './errors.ts';

/**
 * Who is calling. The gateway verifies the customer's JWT and passes the identity on through Dapr
 * service invocation as `x-user-id` and `x-user-role`; it strips any such header a client sends.
 * A service believes them only from the gateway's app-id (`dapr-caller-app-id`, which only a sidecar can set: the
 * app refuses anything without its app token, and the sidecar identifies the calling sidecar by its mTLS
 * certificate). From any other app they are ignored: another service acts as itself, never as a user.
 */
export const USER_ID_HEADER = 'x-user-id';
export const USER_ROLE_HEADER = 'x-user-role';
export const CALLER_APP_HEADER = 'dapr-caller-app-id';

export const Role = z.enum(['customer', 'admin']);
export type Role = z.infer<typeof Role>;

export interface Caller {
  userId: string;
  role: Role;
  /** The Dapr app-id that invoked this service (always the gateway for a user). */
  appId: string;
}

/** The app-id of the service that invoked this one, or undefined for a call the app's own sidecar made (events, bindings). */
export function callingApp(req: Request): string | undefined {
  return req.get(CALLER_APP_HEADER) || undefined;
}

/** The signed-in user, when the gateway says so; undefined for anonymous calls and for calls from any other app. */
export function callerOf(req: Request): Caller | undefined {
  const appId = callingApp(req);
  const userId = req.get(USER_ID_HEADER);
  const role = Role.safeParse(req.get(USER_ROLE_HEADER));
  if (appId !== edgeAppId || !userId || !role.success) return undefined;
  return { appId, userId, role: role.data };
}

/** A service (not the gateway acting for a user) is calling: the route's allow-list already said which ones may. */
export function isServiceCall(req: Request): boolean {
  const app = callingApp(req);
  return app !== undefined && app !== edgeAppId;
}

/** 401 unless a signed-in user is calling. */
export function requireUser(req: Request): Caller {
  const caller = callerOf(req);
  if (!caller) throw unauthorized('AUTH.UNAUTHENTICATED', 'Sign in first.');
  return caller;
}

/** 401 when anonymous, 403 unless the caller is an admin. */
export function requireAdmin(req: Request): Caller {
  const caller = requireUser(req);
  if (caller.role !== 'admin') throw forbidden('AUTH.ADMIN_ONLY', 'This needs the admin role.');
  return caller;
}

/** The owner or an admin may read a resource; anyone else gets 404, so ids cannot be probed. */
export function canRead(caller: Caller, ownerId: string): boolean {
  return caller.role === 'admin' || caller.userId === ownerId;
}

/** Headers that carry the signed-in user on (only the gateway sets them; other services ignore them from anyone else). */
export function identityHeaders(caller: Pick<Caller, 'userId' | 'role'>): Record<string, string> {
  return { [USER_ID_HEADER]: caller.userId, [USER_ROLE_HEADER]: caller.role };
}

/**
 * The per-route caller allow-list, from the one table in @globalmart/contracts (access.ts) that also renders every
 * sidecar's accessControl: a second check in the app, so a policy left off a sidecar still denies. A call that came
 * through Dapr service invocation (it carries dapr-caller-app-id) must be one the table allows for this app, this verb
 * and this path; the app's own sidecar delivering events or binding triggers carries none, and may reach only routes
 * that nobody invokes (subscription and binding routes are in no rule, so no other app can invoke them).
 */
export function enforceCallers(appId: string): RequestHandler {
  return (req, _res, next) => {
    const from = callingApp(req);
    if (from === undefined) {
      if (isInvocable(appId, req.path))
        return next(forbidden('AUTH.CALLER_NOT_ALLOWED', 'This route is reached only by service invocation.'));
      return next();
    }
    if (allowedCallers(appId, req.method, req.path).includes(from as never)) return next();
    next(forbidden('AUTH.CALLER_NOT_ALLOWED', `The app ${from} may not call ${req.method} ${req.path} on ${appId}.`));
  };
}
