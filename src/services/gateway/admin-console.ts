import { existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors/app-error.js';
import type { HttpApp } from '../../platform/http/types.js';
import { access } from '../../platform/security/access.js';

export const ADMIN_PREFIX = '/admin';

/** admin/dist at the repository (or image) root: three levels up from src/ and from dist/ alike. */
export const ADMIN_DIST = fileURLToPath(new URL('../../../admin/dist/', import.meta.url));

/** Vite names every built asset by its content hash: a changed file has a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * The admin console (admin/, a single-page app using only the public API) at /admin: hashed
 * assets cached for a year, index.html revalidated on every load, and any other path under /admin
 * answered with index.html so a deep link (/admin/orders/…) opens the screen it names. A path
 * that looks like a file (an extension) and does not exist is a 404, not the page.
 */
export async function registerAdminConsole(app: HttpApp, root = ADMIN_DIST): Promise<void> {
  await app.register(fastifyStatic, { root, serve: false });
  const built = existsSync(join(root, 'index.html'));

  const handler = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    if (!built)
      throw new AppError(
        'unavailable',
        'admin_console_not_built',
        'The admin console is not built: `npm start` builds it, or run `node scripts/build-admin.mjs`',
      );
    const path = normalize(`/${request.params['*'] ?? ''}`).slice(1);
    if (path.startsWith('..'))
      throw new AppError('not_found', 'not_found', 'No such file in the admin console');
    if (path !== '' && isFile(join(root, path))) {
      reply.header('cache-control', path.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
      return reply.sendFile(path, { cacheControl: false });
    }
    if (/\.[a-z0-9]+$/i.test(path))
      throw new AppError('not_found', 'not_found', `No such file in the admin console: ${path}`);
    reply.header('cache-control', REVALIDATE);
    return reply.type('text/html; charset=utf-8').sendFile('index.html', { cacheControl: false });
  };
  const config = { access: access.public() };
  app.get(ADMIN_PREFIX, { config, schema: { hide: true } }, handler);
  app.get(`${ADMIN_PREFIX}/*`, { config, schema: { hide: true } }, handler);
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
