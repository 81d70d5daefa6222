import { eventTypes, Product, ProductId, type ProductCreate } from '@globalmart/contracts';
import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { MemoryPublisher } from '@globalmart/platform/testing';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { adminProductsRoutes } from '../src/admin-products.routes.ts';
import { createOnce, productIdForKey } from '../src/product-create.idempotency.ts';
import type { CachedProductList } from '../src/product-list.cache.ts';
import type { ProductRepository } from '../src/product.repository.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'catalog', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const ADMIN = { 'dapr-caller-app-id': 'gateway', 'x-user-id': 'usr_admin1', 'x-user-role': 'admin' };
const draft: ProductCreate = {
  name: 'Retry Mug',
  description: 'For tests.',
  price: 9.5,
  currency: 'USD',
  category: 'home-kitchen',
  image_url: 'https://images.globalmart.example/products/mug.jpg',
  tags: [],
};

/** The repository port over a Map, with a unique id as the real store has (a second insert of an id fails). */
function memoryRepo() {
  const rows = new Map<string, Product>();
  let inserts = 0;
  const repo: Pick<ProductRepository, 'get' | 'create' | 'replace'> = {
    get: async (id) => rows.get(id),
    async create(id, p) {
      inserts++;
      if (rows.has(id)) throw new Error('E11000 duplicate key error');
      const at = new Date().toISOString();
      const product = Product.parse({ id, ...p, created_at: at, updated_at: at });
      rows.set(id, product);
      return product;
    },
    replace: async () => undefined,
  };
  return { repo, rows, inserts: () => inserts };
}

function app() {
  const { repo, rows } = memoryRepo();
  const publisher = new MemoryPublisher();
  const cache = { invalidate: async () => {} } as unknown as CachedProductList;
  const express = createApp({ config: {}, logger });
  express.use(adminProductsRoutes(repo as ProductRepository, cache, publisher, logger));
  return { rows, publisher, http: request(finalizeApp(express, logger)) };
}

describe('keyed product ids', () => {
  it('derives one public-format id per (admin, key)', () => {
    const id = productIdForKey('usr_admin1', 'key-00000001');
    expect(ProductId.safeParse(id).success).toBe(true);
    expect(productIdForKey('usr_admin1', 'key-00000001')).toBe(id);
    expect(productIdForKey('usr_admin2', 'key-00000001')).not.toBe(id);
    expect(productIdForKey('usr_admin1', 'key-00000002')).not.toBe(id);
  });

  it('lets one of two racing inserts of an id win; the other answers its product', async () => {
    const { repo, rows, inserts } = memoryRepo();
    const [a, b] = await Promise.all([createOnce(repo, 'prd_race00000001', draft), createOnce(repo, 'prd_race00000001', draft)]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.product).toEqual(b.product);
    expect(rows.size).toBe(1);
    expect(inserts()).toBe(2);
  });
});

describe('admin create (POST /products) under retries', () => {
  it('creates once for a repeated Idempotency-Key: 201 with the same product, the same event id', async () => {
    const { http, rows, publisher } = app();
    const headers = { ...ADMIN, 'idempotency-key': 'create-key-1' };
    const first = await http.post('/products').set(headers).send(draft);
    const again = await http.post('/products').set(headers).send(draft);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body).toEqual(first.body);
    expect(rows.size).toBe(1);
    const ids = publisher.ofType(eventTypes.ProductUpdated).map((e) => e.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('refuses a key reused for another product (422 naming the header); creates anew without a key', async () => {
    const { http, rows } = app();
    const headers = { ...ADMIN, 'idempotency-key': 'create-key-2' };
    expect((await http.post('/products').set(headers).send(draft)).status).toBe(201);
    const reused = await http
      .post('/products')
      .set(headers)
      .send({ ...draft, name: 'Another Mug' });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'CATALOG.IDEMPOTENCY_KEY_REUSED', field: 'idempotency-key' });
    const bad = await http
      .post('/products')
      .set({ ...ADMIN, 'idempotency-key': 'no spaces allowed' })
      .send(draft);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['idempotency-key']);
    await http.post('/products').set(ADMIN).send(draft);
    await http.post('/products').set(ADMIN).send(draft);
    expect(rows.size).toBe(3);
  });
});
