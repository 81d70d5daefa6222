import type { ProductCreate } from '@globalmart/contracts';

/**
 * The demo catalog: 600 products in 12 categories, the same on every machine (a seeded PRNG, no
 * clock, no Math.random), so tests and benchmarks can name products and totals.
 */
const categories: Record<string, { nouns: string[]; tags: string[]; priceBand: [number, number] }> = {
  electronics: { nouns: ['Headphones', 'Speaker', 'Charger', 'Smartwatch', 'Tablet'], tags: ['gadgets', 'wireless'], priceBand: [19, 899] },
  books: { nouns: ['Novel', 'Cookbook', 'Atlas', 'Biography', 'Anthology'], tags: ['reading', 'paper'], priceBand: [6, 60] },
  'home-kitchen': {
    nouns: ['Skillet', 'Kettle', 'Knife Set', 'Blender', 'Cutting Board'],
    tags: ['kitchen', 'cooking'],
    priceBand: [9, 249],
  },
  toys: { nouns: ['Puzzle', 'Robot Kit', 'Plush Bear', 'Train Set', 'Board Game'], tags: ['kids', 'play'], priceBand: [5, 120] },
  sports: {
    nouns: ['Yoga Mat', 'Dumbbell', 'Tennis Racket', 'Jump Rope', 'Water Bottle'],
    tags: ['fitness', 'outdoor'],
    priceBand: [7, 299],
  },
  fashion: { nouns: ['T-Shirt', 'Jacket', 'Scarf', 'Sneakers', 'Backpack'], tags: ['apparel', 'style'], priceBand: [12, 320] },
  beauty: { nouns: ['Face Cream', 'Shampoo', 'Lip Balm', 'Perfume', 'Hair Dryer'], tags: ['care', 'cosmetics'], priceBand: [4, 150] },
  grocery: { nouns: ['Coffee Beans', 'Green Tea', 'Olive Oil', 'Dark Chocolate', 'Granola'], tags: ['food', 'pantry'], priceBand: [2, 45] },
  garden: {
    nouns: ['Watering Can', 'Pruning Shears', 'Planter', 'Seed Kit', 'Garden Hose'],
    tags: ['plants', 'outdoor'],
    priceBand: [5, 180],
  },
  automotive: {
    nouns: ['Car Vacuum', 'Phone Mount', 'Tire Gauge', 'Seat Cover', 'Jump Starter'],
    tags: ['car', 'accessories'],
    priceBand: [8, 210],
  },
  office: {
    nouns: ['Notebook', 'Desk Lamp', 'Fountain Pen', 'Stapler', 'Monitor Stand'],
    tags: ['work', 'stationery'],
    priceBand: [3, 140],
  },
  pets: { nouns: ['Dog Bed', 'Cat Tree', 'Leash', 'Pet Fountain', 'Chew Toy'], tags: ['pets', 'animals'], priceBand: [4, 160] },
};
const adjectives = ['Classic', 'Eco', 'Pro', 'Compact', 'Deluxe', 'Smart', 'Urban', 'Vintage', 'Ultra', 'Everyday'];

export const DEMO_PRODUCTS_PER_CATEGORY = 50;
export const demoCategories = Object.keys(categories);

/** mulberry32: a tiny, well-known seeded PRNG; enough for demo data, never for anything secret. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedProduct extends ProductCreate {
  id: string;
}

export function demoCatalog(): SeedProduct[] {
  const rand = prng(20261122);
  const out: SeedProduct[] = [];
  let n = 0;
  for (const [category, spec] of Object.entries(categories)) {
    for (let i = 0; i < DEMO_PRODUCTS_PER_CATEGORY; i++) {
      n++;
      const id = `prd_${String(n).padStart(6, '0')}`;
      const adjective = adjectives[Math.floor(rand() * adjectives.length)]!;
      const noun = spec.nouns[i % spec.nouns.length]!;
      const [lo, hi] = spec.priceBand;
      const price = Math.round((lo + rand() * (hi - lo)) * 100) / 100;
      out.push({
        id,
        name: `${adjective} ${noun} ${Math.floor(i / spec.nouns.length) + 1}`,
        description: `A ${adjective.toLowerCase()} ${noun.toLowerCase()} from the GlobalMart ${category.replace('-', ' & ')} range.`,
        price: Math.max(price, 0.99),
        currency: 'USD',
        category,
        image_url: `https://images.globalmart.example/products/${id}.jpg`,
        tags: [...spec.tags, adjective.toLowerCase()],
      });
    }
  }
  return out;
}
