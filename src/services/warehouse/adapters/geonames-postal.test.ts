import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPostalCentroids, parseGeoNamesPostal } from './geonames-postal.js';

// Lines in the GeoNames export/zip layout (tab-separated, 12 fields), made up for the test.
const line = (country: string, code: string, lat: number, lng: number) =>
  [country, code, 'Place', 'State', 'ST', 'County', 'C', '', '', lat, lng, 4].join('\t');

describe('GeoNames postal centroids', () => {
  it('parses a file, averaging the places that share a code', () => {
    const table = parseGeoNamesPostal(
      [
        line('DE', '01945', 51.4, 13.9),
        line('DE', '01945', 51.6, 14.1),
        line('gb', 'sw1a', 51.5, -0.14),
        '',
      ].join('\n'),
    );
    expect(table.get('DE|01945')!.lat).toBeCloseTo(51.5, 10);
    expect(table.get('DE|01945')!.lng).toBeCloseTo(14.0, 10);
    expect(table.get('GB|SW1A')).toEqual({ lat: 51.5, lng: -0.14 });
  });

  it('refuses what is not a GeoNames postal-code file, naming the line', () => {
    expect(() => parseGeoNamesPostal('US,94103,37.7,-122.4', 'us.csv')).toThrow('us.csv:1: not a GeoNames');
    expect(() => parseGeoNamesPostal(line('US', '94103', 137, 0), 'US.txt')).toThrow('US.txt:1: coordinates');
  });

  it('loads the configured files; none configured means no postal lookup; a missing one stops start-up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'postal-'));
    try {
      await writeFile(join(dir, 'US.txt'), `${line('US', '94103', 37.77, -122.41)}\n`);
      await writeFile(join(dir, 'FR.txt'), `${line('FR', '75008', 48.87, 2.31)}\n`);
      const postal = loadPostalCentroids([join(dir, 'US.txt'), join(dir, 'FR.txt')])!;
      expect(postal.locate('US', '94103')).toEqual({ lat: 37.77, lng: -122.41 });
      expect(postal.locate('FR', '75008')).toEqual({ lat: 48.87, lng: 2.31 });
      expect(postal.locate('FR', '75001')).toBeUndefined();
      expect(loadPostalCentroids([])).toBeUndefined();
      expect(() => loadPostalCentroids([join(dir, 'DE.txt')])).toThrow('WAREHOUSE_POSTAL_CENTROIDS_FILES');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
