import type { EventPayload } from '../../../contracts/index.js';
import type { Product } from '../contract/client.js';

/** The state every catalog product event carries, so consumers never read the catalog back. */
export function productCreatedEvent(product: Product): EventPayload<'catalog.product.created'> {
  return {
    productId: product.id,
    sku: product.sku,
    name: product.name,
    category: product.category,
    status: product.status,
    occurredAt: product.updatedAt,
  };
}

export function productUpdatedEvent(
  product: Product,
  changedFields: string[],
): EventPayload<'catalog.product.updated'> {
  return { ...productCreatedEvent(product), changedFields, version: product.version };
}
