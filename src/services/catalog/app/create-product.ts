import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, conflict, validationFailed } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import { publish } from '../../../platform/outbox/outbox.publisher.js';
import type { NewProduct, Product } from '../contract/client.js';
import { catalogRepository as repo } from '../data/catalog.repository.js';
import { validateNewProduct } from '../domain/product.js';
import type { CatalogDeps } from './deps.js';
import { productCreatedEvent } from './product-events.js';

/**
 * Creates a product in one transaction together with its `catalog.product.created` outbox row.
 * A taken sku is `409 sku_taken`; an unknown category names the field.
 */
export async function createProduct(ctx: Ctx, deps: CatalogDeps, input: NewProduct): Promise<Product> {
  const product = validateNewProduct(input);
  const created = await deps.db.transaction().execute(async (tx) => {
    let categoryId: string | null = null;
    if (product.categorySlug !== null) {
      const category = await repo.findCategoryBySlug(tx, product.categorySlug);
      if (!category)
        throw validationFailed('The product is not valid; see errors for each field.', [
          { path: 'category', message: `unknown category ${JSON.stringify(product.categorySlug)}` },
        ]);
      categoryId = category.id;
    }
    const id = newId();
    const inserted = await repo.insertProduct(tx, { id, ...product, categoryId, now: deps.clock.now() });
    if (!inserted) throw conflict(`A product with sku ${product.sku} already exists`, 'sku_taken');
    const row = await repo.findProduct(tx, id);
    if (!row)
      throw new AppError('internal', 'internal_error', `Product ${id} vanished inside its own transaction`);
    // G3: the event commits with the product or not at all.
    await publish(tx, 'catalog.product.created', row.id, productCreatedEvent(row));
    return row;
  });
  // Right after the commit: this process never shows the catalog as it was before it.
  deps.cache.clear();
  ctx.logger.info({ productId: created.id, sku: created.sku, actor: actorId(ctx) }, 'product created');
  return created;
}
