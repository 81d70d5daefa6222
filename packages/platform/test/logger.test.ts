import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT, trace, TraceFlags, type Context, type ContextManager } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from './helpers.ts';

describe('logger', () => {
  it('writes JSON with the service name and a string level', () => {
    const { logger, lines } = captureLogger();
    logger.info({ order_id: 'o-1' }, 'order placed');
    expect(lines[0]).toMatchObject({ level: 'info', service: 'test-svc', order_id: 'o-1', msg: 'order placed' });
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('redacts secret headers wherever they appear', () => {
    const { logger, lines } = captureLogger();
    const headers = { authorization: 'Bearer t0k', cookie: 'sid=abc', 'dapr-api-token': 'dt', accept: 'json' };
    logger.info({ headers, req: { headers }, upstream: { res: { headers: { 'set-cookie': 'sid=x' } } } }, 'x');
    const text = JSON.stringify(lines[0]);
    for (const secret of ['t0k', 'sid=abc', '"dt"', 'sid=x']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ headers: { accept: 'json', authorization: '[Redacted]' } });
  });

  describe('inside an active span', () => {
    // The SDK's context manager is exercised end to end in telemetry.test.ts; here a minimal one will do.
    const store = new AsyncLocalStorage<Context>();
    const manager: ContextManager = {
      active: () => store.getStore() ?? ROOT_CONTEXT,
      with: (ctx, fn, thisArg, ...args) => store.run(ctx, () => fn.call(thisArg, ...args)),
      bind: (_ctx, target) => target,
      enable: () => manager,
      disable: () => manager,
    };
    beforeAll(() => void context.setGlobalContextManager(manager));
    afterAll(() => {
      context.disable();
    });

    it('adds trace_id and span_id', () => {
      const { logger, lines } = captureLogger();
      const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
      context.with(trace.setSpanContext(context.active(), spanContext), () => logger.info('in span'));
      expect(lines[0]).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId });
    });
  });
});
