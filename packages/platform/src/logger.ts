import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { BaseConfig } from './config.ts';

export type Logger = PinoLogger;

const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'dapr-api-token', 'x-api-key'];

/** Paths censored in every log line: header objects at the top or up to two levels down (req.headers, ...). */
export const REDACT_PATHS = SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`, `*.*.headers["${h}"]`]);

/** The active OpenTelemetry span's ids, so a log line joins its trace (W3C context continues from Dapr). */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const ctx = trace.getActiveSpan()?.spanContext();
  if (!ctx || !isSpanContextValid(ctx)) return {};
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}

/**
 * JSON logger with { service: APP_ID } on every line. Default destination: stdout through pino's sonic-boom,
 * asynchronously: a line is handed to the kernel as soon as the previous write is done, and lines that arrive
 * meanwhile go out together in one write (under load one syscall carries many request lines; a synchronous write per
 * line was a visible share of every request in the browse profile). Order is kept, and pino flushes what is pending
 * synchronously on process exit, so the last lines before process.exit (shutdown, fatal startup errors) still arrive.
 * `destination` is for tests.
 */
export function createLogger(config: Pick<BaseConfig, 'APP_ID' | 'LOG_LEVEL'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.LOG_LEVEL,
    base: { service: config.APP_ID },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: traceFields,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
  };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
