import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { FULFILLMENT_STATUSES } from '../../../src/contracts/statuses.js';
import { Can, useCan } from '../api/auth';
import { api } from '../api/session';
import type { Fulfillment } from '../api/types';
import { useWarehouses } from '../api/warehouses';
import { DataTable, type Page, Pager, useCursor } from '../components/DataTable';
import { ActionButton, Field, FormError, StatusFilter, useApiForm } from '../components/Form';
import { QueryState } from '../components/QueryState';
import { dateTime, query, shortId } from '../lib/format';

const KEY = ['fulfillments'];

/** `900, 1200` → one package per weight; a message when one is not a whole number of grams. */
export function parseWeights(text: string): number[] | string {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return 'Give at least one package weight';
  for (const p of parts)
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 1_000_000)
      return `"${p}" is not a weight from 1 to 1000000 g`;
  return parts.map(Number);
}

function PackForm({ id }: { id: string }) {
  const form = useApiForm({
    initial: { weights: '' },
    validate: (v) => {
      const parsed = parseWeights(v.weights);
      return typeof parsed === 'string' ? { weights: parsed } : {};
    },
    submit: (v) =>
      api('POST', `/admin/fulfillments/${id}/pack`, {
        packages: (parseWeights(v.weights) as number[]).map((weightGrams) => ({ weightGrams })),
      }),
    invalidates: [KEY],
  });
  // The API names package fields `packages.N.weightGrams`: they belong to the weights input.
  const packageError = Object.entries(form.errors).find(([k]) => k.startsWith('packages'))?.[1];
  return (
    <form className="inline" onSubmit={form.onSubmit} data-testid={`pack-${id}`}>
      <Field label="Package weights (g)" name="weights" error={form.errors.weights ?? packageError}>
        <input
          placeholder="900, 1200"
          value={form.values.weights}
          onChange={(e) => form.set('weights', e.target.value)}
        />
      </Field>
      <button type="submit" disabled={form.pending}>
        Pack
      </button>
      <FormError message={form.formError} />
    </form>
  );
}

function Actions({ f }: { f: Fulfillment }) {
  const canWrite = useCan('fulfillment:write');
  if (!canWrite) return null;
  const post = (step: string) => () => api('POST', `/admin/fulfillments/${f.id}/${step}`);
  return (
    <div className="actions">
      {f.status === 'picking' ? <ActionButton label="Pick" run={post('pick')} invalidates={[KEY]} /> : null}
      {f.status === 'picked' || f.status === 'packing' ? <PackForm id={f.id} /> : null}
      {f.status === 'packed' ? (
        <ActionButton label="Ready to ship" run={post('ready')} invalidates={[KEY]} />
      ) : null}
      {['pending', 'picking', 'picked', 'packing', 'packed'].includes(f.status) ? (
        <ActionButton
          label="Cancel"
          run={post('cancel')}
          invalidates={[KEY]}
          confirm="Cancel this fulfillment?"
        />
      ) : null}
    </div>
  );
}

const columns: ColumnDef<Fulfillment>[] = [
  { header: 'Fulfillment', cell: ({ row }) => shortId(row.original.id) },
  {
    header: 'Order',
    cell: ({ row }) => <Link to={`/orders/${row.original.orderId}`}>{shortId(row.original.orderId)}</Link>,
  },
  { header: 'Status', cell: ({ row }) => <span className="badge">{row.original.status}</span> },
  { header: 'Items', cell: ({ row }) => row.original.items.map((i) => `${i.quantity}× ${i.sku}`).join(', ') },
  {
    header: 'Packages',
    cell: ({ row }) => row.original.packages.map((p) => `${p.weightGrams} g`).join(', ') || '—',
  },
  {
    header: 'Picklist',
    cell: ({ row }) => (row.original.picklistId ? shortId(row.original.picklistId) : '—'),
  },
  { header: 'SLA due', cell: ({ row }) => dateTime(row.original.slaDueAt) },
  { header: 'Actions', cell: ({ row }) => <Actions f={row.original} /> },
];

export function FulfillmentScreen() {
  const warehouses = useWarehouses();
  const [warehouseId, setWarehouseId] = useState('');
  const [status, setStatus] = useState('');
  const [selected, setSelected] = useState<Fulfillment[]>([]);
  const pager = useCursor();
  const queue = useQuery({
    queryKey: [...KEY, warehouseId, status, pager.cursor],
    queryFn: () =>
      api<Page<Fulfillment>>(
        'GET',
        `/admin/fulfillments${query({ warehouseId, status, cursor: pager.cursor, limit: 50 })}`,
      ),
  });
  const pending = selected.filter((f) => f.status === 'pending');
  const picklist = useApiForm({
    initial: {},
    validate: () =>
      pending.length === 0 ? { fulfillmentIds: 'Select pending fulfillments for the picklist' } : {},
    submit: () =>
      api<{ id: string; fulfillmentIds: string[] }>('POST', '/admin/picklists', {
        fulfillmentIds: pending.map((f) => f.id),
      }),
    invalidates: [KEY],
  });
  return (
    <section>
      <h1>Fulfillment queue</h1>
      <div className="filters">
        <Field label="Warehouse" name="warehouseId">
          <select
            value={warehouseId}
            onChange={(e) => {
              pager.reset();
              setWarehouseId(e.target.value);
            }}
          >
            <option value="">all warehouses</option>
            {(warehouses.data?.items ?? []).map((w) => (
              <option key={w.id} value={w.id}>
                {w.code} — {w.name}
              </option>
            ))}
          </select>
        </Field>
        <StatusFilter
          name="status"
          value={status}
          statuses={FULFILLMENT_STATUSES}
          onChange={(s) => {
            pager.reset();
            setStatus(s);
          }}
        />
      </div>
      <Can permission="fulfillment:write">
        <form className="bulk" onSubmit={picklist.onSubmit}>
          <span>{pending.length} pending selected</span>
          <button type="submit" disabled={picklist.pending}>
            Create picklist
          </button>
          <FormError message={picklist.errors.fulfillmentIds ?? picklist.formError} />
          {picklist.result ? (
            <span className="ok">
              Picklist {shortId(picklist.result.id)} with {picklist.result.fulfillmentIds.length}{' '}
              fulfillment(s)
            </span>
          ) : null}
        </form>
      </Can>
      <QueryState query={queue}>
        {(page) => (
          <>
            <DataTable
              data={page.items}
              columns={columns}
              empty="The queue is empty."
              onSelect={setSelected}
            />
            <Pager pager={pager} nextCursor={page.nextCursor} />
          </>
        )}
      </QueryState>
    </section>
  );
}
