import { systemCtx } from '../platform/context.js';
import type { Logger } from '../platform/logging/logger.js';
import type { NewProduct } from '../services/catalog/contract/client.js';
import type { Clients } from './services.js';

/** A small storefront to click through after `npm start`: a few categories and products. */
const CATEGORIES = [
  { slug: 'apparel', name: 'Apparel' },
  { slug: 'footwear', name: 'Footwear' },
  { slug: 'home', name: 'Home & Kitchen' },
  { slug: 'electronics', name: 'Electronics' },
];

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
 * Seeds the demo catalog into an empty database only (never on top of real data). Goes through
 * the services' clients, so everything a real write does (validation, events) happens here too.
 * Prices and stock join this seed when the pricing and warehouse services exist.
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
  logger.info({ categories: CATEGORIES.length, products: PRODUCTS.length }, 'demo catalog seeded');
}
