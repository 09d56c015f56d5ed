import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api } from '../api/session';
import { Field } from '../components/Form';
import { QueryState } from '../components/QueryState';
import { dayInput, type Money, minorToNumber, money, query } from '../lib/format';

interface Revenue {
  byCurrency: { currency: string; captured: Money; refunded: Money; net: Money; capturedPayments: number }[];
  daily: { bucketStart: string; net: Money }[];
}
interface Orders {
  placed: number;
  byStatus: { status: string; orders: number }[];
}
interface Customers {
  funnel: { stage: string; sessions: number }[];
}
interface Products {
  products: { sku: string; orders: number; units: number; revenue: Money }[];
}

/** Daily net revenue as chart rows: one row per day, one column per currency. */
export function dailyRows(daily: Revenue['daily']): Record<string, string | number>[] {
  const byDay = new Map<string, Record<string, string | number>>();
  for (const b of daily) {
    const day = b.bucketStart.slice(0, 10);
    const row = byDay.get(day) ?? { day };
    row[b.net.currency] = Number(row[b.net.currency] ?? 0) + minorToNumber(b.net.amount);
    byDay.set(day, row);
  }
  return [...byDay.values()].sort((a, b) => String(a.day).localeCompare(String(b.day)));
}

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed'];

function Chart({ title, children, testId }: { title: string; children: React.ReactElement; testId: string }) {
  return (
    <div className="card chart" data-testid={testId}>
      <h2>{title}</h2>
      <ResponsiveContainer width="100%" height={240}>
        {children}
      </ResponsiveContainer>
    </div>
  );
}

export function AnalyticsScreen() {
  const client = useQueryClient();
  const today = new Date();
  const [from, setFrom] = useState(dayInput(new Date(today.getTime() - 30 * 86_400_000)));
  const [to, setTo] = useState(dayInput(today));
  const invalid = from > to ? 'From must not be after to' : undefined;
  const range = query({
    from: new Date(`${from}T00:00:00`).toISOString(),
    to: new Date(`${to}T23:59:59.999`).toISOString(),
  });
  const enabled = !invalid;
  const revenue = useQuery({
    queryKey: ['analytics', 'revenue', range],
    queryFn: () => api<Revenue>('GET', `/analytics/revenue${range}`),
    enabled,
  });
  const orders = useQuery({
    queryKey: ['analytics', 'orders', range],
    queryFn: () => api<Orders>('GET', `/analytics/orders${range}`),
    enabled,
  });
  const customers = useQuery({
    queryKey: ['analytics', 'customers', range],
    queryFn: () => api<Customers>('GET', `/analytics/customers/summary${range}`),
    enabled,
  });
  const products = useQuery({
    queryKey: ['analytics', 'products', range],
    queryFn: () => api<Products>('GET', `/analytics/products/performance${range}`),
    enabled,
  });
  return (
    <section>
      <h1>Analytics</h1>
      <div className="filters">
        <Field label="From" name="from" error={invalid}>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </Field>
        <Field label="To" name="to">
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <button type="button" onClick={() => client.invalidateQueries({ queryKey: ['analytics'] })}>
          Refresh
        </button>
      </div>
      <div className="charts">
        <QueryState query={revenue}>
          {(r) => (
            <Chart title="Net revenue" testId="revenue-chart">
              <BarChart
                data={r.byCurrency.map((c) => ({ currency: c.currency, net: minorToNumber(c.net.amount) }))}
              >
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="currency" />
                <YAxis />
                <Tooltip />
                <Bar dataKey="net" fill={COLORS[0]} isAnimationActive={false} />
              </BarChart>
            </Chart>
          )}
        </QueryState>
        <QueryState query={revenue}>
          {(r) => {
            const rows = dailyRows(r.daily);
            const currencies = [...new Set(r.daily.map((d) => d.net.currency))];
            return (
              <Chart title="Net revenue per day" testId="daily-chart">
                <LineChart data={rows}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="day" />
                  <YAxis />
                  <Tooltip />
                  <Legend />
                  {currencies.map((c, i) => (
                    <Line key={c} dataKey={c} stroke={COLORS[i % COLORS.length]} isAnimationActive={false} />
                  ))}
                </LineChart>
              </Chart>
            );
          }}
        </QueryState>
        <QueryState query={orders}>
          {(o) => (
            <Chart title={`Orders (${o.placed} placed)`} testId="orders-chart">
              <BarChart data={o.byStatus}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="status" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="orders" fill={COLORS[1]} isAnimationActive={false} />
              </BarChart>
            </Chart>
          )}
        </QueryState>
        <QueryState query={customers}>
          {(c) => (
            <Chart title="Funnel (sessions)" testId="funnel-chart">
              <BarChart data={c.funnel} layout="vertical">
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis type="number" allowDecimals={false} />
                <YAxis type="category" dataKey="stage" width={120} />
                <Tooltip />
                <Bar dataKey="sessions" fill={COLORS[2]} isAnimationActive={false} />
              </BarChart>
            </Chart>
          )}
        </QueryState>
        <QueryState query={products}>
          {(p) => (
            <Chart title="Top products (units)" testId="products-chart">
              <BarChart data={[...p.products].sort((a, b) => b.units - a.units).slice(0, 10)}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="sku" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="units" fill={COLORS[3]} isAnimationActive={false} />
              </BarChart>
            </Chart>
          )}
        </QueryState>
      </div>
      <QueryState query={revenue}>
        {(r) => (
          <table data-testid="revenue-table">
            <thead>
              <tr>
                <th>Currency</th>
                <th>Captured</th>
                <th>Refunded</th>
                <th>Net</th>
                <th>Payments</th>
              </tr>
            </thead>
            <tbody>
              {r.byCurrency.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty">
                    No revenue in this range.
                  </td>
                </tr>
              ) : (
                r.byCurrency.map((c) => (
                  <tr key={c.currency} data-currency={c.currency}>
                    <td>{c.currency}</td>
                    <td>{money(c.captured)}</td>
                    <td>{money(c.refunded)}</td>
                    <td data-col="net">{money(c.net)}</td>
                    <td>{c.capturedPayments}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        )}
      </QueryState>
    </section>
  );
}
