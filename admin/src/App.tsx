import { useQueryClient } from '@tanstack/react-query';
import { lazy, type ReactElement, Suspense } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router-dom';
import { useAuth } from './api/auth';
import { hasPermission } from './api/session';
import { SCREENS } from './nav';
import { CustomersScreen } from './screens/Customers';
import { FulfillmentScreen } from './screens/Fulfillment';
import { InventoryScreen } from './screens/Inventory';
import { LoginScreen } from './screens/Login';
import { OperationsScreen } from './screens/Operations';
import { OrderDetailScreen } from './screens/OrderDetail';
import { OrdersScreen } from './screens/Orders';
import { PricesScreen } from './screens/Prices';
import { PromotionsScreen } from './screens/Promotions';
import { ShipmentsScreen } from './screens/Shipments';

// The charts library is the largest dependency: loaded only when the dashboard opens.
const AnalyticsScreen = lazy(() =>
  import('./screens/Analytics').then((m) => ({ default: m.AnalyticsScreen })),
);

const ELEMENTS: Record<string, ReactElement> = {
  orders: <OrdersScreen />,
  fulfillment: <FulfillmentScreen />,
  shipments: <ShipmentsScreen />,
  inventory: <InventoryScreen />,
  prices: <PricesScreen />,
  promotions: <PromotionsScreen />,
  customers: <CustomersScreen />,
  operations: <OperationsScreen />,
  analytics: (
    <Suspense fallback={<div className="loading">Loading…</div>}>
      <AnalyticsScreen />
    </Suspense>
  ),
};

export function App() {
  const { staff, restoring, session } = useAuth();
  const queryClient = useQueryClient();
  if (restoring) return <div className="loading">Restoring your session…</div>;
  if (!staff) return <LoginScreen />;
  const screens = SCREENS.filter((s) => hasPermission(staff.permissions, s.permission));
  return (
    <div className="layout">
      <nav>
        <strong>Orderline admin</strong>
        {screens.map((s) => (
          <NavLink key={s.path} to={`/${s.path}`}>
            {s.label}
          </NavLink>
        ))}
        <div className="whoami">
          <span>{staff.roles.join(', ')}</span>
          <button
            type="button"
            onClick={() => {
              queryClient.clear();
              session.logout().catch((err: unknown) => console.error('logout failed', err));
            }}
          >
            Log out
          </button>
        </div>
      </nav>
      <main>
        <Routes>
          {screens.map((s) => (
            <Route key={s.path} path={`/${s.path}`} element={ELEMENTS[s.path]} />
          ))}
          {screens.some((s) => s.path === 'orders') ? (
            <Route path="/orders/:id" element={<OrderDetailScreen />} />
          ) : null}
          <Route
            path="*"
            element={
              screens[0] ? <Navigate to={`/${screens[0].path}`} replace /> : <p>No screen for your role.</p>
            }
          />
        </Routes>
      </main>
    </div>
  );
}
