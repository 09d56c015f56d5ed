import type { Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { defineConsumer } from '../../../platform/eventing/index.js';
import { stockRepository as stock } from '../data/stock.repository.js';
import type { WarehouseDB } from '../data/tables.js';
import { canonicalSku } from '../domain/stock.js';

/**
 * `catalog.product.created` → a zero stock row for the sku in every active warehouse, so the
 * product shows in stock listings at once. ON CONFLICT DO NOTHING (and the inbox) make a
 * redelivery change nothing (G4). No ledger row: no quantity changed.
 */
export const productCreatedConsumer = (clock: Clock) =>
  defineConsumer<'catalog.product.created', WarehouseDB>({
    subscription: 'warehouse.product-created',
    topic: 'catalog.product.created',
    async handle(tx: Transaction<WarehouseDB>, event, ctx) {
      const opened = await stock.openSkuEverywhere(tx, canonicalSku(event.data.sku), clock.now());
      ctx.logger.debug({ sku: event.data.sku, opened }, 'stock rows opened');
    },
  });
