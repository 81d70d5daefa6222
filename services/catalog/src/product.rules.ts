import { randomBytes } from 'node:crypto';
import type { Product } from '@globalmart/contracts';

/** A new product id in the public format (`prd_` + 12 base-36 characters): unguessable, sortable enough. */
export function newProductId(): string {
  const n = BigInt(`0x${randomBytes(8).toString('hex')}`);
  return `prd_${n.toString(36).padStart(12, '0').slice(-12)}`;
}

const compared = ['name', 'description', 'price', 'currency', 'category', 'image_url', 'tags'] as const;

/** Which described fields an edit changed (ProductUpdated carries the names, not the values). */
export function changedFields(before: Product | undefined, after: Product): string[] {
  if (!before) return [...compared];
  return compared.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}
