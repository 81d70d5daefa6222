// gateway: the public REST API (/api/...). Reaches every other service by Dapr service invocation.
import { createService } from '@globalmart/platform';
import { productsRoutes } from './products.routes.ts';

const svc = await createService({ livenessAwaitsReadiness: true });
// Ready means the services it fronts answer through Dapr; /healthz waits for that once, at start.
svc.addReadinessCheck('catalog', () => svc.dapr.invoker.invoke('catalog', 'readyz', { timeoutMs: 2_000 }));
svc.app.use(productsRoutes(svc.dapr.invoker));
await svc.start();
