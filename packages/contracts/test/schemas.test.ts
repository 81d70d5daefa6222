import { describe, expect, it } from 'vitest';
import {
  OrderPlaced,
  Product,
  ProductCreate,
  ProductListQuery,
  StockPatch,
  eventSchemaFor,
  eventTypes,
  isEventType,
  toFieldErrors,
} from '../src/index.ts';

const product = {
  id: 'prd_000123',
  name: 'Sneakers',
  description: 'Light running shoes',
  price: 99.0,
  currency: 'USD',
  category: 'running-shoes',
  image_url: 'https://cdn.example.com/p/000123.jpg',
  tags: ['running', 'shoes'],
  created_at: '2025-01-02T03:04:05Z',
};
const { id: _id, created_at: _created, ...createBody } = product;

function failingFields(result: { success: boolean; error?: unknown }) {
  expect(result.success).toBe(false);
  return toFieldErrors(result.error as Parameters<typeof toFieldErrors>[0]);
}

describe('Product', () => {
  it('accepts a valid product', () => {
    expect(Product.parse(product)).toEqual(product);
  });

  it('accepts prices with up to 2 decimals and rejects 3', () => {
    for (const price of [19.99, 0.07, 4.35, 1_000_000]) expect(Product.safeParse({ ...product, price }).success).toBe(true);
    expect(failingFields(Product.safeParse({ ...product, price: 1.005 }))).toEqual([
      expect.objectContaining({ field: 'price', message: 'must have at most 2 decimals' }),
    ]);
  });

  it('rejects zero, negative and over-limit prices, bad ids and slugs', () => {
    for (const patch of [{ price: 0 }, { price: -1 }, { price: 1_000_000.01 }, { id: 'prod_123' }, { category: 'Shoes' }]) {
      expect(Product.safeParse({ ...product, ...patch }).success, JSON.stringify(patch)).toBe(false);
    }
  });
});

describe('ProductListQuery', () => {
  it('coerces digit strings and applies defaults', () => {
    expect(ProductListQuery.parse({})).toEqual({ page: 1, page_size: 20 });
    expect(ProductListQuery.parse({ page: '3', page_size: '100', q: '  shoe ', extra: 'x' })).toEqual({
      page: 3,
      page_size: 100,
      q: 'shoe',
    });
  });

  it.each([
    ['page', 'abc'],
    ['page', '0'],
    ['page', '1.5'],
    ['page', '-1'],
    ['page', ''],
    ['page_size', '101'],
    ['page_size', '0'],
    ['page_size', '1e2'],
  ])('rejects %s=%j naming the field', (field, value) => {
    const errors = failingFields(ProductListQuery.safeParse({ [field]: value }));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.field).toBe(field);
    expect(errors[0]?.message).toMatch(new RegExp(`^${field} must be an integer`));
  });
});

describe('admin bodies', () => {
  it('accepts a create body and rejects unknown keys, naming them', () => {
    expect(ProductCreate.safeParse(createBody).success).toBe(true);
    expect(failingFields(ProductCreate.safeParse({ ...createBody, prise: 10 }))).toEqual([
      { field: 'prise', message: 'unknown field', code: 'unrecognized_keys' },
    ]);
    expect(ProductCreate.safeParse(product).success).toBe(false);
  });

  it('StockPatch accepts 0 and rejects negatives, fractions and extra keys', () => {
    expect(StockPatch.parse({ stock_qty: 0 })).toEqual({ stock_qty: 0 });
    expect(failingFields(StockPatch.safeParse({ stock_qty: -1 }))[0]?.field).toBe('stock_qty');
    expect(StockPatch.safeParse({ stock_qty: 1.5 }).success).toBe(false);
    expect(StockPatch.safeParse({ stock_qty: 1, sku: 'x' }).success).toBe(false);
  });
});

describe('event catalogue', () => {
  it('finds the data schema by CloudEvent type and tolerates unknown types', () => {
    expect(eventSchemaFor(eventTypes.OrderPlaced)).toBe(OrderPlaced);
    expect(isEventType('globalmart.catalog.product-updated.v1')).toBe(true);
    expect(eventSchemaFor('globalmart.unknown.v1')).toBeUndefined();
  });

  it('validates an OrderPlaced and keeps consumers open to new fields', () => {
    const data = {
      order_id: 'ord_789',
      customer_id: 'usr_1',
      items: [{ product_id: 'prd_000123', quantity: 2, unit_price: 99, currency: 'USD' }],
      total: 198,
      currency: 'USD',
      occurred_at: '2025-01-02T03:04:05+01:00',
      added_in_a_later_minor: true,
    };
    expect(OrderPlaced.safeParse(data).success).toBe(true);
    expect(OrderPlaced.safeParse({ ...data, items: [] }).success).toBe(false);
  });
});
