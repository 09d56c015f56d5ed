import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router-dom';
import { Can } from '../api/auth';
import { api } from '../api/session';
import type { Order } from '../api/types';
import { check, errorsOf, Field, FormError, useApiForm } from '../components/Form';
import { QueryState } from '../components/QueryState';
import { dateTime, money } from '../lib/format';

/** The order's status changes, from the timestamps the order keeps. */
export function timeline(order: Order): { status: string; at: string }[] {
  const steps: [string, string | null | undefined][] = [
    ['placed', order.createdAt],
    ['confirmed', order.confirmedAt],
    ['processing', order.processingAt],
    ['shipped', order.shippedAt],
    ['delivered', order.deliveredAt],
    ['completed', order.completedAt],
    ['cancelled', order.cancellation?.at],
  ];
  return steps
    .filter((s): s is [string, string] => Boolean(s[1]))
    .map(([status, at]) => ({ status, at }))
    .sort((a, b) => a.at.localeCompare(b.at));
}

export function OrderDetailScreen() {
  const { id = '' } = useParams();
  const order = useQuery({
    queryKey: ['orders', id],
    queryFn: () => api<Order>('GET', `/admin/orders/${id}`),
  });
  return (
    <section>
      <QueryState query={order}>
        {(o) => (
          <>
            <h1>
              Order {o.id}{' '}
              <span className="badge" data-testid="order-status">
                {o.status}
              </span>
            </h1>
            <p>
              Payment {o.paymentStatus} · total {money(o.totals.total)} · ship to{' '}
              {o.shippingAddress.firstName} {o.shippingAddress.lastName}, {o.shippingAddress.city}{' '}
              {o.shippingAddress.country}
            </p>
            <h2>Items</h2>
            <table>
              <thead>
                <tr>
                  <th>SKU</th>
                  <th>Name</th>
                  <th>Qty</th>
                  <th>Unit</th>
                  <th>Line</th>
                </tr>
              </thead>
              <tbody>
                {o.items.map((i) => (
                  <tr key={i.id}>
                    <td>{i.sku}</td>
                    <td>{i.name}</td>
                    <td>{i.quantity}</td>
                    <td>{money(i.unitPrice)}</td>
                    <td>{money(i.lineTotal)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>Payments</h2>
            {(o.payments ?? []).length === 0 ? <div className="empty">No payment yet.</div> : null}
            <ul>
              {(o.payments ?? []).map((p) => (
                <li key={p.id}>
                  {p.provider}/{p.method}: {p.status} — {money(p.amount)} (captured {money(p.capturedAmount)},
                  refunded {money(p.refundedAmount)})
                </li>
              ))}
            </ul>
            <h2>Shipments and tracking</h2>
            {(o.tracking ?? []).length === 0 ? <div className="empty">Not shipped yet.</div> : null}
            {(o.tracking ?? []).map((t) => (
              <div key={t.id} className="card">
                <strong>
                  {t.carrier} {t.trackingNumber ?? '(no tracking number yet)'}
                </strong>{' '}
                <span className="badge">{t.status}</span>
                <ul>
                  {t.events.map((e) => (
                    <li key={`${e.status}-${e.occurredAt}`}>
                      {dateTime(e.occurredAt)} {e.status} {e.note ?? ''}
                    </li>
                  ))}
                </ul>
              </div>
            ))}
            <h2>Timeline</h2>
            <ol className="timeline">
              {timeline(o).map((s) => (
                <li key={s.status}>
                  {s.status} — {dateTime(s.at)}
                </li>
              ))}
            </ol>
            {o.cancellation ? (
              <p>
                Cancelled by {o.cancellation.by}: {o.cancellation.reason ?? 'no reason given'}
              </p>
            ) : null}
            <Can permission="orders:write">
              {['pending', 'confirmed', 'processing'].includes(o.status) ? <CancelOrder id={o.id} /> : null}
            </Can>
          </>
        )}
      </QueryState>
    </section>
  );
}

function CancelOrder({ id }: { id: string }) {
  const form = useApiForm({
    initial: { reason: '' },
    validate: (v) => errorsOf({ reason: check.required(v.reason, 'A reason') }),
    submit: (v) => api('POST', `/orders/${id}/cancel`, { reason: v.reason.trim() }),
    invalidates: [['orders']],
  });
  return (
    <form onSubmit={form.onSubmit} className="card">
      <h2>Cancel the order</h2>
      <Field label="Reason" name="reason" error={form.errors.reason}>
        <input value={form.values.reason} onChange={(e) => form.set('reason', e.target.value)} />
      </Field>
      <FormError message={form.formError} />
      <button type="submit" disabled={form.pending}>
        Cancel order
      </button>
    </form>
  );
}
