import { readFileSync } from 'node:fs';
import type { LatLng, PostalCentroids } from '../domain/geo.js';

/**
 * Postal-code centroids from GeoNames postal-code files (https://download.geonames.org/export/zip/,
 * CC BY 4.0: `US.txt`, `DE.txt`, `FR.txt`, `GB.txt` or `GB_full.csv` unzipped, or `allCountries.txt`),
 * listed in WAREHOUSE_POSTAL_CENTROIDS_FILES. No npm package ships such a dataset in a kept-up,
 * offline form, so the operator downloads the files they want (docs/warehouse.md).
 *
 * Format: UTF-8, tab-separated, one place per line — country code, postal code, place name, three
 * admin name/code pairs, latitude, longitude, accuracy. A code with several places (a German PLZ
 * covering villages) gets the mean of their coordinates.
 */
export function parseGeoNamesPostal(text: string, source = 'input'): Map<string, LatLng> {
  const sums = new Map<string, { lat: number; lng: number; n: number }>();
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    const f = line.split('\t');
    const lat = Number(f[9]);
    const lng = Number(f[10]);
    const country = f[0]?.trim().toUpperCase();
    const code = f[1]?.trim().toUpperCase().replace(/\s+/g, ' ');
    if (!country || !code || f.length < 11 || !Number.isFinite(lat) || !Number.isFinite(lng))
      throw new Error(`${source}:${lineNo}: not a GeoNames postal-code line`);
    if (Math.abs(lat) > 90 || Math.abs(lng) > 180)
      throw new Error(`${source}:${lineNo}: coordinates out of range`);
    const key = `${country}|${code}`;
    const s = sums.get(key) ?? { lat: 0, lng: 0, n: 0 };
    s.lat += lat;
    s.lng += lng;
    s.n++;
    sums.set(key, s);
  }
  return new Map([...sums].map(([k, s]) => [k, { lat: s.lat / s.n, lng: s.lng / s.n }]));
}

export function postalCentroidsFrom(table: ReadonlyMap<string, LatLng>): PostalCentroids {
  return { locate: (country, postalCode) => table.get(`${country}|${postalCode}`) };
}

/** Reads the configured files once at start-up; a missing or malformed file stops the process. */
export function loadPostalCentroids(paths: readonly string[]): PostalCentroids | undefined {
  if (paths.length === 0) return undefined;
  const table = new Map<string, LatLng>();
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`WAREHOUSE_POSTAL_CENTROIDS_FILES: cannot read ${path}`, { cause: err });
    }
    for (const [k, v] of parseGeoNamesPostal(text, path)) table.set(k, v);
  }
  return postalCentroidsFrom(table);
}
