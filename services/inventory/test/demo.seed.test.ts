import { describe, expect, it } from 'vitest';
import { demoStockFor, startDemoSeed } from '../src/demo.seed.ts';
import { inventoryFixture, logger } from './inventory.fixture.ts';

const product = (n: number) => ({ id: `prd_${String(n).padStart(6, '0')}` });

describe('demo stock seed', () => {
  it('gives a deterministic 20-99 units per product id', () => {
    expect(demoStockFor('prd_000007')).toBe(27);
    expect(demoStockFor('prd_000080')).toBe(20);
    expect(demoStockFor('prd_000159')).toBe(99);
  });

  it('keeps asking until catalog answers, pages through it, and never overwrites existing stock', async () => {
    const f = inventoryFixture();
    await f.stock.set('prd_000002', 5);
    let calls = 0;
    f.dapr.invoker.on('catalog', 'products', ({ query }) => {
      if (++calls === 1) return { status: 503, body: { status: 503 } };
      const page = Number(query.get('page'));
      const data = page === 1 ? Array.from({ length: 100 }, (_, i) => product(i + 1)) : [product(101), product(102)];
      return { body: { data, page, page_size: 100, total: 102 } };
    });
    const stop = startDemoSeed({ invoker: f.dapr.invoker, stock: f.stock, logger }, { retryMs: 1 });
    await expect.poll(async () => (await f.stock.level('prd_000102')).stock_qty, { timeout: 5_000 }).toBe(42);
    await stop();
    expect(calls).toBe(3);
    expect((await f.stock.level('prd_000001')).stock_qty).toBe(21);
    expect((await f.stock.level('prd_000002')).stock_qty).toBe(5);
  });
});
