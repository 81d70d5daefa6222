import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Link, NavLink, Route, Routes } from 'react-router';
import { AuthProvider, useAuth } from './auth.tsx';
import { Loading } from './components.tsx';
import { Home } from './pages/Home.tsx';
import { ProductPage } from './pages/Product.tsx';
import { LoginPage, SignupPage } from './pages/Auth.tsx';
import { CartPage } from './pages/Cart.tsx';
import { CheckoutPage } from './pages/Checkout.tsx';
import { OrderPage, OrdersPage } from './pages/Orders.tsx';
import './styles.css';

// The admin console (and its charting library) is a chunk of its own: shoppers never download it.
const AdminApp = lazy(() => import('./admin/AdminApp.tsx'));

function Header() {
  const { claims, logout } = useAuth();
  return (
    <header className="site-header">
      <Link to="/" className="brand">
        GlobalMart
      </Link>
      <nav aria-label="Main">
        <ul>
          <li>
            <NavLink to="/" end>
              Shop
            </NavLink>
          </li>
          {claims && (
            <>
              <li>
                <NavLink to="/cart">Cart</NavLink>
              </li>
              <li>
                <NavLink to="/orders">Orders</NavLink>
              </li>
            </>
          )}
          {claims?.role === 'admin' && (
            <li>
              <NavLink to="/admin">Admin</NavLink>
            </li>
          )}
          {claims ? (
            <li>
              <button type="button" className="link-button" onClick={logout}>
                Log out
              </button>
            </li>
          ) : (
            <>
              <li>
                <NavLink to="/login">Log in</NavLink>
              </li>
              <li>
                <NavLink to="/signup">Sign up</NavLink>
              </li>
            </>
          )}
        </ul>
      </nav>
    </header>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to the shop</Link>
      </p>
    </section>
  );
}

export function App() {
  return (
    <AuthProvider>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Home />} />
            <Route path="/products/:id" element={<ProductPage />} />
            <Route path="/login" element={<LoginPage />} />
            <Route path="/signup" element={<SignupPage />} />
            <Route path="/cart" element={<CartPage />} />
            <Route path="/checkout" element={<CheckoutPage />} />
            <Route path="/orders" element={<OrdersPage />} />
            <Route path="/orders/:id" element={<OrderPage />} />
            <Route path="/admin/*" element={<AdminApp />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </main>
    </AuthProvider>
  );
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </StrictMode>,
  );
}
