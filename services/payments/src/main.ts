// payments: authorise / capture / refund behind a payment-provider port; records in the Dapr state store.
import { createService } from '@globalmart/platform';
import { paymentsConfig } from './config.ts';
import { stateStorePaymentRepository } from './payment.repository.ts';
import { paymentService } from './payment.service.ts';
import { paymentsRoutes } from './payments.routes.ts';
import { pspProvider } from './psp.provider.ts';

const svc = await createService({ configShape: paymentsConfig });
// Fail fast at start when the provider key is missing, not on the first checkout.
const apiKey = await svc.dapr.secrets.get(svc.config.PAYMENTS_API_KEY_SECRET);
const provider = pspProvider(svc.dapr.invoker, { appId: svc.config.PAYMENTS_PROVIDER_APP_ID, apiKey, logger: svc.logger });
const repo = stateStorePaymentRepository(svc.dapr.state('statestore'));

svc.app.use(paymentsRoutes(paymentService({ repo, provider, publisher: svc.dapr.publisher, logger: svc.logger })));
await svc.start();
