import { z } from 'zod';

export const paymentsConfig = {
  /** The Dapr app-id of the payment provider adapter's target (the simulator locally; a real PSP gateway elsewhere). */
  PAYMENTS_PROVIDER_APP_ID: z.string().min(1).default('psp'),
  /** The secret-store entry holding the provider API key (sent as a bearer token). */
  PAYMENTS_API_KEY_SECRET: z.string().min(1).default('payments-api-key'),
};
