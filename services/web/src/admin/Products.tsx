import type { Product, ProductCreate, ProductDetail, ProductListResponse, PublicStockList } from '@globalmart/contracts';
import { useState, type FormEvent } from 'react';
import { api, money, type ApiError } from '../api.ts';
import { categories } from '../categories.ts';
import { ErrorNotice, Field, Loading } from '../components.tsx';
import { useLoad } from '../hooks.ts';

const empty: Record<keyof ProductCreate, string> = {
  name: '',
  description: '',
  price: '',
  currency: 'USD',
  category: categories[0]!.slug,
  image_url: 'https://images.globalmart.example/placeholder.jpg',
  tags: '',
};

function ProductForm({ product, onSaved, onCancel }: { product?: Product; onSaved(p: Product): void; onCancel(): void }) {
  const [values, setValues] = useState(() =>
    product ? { ...product, price: String(product.price), tags: product.tags.join(', ') } : { ...empty },
  );
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof empty) => (v: string) => setValues((s) => ({ ...s, [k]: v }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = {
      name: values.name,
      description: values.description,
      price: Number(values.price),
      currency: values.currency,
      category: values.category,
      image_url: values.image_url,
      tags: values.tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    };
    try {
      const saved = product
        ? await api<Product>(`/api/admin/products/${product.id}`, { method: 'PUT', body })
        : await api<Product>('/api/admin/products', { method: 'POST', body });
      onSaved(saved);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const fe = (f: string) => error?.fieldMessage(f);
  return (
    <form onSubmit={submit} noValidate className="panel" aria-label={product ? `Edit ${product.name}` : 'New product'}>
      <h2>{product ? `Edit ${product.name}` : 'New product'}</h2>
      <Field label="Name" name="name" value={values.name} onChange={set('name')} error={fe('name')} />
      <Field
        label="Description"
        name="description"
        value={values.description}
        onChange={set('description')}
        error={fe('description')}
        required={false}
      />
      <Field label="Price" name="price" type="number" value={values.price} onChange={set('price')} error={fe('price')} />
      <Field label="Currency" name="currency" value={values.currency} onChange={set('currency')} error={fe('currency')} />
      <div className="field">
        <label htmlFor="f-category">Category</label>
        <select id="f-category" value={values.category} onChange={(e) => set('category')(e.target.value)}>
          {categories.map((c) => (
            <option key={c.slug} value={c.slug}>
              {c.name}
            </option>
          ))}
        </select>
        {fe('category') && <p className="field-error">{fe('category')}</p>}
      </div>
      <Field label="Image URL" name="image_url" type="url" value={values.image_url} onChange={set('image_url')} error={fe('image_url')} />
      <Field label="Tags (comma-separated)" name="tags" value={values.tags} onChange={set('tags')} error={fe('tags')} required={false} />
      {error && error.fields.length === 0 && <ErrorNotice error={error} />}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {product ? 'Save product' : 'Create product'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function StockCell({ product, qty, onSet }: { product: Product; qty: number | undefined; onSet(q: number): void }) {
  const [value, setValue] = useState(qty === undefined ? '' : String(qty));
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState(false);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      const detail = await api<ProductDetail>(`/api/admin/products/${product.id}`, { method: 'PATCH', body: { stock_qty: Number(value) } });
      onSet(detail.stock_qty ?? 0);
      setSaved(true);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const id = `stock-${product.id}`;
  return (
    <form onSubmit={save} className="inline-form" noValidate>
      <label htmlFor={id} className="sr-only">
        Stock of {product.name}
      </label>
      <input id={id} type="number" min={0} className="qty" value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit">Set stock</button>
      {saved && (
        <span role="status" className="ok">
          Saved
        </span>
      )}
      {error && (
        <span role="alert" className="field-error">
          {error.fieldMessage('stock_qty') ?? error.message}
        </span>
      )}
    </form>
  );
}

export function AdminProductsPage() {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Product | 'new'>();
  const list = useLoad(`${search}|${page}`, async (signal) => {
    const products = await api<ProductListResponse>('/api/products', { query: { q: search || undefined, page, page_size: 20 }, signal });
    const ids = products.data.map((p) => p.id);
    const stock = ids.length ? await api<PublicStockList>('/api/stock', { query: { ids: ids.join(',') }, signal }) : { data: [] };
    return { products, stock: new Map(stock.data.map((s) => [s.product_id, s.stock_qty])) };
  });
  return (
    <section>
      <h1>Products</h1>
      <div className="row">
        <form
          role="search"
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            setPage(1);
            setSearch(q.trim());
          }}
        >
          <label htmlFor="admin-q">Search products</label>
          <input id="admin-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          <button type="submit">Search</button>
        </form>
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          New product
        </button>
      </div>
      {editing && (
        <ProductForm
          key={editing === 'new' ? 'new' : editing.id}
          product={editing === 'new' ? undefined : editing}
          onCancel={() => setEditing(undefined)}
          onSaved={(p) => {
            setEditing(undefined);
            setQ(p.name);
            setSearch(p.name);
            list.reload();
          }}
        />
      )}
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading what="Loading products" />}
      {list.data && list.data.products.data.length === 0 && <p className="empty">No products match.</p>}
      {list.data && list.data.products.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Products</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Category</th>
                <th scope="col">Price</th>
                <th scope="col">Stock</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.products.data.map((p) => (
                <tr key={p.id}>
                  <td>
                    {p.name}
                    <br />
                    <code className="muted">{p.id}</code>
                  </td>
                  <td>{p.category}</td>
                  <td>{money(p.price, p.currency)}</td>
                  <td>
                    <StockCell product={p} qty={list.data?.stock.get(p.id)} onSet={(n) => list.data?.stock.set(p.id, n)} />
                  </td>
                  <td>
                    <button type="button" onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>
                      Edit
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && (
        <nav aria-label="Pages" className="pager">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous page
          </button>
          <span>
            Page {page} of {Math.max(1, Math.ceil(list.data.products.total / 20))}
          </span>
          <button type="button" disabled={page * 20 >= list.data.products.total} onClick={() => setPage(page + 1)}>
            Next page
          </button>
        </nav>
      )}
    </section>
  );
}
