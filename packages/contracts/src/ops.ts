import { z } from 'zod';
import { PROBLEM_JSON, ProblemDetails } from './common.ts';
import { OrderId } from './orders.ts';
import { appIds, edgeAppId } from './access.ts';
import { apiSchemas } from './registry.ts';
import type { RouteResponse, RouteSpec } from './routes.ts';

/**
 * The operator's view in place of the Dapr dashboard (admin console, Operations): what each app's sidecar says about
 * itself (Dapr's metadata API, `GET /v1.0/metadata`) and an order's checkout workflow (Dapr's workflow API). Each app
 * reads its own sidecar on an internal route that only the gateway may invoke, for an admin.
 */

/** Dapr's metadata answer, the fields the console shows; anything else Dapr adds is passed on as it is. */
export const SidecarMetadata = z
  .looseObject({
    id: z.string(),
    runtimeVersion: z.string().nullish(),
    enabledFeatures: z.array(z.string()).nullish(),
    components: z.array(z.looseObject({ name: z.string(), type: z.string(), version: z.string().nullish() })).nullish(),
    subscriptions: z
      .array(
        z.looseObject({
          pubsubname: z.string(),
          topic: z.string(),
          deadLetterTopic: z.string().nullish(),
          rules: z.array(z.looseObject({ match: z.string().optional(), path: z.string() })).nullish(),
        }),
      )
      .nullish(),
    actorRuntime: z
      .looseObject({
        runtimeStatus: z.string().nullish(),
        activeActors: z.array(z.looseObject({ type: z.string(), count: z.int().nullish() })).nullish(),
        placement: z.string().nullish(),
      })
      .nullish(),
    workflows: z.looseObject({ connectedWorkers: z.int().nullish() }).nullish(),
    appConnectionProperties: z.looseObject({}).nullish(),
  })
  .register(apiSchemas, { id: 'SidecarMetadata', description: "A sidecar's own description (Dapr's GET /v1.0/metadata)." });
export type SidecarMetadata = z.infer<typeof SidecarMetadata>;

/** One app as the gateway reached it: its sidecar answered (healthy) with its metadata, or the call failed. */
export const OpsApp = z.object({
  app_id: z.string(),
  healthy: z.boolean(),
  error: z.string().optional(),
  metadata: SidecarMetadata.optional(),
});
export type OpsApp = z.infer<typeof OpsApp>;

export const OpsApps = z
  .object({ apps: z.array(OpsApp), checked_at: z.iso.datetime() })
  .register(apiSchemas, { id: 'OpsApps', description: "Every app-id with its sidecar's metadata, read through Dapr." });
export type OpsApps = z.infer<typeof OpsApps>;

/** Dapr's workflow instance (`GET /v1.0/workflows/dapr/{instanceId}`): status, times, and the engine's properties. */
export const WorkflowInstance = z
  .looseObject({
    instanceID: z.string(),
    workflowName: z.string().optional(),
    createdAt: z.string().optional(),
    lastUpdatedAt: z.string().optional(),
    runtimeStatus: z.string(),
    properties: z.record(z.string(), z.string()).optional(),
  })
  .register(apiSchemas, { id: 'WorkflowInstance', description: 'A Dapr workflow instance as the workflow API reports it.' });
export type WorkflowInstance = z.infer<typeof WorkflowInstance>;

/** An app on the way to another one's sidecar (opsHops in access.ts). */
export const OpsRelayParams = z.object({ app_id: z.enum(appIds) });

/** The checkout saga's instance id is the order id (orders starts one workflow per order). */
export const WorkflowParams = z.object({ id: OrderId });

/**
 * An order's trace as the admin console shows it, read from the trace backend's query API (Jaeger): spans in tree
 * order (each after its parent, siblings by start), times in milliseconds from the trace's first span.
 */
export const TraceSpan = z.object({
  span_id: z.string(),
  /** The span's parent (CHILD_OF), null for a root; it may not have arrived yet (then `depth` is 0). */
  parent_id: z.string().nullable(),
  service: z.string(),
  operation: z.string(),
  start_ms: z.number().min(0),
  duration_ms: z.number().min(0),
  /** Nesting under the spans of this trace: 0 for a root. */
  depth: z.int().min(0),
  /** The span recorded an error (OpenTelemetry status ERROR, or Jaeger's `error` tag). */
  error: z.boolean(),
});
export type TraceSpan = z.infer<typeof TraceSpan>;

export const TraceSummary = z.object({
  trace_id: z.string(),
  started_at: z.iso.datetime(),
  duration_ms: z.number().min(0),
  /** Every service with a span in the trace, in order of appearance. */
  services: z.array(z.string()),
  spans: z.array(TraceSpan),
});
export type TraceSummary = z.infer<typeof TraceSummary>;

export const OrderTraces = z.object({ order_id: OrderId, traces: z.array(TraceSummary) }).register(apiSchemas, {
  id: 'OrderTraces',
  description: "The traces holding a span tagged with the order's id (the checkout first), from the trace backend.",
});
export type OrderTraces = z.infer<typeof OrderTraces>;

export const OrderTraceParams = z.object({ order_id: OrderId });

const problem: RouteResponse = { schema: ProblemDetails, contentType: PROBLEM_JSON };
/** The kit mounts the internal routes on every app behind a sidecar (not on the public edge). */
const everyAppButTheEdge = appIds.filter((app) => app !== edgeAppId);
const denied = { 401: problem, 403: problem };

export const opsRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/api/admin/ops/apps',
    summary: "Every app-id with its sidecar's health, runtime version, components, subscriptions, actors and workflows",
    tags: ['gateway'],
    security: 'admin',
    responses: { 200: { schema: OpsApps }, ...denied },
  },
  {
    method: 'GET',
    path: '/api/admin/ops/workflows/{id}',
    summary: "An order's checkout workflow (saga) instance from the Dapr Workflow API",
    tags: ['gateway'],
    security: 'admin',
    params: WorkflowParams,
    responses: { 200: { schema: WorkflowInstance }, 400: problem, ...denied, 404: problem },
  },
  {
    method: 'GET',
    path: '/api/admin/ops/traces/{order_id}',
    summary: "An order's traces from the trace backend's query API (503 when tracing is not configured or unreachable)",
    tags: ['gateway'],
    security: 'admin',
    params: OrderTraceParams,
    responses: { 200: { schema: OrderTraces }, 400: problem, ...denied, 404: problem, 503: problem },
  },
  {
    method: 'GET',
    path: '/ops/metadata',
    summary: "The app's own sidecar metadata (the kit, in every app but the gateway; internal: the gateway for an admin)",
    tags: everyAppButTheEdge,
    security: 'admin',
    responses: { 200: { schema: SidecarMetadata }, ...denied },
  },
  {
    method: 'GET',
    path: '/ops/metadata/{app_id}',
    summary: "Another app's sidecar metadata, relayed to the next hop of opsHops (the kit; e.g. orders for payments)",
    tags: everyAppButTheEdge,
    security: 'admin',
    params: OpsRelayParams,
    responses: { 200: { schema: SidecarMetadata }, 400: problem, ...denied, 404: problem },
  },
  {
    method: 'GET',
    path: '/ops/workflows/{id}',
    summary: "A workflow instance from the app's own sidecar (the kit; the gateway may ask orders, which runs the saga)",
    tags: everyAppButTheEdge,
    security: 'admin',
    params: WorkflowParams,
    responses: { 200: { schema: WorkflowInstance }, 400: problem, ...denied, 404: problem },
  },
];
