import {
  appIds,
  edgeAppId,
  opsHops,
  WorkflowParams,
  type OpsApp,
  type OpsApps,
  type SidecarMetadata,
  type WorkflowInstance,
} from '@globalmart/contracts';
import { InvokeError, parseParams, type BaseConfig, type ServiceInvoker } from '@globalmart/platform';
import { readSidecarMetadata } from '@globalmart/platform/ops';
import { Router } from 'express';
import type { GatewayAuth } from './gateway-auth.ts';

/** How long the Operations page waits for one app before showing it unhealthy. */
const APP_BUDGET_MS = 5_000;

const reason = (err: unknown) =>
  err instanceof InvokeError ? `${err.status}: ${JSON.stringify(err.body ?? '').slice(0, 200)}` : String((err as Error)?.message ?? err);

/**
 * The admin console's Operations view, through Dapr: every app's sidecar metadata (each app reads its own sidecar on the
 * kit's /ops/metadata, invoked here; the gateway reads its own), and an order's checkout workflow from orders' sidecar.
 */
export function opsRoutes(
  invoker: ServiceInvoker,
  auth: GatewayAuth,
  sidecar: Pick<BaseConfig, 'DAPR_HOST' | 'DAPR_HTTP_PORT' | 'DAPR_API_TOKEN'>,
): Router {
  const router = Router();

  router.get('/api/admin/ops/apps', auth.requireAdmin, async (_req, res) => {
    const headers = auth.forwardHeaders(res);
    const apps = await Promise.all(
      appIds.map(async (appId): Promise<OpsApp> => {
        try {
          // Directly, or through the apps that call it anyway (payments: orders relays; see opsHops).
          const [first] = appId === edgeAppId ? [] : opsHops(appId);
          const metadata = !first
            ? await readSidecarMetadata(sidecar)
            : (
                await invoker.invoke<SidecarMetadata>(first, first === appId ? 'ops/metadata' : `ops/metadata/${appId}`, {
                  headers,
                  timeoutMs: APP_BUDGET_MS,
                })
              ).body;
          return { app_id: appId, healthy: true, metadata };
        } catch (err) {
          return { app_id: appId, healthy: false, error: reason(err) };
        }
      }),
    );
    const body: OpsApps = { apps, checked_at: new Date().toISOString() };
    res.set('cache-control', 'private, no-store').json(body);
  });

  router.get('/api/admin/ops/workflows/:id', auth.requireAdmin, async (req, res) => {
    const { id } = parseParams(WorkflowParams, req);
    const { body } = await invoker.invoke<WorkflowInstance>('orders', `ops/workflows/${id}`, { headers: auth.forwardHeaders(res) });
    res.set('cache-control', 'private, no-store').json(body);
  });

  return router;
}
