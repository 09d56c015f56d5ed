import Papa from 'papaparse';

/** One row's outcome of a CSV import: `row` is the 1-based data line after the header. */
export interface RowResult {
  row: number;
  ok: boolean;
  message?: string;
}

export interface ParsedCsv<T> {
  rows: { row: number; value: T }[];
  errors: RowResult[];
}

/** Parses a CSV with a header line; each data row goes through `validate` (a message = refused). */
export function parseCsv<T>(
  text: string,
  required: readonly string[],
  validate: (record: Record<string, string>) => T | string,
): ParsedCsv<T> {
  const parsed = Papa.parse<Record<string, string>>(text.trim(), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim(),
    transform: (v) => v.trim(),
  });
  const header = parsed.meta.fields ?? [];
  const missing = required.filter((name) => !header.includes(name));
  if (missing.length > 0)
    throw new Error(`The CSV header lacks ${missing.join(', ')} (has: ${header.join(', ')})`);
  const rows: ParsedCsv<T>['rows'] = [];
  const errors: RowResult[] = [];
  const broken = new Map(parsed.errors.map((e) => [(e.row ?? -1) + 1, e.message]));
  parsed.data.forEach((record, i) => {
    const row = i + 1;
    const parseError = broken.get(row);
    const value = parseError ? parseError : validate(record);
    if (typeof value === 'string') errors.push({ row, ok: false, message: value });
    else rows.push({ row, value });
  });
  return { rows, errors };
}

export interface StockRow {
  sku: string;
  onHand: number;
  warehouseCode?: string;
  warehouseId?: string;
}

/** `sku,onHand` and one of `warehouseCode`/`warehouseId` per row, as POST /admin/inventory/import takes. */
export function stockRow(record: Record<string, string>): StockRow | string {
  const sku = record.sku ?? '';
  if (!sku) return 'sku is empty';
  const onHandText = record.onHand ?? '';
  if (!/^\d+$/.test(onHandText)) return `onHand "${onHandText}" is not a whole number ≥ 0`;
  const code = record.warehouseCode ?? '';
  const id = record.warehouseId ?? '';
  if (Boolean(code) === Boolean(id)) return 'give exactly one of warehouseCode and warehouseId';
  return { sku, onHand: Number(onHandText), ...(code ? { warehouseCode: code } : { warehouseId: id }) };
}

/**
 * Sends rows in batches (each one request), reporting progress after each; a row the API refused
 * keeps its CSV row number. A batch that fails as a whole marks each of its rows with that error and
 * the import goes on with the next batch.
 */
export async function uploadInBatches<T>(
  rows: { row: number; value: T }[],
  batchSize: number,
  send: (batch: T[]) => Promise<{ ok: boolean; message?: string }[]>,
  onProgress: (done: number, total: number) => void,
): Promise<RowResult[]> {
  const results: RowResult[] = [];
  onProgress(0, rows.length);
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    try {
      const answers = await send(batch.map((r) => r.value));
      batch.forEach((r, i) => {
        const answer = answers[i];
        results.push(
          answer
            ? { row: r.row, ok: answer.ok, ...(answer.message ? { message: answer.message } : {}) }
            : { row: r.row, ok: false, message: 'no result for this row' },
        );
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      for (const r of batch) results.push({ row: r.row, ok: false, message });
    }
    onProgress(Math.min(start + batch.length, rows.length), rows.length);
  }
  return results;
}
