/**
 * WH-P1-02: `warehouse.stock.low` fires when available stock crosses its threshold downwards —
 * once per crossing, not on every change while it stays low. `before`/`after` come from the
 * atomic update itself (the row is locked by it), so two concurrent changes cannot both see the
 * same crossing.
 */
export const crossedLowStock = (before: number, after: number, threshold: number): boolean =>
  before > threshold && after <= threshold;

/** Skus are compared in the catalog's canonical form (trimmed, upper case). */
export const canonicalSku = (sku: string): string => sku.trim().toUpperCase();

/** Bounds of a single stock figure (the columns are int4). */
export const MAX_STOCK_UNITS = 1_000_000_000;
