import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../src/edge/index.ts';
import { storefrontRoutes } from '../src/web/storefront.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'gateway', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const dir = mkdtempSync(join(tmpdir(), 'gm-web-dist-'));
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The gateway's order: security headers on everything, an API route, then the app. */
function app() {
  const a = createApp({ config: { APP_ID: 'gateway' }, logger });
  a.use(securityHeaders({ hsts: false }));
  a.get('/api/ping', (_req, res) => void res.json({ ok: true }));
  const web = storefrontRoutes(dir, logger);
  if (web) a.use(web);
  return finalizeApp(a, logger);
}

describe('storefront serving', () => {
  it('answers / and the app’s own paths with index.html under the pages’ CSP', async () => {
    for (const path of ['/', '/products/prd_000001', '/admin/orders']) {
      const res = await request(app()).get(path).set('accept', 'text/html');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<div id="root">');
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
    }
  });

  it('serves hashed assets for a year, and a missing asset is a 404, not the page', async () => {
    const asset = await request(app()).get('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await request(app()).get('/assets/gone.js')).status).toBe(404);
  });

  it('leaves /api alone: its JSON CSP, and an unknown API path is a problem+json 404', async () => {
    const ping = await request(app()).get('/api/ping');
    expect(ping.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    const unknown = await request(app()).get('/api/nothing').set('accept', 'text/html');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(unknown.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });

  it('is not mounted when the app has not been built', () => {
    expect(storefrontRoutes(join(dir, 'nowhere'), logger)).toBeUndefined();
  });
});
