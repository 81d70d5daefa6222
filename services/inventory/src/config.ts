import { z } from 'zod';

export const inventoryConfig = {
  /** `demo` gives each demo-catalog product stock where it has none (in the background, once catalog answers). */
  INVENTORY_SEED: z.enum(['demo', 'none']).default('none'),
  /** How often reservations past their expiry are released (the Dapr job `inventory-reservation-expiry`). */
  INVENTORY_SWEEP_MS: z.coerce.number().int().min(50).max(3_600_000).default(5_000),
  /** How long a reservation holds its units when the request gives no ttl_seconds (15 minutes). */
  INVENTORY_RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Read-check-save attempts on one key before answering 503 INVENTORY.BUSY (never a blind write). */
  INVENTORY_CAS_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(30),
};
