// gateway: the public REST API (/api/...). Verifies customers' tokens, then reaches every other service
// by Dapr service invocation, passing the verified caller on (x-user-id, x-user-role).
import { createService } from '@globalmart/platform';
import { createAuth } from './auth/index.ts';
import { gatewayConfigShape } from './config.ts';
import { installEdge } from './edge/index.ts';
import { adminRoutes } from './routes/admin.routes.ts';
import { cartRoutes } from './routes/cart.routes.ts';
import { identityRoutes } from './routes/identity.routes.ts';
import { opsRoutes } from './routes/ops.routes.ts';
import { ordersRoutes } from './routes/orders.routes.ts';
import { productsRoutes } from './routes/products.routes.ts';
import { defaultWebDir, storefrontRoutes } from './web/storefront.ts';

const svc = await createService({ configShape: gatewayConfigShape, livenessAwaitsReadiness: true, publicEdge: true });
if (svc.config.NODE_ENV === 'production' && !svc.config.RATE_LIMIT_REDIS_URL) {
  // Per-process counters would multiply every limit by the number of replicas.
  svc.logger.fatal('RATE_LIMIT_REDIS_URL is required in production');
  process.exit(1);
}
const { invoker, publisher } = svc.dapr;
// Security headers and rate limits come before authentication: a flood is refused before any token is verified.
const edge = installEdge(svc.app, svc.config, svc.logger, undefined, svc.edge);
svc.onShutdown(() => edge.close());
const auth = createAuth({ invoker, logger: svc.logger });
// Ready means browsing works through Dapr; /healthz waits for that once, at start. Identity is not a
// readiness gate: while its keys cannot be fetched, signed-in calls answer 503 AUTH.UNAVAILABLE and
// browsing goes on.
svc.addReadinessCheck('catalog', () => invoker.invoke('catalog', 'readyz', { timeoutMs: 2_000 }));

svc.app.use(auth.authenticate);
svc.app.use(identityRoutes(invoker, auth, edge.auth));
svc.app.use(productsRoutes({ invoker, publisher, auth, logger: svc.logger }));
svc.app.use(adminRoutes(invoker, auth));
svc.app.use(cartRoutes(invoker, auth));
svc.app.use(
  ordersRoutes(invoker, auth, {
    maxInFlight: svc.config.CHECKOUT_MAX_IN_FLIGHT,
    acceptTimeoutMs: svc.config.CHECKOUT_ACCEPT_TIMEOUT_MS,
    ...(svc.config.CHECKOUT_MAX_RATE > 0
      ? { rate: edge.limiter({ name: 'checkout', points: svc.config.CHECKOUT_MAX_RATE, windowSeconds: 1 }) }
      : {}),
  }),
);
svc.app.use(opsRoutes(invoker, auth, svc.config));
// Last: the single-page app answers what no API route did (unknown /api paths still get the kit's 404).
const storefront = storefrontRoutes(svc.config.WEB_DIST_DIR ?? defaultWebDir, svc.logger);
if (storefront) svc.app.use(storefront);
await svc.start();
