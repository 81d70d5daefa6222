import { describe, expect, it } from 'vitest';
import { Product, ProductId } from '@globalmart/contracts';
import { changedFields, newProductId } from '../src/product.rules.ts';

const base = Product.parse({
  id: 'prd_000001',
  name: 'Eco Kettle 1',
  description: 'A kettle.',
  price: 19.99,
  currency: 'USD',
  category: 'home-kitchen',
  image_url: 'https://images.globalmart.example/products/prd_000001.jpg',
  tags: ['kitchen'],
});

describe('product rules', () => {
  it('mints ids in the public format, all different', () => {
    const ids = new Set(Array.from({ length: 1000 }, newProductId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(ProductId.safeParse(id).success).toBe(true);
  });

  it('names exactly the fields an edit changed', () => {
    expect(changedFields(base, { ...base, price: 17.5, tags: ['kitchen', 'sale'] })).toEqual(['price', 'tags']);
    expect(changedFields(base, base)).toEqual([]);
    expect(changedFields(undefined, base)).toContain('name');
  });
});
