import type { Product, ProductCreate, ProductListQuery, ProductReplace } from '@globalmart/contracts';
import type { Model } from 'mongoose';
import type { ProductDoc } from './product.model.ts';
import type { SeedProduct } from './seed/demo-catalog.ts';

export interface ProductPage {
  data: Product[];
  total: number;
}

/** The port the routes use: the catalog's storage, whatever is behind it. */
export interface ProductRepository {
  list(query: ProductListQuery): Promise<ProductPage>;
  get(id: string): Promise<Product | undefined>;
  create(id: string, product: ProductCreate): Promise<Product>;
  /** Replaces every field; undefined when there is no such product. */
  replace(id: string, product: ProductReplace): Promise<{ before: Product; after: Product } | undefined>;
  count(): Promise<number>;
  seed(products: SeedProduct[]): Promise<number>;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function toProduct(d: ProductDoc): Product {
  return {
    id: d._id,
    name: d.name,
    description: d.description,
    price: d.price,
    currency: d.currency,
    category: d.category,
    image_url: d.image_url,
    tags: d.tags,
    created_at: d.created_at.toISOString(),
    updated_at: d.updated_at.toISOString(),
  };
}

/** MongoDB-wire adapter (FerretDB locally: plain indexes and $regex, no text index or transactions). */
export function mongoProductRepository(model: Model<ProductDoc>): ProductRepository {
  return {
    async list({ page, page_size, category, q, ids }) {
      const filter: Record<string, unknown> = {};
      if (ids) filter._id = { $in: ids };
      if (category) filter.category = category;
      if (q) {
        const re = new RegExp(escapeRegex(q), 'i');
        filter.$or = [{ name: re }, { description: re }, { tags: re }];
      }
      const [docs, total] = await Promise.all([
        model
          .find(filter)
          .sort({ _id: 1 })
          .skip((page - 1) * page_size)
          .limit(page_size)
          .lean<ProductDoc[]>(),
        model.countDocuments(filter),
      ]);
      return { data: docs.map(toProduct), total };
    },
    async get(id) {
      const doc = await model.findById(id).lean<ProductDoc>();
      return doc ? toProduct(doc) : undefined;
    },
    async create(id, product) {
      const doc = await model.create({ _id: id, ...product });
      return toProduct(doc.toObject());
    },
    async replace(id, product) {
      // One writer per product (its admin edit); FerretDB gives no isolation between concurrent writers.
      const before = await model.findById(id).lean<ProductDoc>();
      if (!before) return undefined;
      const after = await model.findByIdAndUpdate(id, { $set: product }, { new: true, runValidators: true }).lean<ProductDoc>();
      return after ? { before: toProduct(before), after: toProduct(after) } : undefined;
    },
    count: () => model.estimatedDocumentCount(),
    async seed(products) {
      // Idempotent and safe for replicas starting together: duplicates of an id are skipped.
      const res = await model
        .insertMany(
          products.map(({ id, ...p }) => ({ _id: id, ...p })),
          { ordered: false, rawResult: true },
        )
        .catch((err: { code?: number; insertedDocs?: unknown[]; result?: { insertedCount?: number } }) => {
          if (err.code === 11000 || /E11000/.test(String(err))) return { insertedCount: err.result?.insertedCount ?? 0 };
          throw err;
        });
      return (res as { insertedCount?: number }).insertedCount ?? 0;
    },
  };
}
