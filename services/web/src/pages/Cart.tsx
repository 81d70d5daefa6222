import type { Cart } from '@globalmart/contracts';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, money, type ApiError } from '../api.ts';
import { ErrorNotice, Loading } from '../components.tsx';
import { useLoad } from '../hooks.ts';
import { RequireLogin } from './Auth.tsx';

function CartView() {
  const cart = useLoad('cart', (signal) => api<Cart>('/api/cart', { signal }));
  const [current, setCurrent] = useState<Cart>();
  const [error, setError] = useState<ApiError>();
  const shown = current ?? cart.data;
  const change = async (productId: string, quantity: number) => {
    setError(undefined);
    try {
      const path = `/api/cart/items/${productId}`;
      setCurrent(await api<Cart>(path, quantity === 0 ? { method: 'DELETE' } : { method: 'PATCH', body: { quantity } }));
    } catch (err) {
      setError(err as ApiError);
    }
  };
  if (cart.loading && !shown) return <Loading what="Loading your cart" />;
  if (cart.error) return <ErrorNotice error={cart.error} onRetry={cart.reload} />;
  if (!shown) return null;
  if (shown.items.length === 0)
    return (
      <p className="empty">
        Your cart is empty. <Link to="/">Find something you like</Link>.
      </p>
    );
  return (
    <>
      <ErrorNotice error={error} />
      <table className="table cart-table">
        <caption className="sr-only">Items in your cart</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Price</th>
            <th scope="col">Quantity</th>
            <th scope="col">Total</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.items.map((line) => (
            <tr key={line.product_id}>
              <td>
                <Link to={`/products/${line.product_id}`}>{line.name}</Link>
              </td>
              <td>{money(line.unit_price, line.currency)}</td>
              <td>
                <label className="sr-only" htmlFor={`qty-${line.product_id}`}>
                  Quantity of {line.name}
                </label>
                <input
                  id={`qty-${line.product_id}`}
                  type="number"
                  min={1}
                  max={99}
                  className="qty"
                  defaultValue={line.quantity}
                  key={line.quantity}
                  onBlur={(e) => {
                    const q = Number(e.target.value);
                    if (Number.isInteger(q) && q >= 1 && q !== line.quantity) void change(line.product_id, q);
                  }}
                />
              </td>
              <td>{money(line.line_total, line.currency)}</td>
              <td>
                <button type="button" onClick={() => void change(line.product_id, 0)} aria-label={`Remove ${line.name}`}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              Total ({shown.item_count} items)
            </th>
            <td className="cart-total">{money(shown.total, shown.currency)}</td>
            <td />
          </tr>
        </tfoot>
      </table>
      <p>
        <Link to="/checkout" className="button">
          Checkout
        </Link>
      </p>
    </>
  );
}

export function CartPage() {
  return (
    <RequireLogin>
      <section>
        <h1>Your cart</h1>
        <CartView />
      </section>
    </RequireLogin>
  );
}
