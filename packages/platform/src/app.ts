import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
// req.log's type (the augmentation of IncomingMessage); the middleware itself is requestLog below.
import type {} from 'pino-http';
import { requireAppToken } from './app-token.middleware.ts';
import { enforceCallers } from './caller.ts';
import type { BaseConfig } from './config.ts';
import { AppError } from './errors.ts';
import { healthRoutes } from './health.routes.ts';
import type { Logger } from './logger.ts';
import { errorHandler, notFoundHandler } from './problem.ts';
import { cacheLookupMetrics } from './metrics.ts';
import { Readiness } from './readiness.ts';

export interface AppOptions {
  /** APP_ID turns on the per-route caller allow-list (createService always passes it; unit tests of routes may not). */
  config: Partial<Pick<BaseConfig, 'APP_API_TOKEN' | 'APP_ID'>>;
  logger: Logger;
  /** The checks behind /readyz; createService adds 'sidecar' (and 'mongo') to it. */
  readiness?: Readiness;
  /** express.json limit; default '100kb'. */
  jsonLimit?: string | number;
  /** /healthz stays 503 until /readyz has passed once (a gateway is of no use before what it fronts answers). */
  livenessAwaitsReadiness?: boolean;
  /** Paths whose successful requests are logged at debug, not info (e.g. a job's trigger every second); `/x/*` is a prefix. */
  quietPaths?: string[];
  /**
   * Runs before everything but the request log: probes, tokens and body parsing included, so what it does (the
   * gateway's security headers and rate limits) applies to every answer, and a flood is refused before a body is read.
   */
  edge?: RequestHandler;
}

// application/*+json admits application/cloudevents+json: that is how Dapr delivers pub/sub events.
const JSON_TYPES = ['application/json', 'application/*+json'];
// Health probes, and daprd's discovery calls at start (answered 404 by apps without actors or subscriptions).
const PROBES = new Set(['/healthz', '/readyz', '/dapr/config', '/dapr/subscribe']);
const isProbe = (req: IncomingMessage) => PROBES.has((req.url ?? '').split('?')[0] ?? '');

// express.json skips bodies of other types silently (req.body stays undefined); say 415 instead.
// A chunked request without a content type is a body-less call as daprd forwards it (e.g. POST .../commit), not
// a body of the wrong type: only a declared non-JSON type, or a sized body without a type, is refused.
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const typed = req.headers['content-type'] !== undefined;
  const hasBody = (typed && req.headers['transfer-encoding'] !== undefined) || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is(JSON_TYPES)) {
    return next(new AppError(415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.'));
  }
  next();
};

/** An exact path, or a prefix when the entry ends in `*` (`/job/*`). */
const isQuiet = (quiet: readonly string[], path: string) =>
  quiet.some((q) => (q.endsWith('*') ? path.startsWith(q.slice(0, -1)) : path === q));

const levelFor = (quiet: readonly string[], path: string, status: number, failed: boolean) =>
  failed || status >= 500 ? 'error' : status >= 400 ? 'warn' : isQuiet(quiet, path) ? 'debug' : 'info';

/**
 * One short line per request when it ends, probes skipped: { req: { id, method, url }, caller, res: { statusCode },
 * responseTime }, "request completed" ("request errored" from 500 on), at info, warn from 400, error from 500, debug
 * on quiet paths; `caller` is the app-id Dapr stamps on service invocations (absent for direct calls). It is the line
 * pino-http wrote, without pino-http's per-request cost (the browse profile: two child loggers, each serialised and
 * redacted, and a third redaction pass for the line, every request): the line is built from named fields only, none of
 * which can hold a secret header, so it is written past the redaction; anything else (req.log, used by the error
 * handler) is the redacting logger, made only when used.
 */
function requestLog(logger: Logger, quiet: readonly string[]): RequestHandler {
  const lines = logger.child({}, { redact: [] });
  return (req, res, next) => {
    const id = requestId(req, res);
    const request = { id, method: req.method, url: req.originalUrl };
    let child: Logger | undefined;
    req.id = id;
    Object.defineProperty(req, 'log', {
      configurable: true,
      get: () => (child ??= logger.child({ req: request })),
      set: (value: Logger) => void (child = value),
    });
    if (isProbe(req)) return next();
    const started = Date.now();
    const caller = req.headers['dapr-caller-app-id'];
    let done = false;
    const finished = (err?: Error) => {
      if (done) return;
      done = true;
      const path = (req.originalUrl ?? '').split('?')[0] ?? '';
      const level = levelFor(quiet, path, res.statusCode, err !== undefined);
      if (!logger.isLevelEnabled(level)) return;
      const line = { req: request, caller, res: { statusCode: res.statusCode }, responseTime: Date.now() - started };
      if (level === 'error') logger[level]({ ...line, ...(err ? { err } : {}) }, 'request errored');
      else lines[level](line, 'request completed');
    };
    res.once('finish', () => finished());
    res.once('close', () => finished());
    res.once('error', (err: Error) => finished(err));
    next();
  };
}

/** Keeps a caller's x-request-id (bounded) or makes one, and echoes it on the response. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/**
 * The Express 5 app every service starts from: request logs (probes skipped), the app API token check,
 * /healthz + /readyz, JSON bodies. Add routes to it, then call finalizeApp (createService's start() does).
 */
export function createApp({
  config,
  logger,
  readiness = new Readiness(),
  jsonLimit = '100kb',
  livenessAwaitsReadiness = false,
  quietPaths = [],
  edge,
}: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(logger, quietPaths));
  if (edge) app.use(edge);
  if (config.APP_ID) app.use(cacheLookupMetrics(config.APP_ID));
  // Probes come first so they are exempt from the token: kubelet probes do not carry Dapr's token.
  app.use(healthRoutes(readiness, logger, { livenessAwaitsReadiness }));
  if (config.APP_API_TOKEN) app.use(requireAppToken(config.APP_API_TOKEN));
  // Which app may invoke which route: the table in @globalmart/contracts, checked again here behind the sidecar's policy.
  if (config.APP_ID) app.use(enforceCallers(config.APP_ID));
  app.use(requireJsonBody);
  app.use(express.json({ limit: jsonLimit, type: JSON_TYPES }));
  return app;
}

const finalized = new WeakSet<Express>();

/** Adds the 404 and problem+json error handlers after the service's routes. Idempotent. */
export function finalizeApp(app: Express, logger: Logger): Express {
  if (finalized.has(app)) return app;
  finalized.add(app);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
