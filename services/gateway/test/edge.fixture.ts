// A gateway app with its real edge (trust proxy, security headers, rate limits) and identity routes, over a fake
// identity: what the edge tests drive with supertest.
import { ConfigError, createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { MemoryInvoker } from '@globalmart/platform/testing';
import { createAuth } from '../src/auth/index.ts';
import { gatewayConfigShape, type GatewayConfig } from '../src/config.ts';
import { installEdge, type RateLimitStore } from '../src/edge/index.ts';
import { identityRoutes } from '../src/routes/identity.routes.ts';

export const logger = createLogger(loadConfig({}, { APP_ID: 'gateway', APP_PORT: '0', LOG_LEVEL: 'silent' }));
export const PASSWORD = 'Analytical-Engine-1843';

export function gatewayConfig(env: Record<string, string> = {}): GatewayConfig {
  return loadConfig(gatewayConfigShape, { APP_ID: 'gateway', APP_PORT: '0', ...env });
}

/** The variables a ConfigError names for `env`, or [] when it loads. */
export function configErrors(env: Record<string, string>): string[] {
  try {
    gatewayConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.variables;
    throw err;
  }
}

/** Identity as the gateway sees it: an email signs up once, every password but PASSWORD is wrong; `sessions` may be replaced. */
export function fakeIdentity(): MemoryInvoker {
  const emails = new Set<string>();
  return new MemoryInvoker()
    .on(
      'identity',
      'users',
      ({ body }) => {
        const email = (body as { email: string }).email.toLowerCase();
        if (emails.has(email))
          return { status: 409, body: { type: 'about:blank', title: 'Conflict', status: 409, code: 'IDENTITY.EMAIL_TAKEN' } };
        emails.add(email);
        return { status: 201, body: { user_id: 'usr_0123456789abcdef01234567' } };
      },
      'POST',
    )
    .on('identity', 'sessions', ({ body }) =>
      (body as { password: string }).password === PASSWORD
        ? { body: { access_token: 'x.y.z', token_type: 'Bearer', expires_in: 900 } }
        : { status: 401, body: { type: 'about:blank', title: 'Unauthorized', status: 401, code: 'AUTH.INVALID_CREDENTIALS' } },
    );
}

export function edgeApp(env: Record<string, string> = {}, opts: { invoker?: MemoryInvoker; store?: RateLimitStore } = {}) {
  const invoker = opts.invoker ?? fakeIdentity();
  const app = createApp({ config: {}, logger });
  const edge = installEdge(app, gatewayConfig(env), logger, opts.store);
  const auth = createAuth({ invoker, logger });
  app.use(auth.authenticate);
  app.use(identityRoutes(invoker, auth, edge.auth));
  // Stands for every other /api route.
  app.get('/api/ping', (_req, res) => void res.json({ pong: true }));
  finalizeApp(app, logger);
  return { app, edge, invoker };
}
