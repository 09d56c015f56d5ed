import type { ShippingAddress } from '../../../platform/validation/address.js';

/**
 * What an order or cart keeps of its shipping address once its customer is erased (G10):
 * initials of the names, the country and a postal prefix (tax and regional analytics need no
 * more); street lines, city, region and phone are removed. Applying it twice gives the same
 * result, so a re-run changes nothing.
 */
export function anonymizeAddress(address: ShippingAddress): ShippingAddress {
  return {
    firstName: initial(address.firstName),
    lastName: initial(address.lastName),
    line1: '',
    line2: null,
    city: '',
    region: null,
    postalCode: postalPrefix(address.country, address.postalCode),
    country: address.country,
    phone: null,
  };
}

/** "Ada" → "A."; empty stays empty. Code points, so a name starting with an astral letter keeps it whole. */
function initial(name: string): string {
  const first = [...name.trim()][0];
  return first ? `${first.toUpperCase()}.` : '';
}

/**
 * The coarse part of a postal code: US ZIP3 and the Canadian forward sortation area (3
 * characters), the UK outward code (before the space), elsewhere the first 2 characters (the
 * département in FR, the Leitregion in DE) — areas of many thousands of addresses.
 */
export function postalPrefix(country: string, postalCode: string): string {
  const code = postalCode.trim().toUpperCase();
  switch (country.toUpperCase()) {
    case 'US':
    case 'CA':
      return code.slice(0, 3);
    case 'GB':
      return code.split(' ')[0] ?? '';
    default:
      return code.slice(0, 2);
  }
}
