import { lazy, Suspense } from 'react';
import { Link, NavLink, Route, Routes } from 'react-router';
import { useAuth } from '../auth.tsx';
import { Loading } from '../components.tsx';
import { RequireLogin } from '../pages/Auth.tsx';
import { DeadLettersPage } from './DeadLetters.tsx';
import { AdminOrdersPage } from './Orders.tsx';
import { AdminProductsPage } from './Products.tsx';

// The charts (recharts) load only when an admin opens Reports.
const ReportsPage = lazy(() => import('./Reports.tsx'));
const OperationsPage = lazy(() => import('./Operations.tsx'));

function AdminOnly({ children }: { children: React.ReactNode }) {
  const { claims } = useAuth();
  if (claims?.role !== 'admin')
    return (
      <section>
        <h1>Admins only</h1>
        <p>
          This console needs an admin account. <Link to="/">Back to the shop</Link>
        </p>
      </section>
    );
  return <>{children}</>;
}

export default function AdminApp() {
  return (
    <RequireLogin>
      <AdminOnly>
        <div className="admin">
          <nav aria-label="Admin" className="admin-nav">
            <ul>
              <li>
                <NavLink to="/admin" end>
                  Products
                </NavLink>
              </li>
              <li>
                <NavLink to="/admin/orders">Orders</NavLink>
              </li>
              <li>
                <NavLink to="/admin/reports">Reports</NavLink>
              </li>
              <li>
                <NavLink to="/admin/dead-letters">Dead letters</NavLink>
              </li>
              <li>
                <NavLink to="/admin/ops">Operations</NavLink>
              </li>
            </ul>
          </nav>
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route index element={<AdminProductsPage />} />
              <Route path="orders" element={<AdminOrdersPage />} />
              <Route path="orders/:id" element={<AdminOrdersPage />} />
              <Route path="reports" element={<ReportsPage />} />
              <Route path="dead-letters" element={<DeadLettersPage />} />
              <Route path="ops" element={<OperationsPage />} />
            </Routes>
          </Suspense>
        </div>
      </AdminOnly>
    </RequireLogin>
  );
}
