// The operations to fuzz, read from the generated contract (packages/contracts/generated/openapi.json), and the
// way each is reached: public routes (tag gateway) at the gateway's port, internal ones by Dapr service invocation
// from an app that the access table (@globalmart/contracts access.ts) lets call them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allowedCallers } from '@globalmart/contracts';
import { repoRoot } from '@globalmart/devstack';

export type JsonSchema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `GET /api/products/{id}`: names the operation in reports. */
  id: string;
  method: string;
  /** OpenAPI path template. */
  path: string;
  /** The app that answers it: `gateway` for /api/..., otherwise the internal app-id. */
  app: string;
  params: Parameter[];
  /** The JSON body schema (a $ref into components), when the operation takes one. */
  body?: JsonSchema;
  security?: 'customer' | 'admin';
  /** Not in openapi.json although the app serves it (reported as a contract gap). */
  undocumented?: boolean;
}

export interface Contract {
  operations: Operation[];
  /** `#/components/schemas/...` targets, for $ref resolution. */
  components: { schemas: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: Record<string, string[]>[];
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/**
 * The gateway serves the customer's cart (services/gateway/src/routes/cart.routes.ts) but the contract does not list
 * it: fuzzed all the same, flagged `undocumented`, until the route table carries them.
 */
const productId: Parameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^prd_[0-9a-z]{6,32}$' } };
const undocumented: Operation[] = [
  { method: 'GET', path: '/api/cart', params: [] },
  { method: 'POST', path: '/api/cart/items', params: [], body: ref('CartItemAdd') },
  { method: 'PATCH', path: '/api/cart/items/{id}', params: [productId], body: ref('CartItemPatch') },
  { method: 'DELETE', path: '/api/cart/items/{id}', params: [productId] },
].map((o) => ({ ...o, id: `${o.method} ${o.path}`, app: 'gateway', security: 'customer' as const, undocumented: true }));

export function loadContract(file = join(repoRoot, 'packages/contracts/generated/openapi.json')): Contract {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, OpenApiOperation>>;
    components: Contract['components'];
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const scope = op.security?.[0]?.bearerAuth?.[0];
      const body = op.requestBody?.content?.['application/json']?.schema;
      operations.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        app: op.tags?.[0] ?? 'gateway',
        params: op.parameters ?? [],
        ...(body ? { body } : {}),
        ...(scope === 'customer' || scope === 'admin' ? { security: scope } : {}),
      });
    }
  }
  const known = new Set(operations.map((o) => o.id));
  operations.push(...undocumented.filter((o) => !known.has(o.id)));
  return { operations, components: doc.components };
}

/** Follows a local `#/components/schemas/X` reference (one level; the contract's refs point at named schemas). */
export function deref(contract: Contract, schema: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = contract.components.schemas[name];
    if (!target) throw new Error(`unresolved $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

/**
 * The app whose sidecar invokes an internal operation: the first caller the access table allows for it (the gateway
 * first when it is one of them, since only its x-user-* headers are believed). An operation nobody may call is sent
 * from the gateway: its sidecar's policy must deny it without the target ever seeing it.
 */
export function viaFor(op: Operation): string {
  const concrete = op.path.replace(/\{[^}]+\}/g, 'x');
  const callers = allowedCallers(op.app, op.method, concrete);
  return callers.includes('gateway') ? 'gateway' : (callers[0] ?? 'gateway');
}
