import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { SHIPMENT_STATUSES } from '../../../src/contracts/statuses.js';
import { Can } from '../api/auth';
import { api } from '../api/session';
import type { ReturnRequest, Shipment } from '../api/types';
import { DataTable, type Page, Pager, useCursor } from '../components/DataTable';
import {
  ActionButton,
  check,
  errorsOf,
  Field,
  FormError,
  StatusFilter,
  useApiForm,
} from '../components/Form';
import { QueryState } from '../components/QueryState';
import { dateTime, money, query, shortId } from '../lib/format';

const RETURN_STATUSES = ['requested', 'approved', 'rejected', 'received', 'completed'];

function StatusUpdate({ shipment }: { shipment: Shipment }) {
  const form = useApiForm({
    initial: { status: '', note: '' },
    validate: (v) => errorsOf({ status: check.required(v.status, 'The new status') }),
    submit: (v) =>
      api('POST', `/admin/shipments/${shipment.id}/status`, {
        status: v.status,
        ...(v.note.trim() ? { note: v.note.trim() } : {}),
      }),
    invalidates: [['shipments'], ['orders']],
  });
  return (
    <form className="inline" onSubmit={form.onSubmit} data-testid={`status-${shipment.id}`}>
      <Field label="New status" name="status" error={form.errors.status}>
        <select value={form.values.status} onChange={(e) => form.set('status', e.target.value)}>
          <option value="">choose…</option>
          {SHIPMENT_STATUSES.filter((s) => s !== shipment.status).map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </Field>
      <Field label="Note" name="note" error={form.errors.note}>
        <input value={form.values.note} onChange={(e) => form.set('note', e.target.value)} />
      </Field>
      <button type="submit" disabled={form.pending}>
        Update
      </button>
      <FormError message={form.formError} />
    </form>
  );
}

const shipmentColumns: ColumnDef<Shipment>[] = [
  { header: 'Shipment', cell: ({ row }) => shortId(row.original.id) },
  {
    header: 'Order',
    cell: ({ row }) => <Link to={`/orders/${row.original.orderId}`}>{shortId(row.original.orderId)}</Link>,
  },
  { header: 'Carrier', accessorKey: 'carrier' },
  { header: 'Tracking', cell: ({ row }) => row.original.trackingNumber ?? '—' },
  { header: 'Status', cell: ({ row }) => <span className="badge">{row.original.status}</span> },
  { header: 'Updated', cell: ({ row }) => dateTime(row.original.updatedAt) },
  {
    header: 'Manual update',
    cell: ({ row }) => (
      <Can permission="shipping:write">
        <StatusUpdate shipment={row.original} />
      </Can>
    ),
  },
];

function RejectForm({ id }: { id: string }) {
  const form = useApiForm({
    initial: { reason: '' },
    validate: (v) => errorsOf({ reason: check.required(v.reason, 'A reason for the customer') }),
    submit: (v) => api('POST', `/admin/returns/${id}/reject`, { reason: v.reason.trim() }),
    invalidates: [['returns']],
  });
  return (
    <form className="inline" onSubmit={form.onSubmit}>
      <Field label="Reject reason" name="reason" error={form.errors.reason}>
        <input value={form.values.reason} onChange={(e) => form.set('reason', e.target.value)} />
      </Field>
      <button type="submit" disabled={form.pending}>
        Reject
      </button>
      <FormError message={form.formError} />
    </form>
  );
}

function ReturnActions({ r }: { r: ReturnRequest }) {
  const post = (step: string) => () => api('POST', `/admin/returns/${r.id}/${step}`);
  return (
    <Can permission="orders:write">
      <div className="actions">
        {r.status === 'requested' ? (
          <ActionButton label="Approve" run={post('approve')} invalidates={[['returns']]} />
        ) : null}
        {r.status === 'approved' ? (
          <ActionButton label="Receive" run={post('receive')} invalidates={[['returns']]} />
        ) : null}
        {r.status === 'requested' || r.status === 'approved' ? <RejectForm id={r.id} /> : null}
      </div>
    </Can>
  );
}

const returnColumns: ColumnDef<ReturnRequest>[] = [
  { header: 'Return', cell: ({ row }) => shortId(row.original.id) },
  {
    header: 'Order',
    cell: ({ row }) => <Link to={`/orders/${row.original.orderId}`}>{shortId(row.original.orderId)}</Link>,
  },
  { header: 'Status', cell: ({ row }) => <span className="badge">{row.original.status}</span> },
  { header: 'Items', cell: ({ row }) => row.original.items.map((i) => `${i.quantity}× ${i.sku}`).join(', ') },
  { header: 'Reason', cell: ({ row }) => row.original.reason ?? '—' },
  { header: 'Refund', cell: ({ row }) => money(row.original.refund) },
  { header: 'Requested', cell: ({ row }) => dateTime(row.original.requestedAt) },
  { header: 'Actions', cell: ({ row }) => <ReturnActions r={row.original} /> },
];

function ListOf<T extends { id: string }>({
  title,
  path,
  statuses,
  columns,
  queryKey,
}: {
  title: string;
  path: string;
  statuses: readonly string[];
  columns: ColumnDef<T>[];
  queryKey: string;
}) {
  const [status, setStatus] = useState('');
  const pager = useCursor();
  const list = useQuery({
    queryKey: [queryKey, status, pager.cursor],
    queryFn: () => api<Page<T>>('GET', `${path}${query({ status, cursor: pager.cursor, limit: 50 })}`),
  });
  return (
    <>
      <h2>{title}</h2>
      <StatusFilter
        name={`${queryKey}-status`}
        value={status}
        statuses={statuses}
        onChange={(s) => {
          pager.reset();
          setStatus(s);
        }}
      />
      <QueryState query={list}>
        {(page) => (
          <>
            <DataTable data={page.items} columns={columns} empty={`No ${title.toLowerCase()}.`} />
            <Pager pager={pager} nextCursor={page.nextCursor} />
          </>
        )}
      </QueryState>
    </>
  );
}

export function ShipmentsScreen() {
  return (
    <section>
      <h1>Shipments and returns</h1>
      <ListOf
        title="Shipments"
        path="/admin/shipments"
        statuses={SHIPMENT_STATUSES}
        columns={shipmentColumns}
        queryKey="shipments"
      />
      <ListOf
        title="Returns"
        path="/admin/returns"
        statuses={RETURN_STATUSES}
        columns={returnColumns}
        queryKey="returns"
      />
    </section>
  );
}
