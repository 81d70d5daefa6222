import type { ProductListResponse, PublicStockList } from '@globalmart/contracts';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api.ts';
import { categories } from '../categories.ts';
import { ErrorNotice, Loading, ProductCard } from '../components.tsx';
import { useLoad } from '../hooks.ts';

const PAGE_SIZE = 12;

/** Stock badges for a set of cards: one batch read; cards show "Stock unknown" when inventory does not answer. */
export async function stockOf(ids: string[], signal?: AbortSignal): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const levels = await api<PublicStockList>('/api/stock', { query: { ids: ids.join(',') }, signal }).catch(() => ({ data: [] }));
  return new Map(levels.data.map((l) => [l.product_id, l.stock_qty]));
}

export function Home() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const category = params.get('category') ?? '';
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const [text, setText] = useState(q);
  const list = useLoad(`${q}|${category}|${page}`, async (signal) => {
    const products = await api<ProductListResponse>('/api/products', {
      query: { q: q || undefined, category: category || undefined, page, page_size: PAGE_SIZE },
      signal,
    });
    return {
      products,
      stock: await stockOf(
        products.data.map((p) => p.id),
        signal,
      ),
    };
  });

  const go = (next: Record<string, string | undefined>) => {
    const merged = new URLSearchParams();
    const all = { q, category, page: String(page), ...next };
    for (const [k, v] of Object.entries(all)) if (v && !(k === 'page' && v === '1')) merged.set(k, v);
    setParams(merged);
  };
  const search = (e: FormEvent) => {
    e.preventDefault();
    go({ q: text.trim() || undefined, page: '1' });
  };
  const total = list.data?.products.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const current = categories.find((c) => c.slug === category);

  return (
    <div className="home">
      <h1>{current ? current.name : q ? `Results for “${q}”` : 'All products'}</h1>
      <form role="search" className="search" onSubmit={search}>
        <label htmlFor="search-q">Search products</label>
        <input id="search-q" type="search" value={text} onChange={(e) => setText(e.target.value)} maxLength={100} />
        <button type="submit">Search</button>
      </form>
      <nav aria-label="Categories" className="categories">
        <ul>
          <li>
            <Link to="/" aria-current={!category ? 'page' : undefined}>
              All
            </Link>
          </li>
          {categories.map((c) => (
            <li key={c.slug}>
              <Link to={`/?category=${c.slug}`} aria-current={category === c.slug ? 'page' : undefined}>
                {c.name}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? (
        <Loading what="Loading products" />
      ) : list.data && list.data.products.data.length === 0 ? (
        <p className="empty">No products match. Try another search or category.</p>
      ) : (
        list.data && (
          <>
            <p className="muted" aria-live="polite">
              {total} products · page {page} of {pages}
            </p>
            <ul className="grid" aria-label="Products">
              {list.data.products.data.map((p) => (
                <ProductCard key={p.id} product={p} stock={list.data?.stock.get(p.id) ?? null} />
              ))}
            </ul>
            <nav aria-label="Pages" className="pager">
              <button type="button" disabled={page <= 1} onClick={() => go({ page: String(page - 1) })}>
                Previous page
              </button>
              <button type="button" disabled={page >= pages} onClick={() => go({ page: String(page + 1) })}>
                Next page
              </button>
            </nav>
          </>
        )
      )}
    </div>
  );
}
