// The storefront and admin console (services/web, a Vite-built single-page app) served on the API's origin, so the
// browser needs no CORS and the access token never leaves https://<host>/. Static files from the build folder, with
// long caching for Vite's content-hashed assets; every other non-/api GET gets index.html (the app routes itself).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { notFound, type Logger } from '@globalmart/platform';
import express, { Router } from 'express';
import helmet from 'helmet';
import { WEB_CONTENT_SECURITY_POLICY } from '../edge/security-headers.ts';

/** services/web/dist beside this service's folder (the layout of the repository and of the gateway image). */
export const defaultWebDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

const isApi = (path: string) => path === '/api' || path.startsWith('/api/');

/** The SPA's router, or undefined (logged) when the app has not been built into `dir`. */
export function storefrontRoutes(dir: string, logger: Logger): Router | undefined {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    logger.warn({ dir }, 'no storefront build: serving the API only (npm start builds services/web)');
    return undefined;
  }
  const router = Router();
  // The pages may run the app's own scripts and styles and call the API on this origin, nothing else.
  const csp = helmet.contentSecurityPolicy({ useDefaults: false, directives: WEB_CONTENT_SECURITY_POLICY });
  router.use((req, res, next) => (isApi(req.path) ? next() : csp(req, res, next)));
  router.use('/assets', express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false }), () => {
    // An asset of another build (a page open across a deploy): a 404, not index.html in its place.
    throw notFound('WEB.ASSET_NOT_FOUND', 'No such asset: reload the page.');
  });
  router.use(express.static(dir, { index: false, maxAge: 0 }));
  router.get(/.*/, (req, res, next) => {
    if (isApi(req.path) || !req.accepts('html')) return next();
    res.set('cache-control', 'no-cache').sendFile(index);
  });
  return router;
}
