import { Currency } from '@globalmart/contracts';
import { z } from 'zod';

export const cartConfig = {
  /** The currency an empty cart reports. */
  CART_DEFAULT_CURRENCY: Currency.default('USD'),
  /** A cart nobody touches for this long disappears (Dapr state TTL; every change renews it). 30 days. */
  CART_TTL_SECONDS: z.coerce.number().int().min(60).max(31_536_000).default(2_592_000),
  /** Read-change-save attempts on one cart before answering 503 CART.BUSY. */
  CART_CAS_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(20),
};
