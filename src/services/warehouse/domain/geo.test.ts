import { describe, expect, it } from 'vitest';
import { COUNTRY_CENTROIDS, destinationPoint, haversineKm } from './geo.js';

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
});
