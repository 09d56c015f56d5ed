import { actorId, type Ctx } from '../../../platform/context.js';
import { conflict, validationFailed } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import type { Category } from '../contract/client.js';
import { catalogRepository as repo } from '../data/catalog.repository.js';
import { validateNewCategory } from '../domain/category.js';
import type { CatalogDeps } from './deps.js';

/** Creates a category under an optional parent (by slug); a taken slug is `409 slug_taken`. */
export async function createCategory(
  ctx: Ctx,
  deps: CatalogDeps,
  input: { slug: string; name: string; parent?: string | undefined },
): Promise<Category> {
  const category = validateNewCategory(input);
  const created = await deps.db.transaction().execute(async (tx) => {
    let parentId: string | null = null;
    if (category.parentSlug !== null) {
      const parent = await repo.findCategoryBySlug(tx, category.parentSlug);
      if (!parent)
        throw validationFailed('The category is not valid; see errors for each field.', [
          { path: 'parent', message: `unknown category ${JSON.stringify(category.parentSlug)}` },
        ]);
      parentId = parent.id;
    }
    const row = await repo.insertCategory(tx, {
      id: newId(),
      slug: category.slug,
      name: category.name,
      parentId,
      now: deps.clock.now(),
    });
    if (!row) throw conflict(`A category with slug ${category.slug} already exists`, 'slug_taken');
    return { id: row.id, slug: row.slug, name: row.name, parent: category.parentSlug };
  });
  // Right after the commit: this process never shows the catalog as it was before it.
  deps.cache.clear();
  ctx.logger.info({ categoryId: created.id, slug: created.slug, actor: actorId(ctx) }, 'category created');
  return created;
}
