import { describe, expect, it } from 'vitest';
import { blend, Model, popularity, priceBand, similarity, type ProductInfo, type ProductStats } from '../src/model.ts';

const p = (id: string, category: string, price: number, tags: string[] = []): ProductInfo => ({ id, category, price, tags });
const stats = (version: number, s: Partial<ProductStats> = {}): ProductStats => ({ views: 0, purchases: 0, co: {}, version, ...s });

describe('priceBand and similarity', () => {
  it('puts prices into factor-of-two bands', () => {
    expect(priceBand(16)).toBe(priceBand(31.99));
    expect(priceBand(32)).toBe(priceBand(16) + 1);
    expect(priceBand(4)).toBeLessThan(priceBand(900));
  });

  it('scores category, price band and shared tags, and nothing without a shared category or tag', () => {
    const base = p('prd_000001', 'books', 20, ['reading', 'paper']);
    const twin = p('prd_000002', 'books', 21, ['reading', 'paper']);
    const pricier = p('prd_000003', 'books', 45, ['reading', 'paper']);
    const farPrice = p('prd_000004', 'books', 400, ['reading', 'paper']);
    const otherCategory = p('prd_000005', 'garden', 20, ['paper']);
    const unrelated = p('prd_000006', 'garden', 20, ['plants']);
    expect(similarity(base, twin)).toBe(1);
    expect(similarity(base, pricier)).toBe(0.875);
    expect(similarity(base, farPrice)).toBe(0.75);
    expect(similarity(base, otherCategory)).toBe(0.25 + 0.25 * 0.5);
    expect(similarity(base, unrelated)).toBe(0);
    expect(similarity(base, base)).toBe(0);
    expect(similarity(base, twin)).toBe(similarity(twin, base));
  });
});

describe('blend', () => {
  it('keeps tier order, drops excluded ids and duplicates, stops at limit, and never raises the score down the list', () => {
    const tiers = [
      {
        reason: 'co-purchase' as const,
        items: [
          { id: 'b', score: 4 },
          { id: 'self', score: 9 },
          { id: 'c', score: 2 },
        ],
      },
      {
        reason: 'similar' as const,
        items: [
          { id: 'c', score: 0.9 },
          { id: 'd', score: 0.5 },
        ],
      },
      {
        reason: 'popular' as const,
        items: [
          { id: 'e', score: 100 },
          { id: 'b', score: 50 },
          { id: 'f', score: 10 },
          { id: 'g', score: 0 },
        ],
      },
    ];
    const all = blend(tiers, new Set(['self']), 10);
    expect(all.map((r) => [r.product_id, r.reason])).toEqual([
      ['b', 'co-purchase'],
      ['c', 'co-purchase'],
      ['d', 'similar'],
      ['e', 'popular'],
      ['f', 'popular'],
    ]);
    const scores = all.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    expect(scores.every((s) => s > 0)).toBe(true);
    expect(blend(tiers, new Set(['self']), 3).map((r) => r.product_id)).toEqual(['b', 'c', 'd']);
  });
});

describe('Model', () => {
  function catalog() {
    const model = new Model();
    model.upsertProduct(p('prd_00000a', 'books', 20, ['reading']));
    model.upsertProduct(p('prd_00000b', 'books', 22, ['reading']));
    model.upsertProduct(p('prd_00000c', 'books', 300, ['reading']));
    model.upsertProduct(p('prd_00000d', 'toys', 25, ['kids']));
    model.upsertProduct(p('prd_00000e', 'toys', 30, ['kids']));
    return model;
  }

  it('blends co-purchase, then similar, then popular for a product, never the product itself', () => {
    const model = catalog();
    model.setStats('prd_00000a', stats(1, { purchases: 3, co: { prd_00000d: 2, prd_00000e: 1 } }));
    model.setStats('prd_00000d', stats(1, { purchases: 2, views: 40 }));
    model.setStats('prd_00000e', stats(1, { purchases: 1 }));
    const answer = model.forProduct('prd_00000a', 10);
    expect(answer.map((r) => [r.product_id, r.reason])).toEqual([
      ['prd_00000d', 'co-purchase'],
      ['prd_00000e', 'co-purchase'],
      ['prd_00000b', 'similar'],
      ['prd_00000c', 'similar'],
    ]);
    expect(answer.map((r) => r.product_id)).not.toContain('prd_00000a');
  });

  it('falls back to popularity (purchases weigh more than views) for a product it knows nothing about', () => {
    const model = catalog();
    model.setStats('prd_00000b', stats(1, { views: 4 }));
    model.setStats('prd_00000d', stats(1, { purchases: 1 }));
    model.setStats('prd_00000e', stats(1, { views: 2 }));
    expect(popularity({ purchases: 1, views: 0 })).toBeGreaterThan(popularity({ purchases: 0, views: 4 }));
    const answer = model.forProduct('prd_999999', 2);
    expect(answer).toEqual([
      { product_id: 'prd_00000d', score: 1, reason: 'popular' },
      { product_id: 'prd_00000b', score: 0.8, reason: 'popular' },
    ]);
  });

  it('recommends what is similar to the user’s recent views (not those views), then popular', () => {
    const model = catalog();
    model.setStats('prd_00000b', stats(1, { purchases: 9 }));
    const answer = model.forUser(['prd_00000d'], 3);
    expect(answer.map((r) => [r.product_id, r.reason])).toEqual([
      ['prd_00000e', 'similar'],
      ['prd_00000b', 'popular'],
    ]);
    expect(model.forUser([], 3).map((r) => r.product_id)).toEqual(['prd_00000b']);
  });

  it('re-indexes a product whose category changes, and forgets a removed one', () => {
    const model = catalog();
    model.upsertProduct(p('prd_00000e', 'books', 21, ['reading']));
    expect(model.forProduct('prd_00000a', 5).map((r) => r.product_id)).toContain('prd_00000e');
    expect(model.forProduct('prd_00000d', 5).map((r) => r.product_id)).not.toContain('prd_00000e');
    model.removeProduct('prd_00000b');
    expect(model.forProduct('prd_00000a', 5).map((r) => r.product_id)).not.toContain('prd_00000b');
  });

  it('never replaces counts with an older version', () => {
    const model = new Model();
    expect(model.setStats('prd_00000a', stats(3, { views: 3 }))).toBe(true);
    expect(model.setStats('prd_00000a', stats(2, { views: 2 }))).toBe(false);
    expect(model.stats('prd_00000a')?.views).toBe(3);
  });
});
