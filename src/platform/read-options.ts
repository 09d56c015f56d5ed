/**
 * How a caller wants a read answered, the optional last parameter of the client reads that other
 * services call (catalog products, pricing quotes/prices/tax, shipping options/quotes).
 *
 * - default (no options, or `cached` false): decided on the owning service's database, exactly
 *   as the call always was. Checkout uses this: it never decides on a cached price, tax rate or
 *   shipping option.
 * - `cached: true`: may be answered from the owning service's in-process cache. Entries are
 *   dropped in this process right after the service's own write commits, and live at most the
 *   service's cache TTL (the bound on how late another replica's write is seen). Meant for views
 *   (product pages, cart views) that are re-decided on the database at checkout.
 */
export interface ReadOptions {
  cached?: boolean | undefined;
}

/** True when the caller allows a cached answer. */
export const allowsCache = (opts: ReadOptions | undefined): boolean => opts?.cached === true;
