import { describe, expect, it } from 'vitest';
import { parseCsv, stockRow, uploadInBatches } from './csv';

describe('stock CSV', () => {
  it('parses good rows and reports bad ones by their 1-based data row', () => {
    const parsed = parseCsv(
      'sku,onHand,warehouseCode\nMUG,10,US-EAST\n,3,US-EAST\nMUG,-1,US-EAST\nCUP,4,\n\nTEA, 7 ,EU-WEST\n',
      ['sku', 'onHand'],
      stockRow,
    );
    expect(parsed.rows).toEqual([
      { row: 1, value: { sku: 'MUG', onHand: 10, warehouseCode: 'US-EAST' } },
      { row: 5, value: { sku: 'TEA', onHand: 7, warehouseCode: 'EU-WEST' } },
    ]);
    expect(parsed.errors).toEqual([
      { row: 2, ok: false, message: 'sku is empty' },
      { row: 3, ok: false, message: 'onHand "-1" is not a whole number ≥ 0' },
      { row: 4, ok: false, message: 'give exactly one of warehouseCode and warehouseId' },
    ]);
  });

  it('refuses a file without the required header', () => {
    expect(() => parseCsv('code,qty\nA,1', ['sku', 'onHand'], stockRow)).toThrow(/lacks sku, onHand/);
  });

  it('uploads in batches with progress; a failed batch marks its rows and the next batch still runs', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ row: i + 1, value: i }));
    const progress: string[] = [];
    let batch = 0;
    const results = await uploadInBatches(
      rows,
      2,
      async (values) => {
        batch += 1;
        if (batch === 2) throw new Error('503 unavailable');
        return values.map((v) => (v === 4 ? { ok: false, message: 'not_found' } : { ok: true }));
      },
      (done, total) => progress.push(`${done}/${total}`),
    );
    expect(progress).toEqual(['0/5', '2/5', '4/5', '5/5']);
    expect(results).toEqual([
      { row: 1, ok: true },
      { row: 2, ok: true },
      { row: 3, ok: false, message: '503 unavailable' },
      { row: 4, ok: false, message: '503 unavailable' },
      { row: 5, ok: false, message: 'not_found' },
    ]);
  });
});
