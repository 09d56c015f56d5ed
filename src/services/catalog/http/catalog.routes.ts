import { requestCtx } from '../../../platform/context.js';
import { validationFailed } from '../../../platform/errors/app-error.js';
import { withBodyFieldPaths } from '../../../platform/http/errors.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import { createCategory } from '../app/create-category.js';
import { createProduct } from '../app/create-product.js';
import type { CatalogDeps } from '../app/deps.js';
import { getProduct, listProducts, listProductsByIds } from '../app/list-products.js';
import { toProductViews } from '../app/product-view.js';
import { updateProduct } from '../app/update-product.js';
import { catalogRepository } from '../data/catalog.repository.js';
import {
  categoryListSchema,
  categorySchema,
  createCategoryBody,
  createProductBody,
  productGetQuery,
  productListQuery,
  productPageSchema,
  productParams,
  productSchema,
  updateProductBody,
} from './catalog.schemas.js';

const tags = ['catalog'];
const WRITE = 'catalog:write';

export function registerCatalogRoutes(app: HttpApp, deps: CatalogDeps): void {
  app.get(
    '/products',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'List, search or bulk-get active products',
        description: 'Newest first, cursor-paginated. Price and availability come in the requested currency.',
        querystring: productListQuery,
        response: { 200: productPageSchema },
      },
    },
    async (request) => {
      const { ids, q, category, cursor, limit, currency } = request.query;
      const ctx = requestCtx(request);
      if (ids !== undefined) {
        if (q !== undefined || category !== undefined || cursor !== undefined)
          throw validationFailed('ids is a bulk get and cannot be combined with q, category or cursor', [
            { path: 'querystring.ids', message: 'cannot be combined with q, category or cursor' },
          ]);
        return listProductsByIds(ctx, deps, ids, currency);
      }
      return listProducts(ctx, deps, { q, category, afterId: cursor, limit, currency });
    },
  );

  app.get(
    '/products/:id',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Get a product with its price and availability',
        params: productParams,
        querystring: productGetQuery,
        response: { 200: productSchema },
      },
    },
    async (request) => getProduct(requestCtx(request), deps, request.params.id, request.query.currency),
  );

  app.get(
    '/categories',
    {
      config: { access: access.public() },
      schema: { tags, summary: 'List all categories', response: { 200: categoryListSchema } },
    },
    async () => ({ items: await catalogRepository.listCategories(deps.db) }),
  );

  app.post(
    '/admin/products',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        summary: 'Create a product',
        description: 'A taken sku is 409 sku_taken; an unknown category is 400 validation_failed.',
        security: [{ bearer: [] }],
        body: createProductBody,
        response: { 201: productSchema },
      },
    },
    async (request, reply) => {
      const product = await withBodyFieldPaths(() => createProduct(requestCtx(request), deps, request.body));
      // Admin responses show the product as the storefront does, in the default currency.
      const [view] = await toProductViews(deps, [product], 'USD');
      return reply.status(201).header('location', `${app.prefix}/products/${product.id}`).send(view!);
    },
  );

  app.patch(
    '/admin/products/:id',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        summary: 'Change a product (sku is immutable)',
        description: 'With version, a stale version is 409 conflict and nothing changes.',
        security: [{ bearer: [] }],
        params: productParams,
        body: updateProductBody,
        response: { 200: productSchema },
      },
    },
    async (request) => {
      const product = await withBodyFieldPaths(() =>
        updateProduct(requestCtx(request), deps, request.params.id, request.body),
      );
      const [view] = await toProductViews(deps, [product], 'USD');
      return view!;
    },
  );

  app.post(
    '/admin/categories',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        summary: 'Create a category',
        description: 'A taken slug is 409 slug_taken; an unknown parent is 400 validation_failed.',
        security: [{ bearer: [] }],
        body: createCategoryBody,
        response: { 201: categorySchema },
      },
    },
    async (request, reply) => {
      const category = await withBodyFieldPaths(() =>
        createCategory(requestCtx(request), deps, request.body),
      );
      return reply.status(201).send(category);
    },
  );
}
