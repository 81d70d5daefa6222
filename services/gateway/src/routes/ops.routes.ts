import {
  appIds,
  edgeAppId,
  opsHops,
  OrderTraceParams,
  WorkflowParams,
  type AppId,
  type OpsApp,
  type OpsApps,
  type OrderTraces,
  type SidecarMetadata,
  type WorkflowInstance,
} from '@globalmart/contracts';
import { InvokeError, notFound, parseParams, unavailable, type BaseConfig, type ServiceInvoker } from '@globalmart/platform';
import { readSidecarMetadata } from '@globalmart/platform/ops';
import { findTraces, summarizeTrace, TraceQueryError } from '@globalmart/platform/traces';
import { Router } from 'express';
import type { GatewayConfig } from '../config.ts';
import type { GatewayAuth } from './gateway-auth.ts';

/** The app whose spans carry the order id (`order.id`: the saga start and its activities); Jaeger's search needs one. */
const ORDER_TAGGED_SERVICE: AppId = 'orders';

/** How long the Operations page waits for one app before showing it unhealthy. */
const APP_BUDGET_MS = 5_000;

const reason = (err: unknown) =>
  err instanceof InvokeError ? `${err.status}: ${JSON.stringify(err.body ?? '').slice(0, 200)}` : String((err as Error)?.message ?? err);

/**
 * The admin console's Operations view, through Dapr: every app's sidecar metadata (each app reads its own sidecar on the
 * kit's /ops/metadata, invoked here; the gateway reads its own), and an order's checkout workflow from orders' sidecar.
 * An order's trace comes from the trace backend's query API (TRACE_QUERY_URL), outside Dapr.
 */
export function opsRoutes(
  invoker: ServiceInvoker,
  auth: GatewayAuth,
  config: Pick<BaseConfig, 'DAPR_HOST' | 'DAPR_HTTP_PORT' | 'DAPR_API_TOKEN'> & Pick<GatewayConfig, 'TRACE_QUERY_URL'>,
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
            ? await readSidecarMetadata(config)
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

  // Jaeger's query API is an operator tool beside the platform, not an app of the mesh: the gateway calls it directly
  // over HTTP, like the dashboard would (no sidecar, no access-table rule; on Kubernetes an egress rule for the gateway,
  // docs/security.md). Every trace holding a span tagged with the order id: the checkout's, then any later ones.
  router.get('/api/admin/ops/traces/:order_id', auth.requireAdmin, async (req, res) => {
    const { order_id } = parseParams(OrderTraceParams, req);
    const queryUrl = config.TRACE_QUERY_URL;
    if (!queryUrl) {
      throw unavailable('TRACING.NOT_CONFIGURED', 'Tracing is not configured: this gateway has no trace query API (TRACE_QUERY_URL).');
    }
    let found;
    try {
      found = await findTraces(queryUrl, ORDER_TAGGED_SERVICE, { 'order.id': order_id });
    } catch (err) {
      if (err instanceof TraceQueryError)
        throw unavailable('TRACING.UNAVAILABLE', 'The trace backend cannot be reached; try again shortly.');
      throw err;
    }
    const traces = found
      .filter((t) => t.spans.length > 0)
      .map(summarizeTrace)
      .sort((a, b) => a.started_at.localeCompare(b.started_at) || a.trace_id.localeCompare(b.trace_id));
    if (traces.length === 0) {
      throw notFound('TRACE.NOT_FOUND', `No trace of ${order_id} yet: spans reach the trace backend a few seconds after the checkout.`);
    }
    const body: OrderTraces = { order_id, traces };
    res.set('cache-control', 'private, no-store').json(body);
  });

  return router;
}
