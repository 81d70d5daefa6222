import type { ProductDetail, ProductListResponse } from '@globalmart/contracts';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, money, type ApiError } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNotice, Loading, Placeholder, ProductCard, StockBadge } from '../components.tsx';
import { useLoad, usePolling } from '../hooks.ts';
import { stockOf } from './Home.tsx';

const partNames: Record<string, string> = { inventory: 'live stock', recommendations: 'recommendations' };

export function ProductPage() {
  const { id = '' } = useParams();
  const { claims } = useAuth();
  const navigate = useNavigate();
  const [qty, setQty] = useState(1);
  const [added, setAdded] = useState<string>();
  const [addError, setAddError] = useState<ApiError>();
  const page = useLoad(id, async (signal) => {
    const product = await api<ProductDetail>(`/api/products/${encodeURIComponent(id)}`, { signal });
    const ids = product.recommendations.map((r) => r.product_id);
    const [related, stock] = ids.length
      ? await Promise.all([
          api<ProductListResponse>('/api/products', { query: { ids: ids.join(','), page_size: ids.length }, signal }),
          stockOf(ids, signal),
        ])
      : [undefined, new Map<string, number>()];
    return { product, related: related?.data ?? [], stock };
  });
  // Live stock: re-read while the page is open.
  const live = useLoad(`${id}|stock`, (signal) => stockOf([id], signal));
  usePolling(Boolean(page.data), 5_000, live.reload);

  if (page.loading && !page.data) return <Loading what="Loading the product" />;
  if (page.error) return <ErrorNotice error={page.error} onRetry={page.reload} />;
  if (!page.data) return null;
  const { product, related, stock } = page.data;
  const stockQty = live.data?.get(id) ?? product.stock_qty;
  const reason = (r: string) => product.recommendations.find((x) => x.product_id === r)?.reason;
  const alsoBought = related.filter((p) => reason(p.id) === 'co-purchase');
  const similar = related.filter((p) => reason(p.id) !== 'co-purchase');

  const add = async () => {
    if (!claims) {
      navigate(`/login?next=/products/${id}`);
      return;
    }
    setAddError(undefined);
    setAdded(undefined);
    try {
      await api('/api/cart/items', { method: 'POST', body: { product_id: id, quantity: qty } });
      setAdded(`Added ${qty} × ${product.name} to your cart.`);
    } catch (err) {
      setAddError(err as ApiError);
    }
  };

  return (
    <article className="product">
      {product.degraded.length > 0 && (
        <div className="notice notice-warn" role="status">
          Some parts of this page are unavailable right now: {product.degraded.map((d) => partNames[d] ?? d).join(', ')}.
        </div>
      )}
      <div className="product-main">
        <Placeholder id={product.id} name={product.name} size={320} />
        <div>
          <h1>{product.name}</h1>
          <p className="price big">{money(product.price, product.currency)}</p>
          <p>
            <StockBadge qty={stockQty} />
          </p>
          <p>{product.description}</p>
          <p className="muted">
            Category: <Link to={`/?category=${product.category}`}>{product.category}</Link>
          </p>
          <div className="add-to-cart">
            <label htmlFor="qty">Quantity</label>
            <input id="qty" type="number" min={1} max={99} value={qty} onChange={(e) => setQty(Math.max(1, Number(e.target.value) || 1))} />
            <button type="button" onClick={add} disabled={stockQty === 0}>
              Add to cart
            </button>
          </div>
          {added && (
            <p className="notice notice-ok" role="status">
              {added} <Link to="/cart">View cart</Link>
            </p>
          )}
          <ErrorNotice error={addError} />
        </div>
      </div>
      {alsoBought.length > 0 && (
        <section aria-labelledby="also-bought">
          <h2 id="also-bought">Customers also bought</h2>
          <ul className="grid">
            {alsoBought.map((p) => (
              <ProductCard key={p.id} product={p} stock={stock.get(p.id) ?? null} />
            ))}
          </ul>
        </section>
      )}
      {similar.length > 0 && (
        <section aria-labelledby="similar">
          <h2 id="similar">Similar products</h2>
          <ul className="grid">
            {similar.map((p) => (
              <ProductCard key={p.id} product={p} stock={stock.get(p.id) ?? null} />
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}
