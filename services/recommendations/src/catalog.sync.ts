// The catalog's products, for content similarity: all pages once at start (retried in the background until catalog
// answers), then one product at a time on ProductUpdated. Catalog stays the owner; nothing here is persisted.
import { Product } from '@globalmart/contracts';
import { InvokeError, type Logger, type ServiceInvoker } from '@globalmart/platform';
import { z } from 'zod';
import type { Model } from './model.ts';

const PAGE_SIZE = 100;
/** A guard against a catalog that never reports the end of its pages. */
const MAX_PAGES = 10_000;

// Only what similarity needs: a product whose other fields a newer catalog changed is still usable.
const ProductInfo = Product.pick({ id: true, category: true, price: true, tags: true });
const Page = z.object({ data: z.array(z.unknown()), total: z.int().min(0) });

export interface CatalogSync {
  /** Reads every page into the model; a no-op once it has succeeded. Throws while catalog does not answer. */
  loadAll(): Promise<void>;
  /** Re-reads one product (ProductUpdated); a product catalog no longer has leaves the model. */
  refresh(productId: string): Promise<void>;
  loaded(): boolean;
}

export function catalogSync(invoker: ServiceInvoker, model: Model, logger: Logger): CatalogSync {
  let done = false;
  /** Products re-read on ProductUpdated while the pages were loading: their page copy may be the older one. */
  const refreshedDuringLoad = new Set<string>();
  const take = (raw: unknown, skip: ReadonlySet<string> = new Set()) => {
    const parsed = ProductInfo.safeParse(raw);
    if (!parsed.success) logger.warn({ issues: parsed.error.issues }, 'catalog product ignored: unexpected shape');
    else if (!skip.has(parsed.data.id)) model.upsertProduct(parsed.data);
  };

  return {
    async loadAll() {
      if (done) return;
      refreshedDuringLoad.clear();
      const products: unknown[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const { body } = await invoker.invoke('catalog', 'products', { query: { page, page_size: PAGE_SIZE } });
        const { data, total } = Page.parse(body);
        products.push(...data);
        if (data.length < PAGE_SIZE || page * PAGE_SIZE >= total) break;
      }
      for (const raw of products) take(raw, refreshedDuringLoad);
      done = true;
      logger.info({ products: model.productCount }, 'catalog loaded');
    },

    async refresh(productId) {
      if (!done) refreshedDuringLoad.add(productId);
      try {
        const { body } = await invoker.invoke('catalog', `products/${productId}`);
        take(body);
      } catch (err) {
        if (!(err instanceof InvokeError && err.status === 404)) throw err;
        model.removeProduct(productId);
      }
    },

    loaded: () => done,
  };
}
