import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { customerToken, verifiedCustomer } from './customer.fixtures.js';
import { bearer, TEST_DATABASES } from './harness.js';
import { card, DELIVERY_SERVICES, type OrderWorld, startOrderWorld } from './order.fixtures.js';

/** Letters only (names and cities are validated as text), unique per run so a hit is ours. */
const word = (prefix: string) =>
  `${prefix}${[...randomBytes(8)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;

/**
 * G10 end to end: a customer with an address book, a delivered and returned order, a shipment and
 * an open cart asks to be forgotten; after the cleanup job and `customer.deleted` no schema of the
 * platform (every table, every text and json column) still holds a raw value the customer sent.
 * Orders keep their totals, items, the country and a postal prefix.
 */
describe.each(TEST_DATABASES)('privacy: erasure reaches every service (%s)', (kind) => {
  let w: OrderWorld;
  const SKU = 'PRIV-A';

  beforeAll(async () => {
    w = await startOrderWorld(
      kind,
      {
        CUSTOMER_ERASURE_GRACE_HOURS: '0',
        CUSTOMER_CLEANUP_CRON: '0 0 1 1 *',
        NOTIFICATION_RETRY_CRON: '0 0 1 1 *',
      },
      [...DELIVERY_SERVICES, 'customer', 'notification'],
    );
    await w.product(SKU, '1500', 50);
  });
  afterAll(() => w?.close());

  /** Every (schema, table, column) of a text or json type whose value contains `needle`. */
  async function occurrences(needles: string[]): Promise<string[]> {
    const root = w.platform.orderline.database.root;
    const { rows: columns } = await sql<{ schema: string; table: string; column: string }>`
      SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column
      FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE t.table_type = 'BASE TABLE'
        AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
        AND c.table_schema NOT LIKE 'pg\\_%'
        AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
    `.execute(root);
    // Every service schema of this process is scanned, not just the ones we expect to hold data.
    expect(new Set(columns.map((c) => c.schema))).toEqual(
      new Set(w.platform.orderline.modules.map((m) => m.name)),
    );
    const hits: string[] = [];
    for (const c of columns) {
      const ref = sql.raw(`"${c.schema}"."${c.table}"`);
      const col = sql.raw(`"${c.column}"`);
      for (const needle of needles) {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM ${ref} WHERE ${col}::text ILIKE ${`%${needle}%`}
        `.execute(root);
        if ((rows[0]?.n ?? 0) > 0) hits.push(`${c.schema}.${c.table}.${c.column} holds ${needle}`);
      }
    }
    return hits;
  }

  it('anonymizes orders, carts and stored responses; no raw value survives in any schema', async () => {
    const app = w.platform.app;
    const c = await verifiedCustomer(app);
    const auth = bearer((await customerToken(app, c)).accessToken);
    const address = {
      firstName: word('Fn'),
      lastName: word('Ln'),
      line1: `${word('Street')} 12`,
      line2: word('Flat'),
      city: word('City'),
      region: 'CA',
      postalCode: '94103',
      country: 'US',
      phone: `+1415${String(1_000_000 + Math.floor(Math.random() * 8_999_999))}`,
    };
    const raw = [address.firstName, address.lastName, address.line1, address.line2, address.city, c.email];
    const phoneDigits = address.phone.slice(1);

    // An address-book entry at the customer service.
    await w.ok(w.inject('POST', '/customers/me/addresses', address, auth));

    // A card order shipped with simcarrier, delivered, and partly returned.
    const cart = await w.ok(w.inject('POST', '/carts', { currency: 'USD' }, auth));
    await w.ok(w.inject('POST', `/carts/${cart.id}/items`, { sku: SKU, quantity: 2 }, auth));
    await w.ok(w.inject('PUT', `/carts/${cart.id}/shipping-address`, address, auth));
    const options = await w.ok(w.inject('GET', `/carts/${cart.id}/shipping-options`, undefined, auth));
    const optionId = options.items.find((o: { carrier: string }) => o.carrier === 'simcarrier').id;
    await w.ok(w.inject('PUT', `/carts/${cart.id}/shipping-method`, { optionId }, auth));
    const checkoutKey = newId();
    const order = await w.ok(
      w.inject(
        'POST',
        '/checkout',
        { cartId: cart.id, payment: card() },
        { ...auth, 'idempotency-key': checkoutKey },
      ),
    );
    const readOrder = () => w.ok(w.inject('GET', `/orders/${order.id}`, undefined, auth));
    await waitFor(async () => (await readOrder()).status === 'confirmed', 'order confirmed', 10_000);
    const [f] = await w.fulfillments(order.id, 1);
    await w.readyToShip([f!.id]);
    let tracking = '';
    await waitFor(
      async () => {
        const t = await w.ok(w.inject('GET', `/orders/${order.id}/tracking`, undefined, auth));
        tracking = t.shipments[0]?.trackingNumber ?? '';
        return tracking !== '';
      },
      'shipment booked',
      10_000,
    );
    for (const status of ['in_transit', 'out_for_delivery', 'delivered']) {
      const delivery = await w.ok(w.inject('POST', `/dev/simcarrier/parcels/${tracking}/scan`, { status }));
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/shipping/webhooks/simcarrier',
        headers: { ...delivery.headers, 'content-type': 'application/json' },
        payload: delivery.body,
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
    }
    await waitFor(async () => (await readOrder()).status === 'delivered', 'order delivered', 10_000);
    const item = (await readOrder()).items[0];
    await w.ok(
      w.inject(
        'POST',
        `/orders/${order.id}/returns`,
        { items: [{ orderItemId: item.id, quantity: 1 }], reason: 'too small' },
        auth,
      ),
    );

    // A guest cart with the address, merged at login into the customer's new open cart (which
    // takes the address over; the merged guest cart keeps its row).
    const guest = await w.ok(w.inject('POST', '/carts', { currency: 'USD' }));
    const guestToken = { 'x-cart-token': guest.cartToken };
    await w.ok(w.inject('POST', `/carts/${guest.id}/items`, { sku: SKU, quantity: 1 }, guestToken));
    await w.ok(w.inject('PUT', `/carts/${guest.id}/shipping-address`, address, guestToken));
    const open = await w.ok(w.inject('POST', '/carts', { currency: 'USD' }, auth));
    await w.ok(w.inject('POST', `/carts/${guest.id}/merge`, undefined, { ...guestToken, ...auth }));
    expect((await w.ok(w.inject('GET', `/carts/${open.id}`, undefined, auth))).shippingAddress).toMatchObject(
      {
        line1: address.line1,
      },
    );

    // Before: the values are there (the scan finds what it looks for).
    expect((await occurrences([address.line1])).length).toBeGreaterThan(0);

    const del = await w.inject('DELETE', '/customers/me', undefined, auth);
    expect(del.statusCode, del.body).toBe(202);
    await w.runJob('customer', 'cleanup');

    let hits: string[] = [];
    await waitFor(
      async () => {
        hits = await occurrences([...raw, phoneDigits]);
        return hits.length === 0;
      },
      'every service erased the customer',
      15_000,
    ).catch(() => undefined);
    expect(hits).toEqual([]);

    // What the order keeps: totals, items, country and postal prefix, initials.
    const [kept] = await w.sql<{ shipping_address: Record<string, unknown>; total: string }>(
      `SELECT shipping_address, total::text AS total FROM "order".orders WHERE id = '${order.id}'`,
    );
    expect(kept!.shipping_address).toEqual({
      firstName: address.firstName[0]!.toUpperCase() + '.',
      lastName: address.lastName[0]!.toUpperCase() + '.',
      line1: '',
      line2: null,
      city: '',
      region: null,
      postalCode: '941',
      country: 'US',
      phone: null,
    });
    expect(kept!.total).toBe(BigInt(order.totals.total.amount).toString());
    const returns = await w.sql(`SELECT id FROM "order".returns WHERE order_id = '${order.id}'`);
    expect(returns).toHaveLength(1);

    // Delivered again, twice at once: applied once (inbox), nothing changes (G4).
    const [deleted] = await w.sql<{ envelope: EventEnvelope }>(
      `SELECT envelope FROM customer.outbox WHERE topic = 'customer.deleted' AND key = '${c.id}'`,
    );
    const bus = w.platform.orderline.eventing.bus();
    await Promise.all([bus.publish([deleted!.envelope]), bus.publish([deleted!.envelope])]);
    const inbox = await w.sql(
      `SELECT 1 FROM "order".processed_events WHERE subscription = 'order.customer-deleted' AND event_id = '${deleted!.envelope.id}'`,
    );
    expect(inbox).toHaveLength(1);
    const [again] = await w.sql<{ shipping_address: Record<string, unknown> }>(
      `SELECT shipping_address FROM "order".orders WHERE id = '${order.id}'`,
    );
    expect(again!.shipping_address).toEqual(kept!.shipping_address);
  });
});
