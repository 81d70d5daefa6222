import { z } from 'zod';
import { appIds } from './access.ts';
import { PROBLEM_JSON, ProblemDetails } from './common.ts';
import { apiSchemas } from './registry.ts';
import type { RouteSpec } from './routes.ts';

/** /healthz: the process answers (it never touches a dependency). */
export const Liveness = z.object({ status: z.literal('ok') }).register(apiSchemas, { id: 'Liveness' });
export type Liveness = z.infer<typeof Liveness>;

/** /readyz: every readiness check of the app (sidecar, database, ...) passed; each check's result by name. */
export const ReadinessReport = z
  .object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) })
  .register(apiSchemas, { id: 'ReadinessReport' });
export type ReadinessReport = z.infer<typeof ReadinessReport>;

const unavailable = (description: string) => ({ schema: ProblemDetails, contentType: PROBLEM_JSON, description });

/**
 * What the service kit (@globalmart/platform createService) mounts on every app: the probes, exempt from the app
 * token (kubelet calls them; the gateway's readiness calls catalog's /readyz through Dapr).
 */
export const platformRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness: the process answers (every app; the gateway is 503 until it has been ready once)',
    tags: [...appIds],
    responses: { 200: { schema: Liveness }, 503: unavailable('SERVICE.STARTING: what the app fronts has not answered yet') },
  },
  {
    method: 'GET',
    path: '/readyz',
    summary: 'Readiness: the sidecar and every other check of the app pass (every app)',
    tags: [...appIds],
    responses: { 200: { schema: ReadinessReport }, 503: unavailable('SERVICE.NOT_READY: names the failing checks') },
  },
];

/**
 * Dapr's app callbacks, called by the app's own sidecar only and so outside the OpenAPI document: the subscription
 * list (`GET /dapr/subscribe`), event deliveries (`POST /events/...`, described by asyncapi.json) and job triggers
 * (`POST /job/{name}`).
 */
export function isDaprCallback(path: string): boolean {
  return path === '/dapr/subscribe' || path.startsWith('/events/') || path.startsWith('/job/');
}
