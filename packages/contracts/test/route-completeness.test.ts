// Contract completeness: every route each service's Express app mounts is in the route table (→ openapi.json), every
// route of the table is mounted by the app its tag names, and every subscription an app hands Dapr is one the
// AsyncAPI document (→ asyncapi.json, from the same access table) says it receives.
//
// Each app is built the way its main.ts builds it: createService (the kit's probes, job trigger, edge) on the
// in-memory Dapr ports, then the same routers on svc.app. A route table does not depend on what serves it, so the
// services' domain objects are `unused` (any use throws); main.ts itself is read to make sure this file mounts
// exactly what it mounts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, type Service } from '@globalmart/platform';
import { createMemoryDapr } from '@globalmart/platform/testing';
import { Router, type Express, type RequestHandler } from 'express';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { analyticsEventRoutes } from '../../../services/analytics/src/analytics.events.routes.ts';
import { reportsRoutes } from '../../../services/analytics/src/reports.routes.ts';
import { cartEventRoutes } from '../../../services/cart/src/cart.events.routes.ts';
import { cartRoutes as cartServiceRoutes } from '../../../services/cart/src/carts.routes.ts';
import { adminProductsRoutes } from '../../../services/catalog/src/admin-products.routes.ts';
import { productsRoutes as catalogProductsRoutes } from '../../../services/catalog/src/products.routes.ts';
import { createAuth } from '../../../services/gateway/src/auth/index.ts';
import { gatewayConfigShape } from '../../../services/gateway/src/config.ts';
import { installEdge } from '../../../services/gateway/src/edge/index.ts';
import { adminRoutes } from '../../../services/gateway/src/routes/admin.routes.ts';
import { cartRoutes as gatewayCartRoutes } from '../../../services/gateway/src/routes/cart.routes.ts';
import { identityRoutes as gatewayIdentityRoutes } from '../../../services/gateway/src/routes/identity.routes.ts';
import { opsRoutes as gatewayOpsRoutes } from '../../../services/gateway/src/routes/ops.routes.ts';
import { ordersRoutes as gatewayOrdersRoutes } from '../../../services/gateway/src/routes/orders.routes.ts';
import { productsRoutes as gatewayProductsRoutes } from '../../../services/gateway/src/routes/products.routes.ts';
import { storefrontRoutes } from '../../../services/gateway/src/web/storefront.ts';
import { identityRoutes as identityServiceRoutes } from '../../../services/identity/src/identity.routes.ts';
import { inventoryEventRoutes } from '../../../services/inventory/src/inventory.events.routes.ts';
import { reservationRoutes } from '../../../services/inventory/src/reservations.routes.ts';
import { stockRoutes } from '../../../services/inventory/src/stock.routes.ts';
import { deadLetterRoutes } from '../../../services/notifications/src/dead-letters.routes.ts';
import { notificationEventRoutes } from '../../../services/notifications/src/notification.events.ts';
import { ordersRoutes as ordersServiceRoutes } from '../../../services/orders/src/orders.routes.ts';
import { shippingSubscriptions } from '../../../services/orders/src/shipping.subscriptions.ts';
import { paymentsRoutes } from '../../../services/payments/src/payments.routes.ts';
import { pspRoutes } from '../../../services/psp/src/psp.routes.ts';
import { recommendationsEventRoutes, recommendationsRoutes } from '../../../services/recommendations/src/recommendations.routes.ts';
import { shipmentsRoutes } from '../../../services/shipping/src/shipments.routes.ts';
import {
  appIds,
  buildAsyncApiDocument,
  edgeAppId,
  eventCatalog,
  isDaprCallback,
  routes,
  subscribableTopics,
  type AppId,
  type RouteSpec,
} from '../src/index.ts';

/** A dependency the route table must not touch while it is built (it serves requests, it does not shape routes). */
const unused = new Proxy(
  {},
  {
    get(_target, key) {
      throw new Error(`a router used a dependency (.${String(key)}) while being built`);
    },
  },
) as never;

type AnyService = Service<Record<string, unknown>, undefined>;
type Mounts = Record<string, (svc: AnyService) => RequestHandler | Router | undefined>;

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A built storefront (one index.html), so the gateway mounts the SPA router as it does after `npm start` builds it. */
function storefrontBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gm-web-'));
  tempDirs.push(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>GlobalMart</title>');
  return dir;
}

/** Per app: what its main.ts passes to `svc.app.use(...)`, keyed by the call's name (or the expression passed). */
const mountsByApp: Record<AppId, Mounts> = {
  gateway: (() => {
    // One authentication per app built, shared by its routers as in main.ts.
    const auths = new WeakMap<AnyService, ReturnType<typeof createAuth>>();
    const authOf = (svc: AnyService) => {
      const auth = auths.get(svc) ?? createAuth({ invoker: svc.dapr.invoker, logger: svc.logger });
      auths.set(svc, auth);
      return auth;
    };
    return {
      'auth.authenticate': (svc) => authOf(svc).authenticate,
      identityRoutes: (svc) =>
        gatewayIdentityRoutes(
          svc.dapr.invoker,
          authOf(svc),
          installEdge(svc.app, svc.config as never, svc.logger, undefined, svc.edge).auth,
        ),
      productsRoutes: (svc) =>
        gatewayProductsRoutes({ invoker: svc.dapr.invoker, publisher: svc.dapr.publisher, auth: authOf(svc), logger: svc.logger }),
      adminRoutes: (svc) => adminRoutes(svc.dapr.invoker, authOf(svc)),
      cartRoutes: (svc) => gatewayCartRoutes(svc.dapr.invoker, authOf(svc)),
      ordersRoutes: (svc) => gatewayOrdersRoutes(svc.dapr.invoker, authOf(svc)),
      opsRoutes: (svc) => gatewayOpsRoutes(svc.dapr.invoker, authOf(svc), svc.config as never),
      storefront: (svc) => storefrontRoutes(storefrontBuild(), svc.logger),
    };
  })(),
  catalog: {
    productsRoutes: () => catalogProductsRoutes(unused),
    adminProductsRoutes: (svc) => adminProductsRoutes(unused, unused, svc.dapr.publisher, svc.logger),
  },
  identity: { identityRoutes: () => identityServiceRoutes(unused, unused) },
  inventory: {
    stockRoutes: () => stockRoutes(unused, unused),
    reservationRoutes: () => reservationRoutes(unused),
    inventoryEventRoutes: (svc) => inventoryEventRoutes(unused, svc.logger),
  },
  cart: { cartRoutes: () => cartServiceRoutes(unused), cartEventRoutes: (svc) => cartEventRoutes(unused, svc.logger) },
  orders: {
    shippingSubscriptions: (svc) => shippingSubscriptions(unused, svc.logger),
    ordersRoutes: (svc) => ordersServiceRoutes({ checkout: unused, repo: unused, invoker: svc.dapr.invoker, addresses: unused }),
  },
  payments: { paymentsRoutes: () => paymentsRoutes(unused) },
  psp: { pspRoutes: (svc) => pspRoutes(unused, { down: false }, svc.logger) },
  shipping: { shipmentsRoutes: () => shipmentsRoutes(unused) },
  notifications: {
    notificationEventRoutes: (svc) => notificationEventRoutes(unused, unused, svc.logger),
    deadLetterRoutes: () => deadLetterRoutes(unused),
  },
  recommendations: {
    recommendationsRoutes: () => recommendationsRoutes(unused, unused),
    recommendationsEventRoutes: (svc) => recommendationsEventRoutes(unused, unused, svc.logger),
  },
  analytics: {
    analyticsEventRoutes: (svc) => analyticsEventRoutes(unused, svc.logger),
    reportsRoutes: () => reportsRoutes(unused),
  },
};

/** The kit's app for `app` on in-memory Dapr ports: probes, the Dapr job trigger, the (empty) edge. */
async function kitService(app: AppId): Promise<AnyService> {
  return (await createService({
    // As main.ts: the edge (the gateway) takes no app token and serves no internal /ops routes.
    ...(app === edgeAppId ? { configShape: gatewayConfigShape, publicEdge: true, livenessAwaitsReadiness: true } : {}),
    dapr: createMemoryDapr(),
    env: { APP_ID: app, APP_PORT: '0', LOG_LEVEL: 'silent', NODE_ENV: 'test' },
    exitOnStartupError: false,
    handleSignals: false,
  })) as unknown as AnyService;
}

async function buildApp(app: AppId, mounts: Mounts = mountsByApp[app]): Promise<Express> {
  const svc = await kitService(app);
  for (const mount of Object.values(mounts)) {
    const handler = mount(svc);
    if (handler) svc.app.use(handler);
  }
  return svc.app;
}

export interface MountedRoute {
  method: string;
  /** OpenAPI style (`/carts/{user_id}`); a RegExp route as its source between slashes. */
  path: string;
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: unknown;
  slash?: boolean;
}

const toTemplate = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** Every route an Express 5 app answers, nested routers included (mounted at `/` or at a plain path). */
export function mountedRoutes(app: Express): MountedRoute[] {
  const out: MountedRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? (layer.route.path as unknown[]) : [layer.route.path];
        for (const path of paths) {
          const shown = typeof path === 'string' ? toTemplate(`${prefix}${path}`) : `${prefix}${String(path)}`;
          for (const method of Object.keys(layer.route.methods))
            out.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path: shown });
        }
      } else if (layer.handle.stack) {
        const mount = layer.slash || layer.rawPath === undefined ? '' : String(layer.rawPath);
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

const key = (r: MountedRoute) => `${r.method} ${r.path}`;

/** What is mounted but not in the contract, and what the contract has that is not mounted (sorted `METHOD /path`). */
export function compareRoutes(mounted: readonly MountedRoute[], contract: readonly MountedRoute[]) {
  const m = new Set(mounted.map(key));
  const c = new Set(contract.map(key));
  return { notInContract: [...m].filter((k) => !c.has(k)).sort(), notMounted: [...c].filter((k) => !m.has(k)).sort() };
}

/** The contract's routes served by `app`: a route's tags name the apps that answer it. */
export function contractRoutesOf(app: AppId, table: readonly RouteSpec[] = routes): MountedRoute[] {
  return table.filter((r) => r.tags?.includes(app)).map((r) => ({ method: r.method, path: r.path }));
}

/**
 * Routes outside the OpenAPI contract, each for a stated reason: Dapr's app callbacks (subscriptions, event
 * deliveries, job triggers: only the app's own sidecar calls them; asyncapi.json describes the events) and the
 * storefront's fallback (every non-/api GET answers the single-page app).
 */
function outsideOpenApi(app: AppId, route: MountedRoute): boolean {
  if (isDaprCallback(route.path)) return true;
  return app === 'gateway' && route.method === 'GET' && route.path === '/.*/';
}

/** What main.ts passes to `svc.app.use(...)`: each argument's call name, or the expression itself; and direct routes. */
const readMain = (app: AppId) => readFileSync(new URL(`../../../services/${app}/src/main.ts`, import.meta.url), 'utf8');

function mainMounts(app: AppId): string[] {
  return mountsIn(readMain(app));
}

function mountsIn(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/\.app\.use\(/g)) {
    let depth = 1;
    let arg = '';
    const args: string[] = [];
    for (let i = match.index + match[0].length; depth > 0 && i < source.length; i += 1) {
      const ch = source[i]!;
      if (ch === '(' || ch === '{' || ch === '[') depth += 1;
      if (ch === ')' || ch === '}' || ch === ']') depth -= 1;
      if ((ch === ',' && depth === 1) || depth === 0) {
        args.push(arg.trim());
        arg = '';
      } else arg += ch;
    }
    found.push(...args.filter(Boolean).map((a) => /^([\w.]+)\s*\(/.exec(a)?.[1] ?? a));
  }
  // A route added straight on the app (svc.app.get(...)) is not built here: it shows up as a mount to account for.
  for (const direct of source.matchAll(/\.app\.(get|post|put|patch|delete|all|route)\(/g)) found.push(`svc.app.${direct[1]}(...)`);
  return found.sort();
}

describe('route completeness: mounted Express routes = openapi.json', () => {
  it('every route of the contract names the app(s) that answer it', () => {
    const untagged = routes.filter((r) => !r.tags?.some((t) => (appIds as readonly string[]).includes(t)));
    expect(untagged.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  for (const app of appIds) {
    it(`${app}: this test mounts what services/${app}/src/main.ts mounts`, () => {
      expect(mainMounts(app)).toEqual(Object.keys(mountsByApp[app]).sort());
      expect(readMain(app).includes('publicEdge: true'), 'createService({ publicEdge: true }) only at the edge').toBe(app === edgeAppId);
    });

    it(`${app}: every mounted route is in the contract, every contract route of ${app} is mounted`, async () => {
      const mounted = mountedRoutes(await buildApp(app)).filter((r) => !outsideOpenApi(app, r));
      expect(mounted.length).toBeGreaterThan(0);
      expect(compareRoutes(mounted, contractRoutesOf(app))).toEqual({ notInContract: [], notMounted: [] });
    });

    it(`${app}: subscribes to exactly the topics asyncapi.json says it receives, every event route declared`, async () => {
      const express = await buildApp(app);
      const subscriptions = mountedRoutes(express).some((r) => r.path === '/dapr/subscribe')
        ? ((await request(express).get('/dapr/subscribe').expect(200)).body as Subscription[])
        : [];
      const receives = Object.values(buildAsyncApiDocument().operations)
        .filter((op) => op.action === 'receive' && op['x-dapr-app-id'] === app)
        .map((op) => op.channel.$ref.replace('#/channels/', ''));
      expect(receives.sort()).toEqual(subscribableTopics(app));
      const subscribed = subscriptions.map((s) => s.topic).sort();
      expect(subscribed).toEqual(receives);
      // Every routing rule matches an event of the topic it is on; every /events route is a rule's or a default's.
      const declared = new Set<string>();
      for (const s of subscriptions) {
        declared.add(s.routes.default);
        for (const rule of s.routes.rules ?? []) {
          declared.add(rule.path);
          const type = /^event\.type == '(.+)'$/.exec(rule.match)?.[1] ?? '';
          expect(eventCatalog[type as keyof typeof eventCatalog]?.topic, `${rule.match} on ${s.topic}`).toBe(s.topic);
        }
      }
      const eventRoutes = mountedRoutes(express).filter((r) => r.path.startsWith('/events/'));
      for (const route of eventRoutes) expect(declared, route.path).toContain(route.path);
    });
  }
});

interface Subscription {
  topic: string;
  routes: { default: string; rules?: { match: string; path: string }[] };
}

describe('route completeness: the check itself', () => {
  it('finds a mounted route the contract lacks and a contract route nothing mounts', async () => {
    const extra = Router().get('/carts/:user_id/export', (_req, res) => void res.end());
    const express = await buildApp('cart', { ...mountsByApp.cart, extra: () => extra });
    const withoutDelete = routes.filter((r) => !(r.method === 'DELETE' && r.path === '/carts/{user_id}'));
    const table: RouteSpec[] = [
      ...withoutDelete,
      { method: 'GET', path: '/carts/{user_id}/history', summary: 'x', tags: ['cart'], responses: {} },
    ];
    const mounted = mountedRoutes(express).filter((r) => !outsideOpenApi('cart', r));
    expect(compareRoutes(mounted, contractRoutesOf('cart', table))).toEqual({
      notInContract: ['DELETE /carts/{user_id}', 'GET /carts/{user_id}/export'],
      notMounted: ['GET /carts/{user_id}/history'],
    });
  });

  it('sees routes of nested routers under their mount path, and the kit’s own routes', async () => {
    const nested = Router().use(
      '/v2',
      Router().post('/things/:id', (_req, res) => void res.end()),
    );
    const express = await buildApp('psp', { extra: () => nested });
    expect(mountedRoutes(express).map(key)).toEqual(expect.arrayContaining(['GET /healthz', 'GET /readyz', 'POST /v2/things/{id}']));
  });

  it('reads every mount of a main.ts: routers by name, handlers as passed, routes added on the app', () => {
    const source = "svc.app.use(fooRoutes(a, b({ x: 1 })), auth.check);\nif (web) svc.app.use(web);\nsvc.app.get('/x', h);";
    expect(mountsIn(source)).toEqual(['auth.check', 'fooRoutes', 'svc.app.get(...)', 'web']);
    expect(mainMounts('inventory')).toEqual(['inventoryEventRoutes', 'reservationRoutes', 'stockRoutes']);
  });
});
