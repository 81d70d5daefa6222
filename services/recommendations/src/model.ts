// The in-memory model every read is answered from: the catalog's products (for content similarity) and the learned
// counts per product (co-purchases, purchases, views). Pure and synchronous: no I/O, so a read costs microseconds.
import type { Recommendation, RecommendationReason } from '@globalmart/contracts';

export const ENGINE = 'globalmart-ts/1';

/** What similarity needs of a catalog product. */
export interface ProductInfo {
  id: string;
  category: string;
  price: number;
  tags: string[];
}

/** The learned counts of one product, as persisted (ProductDoc without its bookkeeping). */
export interface ProductStats {
  views: number;
  purchases: number;
  /** Other product id → how many confirmed orders contained both. */
  co: Record<string, number>;
  /** Increases with every write of the document; an older copy (a reload racing an event) never replaces a newer one. */
  version: number;
}

/** A purchase says much more about interest than a page view. */
export const PURCHASE_WEIGHT = 5;

/** Log-scale price bands: each band spans a factor of 2 (…, 8–16, 16–32, 32–64, …). */
export function priceBand(price: number): number {
  return Math.floor(Math.log2(Math.max(price, 0.01)));
}

function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const left = new Set(a);
  const right = new Set(b);
  let shared = 0;
  for (const t of left) if (right.has(t)) shared++;
  return shared / (left.size + right.size - shared);
}

/**
 * Content similarity in [0, 1]: half for the same category, a quarter for the price band (same band full, adjacent half),
 * a quarter for the tags (Jaccard). Products sharing neither a category nor a tag are not similar at all (0).
 */
export function similarity(a: ProductInfo, b: ProductInfo): number {
  if (a.id === b.id) return 0;
  const sameCategory = a.category === b.category;
  const tags = jaccard(a.tags, b.tags);
  if (!sameCategory && tags === 0) return 0;
  const gap = Math.abs(priceBand(a.price) - priceBand(b.price));
  const price = gap === 0 ? 1 : gap === 1 ? 0.5 : 0;
  return (sameCategory ? 0.5 : 0) + 0.25 * price + 0.25 * tags;
}

export function popularity(stats: Pick<ProductStats, 'views' | 'purchases'>): number {
  return stats.purchases * PURCHASE_WEIGHT + stats.views;
}

interface Scored {
  id: string;
  score: number;
}
export interface Tier {
  reason: RecommendationReason;
  /** Best first, raw scores > 0. */
  items: Scored[];
}

// Each tier's scores are mapped into its own band so the answer's scores never increase down the list:
// co-purchase (2, 3], similar (1, 2], popular (0, 1].
const tierBase: Record<RecommendationReason, number> = { 'co-purchase': 2, similar: 1, popular: 0 };
const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** Co-purchase first, then similar, then popular; never an excluded id, no duplicates, at most `limit` items. */
export function blend(tiers: readonly Tier[], exclude: ReadonlySet<string>, limit: number): Recommendation[] {
  const out: Recommendation[] = [];
  const seen = new Set(exclude);
  for (const tier of tiers) {
    const max = tier.items.reduce((m, s) => Math.max(m, s.score), 0);
    for (const item of tier.items) {
      if (out.length >= limit) return out;
      if (seen.has(item.id) || !(item.score > 0)) continue;
      seen.add(item.id);
      // Similarity is already in (0, 1]; counts are relative to the tier's best.
      const relative = tier.reason === 'similar' ? item.score : item.score / max;
      out.push({ product_id: item.id, score: round(tierBase[tier.reason] + relative), reason: tier.reason });
    }
  }
  return out;
}

const byScoreThenId = (a: Scored, b: Scored) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class Model {
  readonly #products = new Map<string, ProductInfo>();
  readonly #byCategory = new Map<string, Set<string>>();
  readonly #byTag = new Map<string, Set<string>>();
  readonly #stats = new Map<string, ProductStats>();
  #popular: Scored[] | undefined;

  get productCount(): number {
    return this.#products.size;
  }

  product(id: string): ProductInfo | undefined {
    return this.#products.get(id);
  }

  /** Adds or replaces one product (catalog load, ProductUpdated). */
  upsertProduct(input: ProductInfo): void {
    this.removeProduct(input.id);
    const product = { ...input, tags: [...new Set(input.tags.map((t) => t.trim().toLowerCase()))] };
    this.#products.set(product.id, product);
    const index = (map: Map<string, Set<string>>, key: string) => {
      let ids = map.get(key);
      if (!ids) map.set(key, (ids = new Set()));
      ids.add(product.id);
    };
    index(this.#byCategory, product.category);
    for (const tag of product.tags) index(this.#byTag, tag);
  }

  removeProduct(id: string): void {
    const old = this.#products.get(id);
    if (!old) return;
    this.#products.delete(id);
    this.#byCategory.get(old.category)?.delete(id);
    for (const tag of old.tags) this.#byTag.get(tag)?.delete(id);
  }

  stats(id: string): ProductStats | undefined {
    return this.#stats.get(id);
  }

  /** Takes a stored copy of a product's counts unless the model already holds a newer one; true when taken. */
  setStats(id: string, stats: ProductStats): boolean {
    const current = this.#stats.get(id);
    if (current && current.version >= stats.version) return false;
    this.#stats.set(id, { views: stats.views, purchases: stats.purchases, co: { ...stats.co }, version: stats.version });
    this.#popular = undefined;
    return true;
  }

  /** Products bought together with `id`, most often first (ties: the more popular first). */
  coPurchased(id: string): Scored[] {
    const co = this.#stats.get(id)?.co ?? {};
    const pop = (p: string) => popularity(this.#stats.get(p) ?? { views: 0, purchases: 0 });
    return Object.entries(co)
      .filter(([other, n]) => other !== id && n > 0)
      .map(([other, n]) => ({ id: other, score: n, tie: pop(other) }))
      .sort((a, b) => b.score - a.score || b.tie - a.tie || (a.id < b.id ? -1 : 1))
      .map(({ id: other, score }) => ({ id: other, score }));
  }

  /** Catalog products similar to the given ones, best first; several seeds are weighted (the first counts most). */
  similarTo(seeds: readonly ProductInfo[], weights: readonly number[] = seeds.map(() => 1)): Scored[] {
    const total = weights.reduce((s, w) => s + w, 0);
    if (total <= 0) return [];
    const scores = new Map<string, number>();
    seeds.forEach((seed, i) => {
      const candidates = new Set(this.#byCategory.get(seed.category));
      for (const tag of seed.tags) for (const id of this.#byTag.get(tag.toLowerCase()) ?? []) candidates.add(id);
      for (const id of candidates) {
        const s = similarity(seed, this.#products.get(id)!);
        if (s > 0) scores.set(id, (scores.get(id) ?? 0) + (s * weights[i]!) / total);
      }
    });
    return [...scores].map(([id, score]) => ({ id, score })).sort(byScoreThenId);
  }

  /** Every product with any purchase or view, most popular first (recomputed only after counts changed). */
  popular(): Scored[] {
    this.#popular ??= [...this.#stats]
      .map(([id, s]) => ({ id, score: popularity(s) }))
      .filter((s) => s.score > 0)
      .sort(byScoreThenId);
    return this.#popular;
  }

  /** For a product: bought together, then similar, then popular. */
  forProduct(productId: string, limit: number): Recommendation[] {
    const product = this.#products.get(productId);
    const tiers: Tier[] = [
      { reason: 'co-purchase', items: this.coPurchased(productId) },
      { reason: 'similar', items: product ? this.similarTo([product]) : [] },
      { reason: 'popular', items: this.popular() },
    ];
    return blend(tiers, new Set([productId]), limit);
  }

  /** For a user: similar to what they viewed (most recent first, weighted down with age), then popular; never those viewed. */
  forUser(recentViews: readonly string[], limit: number): Recommendation[] {
    const seeds = recentViews.map((id) => this.#products.get(id)).filter((p): p is ProductInfo => p !== undefined);
    const weights = seeds.map((_, i) => 0.8 ** i);
    const tiers: Tier[] = [
      { reason: 'similar', items: this.similarTo(seeds, weights) },
      { reason: 'popular', items: this.popular() },
    ];
    return blend(tiers, new Set(recentViews), limit);
  }
}
