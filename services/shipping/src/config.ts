import { z } from 'zod';

const ms = (fallback: number) => z.coerce.number().int().min(0).max(86_400_000).default(fallback);

export const shippingConfig = {
  /** created → shipped this long after booking (simulated carrier pick-up). */
  SHIPPING_SHIP_DELAY_MS: ms(5000),
  /** shipped → delivered this long after pick-up. */
  SHIPPING_DELIVER_DELAY_MS: ms(10_000),
  /** How often the progress sweep looks for shipments whose next step is due. */
  SHIPPING_SWEEP_MS: z.coerce.number().int().min(50).max(3_600_000).default(1000),
};
