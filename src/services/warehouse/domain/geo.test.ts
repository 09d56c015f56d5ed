import { describe, expect, it } from 'vitest';
import { COUNTRY_CENTROIDS, destinationPoint, haversineKm, type LatLng, postalLookupKeys } from './geo.js';

describe('geo', () => {
  it('measures great-circle distances (Paris–London ≈ 344 km)', () => {
    expect(haversineKm({ lat: 48.8566, lng: 2.3522 }, { lat: 51.5074, lng: -0.1278 })).toBeCloseTo(343.5, 0);
    expect(haversineKm({ lat: 10, lng: 20 }, { lat: 10, lng: 20 })).toBe(0);
  });

  it('prefers the caller’s coordinates, then the country centroid, else no point', () => {
    expect(destinationPoint({ country: 'DE', location: { lat: 1, lng: 2 } })).toEqual({ lat: 1, lng: 2 });
    expect(destinationPoint({ country: 'de' })).toEqual(COUNTRY_CENTROIDS.DE);
    expect(destinationPoint({ country: 'ZZ' })).toBeUndefined();
  });

  it('covers the demo and test destinations', () => {
    for (const c of ['US', 'CA', 'GB', 'DE', 'FR', 'NL', 'ES', 'IT', 'PL', 'SE', 'AU', 'JP'])
      expect(COUNTRY_CENTROIDS[c]).toBeDefined();
  });

  it('looks postal codes up most precise first, then the coarser form the datasets key by', () => {
    expect(postalLookupKeys('GB', 'sw1a 1aa')).toEqual(['SW1A 1AA', 'SW1A']);
    expect(postalLookupKeys('GB', 'SW1A1AA')).toEqual(['SW1A1AA', 'SW1A']);
    expect(postalLookupKeys('CA', 'K1A 0B1')).toEqual(['K1A 0B1', 'K1A']);
    expect(postalLookupKeys('US', '94103-1234')).toEqual(['94103-1234', '94103']);
    expect(postalLookupKeys('DE', '10115')).toEqual(['10115']);
    expect(postalLookupKeys('NL', '1012 AB')).toEqual(['1012 AB', '1012']);
    expect(postalLookupKeys('FR', ' ')).toEqual([]);
  });

  describe('with postal centroids', () => {
    const SF: LatLng = { lat: 37.7749, lng: -122.4194 };
    const NYC: LatLng = { lat: 40.7128, lng: -74.006 };
    const LONDON: LatLng = { lat: 51.5, lng: -0.14 };
    const table = new Map([
      ['US|94103', SF],
      ['US|10001', NYC],
      ['GB|SW1A', LONDON],
    ]);
    const postal = { locate: (country: string, code: string) => table.get(`${country}|${code}`) };

    it('uses the postal code, then the country; explicit coordinates still win', () => {
      expect(destinationPoint({ country: 'us', postalCode: '94103-1234' }, postal)).toEqual(SF);
      expect(destinationPoint({ country: 'GB', postalCode: 'SW1A 1AA' }, postal)).toEqual(LONDON);
      expect(destinationPoint({ country: 'US', postalCode: '99999' }, postal)).toEqual(COUNTRY_CENTROIDS.US);
      expect(destinationPoint({ country: 'DE', postalCode: '10115' }, postal)).toEqual(COUNTRY_CENTROIDS.DE);
      expect(destinationPoint({ country: 'US', postalCode: '94103', location: NYC }, postal)).toEqual(NYC);
      expect(destinationPoint({ country: 'US', postalCode: '94103' })).toEqual(COUNTRY_CENTROIDS.US);
    });

    it('changes which warehouse is nearest: San Francisco for 94103, where the US centroid says New York', () => {
      const warehouses = { sf: { lat: 37.8, lng: -122.3 }, nyc: { lat: 40.7, lng: -74.1 } };
      const nearest = (to: LatLng) =>
        Object.entries(warehouses).sort(([, a], [, b]) => haversineKm(a, to) - haversineKm(b, to))[0]![0];
      expect(nearest(destinationPoint({ country: 'US', postalCode: '94103' })!)).toBe('nyc');
      expect(nearest(destinationPoint({ country: 'US', postalCode: '94103' }, postal)!)).toBe('sf');
      expect(nearest(destinationPoint({ country: 'US', postalCode: '10001' }, postal)!)).toBe('nyc');
    });
  });
});
