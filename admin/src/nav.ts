/**
 * The console's screens: one entry each for the navigation and the router. `permission` hides the
 * entry (and the route) from a role that cannot read it. Reviews moderation is planned here as
 * `{ path: 'reviews', label: 'Reviews', permission: 'reviews:read' }` once the reviews service lands.
 */
export interface Screen {
  path: string;
  label: string;
  permission: string;
}

export const SCREENS: Screen[] = [
  { path: 'orders', label: 'Orders', permission: 'orders:read' },
  { path: 'fulfillment', label: 'Fulfillment', permission: 'fulfillment:read' },
  { path: 'shipments', label: 'Shipments & returns', permission: 'orders:read' },
  { path: 'inventory', label: 'Inventory', permission: 'inventory:read' },
  { path: 'prices', label: 'Prices', permission: 'pricing:read' },
  { path: 'promotions', label: 'Promotions', permission: 'promotions:read' },
  { path: 'customers', label: 'Customers', permission: 'customers:read' },
  { path: 'operations', label: 'Operations', permission: 'ops:read' },
  { path: 'analytics', label: 'Analytics', permission: 'analytics:read' },
];
