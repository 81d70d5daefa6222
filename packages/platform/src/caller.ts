import type { Request } from 'express';
import { z } from 'zod';
import { forbidden, unauthorized } from './errors.ts';

/**
 * Who is calling. The gateway verifies the customer's JWT and passes the identity on through Dapr
 * service invocation as `x-user-id` and `x-user-role`; it strips any such header a client sends.
 * A service accepts them only on requests that came through Dapr (`dapr-caller-app-id` present, which the
 * sidecar sets), and re-checks the role itself for admin routes.
 */
export const USER_ID_HEADER = 'x-user-id';
export const USER_ROLE_HEADER = 'x-user-role';

export const Role = z.enum(['customer', 'admin']);
export type Role = z.infer<typeof Role>;

export interface Caller {
  userId: string;
  role: Role;
  /** The Dapr app-id that invoked this service. */
  appId: string;
}

export function callerOf(req: Request): Caller | undefined {
  const appId = req.get('dapr-caller-app-id');
  const userId = req.get(USER_ID_HEADER);
  const role = Role.safeParse(req.get(USER_ROLE_HEADER));
  if (!appId || !userId || !role.success) return undefined;
  return { appId, userId, role: role.data };
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

/** Headers that carry the caller on to the next service (the gateway sets them, services pass them on). */
export function identityHeaders(caller: Pick<Caller, 'userId' | 'role'>): Record<string, string> {
  return { [USER_ID_HEADER]: caller.userId, [USER_ROLE_HEADER]: caller.role };
}
