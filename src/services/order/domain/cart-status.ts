/**
 * Cart states: `active` (editable), `checked_out` (became an order), `abandoned` (cart-cleanup,
 * OR-P1-01) and `merged` (a guest cart whose items moved into the customer's cart at login).
 */
export const CART_STATUSES = ['active', 'checked_out', 'abandoned', 'merged'] as const;
export type CartStatus = (typeof CART_STATUSES)[number];
