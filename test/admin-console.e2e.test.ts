import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { ANALYTICS_ENV } from './analytics.fixtures.js';
import { registered } from './customer.fixtures.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEST_DATABASES } from './harness.js';
import { DELIVERY_SERVICES, type OrderWorld, startOrderWorld } from './order.fixtures.js';

/**
 * The admin console end to end: the platform on a real port, Debian's Chromium driven by
 * playwright-core through the built console (admin/dist), every step done on the screens a store
 * operator uses — login, an order from confirmed to delivered (picklist, pick, pack, ready, then
 * manual shipment updates), a stock import from CSV, a dead letter replayed, and the revenue chart
 * after the order. Screenshots of each screen go to admin-screenshots/ (ignored by git).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = join(ROOT, 'admin-screenshots');
const CHROMIUM = '/usr/bin/chromium';
const SKU = 'E2E-MUG';
const FAST_RETRIES = {
  CONSUMER_MAX_DELIVERIES: '2',
  CONSUMER_RETRY_DELAYS_MS: '20',
  CONSUMER_REDELIVERY_BASE_MS: '50',
  CONSUMER_REDELIVERY_MAX_MS: '200',
};
const STEP = 20_000;

const shortId = (id: string) => id.slice(-8);

describe.each(TEST_DATABASES)('admin console (Chromium, %s)', (database) => {
  let world: OrderWorld;
  let browser: BrowserContext;
  let page: Page;
  let base: string;
  let profile: string;

  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${database}-${name}.png`), fullPage: true });
  const open = async (label: string) => {
    await page.getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
  };
  /** The USD net revenue the dashboard's table shows, in minor units (0 when there is none). */
  const netRevenueShown = async () => {
    const cell = page.locator('[data-testid=revenue-table] tr[data-currency=USD] td[data-col=net]');
    if ((await cell.count()) === 0) return 0;
    return Math.round(Number(((await cell.textContent()) ?? '').split(' ')[0]) * 100);
  };

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-admin.mjs'), '--if-stale'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    world = await startOrderWorld(database, { ...ANALYTICS_ENV, ...FAST_RETRIES }, [
      ...DELIVERY_SERVICES,
      'customer',
      'notification',
      'analytics',
    ]);
    await world.platform.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(world.platform.app.server.address() as AddressInfo).port}`;
    await world.product(SKU, '2500', 20);
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'orderline-chromium-'));
    // A fresh profile per run (launchPersistentContext passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1400, height: 900 },
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(STEP);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await world?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('serves the console at /admin: index revalidated, hashed assets immutable, deep links, 404 for missing files', async () => {
    const get = (url: string) => world.platform.app.inject({ method: 'GET', url });
    const deep = await get('/admin/orders/01a25184-7b3f-727b-952d-6e09925d0c66');
    expect(deep.statusCode).toBe(200);
    expect(deep.headers['cache-control']).toBe('no-cache');
    const asset = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(deep.body)?.[1];
    expect(asset).toBeDefined();
    const js = await get(asset!);
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-type']).toMatch(/javascript/);
    const missing = await get('/admin/assets/index-missing.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    expect((await get('/admin/..%2F..%2Fpackage.json')).statusCode).toBe(404);
  });

  it('refuses a wrong password on the login page, then signs in', async () => {
    await page.goto(`${base}/admin/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('[data-field=email] .field-error').textContent()).resolves.toContain(
      'Email is required',
    );
    await page.locator('input[name=email]').fill(ADMIN_EMAIL);
    await page.locator('input[name=password]').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'is wrong' }).waitFor();
    await shot('login');
    await page.locator('input[name=password]').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    // Reviews are not built yet; every other screen is open to the admin role.
    for (const label of ['Orders', 'Fulfillment', 'Inventory', 'Operations', 'Analytics'])
      await expect(page.getByRole('link', { name: label, exact: true }).count()).resolves.toBe(1);
  });

  it('takes an order from confirmed to delivered through the screens; the revenue chart follows', async () => {
    await open('Analytics');
    await page.locator('[data-testid=revenue-table]').waitFor();
    const before = await netRevenueShown();

    const order = await world.confirmedOrder([[SKU, 2]], 'simcarrier');
    const total = Number((await world.read(order)).totals.total.amount);

    await open('Orders');
    await page.getByRole('link', { name: shortId(order.id) }).click();
    await page.getByTestId('order-status').getByText('confirmed', { exact: true }).waitFor();
    await shot('order-detail');

    const [fulfillment] = await world.fulfillments(order.id, 1);
    await open('Fulfillment');
    const row = page.locator('tr', { hasText: shortId(order.id) });
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Create picklist' }).click();
    await row.getByRole('button', { name: 'Pick' }).click();
    const pack = page.getByTestId(`pack-${fulfillment!.id}`);
    await pack.locator('input').fill('0');
    await pack.getByRole('button', { name: 'Pack' }).click();
    await pack.locator('.field-error').waitFor(); // checked before sending
    await pack.locator('input').fill('900, 450');
    await pack.getByRole('button', { name: 'Pack' }).click();
    await row.getByRole('button', { name: 'Ready to ship' }).click();
    await row.getByText('ready_to_ship').waitFor();
    await shot('fulfillment');

    // Shipping books one parcel per package with the simulated carrier just after, asynchronously.
    const booked = await world.waitForOrder(
      order,
      'two booked shipments',
      (b) => b.shipments.length === 2 && b.shipments.every((s) => s.trackingNumber),
    );
    await open('Shipments & returns');
    for (const { id } of booked.shipments)
      for (const status of ['in_transit', 'delivered']) {
        const form = page.getByTestId(`status-${id}`);
        await form.locator('select').selectOption(status);
        await form.locator('input').fill(`moved by the e2e test to ${status}`);
        await form.getByRole('button', { name: 'Update' }).click();
        await page
          .locator('tr', { hasText: shortId(id) })
          .locator('.badge', { hasText: status })
          .waitFor();
      }
    await shot('shipments');
    await world.waitForOrder(order, 'delivered', (b) => b.status === 'delivered');

    await open('Orders');
    await page.getByRole('link', { name: shortId(order.id) }).click();
    await page.getByTestId('order-status').getByText('delivered', { exact: true }).waitFor();
    await page.getByText(/^delivered — /).waitFor(); // the timeline

    await open('Analytics');
    await waitFor(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        await page.locator('[data-testid=revenue-table]').waitFor();
        return (await netRevenueShown()) === before + total;
      },
      'net revenue on the dashboard including the order',
      STEP,
    );
    await expect(
      page.locator('[data-testid=revenue-chart] .recharts-bar-rectangle').count(),
    ).resolves.toBeGreaterThan(0);
    await shot('analytics');
  });

  it('imports stock from a CSV with a progress bar and per-row errors', async () => {
    const warehouse = await world.ok(world.adminCall('GET', `/admin/warehouses/${world.warehouseId}`));
    await open('Inventory');
    await page.locator('select').first().selectOption(world.warehouseId);
    const csv = [
      'sku,onHand,warehouseCode',
      `${SKU},42,${warehouse.code}`,
      `NO-SUCH-SKU,5,${warehouse.code}`,
      `${SKU},lots,${warehouse.code}`,
    ].join('\n');
    await page
      .getByLabel('stock CSV')
      .setInputFiles({ name: 'stock.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const results = page.getByTestId('import-results');
    await results.waitFor();
    const reported = (await results.textContent()) ?? '';
    expect(reported).toContain('1 imported, 2 refused');
    expect(reported).toMatch(/row 2: .*not_found/i);
    expect(reported).toMatch(/row 3: onHand "lots"/);
    const progress = page.getByTestId('import-progress');
    await expect(progress.getAttribute('value')).resolves.toBe(await progress.getAttribute('max'));
    const stock = await world.ok(world.adminCall('GET', `/admin/inventory/${SKU}`));
    expect(stock.items.find((i: { warehouseId: string }) => i.warehouseId === world.warehouseId).onHand).toBe(
      42,
    );
    await page.locator(`tr[data-sku=${SKU}] td[data-col=onHand]`).getByText('42').waitFor();
    await shot('inventory');
  });

  it('inspects and replays a dead letter', async () => {
    const root = world.platform.orderline.database.root;
    // Fault injection, as in customer.account-mail.test.ts: the notification store refuses messages.
    await sql`create function notification.refuse_messages() returns trigger language plpgsql as $$
      begin raise exception 'message store unavailable'; end $$`.execute(root);
    await sql`create trigger refuse before insert on notification.messages
      for each row execute function notification.refuse_messages()`.execute(root);
    const customer = await registered(world.platform.app);
    let letterId = '';
    await waitFor(
      async () => {
        const items = (await world.ok(world.adminCall('GET', '/admin/dlq?service=customer'))).items as {
          id: string;
          envelope: { data: { customerId?: string } };
        }[];
        letterId = items.find((d) => d.envelope.data.customerId === customer.id)?.id ?? '';
        return letterId !== '';
      },
      'a dead letter',
      STEP,
    );
    await sql`drop trigger refuse on notification.messages`.execute(root);

    await open('Operations');
    const row = page.locator(`tr[data-id="${letterId}"]`);
    await row.getByRole('button', { name: 'Inspect' }).click();
    await page.getByText('message store unavailable').first().waitFor();
    await page.getByText(customer.id).first().waitFor(); // the payload
    await shot('operations');
    await waitFor(
      async () => {
        if ((await row.count()) === 0) return true;
        await row.getByRole('button', { name: 'Replay' }).click();
        await page.waitForTimeout(300);
        return (await row.count()) === 0;
      },
      'the replayed letter leaves the open list',
      STEP,
    );
    const letters = (await world.ok(world.adminCall('GET', '/admin/dlq?service=customer'))).items as {
      id: string;
      status: string;
    }[];
    expect(letters.find((d) => d.id === letterId)?.status).toBe('replayed');
  });

  it('keeps a deep link working after a reload (SPA fallback, refresh-token rotation)', async () => {
    await page.goto(`${base}/admin/operations`);
    await page.getByRole('heading', { name: 'Operations', level: 1 }).waitFor();
    for (const [label, name] of [
      ['Prices', 'prices'],
      ['Promotions', 'promotions'],
      ['Customers', 'customers'],
    ] as const) {
      await open(label);
      await shot(name);
    }
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });
});
