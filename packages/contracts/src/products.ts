import { z } from 'zod';
import { Currency, IsoDateTime, Pagination, Price, paged } from './common.ts';
import { apiSchemas } from './registry.ts';

export const ProductId = z.string().regex(/^prd_[0-9a-z]{6,32}$/, { error: 'must look like prd_000123' });
export type ProductId = z.infer<typeof ProductId>;

export const CategorySlug = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'must be a lower-case slug, e.g. running-shoes' });
export type CategorySlug = z.infer<typeof CategorySlug>;

// Stock is deliberately absent: inventory owns it (StockPatch, StockUpdated), the catalog only describes.
const productFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000),
  price: Price,
  currency: Currency,
  category: CategorySlug,
  image_url: z.url({ protocol: /^https?$/ }).max(2048),
  tags: z.array(z.string().trim().min(1).max(50)).max(20),
};

export const Product = z
  .object({
    id: ProductId,
    ...productFields,
    created_at: IsoDateTime.optional(),
    updated_at: IsoDateTime.optional(),
  })
  .register(apiSchemas, { id: 'Product' });
export type Product = z.infer<typeof Product>;

/** At most this many ids in one batch lookup (`?ids=`): a product page's recommendations, a cart. */
export const MAX_PRODUCT_IDS = 50;

export const ProductListQuery = z.object({
  ...Pagination,
  category: CategorySlug.optional(),
  q: z.string().trim().min(1).max(100).optional(),
  /** Batch lookup: comma-separated product ids (unknown ids are left out of `data`), as inventory's `GET /stock?ids=`. */
  ids: z
    .string()
    .transform((v) => v.split(',').map((id) => id.trim()))
    .pipe(z.array(ProductId).min(1).max(MAX_PRODUCT_IDS))
    .optional(),
});
export type ProductListQuery = z.infer<typeof ProductListQuery>;

export const ProductListResponse = paged(Product).register(apiSchemas, { id: 'ProductListResponse' });
export type ProductListResponse = z.infer<typeof ProductListResponse>;

// Strict bodies: a misspelt field ("prise") must be a 400, not a silently ignored update.
export const ProductCreate = z
  .object(productFields)
  .strict()
  .register(apiSchemas, { id: 'ProductCreate', description: 'Admin create; the server assigns id and timestamps.' });
export type ProductCreate = z.infer<typeof ProductCreate>;

export const ProductReplace = z
  .object(productFields)
  .strict()
  .register(apiSchemas, { id: 'ProductReplace', description: 'Admin full replace (PUT) of a product.' });
export type ProductReplace = z.infer<typeof ProductReplace>;

/** Seed API: PATCH /admin/products/{id} with {"stock_qty": 50}. */
export const StockPatch = z
  .object({ stock_qty: z.int().min(0) })
  .strict()
  .register(apiSchemas, { id: 'StockPatch' });
export type StockPatch = z.infer<typeof StockPatch>;

/**
 * The public product page: the catalog's product, live stock and recommendations, fetched in parallel; `degraded`
 * names the parts that could not be fetched within the page's budget (they are null or empty, the page still answers).
 */
export const ProductDetail = Product.extend({
  stock_qty: z.int().min(0).nullable(),
  // The shape of recommendations' Recommendation without its score (recommendations.ts imports this file).
  recommendations: z.array(z.object({ product_id: ProductId, reason: z.enum(['co-purchase', 'similar', 'popular']) })),
  degraded: z.array(z.string()),
}).register(apiSchemas, { id: 'ProductDetail' });
export type ProductDetail = z.infer<typeof ProductDetail>;

export const ProductIdParams = z.object({ id: ProductId });
