// gateway: the public REST API (/api/...). Verifies customers' tokens, then reaches every other service
// by Dapr service invocation, passing the verified caller on (x-user-id, x-user-role).
import { createService } from '@globalmart/platform';
import { createAuth } from './auth/index.ts';
import { adminRoutes } from './routes/admin.routes.ts';
import { cartRoutes } from './routes/cart.routes.ts';
import { identityRoutes } from './routes/identity.routes.ts';
import { ordersRoutes } from './routes/orders.routes.ts';
import { productsRoutes } from './routes/products.routes.ts';

const svc = await createService({ livenessAwaitsReadiness: true });
const { invoker, publisher } = svc.dapr;
const auth = createAuth({ invoker, logger: svc.logger });
// Ready means browsing works through Dapr; /healthz waits for that once, at start. Identity is not a
// readiness gate: while its keys cannot be fetched, signed-in calls answer 503 AUTH.UNAVAILABLE and
// browsing goes on.
svc.addReadinessCheck('catalog', () => invoker.invoke('catalog', 'readyz', { timeoutMs: 2_000 }));

svc.app.use(auth.authenticate);
svc.app.use(identityRoutes(invoker, auth));
svc.app.use(productsRoutes({ invoker, publisher, auth, logger: svc.logger }));
svc.app.use(adminRoutes(invoker, auth));
svc.app.use(cartRoutes(invoker, auth));
svc.app.use(ordersRoutes(invoker, auth));
await svc.start();
