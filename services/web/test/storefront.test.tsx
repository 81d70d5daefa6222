// @vitest-environment jsdom
// Component tests of the storefront: forms show the server's field errors where they belong, checkout sends one
// Idempotency-Key per attempt (a double click places one order), product cards draw their own pictures.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthProvider } from '../src/auth.tsx';
import { ProductCard } from '../src/components.tsx';
import { CheckoutPage } from '../src/pages/Checkout.tsx';

// A signed-in customer: a token whose payload the app decodes (the gateway is the one that verifies it).
const payload = btoa(JSON.stringify({ sub: 'usr_1', role: 'customer', exp: Math.floor(Date.now() / 1000) + 600 }));
const token = `h.${payload.replace(/=+$/, '')}.s`;

const cart = {
  user_id: 'usr_1',
  items: [{ product_id: 'prd_000001', name: 'Mug', quantity: 2, unit_price: 5, currency: 'USD', line_total: 10 }],
  total: 10,
  currency: 'USD',
  item_count: 2,
};

type Call = { url: string; init: RequestInit | undefined };
let calls: Call[];

function answer(status: number, body: unknown, type = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
}

beforeEach(() => {
  calls = [];
  sessionStorage.setItem('globalmart.token', token);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

function renderCheckout() {
  render(
    <AuthProvider>
      <MemoryRouter initialEntries={['/checkout']}>
        <Routes>
          <Route path="/checkout" element={<CheckoutPage />} />
          <Route path="/orders/:id" element={<p>order page</p>} />
        </Routes>
      </MemoryRouter>
    </AuthProvider>,
  );
}

async function fillAddress() {
  await screen.findByLabelText('Full name');
  fireEvent.change(screen.getByLabelText('Full name'), { target: { value: 'Ada Lovelace' } });
  fireEvent.change(screen.getByLabelText('Address'), { target: { value: '1 Main St' } });
  fireEvent.change(screen.getByLabelText('City'), { target: { value: 'Berlin' } });
  fireEvent.change(screen.getByLabelText('Postal code'), { target: { value: '10115' } });
  fireEvent.change(screen.getByLabelText('Country code (e.g. DE)'), { target: { value: 'de' } });
}

describe('checkout', () => {
  it('shows a problem+json field error next to its field', async () => {
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      if (url === '/api/cart') return answer(200, cart);
      return answer(
        400,
        {
          type: 'about:blank',
          title: 'Invalid request',
          status: 400,
          errors: [{ field: 'shipping_address.postal_code', message: 'must be 2-15 letters, digits, spaces or dashes' }],
        },
        'application/problem+json',
      );
    });
    renderCheckout();
    await fillAddress();
    fireEvent.click(screen.getByRole('button', { name: 'Place order' }));
    const input = screen.getByLabelText('Postal code');
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    const described = document.getElementById(input.getAttribute('aria-describedby') ?? '');
    expect(described?.textContent).toBe('must be 2-15 letters, digits, spaces or dashes');
    // The country was sent as the API wants it (upper case).
    const sent = JSON.parse(String(calls.find((c) => c.url === '/api/orders')?.init?.body));
    expect(sent.shipping_address.country).toBe('DE');
  });

  it('sends one order with one Idempotency-Key when Place order is clicked twice', async () => {
    let release: () => void = () => undefined;
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      if (url === '/api/cart') return answer(200, cart);
      await new Promise<void>((r) => (release = r));
      return answer(201, { order_id: `ord_${'a'.repeat(32)}`, status: 'PENDING' });
    });
    renderCheckout();
    await fillAddress();
    const button = screen.getByRole('button', { name: 'Place order' });
    fireEvent.click(button);
    fireEvent.click(button);
    await waitFor(() => expect(calls.filter((c) => c.url === '/api/orders')).toHaveLength(1));
    release();
    await screen.findByText('order page');
    const orders = calls.filter((c) => c.url === '/api/orders');
    expect(orders).toHaveLength(1);
    expect(new Headers(orders[0]?.init?.headers).get('idempotency-key')).toMatch(/^chk_[0-9a-f]{32}$/);
  });
});

describe('product card', () => {
  it('draws a placeholder picture (no image host) with the price and stock badge', () => {
    render(
      <MemoryRouter>
        <ul>
          <ProductCard
            product={{
              id: 'prd_000042',
              name: 'Steel Kettle',
              description: '',
              price: 19.5,
              currency: 'USD',
              category: 'home-kitchen',
              image_url: 'https://x.example/k.jpg',
              tags: [],
            }}
            stock={3}
          />
        </ul>
      </MemoryRouter>,
    );
    const picture = screen.getByRole('img', { name: 'Picture of Steel Kettle' });
    expect(picture.tagName.toLowerCase()).toBe('svg');
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getByText('$19.50')).toBeTruthy();
    expect(screen.getByText('Only 3 left')).toBeTruthy();
    expect(screen.getByRole('link').getAttribute('href')).toBe('/products/prd_000042');
  });
});
