import type { RequestHandler } from 'express';
import helmet from 'helmet';

type CspDirectives = Record<string, string[]>;

/**
 * The one place the Content-Security-Policy is decided. The gateway answers JSON only: nothing may be loaded or
 * run from its answers, and no page may frame them. When the gateway serves the storefront SPA, widen it here.
 */
export const API_CONTENT_SECURITY_POLICY: CspDirectives = {
  'default-src': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * The storefront's pages (served beside the API, web/storefront.ts): the app's own scripts, styles, images and API
 * calls on this origin; no inline script, no eval, no plug-ins, no framing. Placeholder images are inline SVG.
 */
export const WEB_CONTENT_SECURITY_POLICY: CspDirectives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

export interface SecurityHeadersOptions {
  /** Strict-Transport-Security: only behind TLS (HSTS=on). */
  hsts: boolean;
  contentSecurityPolicy?: CspDirectives;
}

/**
 * Helmet with its defaults (nosniff, no X-Powered-By, Cross-Origin-*-Policy, X-XSS-Protection: 0, ...) except: our
 * CSP without helmet's page-oriented defaults, no referrer at all, framing denied, and HSTS only when asked for.
 */
export function securityHeaders({ hsts, contentSecurityPolicy = API_CONTENT_SECURITY_POLICY }: SecurityHeadersOptions): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}
