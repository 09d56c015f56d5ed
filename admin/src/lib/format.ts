export interface Money {
  amount: string;
  currency: string;
}

/** Minor units as a decimal string with the currency (amounts stay strings: no float rounding). */
export function money(m: Money | null | undefined): string {
  if (!m) return '—';
  const negative = m.amount.startsWith('-');
  const digits = (negative ? m.amount.slice(1) : m.amount).padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)} ${m.currency}`;
}

export const minorToNumber = (amount: string): number => Number(amount) / 100;

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString();
}

export const shortId = (id: string) => id.slice(-8);

/** `YYYY-MM-DD` of a date in local time, for date inputs. */
export function dayInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Query string from the set values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
