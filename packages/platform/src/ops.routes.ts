// The operations view of one app (the admin console's Operations page, in place of the Dapr dashboard): the app reads
// its own sidecar's metadata and workflow APIs, which only the app holds the token for, and answers the gateway acting
// for an admin. The access table lets only the gateway invoke these routes; the role is re-checked here.
import { OpsRelayParams, SidecarMetadata, WorkflowInstance, WorkflowParams, opsHops, type AppId } from '@globalmart/contracts';
import type { Request } from 'express';
import { Router } from 'express';
import { isServiceCall, requireAdmin } from './caller.ts';
import type { ServiceInvoker } from './dapr/ports.ts';
import type { BaseConfig } from './config.ts';
import { AppError, notFound } from './errors.ts';
import { parseParams } from './validate.ts';

type SidecarConfig = Pick<BaseConfig, 'DAPR_HOST' | 'DAPR_HTTP_PORT' | 'DAPR_API_TOKEN'>;

/** GET on this app's own sidecar (Dapr's HTTP API), with its API token; undefined when `missing` says so. */
async function sidecarGet(
  config: SidecarConfig,
  path: string,
  missing: (status: number, text: string) => boolean = (status) => status === 404,
): Promise<unknown> {
  const res = await fetch(`http://${config.DAPR_HOST}:${config.DAPR_HTTP_PORT}${path}`, {
    headers: config.DAPR_API_TOKEN ? { 'dapr-api-token': config.DAPR_API_TOKEN } : {},
    signal: AbortSignal.timeout(3_000),
  });
  const text = await res.text();
  if (missing(res.status, text)) return undefined;
  if (!res.ok) throw new AppError(502, 'OPS.SIDECAR_FAILED', `The sidecar answered ${res.status} for ${path}.`);
  return JSON.parse(text) as unknown;
}

// Dapr answers an unknown instance with 500 ERR_GET_WORKFLOW ("... no such instance exists"), not 404.
const noSuchInstance = (status: number, text: string) => status === 404 || (status === 500 && /no such instance/i.test(text));

/** The sidecar's own description (`GET /v1.0/metadata`). */
export async function readSidecarMetadata(config: SidecarConfig): Promise<SidecarMetadata> {
  return SidecarMetadata.parse(await sidecarGet(config, '/v1.0/metadata'));
}

/**
 * The gateway acting for an admin, or an app relaying for it: the access table names the only apps that may call
 * (the hops of opsHops), so a service caller is one of those.
 */
function authorize(req: Request): void {
  if (!isServiceCall(req)) requireAdmin(req);
}

export function opsRoutes(config: SidecarConfig & Pick<BaseConfig, 'APP_ID'>, invoker: ServiceInvoker): Router {
  const router = Router();
  router.get('/ops/metadata', async (req, res) => {
    authorize(req);
    res.set('cache-control', 'no-store').json(await readSidecarMetadata(config));
  });
  // A relay on the way to an app the gateway does not call (payments answers orders only): ask the next hop.
  router.get('/ops/metadata/:app_id', async (req, res) => {
    authorize(req);
    const { app_id: target } = parseParams(OpsRelayParams, req);
    const hops = opsHops(target as AppId);
    const next = hops[hops.indexOf(config.APP_ID as AppId) + 1];
    if (!hops.includes(config.APP_ID as AppId) || !next) throw notFound('OPS.NOT_A_HOP', `${config.APP_ID} does not relay to ${target}.`);
    const path = next === target ? 'ops/metadata' : `ops/metadata/${target}`;
    const { body } = await invoker.invoke<SidecarMetadata>(next, path, { timeoutMs: 3_000 });
    res.set('cache-control', 'no-store').json(body);
  });
  router.get('/ops/workflows/:id', async (req, res) => {
    authorize(req);
    const { id } = parseParams(WorkflowParams, req);
    const body = await sidecarGet(config, `/v1.0/workflows/dapr/${encodeURIComponent(id)}`, noSuchInstance);
    if (body === undefined) throw notFound('OPS.WORKFLOW_NOT_FOUND', `No workflow instance ${id} on this app's sidecar.`);
    res.set('cache-control', 'no-store').json(WorkflowInstance.parse(body));
  });
  return router;
}
