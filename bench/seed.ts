import { ADMIN_EMAIL, ADMIN_PASSWORD } from './target.js';

/**
 * Seeds the store THROUGH THE PUBLIC API, as an operator would: admin login, one warehouse,
 * products (POST /admin/products), prices in bulk (POST /admin/prices/bulk) and stock in bulk
 * (POST /admin/inventory/import). Not timed.
 */
const API = '/api/v1';
const BULK_ROWS = 1000; // the documented maximum of both bulk endpoints
const PARALLEL = 16;

export const ADDRESS = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  line1: '1 Main St',
  city: 'San Francisco',
  region: 'CA',
  postalCode: '94103',
  country: 'US',
};

export interface Store {
  admin: Record<string, string>;
  warehouseId: string;
  skus: string[];
  productIds: string[];
  hotSkus: string[];
}

export type Api = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON of many different routes
  json: any;
}>;

export function api(origin: string): Api {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${origin}${API}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
}

async function ok(
  call: ReturnType<Api>,
  what: string,
  // biome-ignore lint/suspicious/noExplicitAny: see Api
): Promise<any> {
  const res = await call;
  if (res.status >= 300) throw new Error(`seed ${what}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export const BENCH_PROMOTION_CODE = 'BENCH10';

export async function seedStore(
  origin: string,
  options: { catalogSize: number; hotSkus: number; hotUnits: number; stockPerSku: number },
): Promise<Store> {
  const call = api(origin);
  const login = await ok(
    call('POST', '/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, type: 'admin' }),
    'login',
  );
  const admin = { authorization: `Bearer ${login.accessToken}` };
  const warehouse = await ok(
    call(
      'POST',
      '/admin/warehouses',
      {
        code: 'BENCH',
        name: 'Bench warehouse',
        capacityPerDay: 10_000_000,
        address: { line1: '1 Dock Rd', city: 'Oakland', postalCode: '94607', country: 'US' },
        location: { lat: 37.8, lng: -122.3 },
      },
      admin,
    ),
    'warehouse',
  );
  const skus = Array.from({ length: options.catalogSize }, (_, i) => `BENCH-${String(i).padStart(6, '0')}`);
  const hotSkus = Array.from({ length: options.hotSkus }, (_, i) => `HOT-${i}`);
  const productIds: string[] = [];
  await inParallel([...skus, ...hotSkus], PARALLEL, async (sku) => {
    const p = await ok(
      call(
        'POST',
        '/admin/products',
        { sku, name: `Bench product ${sku}`, attributes: { weightGrams: 300 } },
        admin,
      ),
      `product ${sku}`,
    );
    if (!sku.startsWith('HOT-')) productIds.push(p.id);
  });
  for (const rows of chunks([...skus, ...hotSkus], BULK_ROWS)) {
    const res = await ok(
      call(
        'POST',
        '/admin/prices/bulk',
        { items: rows.map((sku) => ({ sku, amount: '1250', currency: 'USD' })) },
        admin,
      ),
      'prices',
    );
    if (res.failed > 0) throw new Error(`seed prices: ${JSON.stringify(res.results.slice(0, 3))}`);
  }
  // The purchase-with-code figure (issue 12): 10 % off, no limits, so every checkout may use it.
  await ok(
    call(
      'POST',
      '/admin/promotions',
      { code: BENCH_PROMOTION_CODE, name: 'Bench 10 %', type: 'percentage', value: 10 },
      admin,
    ),
    'promotion',
  );
  const stock = [
    ...skus.map((sku) => ({ sku, onHand: options.stockPerSku })),
    ...hotSkus.map((sku) => ({ sku, onHand: options.hotUnits })),
  ];
  for (const rows of chunks(stock, BULK_ROWS)) {
    const res = await ok(
      call(
        'POST',
        '/admin/inventory/import',
        { items: rows.map((r) => ({ warehouseId: warehouse.id, ...r })) },
        admin,
      ),
      'stock',
    );
    const bad = res.results?.filter((r: { status: string }) => r.status !== 'ok') ?? [];
    if (bad.length > 0) throw new Error(`seed stock: ${JSON.stringify(bad.slice(0, 3))}`);
  }
  return { admin, warehouseId: warehouse.id, skus, productIds, hotSkus };
}
