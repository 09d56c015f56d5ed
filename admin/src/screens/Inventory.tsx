import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Can } from '../api/auth';
import { api } from '../api/session';
import { useWarehouses } from '../api/warehouses';
import { type Page, Pager, useCursor } from '../components/DataTable';
import { check, errorsOf, Field, FormError, useApiForm } from '../components/Form';
import { ErrorBox, QueryState } from '../components/QueryState';
import { parseCsv, type RowResult, type StockRow, stockRow, uploadInBatches } from '../lib/csv';
import { query } from '../lib/format';

interface Product {
  id: string;
  sku: string;
  name: string;
}
interface StockLevel {
  warehouseId: string;
  warehouseCode: string;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number | null;
}
interface ImportAnswer {
  results: { index: number; status: 'ok' | 'error'; code?: string; message?: string }[];
}

const KEY = ['inventory'];

function Adjust({ warehouseId, sku }: { warehouseId: string; sku: string }) {
  const form = useApiForm({
    initial: { delta: '', reason: '' },
    validate: (v) =>
      errorsOf({
        delta:
          check.integer(v.delta, -1_000_000_000, 1_000_000_000) ??
          (Number(v.delta) === 0 ? 'A change of 0 does nothing' : undefined),
        reason: check.required(v.reason, 'A reason'),
      }),
    submit: (v) =>
      api('PUT', `/admin/inventory/${warehouseId}/${encodeURIComponent(sku)}`, {
        delta: Number(v.delta),
        reason: v.reason.trim(),
      }),
    invalidates: [KEY],
    onSuccess: () => form.reset(),
  });
  return (
    <form className="inline" onSubmit={form.onSubmit} data-testid={`adjust-${sku}`}>
      <Field label="Change" name="delta" error={form.errors.delta}>
        <input size={6} value={form.values.delta} onChange={(e) => form.set('delta', e.target.value)} />
      </Field>
      <Field label="Reason" name="reason" error={form.errors.reason}>
        <input value={form.values.reason} onChange={(e) => form.set('reason', e.target.value)} />
      </Field>
      <button type="submit" disabled={form.pending}>
        Adjust
      </button>
      <FormError message={form.formError} />
    </form>
  );
}

function StockTable({ warehouseId }: { warehouseId: string }) {
  const pager = useCursor();
  const products = useQuery({
    queryKey: ['products', pager.cursor],
    queryFn: () => api<Page<Product>>('GET', `/products${query({ cursor: pager.cursor, limit: 20 })}`),
  });
  const levels = useQueries({
    queries: (products.data?.items ?? []).map((p) => ({
      queryKey: [...KEY, p.sku],
      queryFn: () =>
        api<{ sku: string; items: StockLevel[] }>('GET', `/admin/inventory/${encodeURIComponent(p.sku)}`),
    })),
  });
  return (
    <QueryState
      query={products}
      isEmpty={(page) => page.items.length === 0}
      empty="No products in the catalog."
    >
      {(page) => (
        <>
          <table data-testid="stock-table">
            <thead>
              <tr>
                <th>SKU</th>
                <th>Name</th>
                <th>On hand</th>
                <th>Reserved</th>
                <th>Available</th>
                <th>Low at</th>
                <th>Adjust</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((p, i) => {
                const level = levels[i];
                const row = level?.data?.items.find((l) => l.warehouseId === warehouseId);
                const low = row && row.lowStockThreshold !== null && row.available <= row.lowStockThreshold;
                return (
                  <tr key={p.id} data-sku={p.sku} className={low ? 'low' : undefined}>
                    <td>{p.sku}</td>
                    <td>{p.name}</td>
                    {level?.isError ? (
                      <td colSpan={4}>
                        <ErrorBox error={level.error} />
                      </td>
                    ) : (
                      <>
                        <td data-col="onHand">{row ? row.onHand : level?.isPending ? '…' : 'not stocked'}</td>
                        <td data-col="reserved">{row?.reserved ?? ''}</td>
                        <td data-col="available">{row?.available ?? ''}</td>
                        <td>{row?.lowStockThreshold ?? 'default'}</td>
                      </>
                    )}
                    <td>
                      <Can permission="inventory:write">
                        <Adjust warehouseId={warehouseId} sku={p.sku} />
                      </Can>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <Pager pager={pager} nextCursor={page.nextCursor} />
        </>
      )}
    </QueryState>
  );
}

const BATCH = 100;

function CsvImport() {
  const client = useQueryClient();
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  const [results, setResults] = useState<RowResult[]>();
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);
  const run = async (file: File) => {
    setError(undefined);
    setResults(undefined);
    let parsed: ReturnType<typeof parseCsv<StockRow>>;
    try {
      parsed = parseCsv(await file.text(), ['sku', 'onHand'], stockRow);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return;
    }
    setRunning(true);
    try {
      const sent = await uploadInBatches(
        parsed.rows,
        BATCH,
        async (batch) => {
          const answer = await api<ImportAnswer>('POST', '/admin/inventory/import', { items: batch });
          return answer.results.map((r) => ({
            ok: r.status === 'ok',
            ...(r.status === 'error' ? { message: `${r.code ?? 'error'}: ${r.message ?? ''}` } : {}),
          }));
        },
        (done, total) => setProgress({ done, total }),
      );
      setResults([...parsed.errors, ...sent].sort((a, b) => a.row - b.row));
      await client.invalidateQueries({ queryKey: KEY });
    } finally {
      setRunning(false);
    }
  };
  const failed = results?.filter((r) => !r.ok) ?? [];
  return (
    <div className="card">
      <h2>Import stock from CSV</h2>
      <p>
        Header <code>sku,onHand,warehouseCode</code> (or <code>warehouseId</code>); each row sets on hand.
      </p>
      <input
        type="file"
        accept=".csv,text/csv"
        aria-label="stock CSV"
        disabled={running}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file)
            run(file).catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
        }}
      />
      {error ? (
        <div className="error" role="alert">
          {error}
        </div>
      ) : null}
      {progress ? (
        <div>
          <progress data-testid="import-progress" max={progress.total || 1} value={progress.done} />{' '}
          {progress.done}/{progress.total} rows sent
        </div>
      ) : null}
      {results ? (
        <div data-testid="import-results">
          <p>
            {results.length - failed.length} imported, {failed.length} refused
          </p>
          <ul>
            {failed.map((r) => (
              <li key={r.row} className="failed">
                row {r.row}: {r.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

function LowStock() {
  const low = useQuery({
    queryKey: [...KEY, 'low'],
    queryFn: () =>
      api<{ lowStock: { sku: string; alerts: number; lowestAvailable: number }[] }>(
        'GET',
        '/analytics/inventory',
      ),
  });
  return (
    <div className="card">
      <h2>Low stock (last 30 days)</h2>
      <QueryState query={low} isEmpty={(d) => d.lowStock.length === 0} empty="No low-stock alerts.">
        {(d) => (
          <ul>
            {d.lowStock.map((l) => (
              <li key={l.sku}>
                {l.sku}: {l.alerts} alert(s), lowest available {l.lowestAvailable}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </div>
  );
}

export function InventoryScreen() {
  const warehouses = useWarehouses();
  const [chosen, setChosen] = useState('');
  const warehouseId = chosen || warehouses.data?.items[0]?.id || '';
  return (
    <section>
      <h1>Inventory</h1>
      <QueryState query={warehouses} isEmpty={(d) => d.items.length === 0} empty="No warehouses yet.">
        {(d) => (
          <>
            <Field label="Warehouse" name="warehouse">
              <select value={warehouseId} onChange={(e) => setChosen(e.target.value)}>
                {d.items.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.code} — {w.name}
                  </option>
                ))}
              </select>
            </Field>
            <StockTable warehouseId={warehouseId} />
          </>
        )}
      </QueryState>
      <Can permission="inventory:write">
        <CsvImport />
      </Can>
      <Can permission="analytics:read">
        <LowStock />
      </Can>
    </section>
  );
}
