import type { Express, RequestHandler } from 'express';
import { createApp, finalizeApp } from '../src/app.ts';
import { loadConfig, type BaseConfig } from '../src/config.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import type { Readiness } from '../src/readiness.ts';

/** A logger whose JSON lines land in `lines`, so tests can assert on what was (not) logged. */
export function captureLogger(level: BaseConfig['LOG_LEVEL'] = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    { APP_ID: 'test-svc', LOG_LEVEL: level },
    {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    },
  );
  return { logger, lines };
}

export interface TestAppOptions {
  env?: Record<string, string>;
  readiness?: Readiness;
  jsonLimit?: string;
  routes?: (app: Express) => void;
  livenessAwaitsReadiness?: boolean;
  quietPaths?: string[];
  edge?: RequestHandler;
}

/** createApp + the service's routes + finalizeApp, the order createService uses. */
export function testApp(options: TestAppOptions = {}) {
  const config = loadConfig({}, { APP_ID: 'test-svc', APP_PORT: '3000', ...options.env });
  const { logger, lines } = captureLogger();
  const app = createApp({
    config,
    logger,
    readiness: options.readiness,
    jsonLimit: options.jsonLimit,
    livenessAwaitsReadiness: options.livenessAwaitsReadiness,
    quietPaths: options.quietPaths,
    edge: options.edge,
  });
  options.routes?.(app);
  finalizeApp(app, logger);
  return { app, lines };
}
