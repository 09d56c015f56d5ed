import type { ShipmentInfo } from './recipients.js';

/** Links the storefront serves (CUSTOMER_STOREFRONT_URL); ids are UUIDs, so no escaping is needed. */
export function orderLinks(storefrontUrl: string) {
  const base = storefrontUrl.replace(/\/+$/, '');
  return {
    order: (orderId: string) => `${base}/orders/${orderId}`,
    tracking: (orderId: string) => `${base}/orders/${orderId}/tracking`,
    review: (productId: string) => `${base}/products/${productId}#reviews`,
    /** The first block of the order id, for subjects. */
    shortId: (orderId: string) => orderId.slice(0, 8).toUpperCase(),
  };
}

/** `carrier=https://…{tracking}…` settings → carrier → URL template; malformed pairs are refused. */
export function parseTrackingUrls(pairs: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const carrier = pair.slice(0, at).trim();
    const url = pair.slice(at + 1).trim();
    if (at <= 0 || !/^https?:\/\/\S+$/.test(url) || !url.includes('{tracking}'))
      throw new Error(`NOTIFICATION_TRACKING_URLS: "${pair}" must be carrier=https://…{tracking}…`);
    map.set(carrier, url);
  }
  return map;
}

/** The carrier's own tracking page when configured and the parcel has a number; else the storefront's. */
export function trackingUrl(
  urls: ReadonlyMap<string, string>,
  links: ReturnType<typeof orderLinks>,
  orderId: string,
  s: ShipmentInfo,
): string {
  const template = urls.get(s.carrier);
  return template && s.trackingNumber
    ? template.replaceAll('{tracking}', encodeURIComponent(s.trackingNumber))
    : links.tracking(orderId);
}
