import { actorId, type Ctx } from '../../../platform/context.js';
import { conflict, notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { isUuid } from '../../../platform/ids.js';
import { publish } from '../../../platform/outbox/outbox.publisher.js';
import type { Product } from '../contract/client.js';
import { type ProductUpdate, catalogRepository as repo } from '../data/catalog.repository.js';
import { type ProductPatchInput, validateProductPatch } from '../domain/product.js';
import type { CatalogDeps } from './deps.js';
import { productUpdatedEvent } from './product-events.js';

/**
 * Applies a partial change in one transaction with a single conditional UPDATE. With `version`
 * it is an optimistic lock: a stale version changes nothing and is `409 conflict`. The sku is
 * immutable (other services key prices and stock by it).
 */
export async function updateProduct(
  ctx: Ctx,
  deps: CatalogDeps,
  id: string,
  input: ProductPatchInput,
): Promise<Product> {
  if (!isUuid(id)) throw notFound('Product', id.slice(0, 64));
  const { changes, expectedVersion } = validateProductPatch(input);
  const updated = await deps.db.transaction().execute(async (tx) => {
    const { categorySlug, ...rest } = changes;
    const update: ProductUpdate = { ...rest };
    if (categorySlug !== undefined)
      update.categoryId = categorySlug === null ? null : await categoryId(tx, categorySlug);
    const applied = await repo.updateProduct(tx, id, update, expectedVersion, deps.clock.now());
    const current = await repo.findProduct(tx, id);
    if (!current) throw notFound('Product', id);
    if (!applied)
      throw conflict(
        `Product ${id} was changed by someone else (version ${current.version}, you sent ${expectedVersion}); reload and retry`,
      );
    // G3: the event commits with the change or not at all.
    await publish(
      tx,
      'catalog.product.updated',
      id,
      productUpdatedEvent(current, changedFieldNames(changes)),
    );
    return current;
  });
  // Right after the commit: this process never shows the catalog as it was before it.
  deps.cache.clear();
  ctx.logger.info(
    { productId: id, fields: Object.keys(changes), version: updated.version, actor: actorId(ctx) },
    'product updated',
  );
  return updated;
}

/** Field names as the API spells them (`category`, not the internal `categorySlug`). */
const changedFieldNames = (changes: object): string[] =>
  Object.keys(changes).map((field) => (field === 'categorySlug' ? 'category' : field));

async function categoryId(tx: Parameters<typeof repo.findCategoryBySlug>[0], slug: string): Promise<string> {
  const category = await repo.findCategoryBySlug(tx, slug);
  if (!category)
    throw validationFailed('The change is not valid; see errors for each field.', [
      { path: 'category', message: `unknown category ${JSON.stringify(slug)}` },
    ]);
  return category.id;
}
