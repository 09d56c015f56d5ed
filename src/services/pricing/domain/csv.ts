import { AppError } from '../../../platform/errors/app-error.js';

/**
 * The bulk price CSV (PR-P1-02): a header naming the columns, then one price per line.
 * RFC 4180 quoting ("a,b", "say ""hi"""), CRLF or LF line ends, blank lines ignored. Only a file
 * that cannot be read as a table is refused as a whole; a bad value in a row is that row's error.
 */
export const CSV_COLUMNS = ['sku', 'amount', 'currency', 'effectiveFrom', 'effectiveTo'] as const;
const REQUIRED = ['sku', 'amount', 'currency'];

export type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string>>;

const malformed = (detail: string): AppError =>
  new AppError('validation', 'validation_failed', `The CSV cannot be read: ${detail}`, {
    fields: [{ path: 'body', message: detail }],
  });

/** Splits CSV text into records of fields. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let line = 1;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        const next = text[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
          throw malformed(`line ${line}: text after a closing quote`);
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') {
      if (field !== '') throw malformed(`line ${line}: a quote inside an unquoted field`);
      quoted = true;
    } else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
    } else field += c;
  }
  if (quoted) throw malformed(`line ${line}: a quoted field is not closed`);
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

/** Reads the header and returns one object per data row (row 1 is the line after the header). */
export function parsePriceCsv(text: string, maxRows: number): CsvRow[] {
  const records = parseCsvRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const header = records.shift();
  if (!header) throw malformed('it is empty; the first line must be the header sku,amount,currency');
  const columns = header.map((h) => h.trim());
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0)
    throw malformed(`unknown column(s) ${unknown.join(', ')}; allowed: ${CSV_COLUMNS.join(', ')}`);
  const absent = REQUIRED.filter((c) => !columns.includes(c));
  if (absent.length > 0) throw malformed(`the header lacks ${absent.join(', ')}`);
  if (new Set(columns).size !== columns.length) throw malformed('a column is named twice in the header');
  if (records.length > maxRows) throw malformed(`${records.length} rows; at most ${maxRows} per request`);
  return records.map((fields) => {
    const row: CsvRow = {};
    columns.forEach((column, i) => {
      const value = fields[i]?.trim();
      if (value !== undefined && value !== '') row[column as keyof CsvRow] = value;
    });
    return row;
  });
}
