import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Can } from '../api/auth';
import { api } from '../api/session';
import { DataTable, type Page, Pager, useCursor } from '../components/DataTable';
import { check, errorsOf, Field, FormError, useApiForm } from '../components/Form';
import { QueryState } from '../components/QueryState';
import { dateTime, money, query } from '../lib/format';

interface Promotion {
  id: string;
  code: string | null;
  name: string;
  type: 'percentage' | 'fixed' | 'free_shipping' | 'buy_x_get_y';
  value: number | string;
  currency: string | null;
  usageLimit: number | null;
  startsAt: string | null;
  endsAt: string | null;
  stackable: boolean;
  priority: number;
  state: string;
  usage: { uses: number; discountUsed: string };
}
interface Stats {
  uses: number;
  discountGiven: string;
  revenue: string;
  currency: string | null;
  byCurrency: { currency: string; uses: number; discountGiven: string; revenue: string }[];
}

const TYPES = ['percentage', 'fixed', 'free_shipping', 'buy_x_get_y'] as const;

interface Draft extends Record<string, unknown> {
  name: string;
  code: string;
  type: string;
  value: string;
  currency: string;
  usageLimit: string;
  priority: string;
  stackable: boolean;
}

const draftOf = (p?: Promotion): Draft => ({
  name: p?.name ?? '',
  code: p?.code ?? '',
  type: p?.type ?? 'percentage',
  value: p ? String(p.value) : '',
  currency: p?.currency ?? '',
  usageLimit: p?.usageLimit === null || p?.usageLimit === undefined ? '' : String(p.usageLimit),
  priority: p ? String(p.priority) : '0',
  stackable: p?.stackable ?? false,
});

export function validatePromotion(v: Draft) {
  const percent = v.type === 'percentage' || v.type === 'buy_x_get_y';
  return errorsOf({
    name: check.required(v.name, 'A name'),
    value:
      v.type === 'free_shipping'
        ? undefined
        : percent
          ? check.integer(v.value, 0, 100)
          : (check.minorUnits(v.value) ?? (v.value === '0' ? 'A fixed discount is at least 1' : undefined)),
    currency:
      v.type === 'fixed' && !v.currency
        ? 'A fixed discount needs a currency'
        : v.currency && !/^[A-Z]{3}$/.test(v.currency)
          ? 'Three capital letters, e.g. USD'
          : undefined,
    usageLimit: v.usageLimit ? check.integer(v.usageLimit, 1) : undefined,
    priority: check.integer(v.priority, -1000, 1000),
  });
}

function bodyOf(v: Draft) {
  const percent = v.type === 'percentage' || v.type === 'buy_x_get_y';
  return {
    name: v.name.trim(),
    code: v.code.trim() || null,
    type: v.type,
    ...(v.type === 'free_shipping' ? {} : { value: percent ? Number(v.value) : v.value.trim() }),
    currency: v.currency || null,
    usageLimit: v.usageLimit ? Number(v.usageLimit) : null,
    priority: Number(v.priority),
    stackable: v.stackable,
  };
}

function PromotionForm({ promotion, onDone }: { promotion?: Promotion; onDone: () => void }) {
  const form = useApiForm({
    initial: draftOf(promotion),
    validate: validatePromotion,
    submit: (v) =>
      promotion
        ? api('PATCH', `/admin/promotions/${promotion.id}`, bodyOf(v))
        : api('POST', '/admin/promotions', bodyOf(v)),
    invalidates: [['promotions']],
    onSuccess: onDone,
  });
  const text = (key: keyof Draft & string, label: string) => (
    <Field label={label} name={key} error={form.errors[key]}>
      <input value={String(form.values[key])} onChange={(e) => form.set(key, e.target.value)} />
    </Field>
  );
  return (
    <form className="card" onSubmit={form.onSubmit}>
      <h2>{promotion ? `Edit ${promotion.name}` : 'New promotion'}</h2>
      {text('name', 'Name')}
      {text('code', 'Code (empty = automatic)')}
      <Field label="Type" name="type" error={form.errors.type}>
        <select value={form.values.type} onChange={(e) => form.set('type', e.target.value)}>
          {TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </Field>
      {text('value', 'Value (% or minor units)')}
      {text('currency', 'Currency')}
      {text('usageLimit', 'Usage limit')}
      {text('priority', 'Priority')}
      <label className="field">
        <span>Stackable</span>
        <input
          type="checkbox"
          checked={form.values.stackable}
          onChange={(e) => form.set('stackable', e.target.checked)}
        />
      </label>
      <FormError message={form.formError} />
      <button type="submit" disabled={form.pending}>
        Save
      </button>{' '}
      <button type="button" onClick={onDone}>
        Close
      </button>
    </form>
  );
}

function PromotionStats({ id }: { id: string }) {
  const stats = useQuery({
    queryKey: ['promotions', id, 'stats'],
    queryFn: () => api<Stats>('GET', `/admin/promotions/${id}/stats`),
  });
  return (
    <QueryState query={stats}>
      {(s) => (
        <div className="card">
          <h2>Stats</h2>
          <p>{s.uses} use(s)</p>
          <ul>
            {s.byCurrency.map((c) => (
              <li key={c.currency}>
                {c.currency}: {c.uses} use(s), discount{' '}
                {money({ amount: c.discountGiven, currency: c.currency })}, revenue{' '}
                {money({ amount: c.revenue, currency: c.currency })}
              </li>
            ))}
          </ul>
        </div>
      )}
    </QueryState>
  );
}

export function PromotionsScreen() {
  const pager = useCursor();
  const [editing, setEditing] = useState<Promotion | 'new'>();
  const [statsOf, setStatsOf] = useState<string>();
  const list = useQuery({
    queryKey: ['promotions', pager.cursor],
    queryFn: () => api<Page<Promotion>>('GET', `/admin/promotions${query({ cursor: pager.cursor })}`),
  });
  const columns: ColumnDef<Promotion>[] = [
    { header: 'Name', accessorKey: 'name' },
    { header: 'Code', cell: ({ row }) => row.original.code ?? 'automatic' },
    { header: 'Type', accessorKey: 'type' },
    { header: 'Value', cell: ({ row }) => String(row.original.value) },
    { header: 'State', cell: ({ row }) => <span className="badge">{row.original.state}</span> },
    { header: 'Uses', cell: ({ row }) => row.original.usage.uses },
    {
      header: 'Window',
      cell: ({ row }) => `${dateTime(row.original.startsAt)} → ${dateTime(row.original.endsAt)}`,
    },
    {
      header: '',
      id: 'actions',
      cell: ({ row }) => (
        <>
          <button type="button" onClick={() => setStatsOf(row.original.id)}>
            Stats
          </button>
          <Can permission="promotions:write">
            <button type="button" onClick={() => setEditing(row.original)}>
              Edit
            </button>
          </Can>
        </>
      ),
    },
  ];
  return (
    <section>
      <h1>Promotions</h1>
      <Can permission="promotions:write">
        <button type="button" onClick={() => setEditing('new')}>
          New promotion
        </button>
      </Can>
      {editing ? (
        <PromotionForm
          key={editing === 'new' ? 'new' : editing.id}
          {...(editing === 'new' ? {} : { promotion: editing })}
          onDone={() => setEditing(undefined)}
        />
      ) : null}
      {statsOf ? <PromotionStats id={statsOf} /> : null}
      <QueryState query={list}>
        {(page) => (
          <>
            <DataTable data={page.items} columns={columns} empty="No promotions yet." />
            <Pager pager={pager} nextCursor={page.nextCursor} />
          </>
        )}
      </QueryState>
    </section>
  );
}
