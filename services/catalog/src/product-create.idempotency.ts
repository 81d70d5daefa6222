// Admin create under an Idempotency-Key: the key names the product, so a retried or repeated create finds it.
import { createHash } from 'node:crypto';
import type { Product, ProductCreate } from '@globalmart/contracts';
import type { ProductRepository } from './product.repository.ts';
import { changedFields } from './product.rules.ts';

/**
 * The id a keyed create gives its product: derived from the admin and the key (keys are per caller, as Stripe's are
 * per account), in the public format of newProductId. Every attempt of one request computes the same id.
 */
export function productIdForKey(userId: string, key: string): string {
  const digest = createHash('sha256').update(`${userId}\n${key}`).digest();
  return `prd_${digest.readBigUInt64BE(0).toString(36).padStart(12, '0').slice(-12)}`;
}

/** A repeat that asks for another product than the one its key created (Stripe: the key was reused). */
export const isOtherRequest = (existing: Product, request: ProductCreate) =>
  changedFields(existing, { ...existing, ...request }).length > 0;

/**
 * Inserts the product unless its id exists: `created` false for a repeat (an earlier attempt, or one racing this one,
 * inserted it; the store's unique id lets exactly one insert win).
 */
export async function createOnce(
  repo: Pick<ProductRepository, 'get' | 'create'>,
  id: string,
  request: ProductCreate,
): Promise<{ product: Product; created: boolean }> {
  const existing = await repo.get(id);
  if (existing) return { product: existing, created: false };
  try {
    return { product: await repo.create(id, request), created: true };
  } catch (err) {
    // Lost the insert to a twin attempt (duplicate id): its product is the answer. Anything else is a real failure.
    const twin = await repo.get(id);
    if (!twin) throw err;
    return { product: twin, created: false };
  }
}
