import type { Product } from '@globalmart/contracts';
import { Link } from 'react-router';
import { money, type ApiError } from './api.ts';

/** A deterministic placeholder picture for a product: colours from its id, its initials (no image host involved). */
export function Placeholder({ id, name, size = 160 }: { id: string; name: string; size?: number }) {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const hue = h % 360;
  const initials = name
    .split(/\s+/)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('');
  return (
    <svg className="placeholder" viewBox="0 0 160 120" width={size} height={(size * 3) / 4} role="img" aria-label={`Picture of ${name}`}>
      <rect width="160" height="120" fill={`hsl(${hue} 55% 85%)`} />
      <circle cx={40 + (h % 80)} cy="60" r="34" fill={`hsl(${(hue + 40) % 360} 50% 70%)`} />
      <text x="80" y="72" textAnchor="middle" fontSize="34" fontWeight="700" fill={`hsl(${hue} 60% 22%)`}>
        {initials}
      </text>
    </svg>
  );
}

export function StockBadge({ qty }: { qty: number | null | undefined }) {
  if (qty === null || qty === undefined) return <span className="badge badge-unknown">Stock unknown</span>;
  if (qty === 0) return <span className="badge badge-out">Out of stock</span>;
  if (qty < 5) return <span className="badge badge-low">Only {qty} left</span>;
  return <span className="badge badge-in">In stock</span>;
}

export function ProductCard({ product, stock }: { product: Product; stock?: number | null }) {
  return (
    <li className="card">
      <Link to={`/products/${product.id}`} className="card-link">
        <Placeholder id={product.id} name={product.name} />
        <span className="card-name">{product.name}</span>
      </Link>
      <span className="price">{money(product.price, product.currency)}</span>
      {stock !== undefined && <StockBadge qty={stock} />}
    </li>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export function ErrorNotice({ error, onRetry }: { error: ApiError | undefined; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert">
      <p>{error.message}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A labelled input whose server-side error (problem+json errors[].field) shows right below it. */
export function Field({
  label,
  name,
  error,
  type = 'text',
  value,
  onChange,
  autoComplete,
  required = true,
}: {
  label: string;
  name: string;
  error: string | undefined;
  type?: string;
  value: string;
  onChange(value: string): void;
  autoComplete?: string;
  required?: boolean;
}) {
  const id = `f-${name.replace(/\W/g, '-')}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        required={required}
        autoComplete={autoComplete}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export const statusLabel: Record<string, string> = {
  PENDING: 'Pending',
  CONFIRMED: 'Confirmed',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status status-${status.toLowerCase()}`}>{statusLabel[status] ?? status}</span>;
}
