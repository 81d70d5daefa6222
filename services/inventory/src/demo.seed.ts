import type { ProductListResponse } from '@globalmart/contracts';
import type { Logger, ServiceInvoker } from '@globalmart/platform';
import type { StockRepository } from './stock.repository.ts';

/** The demo stock of a product: 20-99 units, the same on every machine (prd_000007 → 27). */
export function demoStockFor(productId: string): number {
  const n = Number.parseInt(productId.replace(/\D/g, '').slice(-9) || '0', 10);
  return 20 + (n % 80);
}

const PAGE_SIZE = 100;

/**
 * Gives every catalog product its demo stock where it has none yet (an admin's level is never overwritten).
 * Runs in the background and keeps asking until catalog answers, so inventory is ready without waiting for it.
 */
export function startDemoSeed(
  deps: { invoker: ServiceInvoker; stock: StockRepository; logger: Logger },
  { retryMs = 2_000, concurrency = 8 } = {},
): () => Promise<void> {
  let stopped = false;
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

  async function page(n: number): Promise<ProductListResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        const query = { page: n, page_size: PAGE_SIZE };
        return (await deps.invoker.invoke<ProductListResponse>('catalog', 'products', { query, timeoutMs: 5_000 })).body;
      } catch (err) {
        if (stopped) throw err;
        if (attempt % 10 === 1) deps.logger.info({ err, attempt }, 'demo stock seed: catalog not answering yet, retrying');
        await wait(retryMs);
      }
    }
  }

  async function run(): Promise<number> {
    let seeded = 0;
    for (let n = 1; !stopped; n++) {
      const { data, total } = await page(n);
      for (let i = 0; i < data.length && !stopped; i += concurrency) {
        const batch = data.slice(i, i + concurrency);
        const created = await Promise.all(batch.map((p) => deps.stock.seedIfAbsent(p.id, demoStockFor(p.id))));
        seeded += created.filter(Boolean).length;
      }
      if (n * PAGE_SIZE >= total || data.length === 0) break;
    }
    return seeded;
  }

  const done = run()
    .then((seeded) => deps.logger.info({ seeded }, `demo stock seed done: ${seeded} product(s) given stock`))
    .catch((err: unknown) => {
      if (!stopped) deps.logger.error({ err }, 'demo stock seed failed');
    });
  return async () => {
    stopped = true;
    await done;
  };
}
