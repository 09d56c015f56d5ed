import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One printed figure: the measurement, the baseline measured in the same run, and their ratio. */
export interface Row {
  section: string;
  metric: string;
  value: number | string;
  unit: string;
  baseline?: { name: string; value: number } | undefined;
  /** value ÷ baseline. */
  ratio?: number | undefined;
}

export const row = (
  section: string,
  metric: string,
  value: number | string,
  unit: string,
  baseline?: { name: string; value: number },
): Row => ({
  section,
  metric,
  value,
  unit,
  ...(baseline ? { baseline } : {}),
  ...(baseline && typeof value === 'number' && baseline.value > 0 ? { ratio: value / baseline.value } : {}),
});

export const fmt = (v: number | string | undefined): string => {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return 'n/a';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
};

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));

export function renderTable(title: string, rows: Row[]): string {
  const cols = rows.map((r) => ({
    section: r.section,
    metric: r.metric,
    value: `${fmt(r.value)} ${r.unit}`.trim(),
    bname: r.baseline?.name ?? '',
    bvalue: r.baseline ? `${fmt(r.baseline.value)} ${r.unit}`.trim() : '',
    ratio: r.ratio === undefined ? '' : r.ratio.toFixed(r.ratio < 0.1 ? 3 : 2),
  }));
  const head = {
    section: 'section',
    metric: 'figure',
    value: 'value',
    bname: 'baseline',
    bvalue: 'baseline value',
    ratio: 'ratio',
  };
  const all = [head, ...cols];
  const w = (k: keyof typeof head) => Math.max(...all.map((c) => c[k].length));
  const line = (c: typeof head) =>
    [
      pad(c.section, w('section')),
      pad(c.metric, w('metric')),
      pad(c.value, w('value'), true),
      pad(c.bname, w('bname')),
      pad(c.bvalue, w('bvalue'), true),
      pad(c.ratio, w('ratio'), true),
    ].join('  ');
  const rule = '-'.repeat(line(head).length);
  let previous = '';
  const body = cols.map((c) => {
    const shown = c.section === previous ? { ...c, section: '' } : c;
    previous = c.section;
    return line(shown);
  });
  return [`\n${title}`, rule, line(head), rule, ...body, rule].join('\n');
}

/** Writes the run to bench/results/<timestamp>.json and returns the path. */
export function writeResults(data: unknown): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
