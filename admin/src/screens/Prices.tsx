import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Can } from '../api/auth';
import { api } from '../api/session';
import { DataTable, type Page, Pager, useCursor } from '../components/DataTable';
import { check, errorsOf, Field, FormError, useApiForm } from '../components/Form';
import { QueryState } from '../components/QueryState';
import { parseCsv } from '../lib/csv';
import { dateTime, money, query } from '../lib/format';

interface PriceEntry {
  id: string;
  amount: string;
  currency: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  source: string;
  createdBy: string;
}
interface Rate {
  base: string;
  quote: string;
  rate: string;
  fetchedAt: string;
  source: string;
  stale: boolean;
}
interface BulkAnswer {
  results: { row: number; sku: string; status: 'ok' | 'error'; error?: string }[];
  applied: number;
  failed: number;
}

const CURRENCY = /^[A-Z]{3}$/;
const currency = (v: string) =>
  CURRENCY.test(v) ? undefined : 'A currency is three capital letters, e.g. USD';

const historyColumns: ColumnDef<PriceEntry>[] = [
  { header: 'Amount', cell: ({ row }) => money(row.original) },
  { header: 'From', cell: ({ row }) => dateTime(row.original.effectiveFrom) },
  { header: 'To', cell: ({ row }) => dateTime(row.original.effectiveTo) },
  { header: 'Source', accessorKey: 'source' },
  { header: 'By', accessorKey: 'createdBy' },
];

function History({ sku }: { sku: string }) {
  const pager = useCursor();
  const history = useQuery({
    queryKey: ['prices', sku, pager.cursor],
    queryFn: () =>
      api<Page<PriceEntry>>(
        'GET',
        `/admin/prices/${encodeURIComponent(sku)}/history${query({ cursor: pager.cursor })}`,
      ),
  });
  return (
    <QueryState query={history}>
      {(page) => (
        <>
          <DataTable data={page.items} columns={historyColumns} empty="No prices for this SKU." />
          <Pager pager={pager} nextCursor={page.nextCursor} />
        </>
      )}
    </QueryState>
  );
}

function SetPrice({ sku }: { sku: string }) {
  const form = useApiForm({
    initial: { amount: '', currency: 'USD' },
    validate: (v) => errorsOf({ amount: check.minorUnits(v.amount), currency: currency(v.currency) }),
    submit: (v) =>
      api('PUT', `/admin/prices/${encodeURIComponent(sku)}`, {
        amount: v.amount.trim(),
        currency: v.currency,
      }),
    invalidates: [['prices', sku]],
  });
  return (
    <form className="inline" onSubmit={form.onSubmit}>
      <Field label="Amount (minor units)" name="amount" error={form.errors.amount}>
        <input value={form.values.amount} onChange={(e) => form.set('amount', e.target.value)} />
      </Field>
      <Field label="Currency" name="currency" error={form.errors.currency}>
        <input
          size={4}
          value={form.values.currency}
          onChange={(e) => form.set('currency', e.target.value.toUpperCase())}
        />
      </Field>
      <button type="submit" disabled={form.pending}>
        Set price
      </button>
      <FormError message={form.formError} />
    </form>
  );
}

/** Checks the CSV before sending it; the API answers per row. */
function BulkUpload() {
  const form = useApiForm({
    initial: { csv: '' },
    validate: (v) => {
      if (!v.csv.trim()) return { csv: 'Choose a CSV file' };
      try {
        const parsed = parseCsv(v.csv, ['sku', 'amount', 'currency'], (r) => r);
        if (parsed.rows.length === 0 && parsed.errors.length === 0) return { csv: 'The CSV has no rows' };
        if (parsed.rows.length + parsed.errors.length > 1000) return { csv: 'At most 1000 rows per upload' };
        return {};
      } catch (err) {
        return { csv: err instanceof Error ? err.message : String(err) };
      }
    },
    submit: (v) => api<BulkAnswer>('POST', '/admin/prices/bulk', v.csv, { 'content-type': 'text/csv' }),
    invalidates: [['prices']],
  });
  return (
    <form className="card" onSubmit={form.onSubmit}>
      <h2>Bulk upload (CSV)</h2>
      <p>
        Header <code>sku,amount,currency[,effectiveFrom][,effectiveTo]</code>
      </p>
      <Field label="CSV file" name="csv" error={form.errors.csv}>
        <input
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file)
              file.text().then(
                (text) => form.set('csv', text),
                (err: unknown) => console.error(err),
              );
          }}
        />
      </Field>
      <button type="submit" disabled={form.pending}>
        Upload
      </button>
      <FormError message={form.formError} />
      {form.result ? (
        <div data-testid="price-results">
          <p>
            {form.result.applied} applied, {form.result.failed} failed
          </p>
          <ul>
            {form.result.results.map((r) => (
              <li key={r.row} className={r.status === 'ok' ? 'ok' : 'failed'}>
                row {r.row} {r.sku}: {r.status === 'ok' ? 'ok' : r.error}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </form>
  );
}

function ExchangeRates() {
  const rates = useQuery({
    queryKey: ['rates'],
    queryFn: () => api<Page<Rate>>('GET', '/admin/exchange-rates?limit=100'),
  });
  const form = useApiForm({
    initial: { base: 'USD', quote: 'EUR', rate: '' },
    validate: (v) =>
      errorsOf({
        base: currency(v.base),
        quote: currency(v.quote) ?? (v.quote === v.base ? 'Choose two different currencies' : undefined),
        rate:
          /^\d+(\.\d+)?$/.test(v.rate) && Number(v.rate) > 0
            ? undefined
            : 'A rate is a positive decimal, e.g. 1.0856',
      }),
    submit: (v) => api('PUT', `/admin/exchange-rates/${v.base}/${v.quote}`, { rate: v.rate }),
    invalidates: [['rates']],
  });
  return (
    <div className="card">
      <h2>Exchange rates</h2>
      <QueryState query={rates}>
        {(page) => (
          <DataTable
            data={page.items}
            rowId={(r) => `${r.base}${r.quote}${r.fetchedAt}`}
            empty="No exchange rates yet."
            columns={[
              { header: 'Pair', cell: ({ row }) => `${row.original.base}/${row.original.quote}` },
              { header: 'Rate', accessorKey: 'rate' },
              { header: 'Fetched', cell: ({ row }) => dateTime(row.original.fetchedAt) },
              { header: 'Source', accessorKey: 'source' },
              { header: 'Stale', cell: ({ row }) => (row.original.stale ? 'stale' : 'fresh') },
            ]}
          />
        )}
      </QueryState>
      <Can permission="pricing:write">
        <form className="inline" onSubmit={form.onSubmit}>
          {(['base', 'quote'] as const).map((k) => (
            <Field key={k} label={k} name={k} error={form.errors[k]}>
              <input
                size={4}
                value={form.values[k]}
                onChange={(e) => form.set(k, e.target.value.toUpperCase())}
              />
            </Field>
          ))}
          <Field label="Rate" name="rate" error={form.errors.rate}>
            <input value={form.values.rate} onChange={(e) => form.set('rate', e.target.value)} />
          </Field>
          <button type="submit" disabled={form.pending}>
            Set rate
          </button>
          <FormError message={form.formError} />
        </form>
      </Can>
    </div>
  );
}

export function PricesScreen() {
  const [draft, setDraft] = useState('');
  const [sku, setSku] = useState('');
  return (
    <section>
      <h1>Prices</h1>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setSku(draft.trim());
        }}
      >
        <Field label="SKU" name="sku">
          <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="MUG-STONEWARE" />
        </Field>
        <button type="submit">Show history</button>
      </form>
      {sku ? (
        <>
          <h2>History of {sku}</h2>
          <Can permission="pricing:write">
            <SetPrice sku={sku} />
          </Can>
          <History sku={sku} />
        </>
      ) : (
        <div className="empty">Enter a SKU to see its price history.</div>
      )}
      <Can permission="pricing:write">
        <BulkUpload />
      </Can>
      <ExchangeRates />
    </section>
  );
}
