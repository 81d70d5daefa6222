// The oracle alone: which answers fail a fuzz run, which are the sidecar's own, which are deliberate degradation.
import { describe, expect, it } from 'vitest';
import type { FuzzCase } from './cases.ts';
import { judge } from './oracle.ts';
import type { Answer } from './send.ts';

const publicCase: FuzzCase = {
  index: 0,
  strategy: 'valid',
  op: 'GET /api/me',
  app: 'gateway',
  method: 'GET',
  target: '/api/me',
  headers: [],
  note: '',
};
const internalCase: FuzzCase = { ...publicCase, op: 'GET /users/{id}', app: 'identity', via: 'gateway', target: '/users/x' };
const answer = (status: number, type: string, body: unknown): Answer => ({
  status,
  headers: { 'content-type': type },
  body: typeof body === 'string' ? body : JSON.stringify(body),
  ms: 1,
});
const problem = (status: number, extra: Record<string, unknown> = {}) =>
  answer(status, 'application/problem+json; charset=utf-8', { type: 'about:blank', title: 'x', status, code: 'X.Y', ...extra });

describe('fuzz oracle', () => {
  it('passes 2xx and well-formed problems', () => {
    expect(judge(publicCase, answer(200, 'application/json', {}))).toEqual({ ok: true, kind: 'ok' });
    expect(judge(publicCase, problem(404))).toEqual({ ok: true, kind: 'ok' });
    const invalid = problem(400, { code: 'REQUEST.INVALID', errors: [{ field: 'email', message: 'Required' }] });
    expect(judge(publicCase, invalid)).toEqual({ ok: true, kind: 'ok' });
  });

  it('fails a 5xx, a 4xx that is not problem+json, a problem missing members, and no answer', () => {
    expect(judge(publicCase, problem(500))).toMatchObject({ ok: false, kind: '5xx' });
    expect(judge(publicCase, answer(431, '', ''))).toMatchObject({ ok: false, kind: 'not-problem' });
    expect(judge(publicCase, answer(400, 'application/problem+json', { type: 'about:blank', title: 'x', status: 400 }))).toMatchObject({
      ok: false,
      kind: 'bad-problem',
    });
    expect(judge(publicCase, problem(400, { status: 200 }))).toMatchObject({ ok: false, kind: 'bad-problem' });
    expect(judge(publicCase, problem(400, { code: 'REQUEST.INVALID' }))).toMatchObject({ ok: false, kind: 'bad-problem' });
    expect(judge(publicCase, problem(400, { errors: [{ message: 'no field' }] }))).toMatchObject({ ok: false, kind: 'bad-problem' });
    expect(judge(publicCase, { error: 'ECONNRESET: read ECONNRESET', ms: 1 })).toMatchObject({ ok: false, kind: 'no-answer' });
  });

  it("sets daprd's own answers apart, only on invocations", () => {
    const denied = answer(403, 'application/json', { errorCode: 'ERR_PERMISSION_DENIED', message: 'denied' });
    expect(judge(internalCase, denied)).toEqual({ ok: true, kind: 'sidecar' });
    expect(judge(publicCase, denied)).toMatchObject({ ok: false, kind: 'not-problem' });
    expect(judge(internalCase, answer(400, 'text/plain; charset=utf-8', '400 Bad Request'))).toEqual({ ok: true, kind: 'sidecar' });
    const nul = answer(500, 'application/json', {
      errorCode: 'ERR_DIRECT_INVOKE',
      message: 'rpc error: code = InvalidArgument desc = invalid method: method contains forbidden character',
    });
    expect(judge(internalCase, nul)).toEqual({ ok: true, kind: 'sidecar-refused' });
    const timeout = answer(500, 'application/json', { errorCode: 'ERR_DIRECT_INVOKE', message: 'context deadline exceeded' });
    expect(judge(internalCase, timeout)).toMatchObject({ ok: false, kind: '5xx' });
  });

  it('reports deliberate degradation apart: an open breaker, a retryable 503', () => {
    const open = answer(500, 'application/json', { errorCode: 'ERR_DIRECT_INVOKE', message: 'circuit breaker is open' });
    expect(judge(internalCase, open)).toMatchObject({ ok: true, kind: 'degraded' });
    expect(judge(internalCase, problem(503, { retryable: true }))).toMatchObject({ ok: true, kind: 'degraded' });
    expect(judge(internalCase, problem(503))).toMatchObject({ ok: false, kind: '5xx' });
  });

  it('reports a documented 503 *.NOT_CONFIGURED (an optional backend not deployed) as degradation, nothing else', () => {
    expect(judge(internalCase, problem(503, { code: 'TRACING.NOT_CONFIGURED' }))).toMatchObject({ ok: true, kind: 'degraded' });
    expect(judge(internalCase, problem(500, { code: 'TRACING.NOT_CONFIGURED' }))).toMatchObject({ ok: false, kind: '5xx' });
    expect(judge(internalCase, problem(503, { code: 'TRACING.UNAVAILABLE' }))).toMatchObject({ ok: false, kind: '5xx' });
  });
});
