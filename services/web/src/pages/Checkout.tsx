import type { Cart, OrderAccepted } from '@globalmart/contracts';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, money, type ApiError } from '../api.ts';
import { ErrorNotice, Field, Loading } from '../components.tsx';
import { useLoad } from '../hooks.ts';
import { RequireLogin } from './Auth.tsx';

export const testCards = [
  { token: 'tok_visa', label: 'Visa test card (approved)' },
  { token: 'tok_chargeDeclined', label: 'Declined test card' },
  { token: 'tok_slow', label: 'Slow test card (answers after a delay)' },
];

/** A fresh Idempotency-Key (getRandomValues works on plain http too, randomUUID only in secure contexts). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `chk_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const addressFields = [
  { name: 'name', label: 'Full name', autoComplete: 'name' },
  { name: 'line1', label: 'Address', autoComplete: 'address-line1' },
  { name: 'line2', label: 'Address line 2 (optional)', autoComplete: 'address-line2', optional: true },
  { name: 'city', label: 'City', autoComplete: 'address-level2' },
  { name: 'postal_code', label: 'Postal code', autoComplete: 'postal-code' },
  { name: 'country', label: 'Country code (e.g. DE)', autoComplete: 'country' },
] as const;
type AddressKey = (typeof addressFields)[number]['name'];

function CheckoutForm() {
  const navigate = useNavigate();
  const cart = useLoad('cart', (signal) => api<Cart>('/api/cart', { signal }));
  const [address, setAddress] = useState<Record<AddressKey, string>>({
    name: '',
    line1: '',
    line2: '',
    city: '',
    postal_code: '',
    country: '',
  });
  const [card, setCard] = useState('tok_visa');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  // One key per attempt: every click of this attempt sends the same key, so the server creates one order at most.
  // A new attempt (after the server refused this one) gets a new key.
  const key = useRef(newIdempotencyKey());
  const inFlight = useRef(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(undefined);
    const shipping_address = Object.fromEntries(Object.entries(address).filter(([k, v]) => !(k === 'line2' && v.trim() === '')));
    try {
      const accepted = await api<OrderAccepted>('/api/orders', {
        method: 'POST',
        body: { payment_method: card, shipping_address },
        headers: { 'idempotency-key': key.current },
      });
      navigate(`/orders/${accepted.order_id}`);
    } catch (err) {
      const apiError = err as ApiError;
      setError(apiError);
      // Refused (4xx): nothing was ordered, the next attempt is a new one. A lost answer keeps the key: retrying is safe.
      if (apiError.status >= 400 && apiError.status < 500) key.current = newIdempotencyKey();
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  if (cart.loading && !cart.data) return <Loading what="Loading your cart" />;
  if (cart.error) return <ErrorNotice error={cart.error} onRetry={cart.reload} />;
  if (cart.data && cart.data.items.length === 0)
    return (
      <p className="empty">
        Your cart is empty. <Link to="/">Continue shopping</Link>.
      </p>
    );
  const generalError = error && !error.fields.some((f) => f.field.startsWith('shipping_address.') || f.field === 'payment_method');
  return (
    <form onSubmit={submit} noValidate className="checkout">
      {cart.data && (
        <p className="muted">
          {cart.data.item_count} items, total <strong>{money(cart.data.total, cart.data.currency)}</strong>
        </p>
      )}
      <fieldset>
        <legend>Shipping address</legend>
        {addressFields.map((f) => (
          <Field
            key={f.name}
            label={f.label}
            name={`shipping_address.${f.name}`}
            autoComplete={f.autoComplete}
            required={!('optional' in f)}
            value={address[f.name]}
            onChange={(v) => setAddress((a) => ({ ...a, [f.name]: f.name === 'country' ? v.toUpperCase() : v }))}
            error={error?.fieldMessage(`shipping_address.${f.name}`)}
          />
        ))}
      </fieldset>
      <fieldset>
        <legend>Payment (test cards)</legend>
        {testCards.map((c) => (
          <div key={c.token} className="radio">
            <input
              type="radio"
              id={`card-${c.token}`}
              name="payment_method"
              value={c.token}
              checked={card === c.token}
              onChange={() => setCard(c.token)}
            />
            <label htmlFor={`card-${c.token}`}>
              {c.label} <code>{c.token}</code>
            </label>
          </div>
        ))}
        {error?.fieldMessage('payment_method') && <p className="field-error">{error.fieldMessage('payment_method')}</p>}
      </fieldset>
      {generalError && <ErrorNotice error={error} />}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Placing your order…' : 'Place order'}
      </button>
    </form>
  );
}

export function CheckoutPage() {
  return (
    <RequireLogin>
      <section className="narrow">
        <h1>Checkout</h1>
        <CheckoutForm />
      </section>
    </RequireLogin>
  );
}
