// psp: the simulated payment service provider, a separate deployable behind its own Dapr app-id (see README.md).
import { createService } from '@globalmart/platform';
import { chargeBook } from './charge.book.ts';
import { pspConfig } from './config.ts';
import { pspRoutes, type Outage } from './psp.routes.ts';

const svc = await createService({ configShape: pspConfig });
const outage: Outage = { down: false };
svc.app.use(pspRoutes(chargeBook({ slowDelayMs: svc.config.PSP_SLOW_DELAY_MS }), outage, svc.logger));
await svc.start();
