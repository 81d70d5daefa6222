import { z } from 'zod';

const ms = (fallback: number) => z.coerce.number().int().min(0).max(86_400_000).default(fallback);

export const shippingConfig = {
  /** created → shipped this long after booking (simulated carrier pick-up). */
  SHIPPING_SHIP_DELAY_MS: ms(5000),
  /** shipped → delivered this long after pick-up. */
  SHIPPING_DELIVER_DELAY_MS: ms(10_000),
  /** The lease on a shipment's lock: a replica that dies holding it blocks that shipment this long at most. */
  SHIPPING_LOCK_LEASE_SECONDS: z.coerce.number().int().min(5).max(600).default(30),
};
