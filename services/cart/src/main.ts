// cart: persistent carts in the Dapr state store (etag optimistic concurrency), priced by catalog, checked against inventory.
import { cartErrorCodes } from '@globalmart/contracts';
import { createService } from '@globalmart/platform';
import { cartEventRoutes } from './cart.events.routes.ts';
import { cartService } from './cart.service.ts';
import { cartUpstream } from './cart.upstream.ts';
import { cartRoutes } from './carts.routes.ts';
import { cartConfig } from './config.ts';

const svc = await createService({ configShape: cartConfig });
const carts = cartService({
  store: svc.dapr.state('statestore'),
  upstream: cartUpstream(svc.dapr.invoker),
  cas: { attempts: svc.config.CART_CAS_ATTEMPTS, busyCode: cartErrorCodes.Busy },
  defaultCurrency: svc.config.CART_DEFAULT_CURRENCY,
  ttlSeconds: svc.config.CART_TTL_SECONDS,
});

svc.app.use(cartRoutes(carts), cartEventRoutes(carts, svc.logger));
await svc.start();
