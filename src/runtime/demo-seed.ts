import { systemCtx } from '../platform/context.js';
import type { Logger } from '../platform/logging/logger.js';
import { money } from '../platform/money.js';
import type { NewProduct } from '../services/catalog/contract/client.js';
import type { Clients } from './services.js';

/** A small storefront to click through after `npm start`: a few categories and products. */
const CATEGORIES = [
  { slug: 'apparel', name: 'Apparel' },
  { slug: 'footwear', name: 'Footwear' },
  { slug: 'home', name: 'Home & Kitchen' },
  { slug: 'electronics', name: 'Electronics' },
];

/** Prices in USD cents; EUR prices are set alongside (rounded shelf prices, not a conversion). */
const PRICES: Record<string, { usd: number; eur: number }> = {
  'TSHIRT-CLASSIC-M': { usd: 1999, eur: 1899 },
  'TSHIRT-CLASSIC-L': { usd: 1999, eur: 1899 },
  'HOODIE-ZIP-M': { usd: 4999, eur: 4699 },
  'SNEAKER-RUN-42': { usd: 8999, eur: 8499 },
  'SNEAKER-RUN-44': { usd: 8999, eur: 8499 },
  'MUG-STONEWARE': { usd: 1499, eur: 1399 },
  'KETTLE-STEEL': { usd: 3999, eur: 3799 },
  'HEADPHONES-BT': { usd: 12999, eur: 11999 },
  'CHARGER-USB-C-65W': { usd: 3499, eur: 3299 },
  'CABLE-USB-C-2M': { usd: 999, eur: 949 },
};

/** The two warehouses of the demo store and how many of each product they hold. */
const WAREHOUSES = [
  {
    code: 'US-EAST',
    name: 'Newark fulfilment centre',
    capacityPerDay: 500,
    address: { line1: '100 Port St', city: 'Newark', postalCode: '07114', country: 'US' },
    location: { lat: 40.6895, lng: -74.1745 },
    stock: 40,
  },
  {
    code: 'EU-WEST',
    name: 'Rotterdam fulfilment centre',
    capacityPerDay: 300,
    address: { line1: 'Waalhaven 12', city: 'Rotterdam', postalCode: '3089 JH', country: 'NL' },
    location: { lat: 51.8892, lng: 4.4291 },
    stock: 25,
  },
];

/** VAT / sales tax in basis points for the demo's destinations. */
const TAX_RATES: Record<string, number> = { DE: 1900, FR: 2000, NL: 2100, GB: 2000 };

const PRODUCTS: NewProduct[] = [
  {
    sku: 'TSHIRT-CLASSIC-M',
    name: 'Classic Cotton T-Shirt (M)',
    category: 'apparel',
    attributes: { color: 'navy', size: 'M', weightGrams: 180 },
  },
  {
    sku: 'TSHIRT-CLASSIC-L',
    name: 'Classic Cotton T-Shirt (L)',
    category: 'apparel',
    attributes: { color: 'navy', size: 'L', weightGrams: 200 },
  },
  {
    sku: 'HOODIE-ZIP-M',
    name: 'Zip Hoodie (M)',
    category: 'apparel',
    attributes: { color: 'grey', size: 'M', weightGrams: 550 },
  },
  {
    sku: 'SNEAKER-RUN-42',
    name: 'Trail Running Sneaker (42)',
    category: 'footwear',
    attributes: { size: 42, weightGrams: 700 },
  },
  {
    sku: 'SNEAKER-RUN-44',
    name: 'Trail Running Sneaker (44)',
    category: 'footwear',
    attributes: { size: 44, weightGrams: 740 },
  },
  {
    sku: 'MUG-STONEWARE',
    name: 'Stoneware Coffee Mug',
    category: 'home',
    attributes: { capacityMl: 350, weightGrams: 400 },
  },
  {
    sku: 'KETTLE-STEEL',
    name: 'Stainless Steel Kettle',
    category: 'home',
    attributes: { capacityMl: 1700, weightGrams: 1200 },
  },
  {
    sku: 'HEADPHONES-BT',
    name: 'Bluetooth Headphones',
    category: 'electronics',
    attributes: { wireless: true, weightGrams: 250 },
  },
  {
    sku: 'CHARGER-USB-C-65W',
    name: 'USB-C Charger 65W',
    category: 'electronics',
    attributes: { watts: 65, weightGrams: 120 },
  },
  {
    sku: 'CABLE-USB-C-2M',
    name: 'USB-C Cable 2 m',
    category: 'electronics',
    attributes: { lengthCm: 200, weightGrams: 60 },
  },
];

/**
 * Seeds the demo store into an empty database only (never on top of real data): categories,
 * products, USD and EUR prices, tax rates and two warehouses with stock. Goes through the
 * services' clients, so everything a real write does (validation, ledger, events) happens here too.
 */
export async function seedDemoData(clients: Partial<Clients>, logger: Logger): Promise<void> {
  const catalog = clients.catalog;
  if (!catalog) return;
  if ((await catalog.countProducts()) > 0) {
    logger.debug('catalog not empty; demo seed skipped');
    return;
  }
  const ctx = systemCtx(logger, 'demo-seed');
  for (const category of CATEGORIES) await catalog.createCategory(ctx, category);
  for (const product of PRODUCTS) {
    await catalog.createProduct(ctx, { ...product, description: `${product.name}, from the demo catalog.` });
  }
  if (clients.pricing) {
    for (const product of PRODUCTS) {
      const price = PRICES[product.sku];
      if (!price) continue;
      await clients.pricing.setPrice(ctx, product.sku, money(price.usd, 'USD'));
      await clients.pricing.setPrice(ctx, product.sku, money(price.eur, 'EUR'));
    }
    for (const [country, bps] of Object.entries(TAX_RATES))
      await clients.pricing.setTaxRate(ctx, country, bps);
  }
  if (clients.warehouse) {
    for (const { stock, ...warehouse } of WAREHOUSES) {
      const { id } = await clients.warehouse.createWarehouse(ctx, warehouse);
      for (const product of PRODUCTS) {
        await clients.warehouse.setStock(ctx, { warehouseId: id, sku: product.sku, onHand: stock });
      }
    }
  }
  if (clients.promotion) {
    // One code and one automatic promotion (docs/promotions.md): at different priorities, so
    // they do not conflict; the code is exclusive and wins when both apply.
    await clients.promotion.createPromotion(ctx, {
      code: 'WELCOME10',
      name: '10% off your order',
      type: 'percentage',
      value: 10n,
      priority: 10,
    });
    await clients.promotion.createPromotion(ctx, {
      name: 'Free shipping from 50 USD',
      type: 'free_shipping',
      value: 0n,
      currency: 'USD',
      conditions: { minSubtotal: 5000n },
      stackable: true,
      priority: 5,
    });
  }
  logger.info(
    {
      categories: CATEGORIES.length,
      products: PRODUCTS.length,
      priced: Boolean(clients.pricing),
      warehouses: clients.warehouse ? WAREHOUSES.length : 0,
      promotions: clients.promotion ? 2 : 0,
    },
    'demo store seeded',
  );
}
