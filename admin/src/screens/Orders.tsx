import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { ORDER_STATUSES } from '../../../src/contracts/statuses.js';
import { Can } from '../api/auth';
import { api } from '../api/session';
import type { Order } from '../api/types';
import { DataTable, type Page, Pager, useCursor } from '../components/DataTable';
import { check, errorsOf, Field, FormError, StatusFilter, useApiForm } from '../components/Form';
import { QueryState } from '../components/QueryState';
import { dateTime, money, query, shortId } from '../lib/format';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const columns: ColumnDef<Order>[] = [
  {
    header: 'Order',
    cell: ({ row }) => <Link to={`/orders/${row.original.id}`}>{shortId(row.original.id)}</Link>,
  },
  {
    header: 'Status',
    accessorKey: 'status',
    cell: ({ getValue }) => <span className="badge">{String(getValue())}</span>,
  },
  { header: 'Payment', accessorKey: 'paymentStatus' },
  { header: 'Total', cell: ({ row }) => money(row.original.totals.total) },
  {
    header: 'Customer',
    cell: ({ row }) => (row.original.customerId ? shortId(row.original.customerId) : 'guest'),
  },
  { header: 'Placed', cell: ({ row }) => dateTime(row.original.createdAt) },
];

interface Filters {
  status: string;
  customerId: string;
  from: string;
  to: string;
}

export function OrdersScreen() {
  const [filters, setFilters] = useState<Filters>({ status: '', customerId: '', from: '', to: '' });
  const [draft, setDraft] = useState(filters);
  const [selected, setSelected] = useState<Order[]>([]);
  const pager = useCursor();
  const invalid =
    draft.customerId && !UUID.test(draft.customerId.trim()) ? 'A customer id is a UUID' : undefined;
  const orders = useQuery({
    queryKey: ['orders', filters, pager.cursor],
    queryFn: () =>
      api<Page<Order>>(
        'GET',
        `/admin/orders${query({
          status: filters.status,
          customerId: filters.customerId.trim(),
          from: filters.from ? new Date(`${filters.from}T00:00:00`).toISOString() : undefined,
          to: filters.to ? new Date(`${filters.to}T23:59:59.999`).toISOString() : undefined,
          cursor: pager.cursor,
          limit: 20,
        })}`,
      ),
  });
  return (
    <section>
      <h1>Orders</h1>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (invalid) return;
          pager.reset();
          setFilters(draft);
        }}
      >
        <StatusFilter
          name="status"
          value={draft.status}
          statuses={ORDER_STATUSES}
          onChange={(status) => setDraft({ ...draft, status })}
        />
        <Field label="Customer id" name="customerId" error={invalid}>
          <input
            value={draft.customerId}
            onChange={(e) => setDraft({ ...draft, customerId: e.target.value })}
          />
        </Field>
        <Field label="From" name="from">
          <input
            type="date"
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
        </Field>
        <Field label="To" name="to">
          <input type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </Field>
        <button type="submit">Filter</button>
      </form>
      <Can permission="orders:write">
        <BulkCancel orders={selected} />
      </Can>
      <QueryState query={orders}>
        {(page) => (
          <>
            <DataTable data={page.items} columns={columns} empty="No orders match." onSelect={setSelected} />
            <Pager pager={pager} nextCursor={page.nextCursor} />
          </>
        )}
      </QueryState>
    </section>
  );
}

interface BulkResult {
  results: { index: number; ok: boolean; orderId?: string; error?: { code: string; detail: string } }[];
  summary: { succeeded: number; failed: number };
}

/** Bulk action: cancel every selected order (POST /admin/orders/bulk), one result per row. */
function BulkCancel({ orders }: { orders: Order[] }) {
  const form = useApiForm({
    initial: { reason: '' },
    validate: (v) =>
      errorsOf({
        reason: check.required(v.reason, 'A reason'),
        orders: orders.length === 0 ? 'Select the orders to cancel' : undefined,
      }),
    submit: (v) =>
      api<BulkResult>('POST', '/admin/orders/bulk', {
        operations: orders.map((o) => ({ op: 'cancel', orderId: o.id, reason: v.reason.trim() })),
      }),
    invalidates: [['orders']],
  });
  return (
    <form className="bulk" onSubmit={form.onSubmit}>
      <span>{orders.length} selected</span>
      <Field label="Cancellation reason" name="reason" error={form.errors.reason ?? form.errors.orders}>
        <input value={form.values.reason} onChange={(e) => form.set('reason', e.target.value)} />
      </Field>
      <button type="submit" disabled={form.pending}>
        Cancel selected
      </button>
      <FormError message={form.formError} />
      {form.result ? (
        <ul className="results">
          {form.result.results.map((r) => (
            <li key={r.index} className={r.ok ? 'ok' : 'failed'}>
              {shortId(orders[r.index]?.id ?? r.orderId ?? '')}:{' '}
              {r.ok ? 'cancelled' : `${r.error?.code} — ${r.error?.detail}`}
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}
