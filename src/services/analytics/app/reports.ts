import { sql } from 'kysely';
import { table } from '../data/sql.js';
import type { AnalyticsDeps } from './deps.js';
import type { Range } from './range.js';

/**
 * The read side (03-api.md `/analytics/*`): every figure is a query over stored facts, events and
 * aggregates — nothing computed from constants (SG-12, SG-19). Money stays integer minor units per
 * currency (principle 6); no row carries a name, email, IP or raw id of a person (SG-3, G10).
 */
type Db = AnalyticsDeps['db'];

const money = (amount: string | number | bigint | null | undefined, currency: string) => ({
  amount: String(amount ?? 0),
  currency,
});

export async function revenueByCurrency(db: Db, r: Range) {
  const rows = await sql<{ currency: string; captured: string; refunded: string; payments: number }>`
    SELECT currency,
      COALESCE(SUM(amount) FILTER (WHERE kind = 'captured'), 0)::text AS captured,
      COALESCE(SUM(amount) FILTER (WHERE kind = 'refunded'), 0)::text AS refunded,
      COUNT(*) FILTER (WHERE kind = 'captured')::int AS payments
    FROM ${table('payment_facts')}
    WHERE kind IN ('captured', 'refunded') AND occurred_at >= ${r.from} AND occurred_at < ${r.to}
    GROUP BY currency ORDER BY currency`.execute(db);
  return rows.rows.map((x) => ({
    currency: x.currency,
    captured: money(x.captured, x.currency),
    refunded: money(x.refunded, x.currency),
    net: money((BigInt(x.captured) - BigInt(x.refunded)).toString(), x.currency),
    capturedPayments: x.payments,
  }));
}

export async function revenueSeries(db: Db, r: Range, granularity: 'hour' | 'day') {
  const rows = await db
    .selectFrom('metric_buckets')
    .select(['bucket_start', 'currency', sql<string>`value::text`.as('value')])
    .where('granularity', '=', granularity)
    .where('metric', '=', 'revenue_net')
    .where('bucket_start', '>=', r.from)
    .where('bucket_start', '<', r.to)
    .orderBy('bucket_start')
    .orderBy('currency')
    .execute();
  return rows.map((x) => ({
    bucketStart: new Date(x.bucket_start).toISOString(),
    net: money(x.value, x.currency),
  }));
}

export async function ordersSummary(db: Db, r: Range) {
  const byStatus = await sql<{ status: string; orders: number }>`
    SELECT status, COUNT(*)::int AS orders FROM ${table('order_facts')}
    WHERE placed_at >= ${r.from} AND placed_at < ${r.to} GROUP BY status ORDER BY status`.execute(db);
  const values = await sql<{ currency: string; orders: number; total: string }>`
    SELECT currency, COUNT(*)::int AS orders, SUM(total_amount)::text AS total FROM ${table('order_facts')}
    WHERE placed_at >= ${r.from} AND placed_at < ${r.to} AND status <> 'cancelled'
    GROUP BY currency ORDER BY currency`.execute(db);
  const fulfillment = await sql<{ shipped: number; avg_seconds: number | null }>`
    SELECT COUNT(*)::int AS shipped,
      AVG(EXTRACT(EPOCH FROM (s.occurred_at - p.occurred_at)))::float8 AS avg_seconds
    FROM ${table('fulfillment_steps')} s
    JOIN ${table('fulfillment_steps')} p ON p.fulfillment_id = s.fulfillment_id AND p.status = 'pending'
    WHERE s.status = 'shipped' AND s.occurred_at >= ${r.from} AND s.occurred_at < ${r.to}`.execute(db);
  const carriers = await sql<{
    carrier: string;
    shipments: number;
    delivered: number;
    failed_deliveries: number;
    avg_transit_seconds: number | null;
  }>`
    WITH s AS (
      SELECT shipment_id, MIN(carrier) AS carrier,
        MIN(occurred_at) FILTER (WHERE status = 'in_transit') AS in_transit_at,
        MIN(occurred_at) FILTER (WHERE status = 'delivered') AS delivered_at,
        COUNT(*) FILTER (WHERE status = 'failed_delivery') AS failed
      FROM ${table('shipment_steps')} GROUP BY shipment_id
      HAVING MIN(occurred_at) >= ${r.from} AND MIN(occurred_at) < ${r.to})
    SELECT carrier, COUNT(*)::int AS shipments,
      COUNT(delivered_at)::int AS delivered,
      SUM(failed)::int AS failed_deliveries,
      AVG(EXTRACT(EPOCH FROM (delivered_at - in_transit_at)))::float8 AS avg_transit_seconds
    FROM s GROUP BY carrier ORDER BY carrier`.execute(db);
  const returns = await sql<{ status: string; returns: number; units: number }>`
    SELECT status, COUNT(*)::int AS returns, COALESCE(SUM(units), 0)::int AS units FROM ${table('return_steps')}
    WHERE occurred_at >= ${r.from} AND occurred_at < ${r.to} GROUP BY status ORDER BY status`.execute(db);
  const fx = fulfillment.rows[0];
  return {
    byStatus: byStatus.rows,
    placed: byStatus.rows.reduce((n, x) => n + x.orders, 0),
    valueByCurrency: values.rows.map((v) => ({
      currency: v.currency,
      orders: v.orders,
      total: money(v.total, v.currency),
      // Integer division: minor units stay whole (the remainder is below one minor unit).
      averageOrderValue: money((BigInt(v.total) / BigInt(v.orders)).toString(), v.currency),
    })),
    fulfillment: { shipped: fx?.shipped ?? 0, averageSecondsToShip: fx?.avg_seconds ?? null },
    carriers: carriers.rows.map((c) => ({
      carrier: c.carrier,
      shipments: c.shipments,
      delivered: c.delivered,
      failedDeliveries: c.failed_deliveries,
      averageTransitSeconds: c.avg_transit_seconds,
    })),
    returns: returns.rows,
  };
}

export async function productPerformance(db: Db, r: Range) {
  const products = await sql<{
    sku: string;
    category: string | null;
    currency: string;
    orders: number;
    units: number;
    revenue: string;
  }>`
    SELECT i.value->>'sku' AS sku, MIN(p.category) AS category, o.currency,
      COUNT(DISTINCT o.order_id)::int AS orders,
      SUM((i.value->>'quantity')::int)::int AS units,
      COALESCE(SUM(((i.value->'unitPrice'->>'amount')::bigint) * (i.value->>'quantity')::int), 0)::text AS revenue
    FROM ${table('order_facts')} o
    CROSS JOIN LATERAL jsonb_array_elements(o.items) AS i(value)
    LEFT JOIN ${table('products')} p ON p.sku = i.value->>'sku'
    WHERE o.placed_at >= ${r.from} AND o.placed_at < ${r.to} AND o.status <> 'cancelled'
    GROUP BY i.value->>'sku', o.currency ORDER BY units DESC, sku`.execute(db);
  const views = await sql<{ sku: string | null; product_id: string; views: number; add_to_carts: number }>`
    SELECT e.product_id, MIN(p.sku) AS sku,
      COUNT(*) FILTER (WHERE e.topic = 'storefront.product_view')::int AS views,
      COUNT(*) FILTER (WHERE e.topic = 'storefront.add_to_cart')::int AS add_to_carts
    FROM ${table('events')} e LEFT JOIN ${table('products')} p ON p.product_id::text = e.product_id
    WHERE e.topic IN ('storefront.product_view', 'storefront.add_to_cart') AND e.product_id IS NOT NULL
      AND e.occurred_at >= ${r.from} AND e.occurred_at < ${r.to}
    GROUP BY e.product_id ORDER BY views DESC, e.product_id`.execute(db);
  const categories = new Map<
    string,
    { category: string | null; currency: string; units: number; revenue: bigint }
  >();
  for (const p of products.rows) {
    const key = `${p.category ?? ''}|${p.currency}`;
    const c = categories.get(key) ?? { category: p.category, currency: p.currency, units: 0, revenue: 0n };
    c.units += p.units;
    c.revenue += BigInt(p.revenue);
    categories.set(key, c);
  }
  return {
    products: products.rows.map((p) => ({
      sku: p.sku,
      category: p.category,
      orders: p.orders,
      units: p.units,
      revenue: money(p.revenue, p.currency),
    })),
    categories: [...categories.values()].map((c) => ({
      category: c.category,
      units: c.units,
      revenue: money(c.revenue.toString(), c.currency),
    })),
    views: views.rows.map((v) => ({
      productId: v.product_id,
      sku: v.sku,
      views: v.views,
      addToCarts: v.add_to_carts,
    })),
  };
}

export async function funnel(db: Db, r: Range) {
  const row = await sql<Record<string, number>>`
    SELECT
      COUNT(DISTINCT session_id) FILTER (WHERE topic = 'storefront.page_view')::int AS page_view,
      COUNT(DISTINCT session_id) FILTER (WHERE topic = 'storefront.product_view')::int AS product_view,
      COUNT(DISTINCT session_id) FILTER (WHERE topic = 'storefront.add_to_cart')::int AS add_to_cart,
      COUNT(DISTINCT session_id) FILTER (WHERE topic = 'storefront.checkout_started')::int AS checkout_started,
      COUNT(DISTINCT session_id) FILTER (
        WHERE topic = 'storefront.checkout_started'
          AND order_id IN (SELECT order_id FROM ${table('order_facts')})
      )::int AS "order"
    FROM ${table('events')}
    WHERE source = 'storefront' AND occurred_at >= ${r.from} AND occurred_at < ${r.to}`.execute(db);
  const f = row.rows[0]!;
  const stages = ['page_view', 'product_view', 'add_to_cart', 'checkout_started', 'order'] as const;
  return stages.map((stage) => ({ stage, sessions: f[stage] ?? 0 }));
}

export async function customersSummary(db: Db, r: Range) {
  const kinds = await sql<{ new_customers: number; returning_customers: number }>`
    WITH w AS (
      SELECT DISTINCT customer_key FROM ${table('order_facts')}
      WHERE placed_at >= ${r.from} AND placed_at < ${r.to} AND customer_key IS NOT NULL),
    f AS (
      SELECT o.customer_key, MIN(o.placed_at) AS first_order FROM ${table('order_facts')} o
      JOIN w ON w.customer_key = o.customer_key GROUP BY o.customer_key)
    SELECT COUNT(*) FILTER (WHERE first_order >= ${r.from})::int AS new_customers,
      COUNT(*) FILTER (WHERE first_order < ${r.from})::int AS returning_customers
    FROM f`.execute(db);
  const registered = await sql<{ n: number }>`
    SELECT COUNT(*)::int AS n FROM ${table('customers')}
    WHERE registered_at >= ${r.from} AND registered_at < ${r.to}`.execute(db);
  const active = await sql<{ customers: number; sessions: number }>`
    SELECT COUNT(DISTINCT customer_key) FILTER (WHERE topic = 'auth.login')::int AS customers,
      COUNT(DISTINCT session_id) FILTER (WHERE source = 'storefront')::int AS sessions
    FROM ${table('events')} WHERE occurred_at >= ${r.from} AND occurred_at < ${r.to}`.execute(db);
  const cohorts = await sql<{ cohort: Date; month: Date; customers: number }>`
    WITH firsts AS (
      SELECT customer_key, date_trunc('month', MIN(placed_at) AT TIME ZONE 'UTC') AS cohort
      FROM ${table('order_facts')} WHERE customer_key IS NOT NULL AND status <> 'cancelled' GROUP BY customer_key)
    SELECT f.cohort, date_trunc('month', o.placed_at AT TIME ZONE 'UTC') AS month,
      COUNT(DISTINCT o.customer_key)::int AS customers
    FROM firsts f JOIN ${table('order_facts')} o ON o.customer_key = f.customer_key AND o.status <> 'cancelled'
    WHERE f.cohort >= date_trunc('month', ${r.from}::timestamptz AT TIME ZONE 'UTC')
      AND f.cohort < (${r.to}::timestamptz AT TIME ZONE 'UTC')
    GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  const k = kinds.rows[0];
  const a = active.rows[0];
  const month = (d: Date | string) => new Date(d).toISOString().slice(0, 7);
  return {
    newCustomers: k?.new_customers ?? 0,
    returningCustomers: k?.returning_customers ?? 0,
    registrations: registered.rows[0]?.n ?? 0,
    activeCustomers: a?.customers ?? 0,
    activeSessions: a?.sessions ?? 0,
    funnel: await funnel(db, r),
    cohorts: cohorts.rows.map((c) => ({
      cohort: month(c.cohort),
      month: month(c.month),
      customers: c.customers,
    })),
  };
}

export async function inventorySummary(db: Db, r: Range) {
  const low = await sql<{ sku: string; alerts: number; lowest_available: number }>`
    SELECT data->>'sku' AS sku, COUNT(*)::int AS alerts, MIN((data->>'available')::int)::int AS lowest_available
    FROM ${table('events')} WHERE topic = 'warehouse.stock.low' AND occurred_at >= ${r.from} AND occurred_at < ${r.to}
    GROUP BY 1 ORDER BY alerts DESC, sku`.execute(db);
  const drift = await sql<{ sku: string; corrections: number; drift: number }>`
    SELECT data->>'sku' AS sku, COUNT(*)::int AS corrections,
      SUM(ABS((data->>'after')::int - (data->>'before')::int))::int AS drift
    FROM ${table('events')} WHERE topic = 'warehouse.stock.reconciled' AND occurred_at >= ${r.from} AND occurred_at < ${r.to}
    GROUP BY 1 ORDER BY corrections DESC, sku`.execute(db);
  const sla = await sql<{ n: number }>`
    SELECT COUNT(*)::int AS n FROM ${table('events')}
    WHERE topic = 'fulfillments.fulfillment.sla_breach' AND occurred_at >= ${r.from} AND occurred_at < ${r.to}`.execute(
    db,
  );
  return {
    lowStock: low.rows.map((x) => ({ sku: x.sku, alerts: x.alerts, lowestAvailable: x.lowest_available })),
    reconciliations: drift.rows.map((x) => ({
      sku: x.sku,
      corrections: x.corrections,
      unitsCorrected: x.drift,
    })),
    slaBreaches: sla.rows[0]?.n ?? 0,
  };
}

export async function realtime(deps: AnalyticsDeps) {
  const to = deps.clock.now();
  const from = new Date(to.getTime() - deps.realtimeMinutes * 60_000);
  const r = { from, to };
  const byTopic = await sql<{ topic: string; events: number }>`
    SELECT topic, COUNT(*)::int AS events FROM ${table('events')}
    WHERE received_at >= ${from} AND received_at <= ${to} GROUP BY topic ORDER BY topic`.execute(deps.db);
  const sessions = await sql<{ n: number }>`
    SELECT COUNT(DISTINCT session_id)::int AS n FROM ${table('events')}
    WHERE source = 'storefront' AND occurred_at >= ${from} AND occurred_at <= ${to}`.execute(deps.db);
  // SG-3: the live feed carries order ids, status and totals — never a customer's name.
  const recent = await deps.db
    .selectFrom('order_facts')
    .select(['order_id', 'status', sql<string>`total_amount::text`.as('total'), 'currency', 'placed_at'])
    .where('placed_at', '>=', from)
    .orderBy('placed_at', 'desc')
    .orderBy('order_id')
    .limit(20)
    .execute();
  return {
    windowMinutes: deps.realtimeMinutes,
    from: from.toISOString(),
    to: to.toISOString(),
    eventsByTopic: byTopic.rows,
    activeSessions: sessions.rows[0]?.n ?? 0,
    revenue: await revenueByCurrency(deps.db, r),
    recentOrders: recent.map((o) => ({
      orderId: o.order_id,
      status: o.status,
      total: money(o.total, o.currency.trim()),
      placedAt: new Date(o.placed_at).toISOString(),
    })),
  };
}

export async function overview(deps: AnalyticsDeps, r: Range) {
  const [revenue, orders, customers] = await Promise.all([
    revenueByCurrency(deps.db, r),
    ordersSummary(deps.db, r),
    customersSummary(deps.db, r),
  ]);
  const pageViews = customers.funnel[0]!.sessions;
  const ordered = customers.funnel.at(-1)!.sessions;
  return {
    from: r.from.toISOString(),
    to: r.to.toISOString(),
    revenue,
    orders: { placed: orders.placed, byStatus: orders.byStatus, valueByCurrency: orders.valueByCurrency },
    customers: {
      newCustomers: customers.newCustomers,
      returningCustomers: customers.returningCustomers,
      registrations: customers.registrations,
    },
    sessions: customers.activeSessions,
    // Sessions that ordered per session that viewed a page; null without sessions.
    conversionRate: pageViews > 0 ? ordered / pageViews : null,
  };
}
