import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Can } from '../api/auth';
import { api } from '../api/session';
import { DataTable, type Page, Pager, useCursor } from '../components/DataTable';
import { check, errorsOf, Field, FormError, StatusFilter, useApiForm } from '../components/Form';
import { QueryState } from '../components/QueryState';
import { dateTime, money, query, shortId } from '../lib/format';

interface Customer {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  status: string;
  emailVerified: boolean;
  createdAt: string;
  lastLoginAt: string | null;
  stats?: {
    totalOrders: number;
    totalSpent: { amount: string; currency: string }[];
    lastOrderAt: string | null;
    returns: number;
  };
}
interface Segment {
  id: string;
  name: string;
  description: string | null;
  active: boolean;
  lastEvaluatedAt: string | null;
}

function StatusForm({ customer }: { customer: Customer }) {
  const form = useApiForm({
    initial: { status: customer.status === 'suspended' ? 'active' : 'suspended', reason: '' },
    validate: (v) => errorsOf({ reason: check.required(v.reason, 'A reason') }),
    submit: (v) =>
      api('POST', `/admin/customers/${customer.id}/status`, { status: v.status, reason: v.reason.trim() }),
    invalidates: [['customers']],
  });
  return (
    <form className="inline" onSubmit={form.onSubmit}>
      <Field label="Status" name="status" error={form.errors.status}>
        <select value={form.values.status} onChange={(e) => form.set('status', e.target.value)}>
          <option>active</option>
          <option>suspended</option>
        </select>
      </Field>
      <Field label="Reason" name="reason" error={form.errors.reason}>
        <input value={form.values.reason} onChange={(e) => form.set('reason', e.target.value)} />
      </Field>
      <button type="submit" disabled={form.pending}>
        Set status
      </button>
      <FormError message={form.formError} />
    </form>
  );
}

function CustomerDetail({ id }: { id: string }) {
  const customer = useQuery({
    queryKey: ['customers', id],
    queryFn: () => api<Customer>('GET', `/admin/customers/${id}`),
  });
  return (
    <QueryState query={customer}>
      {(c) => (
        <div className="card">
          <h2>
            {c.firstName} {c.lastName} &lt;{c.email}&gt; <span className="badge">{c.status}</span>
          </h2>
          <p>
            {c.stats?.totalOrders ?? 0} order(s), spent{' '}
            {(c.stats?.totalSpent ?? []).map(money).join(', ') || 'nothing'}, last order{' '}
            {dateTime(c.stats?.lastOrderAt)}, {c.stats?.returns ?? 0} return(s)
          </p>
          <Can permission="customers:write">
            <StatusForm key={c.status} customer={c} />
          </Can>
        </div>
      )}
    </QueryState>
  );
}

function Segments() {
  const [open, setOpen] = useState<string>();
  const segments = useQuery({
    queryKey: ['segments'],
    queryFn: () => api<Page<Segment>>('GET', '/admin/segments?limit=100'),
  });
  const members = useQuery({
    queryKey: ['segments', open, 'members'],
    queryFn: () => api<Page<{ customerId: string }>>('GET', `/admin/segments/${open}/members?limit=100`),
    enabled: Boolean(open),
  });
  return (
    <div className="card">
      <h2>Segments</h2>
      <QueryState query={segments}>
        {(page) => (
          <DataTable
            data={page.items}
            empty="No segments defined."
            columns={[
              { header: 'Name', accessorKey: 'name' },
              { header: 'Description', cell: ({ row }) => row.original.description ?? '' },
              { header: 'Active', cell: ({ row }) => (row.original.active ? 'yes' : 'no') },
              { header: 'Evaluated', cell: ({ row }) => dateTime(row.original.lastEvaluatedAt) },
              {
                header: '',
                id: 'members',
                cell: ({ row }) => (
                  <button type="button" onClick={() => setOpen(row.original.id)}>
                    Members
                  </button>
                ),
              },
            ]}
          />
        )}
      </QueryState>
      {open ? (
        <QueryState query={members} isEmpty={(p) => p.items.length === 0} empty="No members.">
          {(p) => (
            <ul>
              {p.items.map((m) => (
                <li key={m.customerId}>{m.customerId}</li>
              ))}
            </ul>
          )}
        </QueryState>
      ) : null}
    </div>
  );
}

export function CustomersScreen() {
  const [status, setStatus] = useState('');
  const [email, setEmail] = useState('');
  const [selected, setSelected] = useState<string>();
  const pager = useCursor();
  const list = useQuery({
    queryKey: ['customers', status, email, pager.cursor],
    queryFn: () =>
      api<Page<Customer>>('GET', `/admin/customers${query({ status, email, cursor: pager.cursor })}`),
  });
  const columns: ColumnDef<Customer>[] = [
    {
      header: 'Customer',
      cell: ({ row }) => (
        <button type="button" className="link" onClick={() => setSelected(row.original.id)}>
          {shortId(row.original.id)}
        </button>
      ),
    },
    { header: 'Email', accessorKey: 'email' },
    { header: 'Name', cell: ({ row }) => `${row.original.firstName} ${row.original.lastName}` },
    { header: 'Status', cell: ({ row }) => <span className="badge">{row.original.status}</span> },
    { header: 'Registered', cell: ({ row }) => dateTime(row.original.createdAt) },
  ];
  return (
    <section>
      <h1>Customers</h1>
      <div className="filters">
        <StatusFilter
          name="status"
          value={status}
          statuses={['pending_verification', 'active', 'suspended', 'deleted']}
          onChange={(s) => {
            pager.reset();
            setStatus(s);
          }}
        />
        <Field label="Email" name="email">
          <input
            value={email}
            onChange={(e) => {
              pager.reset();
              setEmail(e.target.value);
            }}
          />
        </Field>
      </div>
      {selected ? <CustomerDetail id={selected} /> : null}
      <QueryState query={list}>
        {(page) => (
          <>
            <DataTable data={page.items} columns={columns} empty="No customers match." />
            <Pager pager={pager} nextCursor={page.nextCursor} />
          </>
        )}
      </QueryState>
      <Segments />
    </section>
  );
}
