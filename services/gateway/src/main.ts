// gateway: the public REST API (/api/...). Reaches every other service by Dapr service invocation.
import { createService, unauthorized } from '@globalmart/platform';
import { productsRoutes } from './routes/products.routes.ts';
import type { GatewayAuth } from './routes/gateway-auth.ts';

const svc = await createService({ livenessAwaitsReadiness: true });
// Ready means the services it fronts answer through Dapr; /healthz waits for that once, at start.
svc.addReadinessCheck('catalog', () => svc.dapr.invoker.invoke('catalog', 'readyz', { timeoutMs: 2_000 }));
// Until token verification is wired in, nobody is signed in: customer and admin routes answer 401.
const auth: GatewayAuth = {
  authenticate: (_req, _res, next) => next(),
  requireCustomer: () => {
    throw unauthorized('AUTH.UNAUTHENTICATED', 'Sign in first.');
  },
  requireAdmin: () => {
    throw unauthorized('AUTH.UNAUTHENTICATED', 'Sign in first.');
  },
  forwardHeaders: () => ({}),
};
svc.app.use(auth.authenticate);
svc.app.use(productsRoutes(svc.dapr.invoker, auth, svc.logger));
await svc.start();
