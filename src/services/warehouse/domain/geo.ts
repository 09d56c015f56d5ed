/**
 * Distance for allocation (WH-P1-01): great-circle distance from a warehouse to the ship-to
 * point, which is the caller's coordinates when given, else the destination country's centroid.
 * A country not in the table gives no distance: every warehouse is then equally near and the
 * planner decides on stock and capacity alone (docs/warehouse.md).
 */
export interface LatLng {
  lat: number;
  lng: number;
}

const EARTH_RADIUS_KM = 6371.0088;

const toRadians = (degrees: number): number => (degrees * Math.PI) / 180;

/** Haversine distance in kilometres. */
export function haversineKm(a: LatLng, b: LatLng): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Geographic centroids of ISO 3166-1 alpha-2 countries (latitude, longitude in degrees), from the
 * public Google DSPL "countries" dataset. Covers the demo and test destinations; extend as needed.
 */
export const COUNTRY_CENTROIDS: Readonly<Record<string, LatLng>> = {
  AT: { lat: 47.516231, lng: 14.550072 },
  AU: { lat: -25.274398, lng: 133.775136 },
  BE: { lat: 50.503887, lng: 4.469936 },
  BR: { lat: -14.235004, lng: -51.92528 },
  CA: { lat: 56.130366, lng: -106.346771 },
  CH: { lat: 46.818188, lng: 8.227512 },
  CZ: { lat: 49.817492, lng: 15.472962 },
  DE: { lat: 51.165691, lng: 10.451526 },
  DK: { lat: 56.26392, lng: 9.501785 },
  ES: { lat: 40.463667, lng: -3.74922 },
  FI: { lat: 61.92411, lng: 25.748151 },
  FR: { lat: 46.227638, lng: 2.213749 },
  GB: { lat: 55.378051, lng: -3.435973 },
  IE: { lat: 53.41291, lng: -8.24389 },
  IT: { lat: 41.87194, lng: 12.56738 },
  JP: { lat: 36.204824, lng: 138.252924 },
  MX: { lat: 23.634501, lng: -102.552784 },
  NL: { lat: 52.132633, lng: 5.291266 },
  NO: { lat: 60.472024, lng: 8.468946 },
  NZ: { lat: -40.900557, lng: 174.885971 },
  PL: { lat: 51.919438, lng: 19.145136 },
  PT: { lat: 39.399872, lng: -8.224454 },
  SE: { lat: 60.128161, lng: 18.643501 },
  US: { lat: 37.09024, lng: -95.712891 },
};

/** Postal-code centroids (a port: the data comes from a file the operator provides, adapters/). */
export interface PostalCentroids {
  /** The centroid of `postalCode` in `country` (upper-case ISO alpha-2, normalized code), if known. */
  locate(country: string, postalCode: string): LatLng | undefined;
}

/**
 * The postal codes to look up for an address, most precise first: the code itself, then its
 * coarser form where the datasets key by one — the UK/CA outward part (GeoNames' GB and CA
 * files hold outward codes / forward sortation areas only), a US ZIP+4 as its ZIP.
 */
export function postalLookupKeys(country: string, postalCode: string): string[] {
  const code = postalCode.trim().toUpperCase().replace(/\s+/g, ' ');
  if (!code) return [];
  const keys = [code];
  const add = (k: string | undefined) => {
    if (k && !keys.includes(k)) keys.push(k);
  };
  switch (country.toUpperCase()) {
    case 'GB':
      add(code.includes(' ') ? code.split(' ')[0] : code.length > 3 ? code.slice(0, -3) : undefined);
      break;
    case 'CA':
      add(code.slice(0, 3));
      break;
    case 'US':
      add(code.split('-')[0]);
      break;
    default:
      add(code.split(/[ -]/)[0]);
  }
  return keys;
}

/**
 * Where a shipment is going, as precisely as known (docs/warehouse.md "Distance"): the caller's
 * coordinates; else the centroid of the postal code when a postal dataset covers it; else the
 * country's centroid; `undefined` when there is no basis to compare.
 */
export function destinationPoint(
  shipTo: { country: string; postalCode?: string | undefined; location?: LatLng | undefined },
  postal?: PostalCentroids,
): LatLng | undefined {
  if (shipTo.location) return shipTo.location;
  const country = shipTo.country.toUpperCase();
  if (postal && shipTo.postalCode)
    for (const key of postalLookupKeys(country, shipTo.postalCode)) {
      const point = postal.locate(country, key);
      if (point) return point;
    }
  return COUNTRY_CENTROIDS[country];
}
