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

/** Where a shipment is going, as precisely as known; `undefined` when there is no basis to compare. */
export function destinationPoint(shipTo: {
  country: string;
  location?: LatLng | undefined;
}): LatLng | undefined {
  if (shipTo.location) return shipTo.location;
  return COUNTRY_CENTROIDS[shipTo.country.toUpperCase()];
}
