// What a fuzzed answer must be: never a 5xx, never no answer at all, and every 4xx an application/problem+json body
// of the kit's shape (type, title, status equal to the HTTP status, a code; errors[].field/message when present).
import { bodyLength, type FuzzCase } from './cases.ts';
import { isAnswer, type Answer, type NoAnswer } from './send.ts';

export type Verdict =
  | { ok: true; kind: 'ok' | 'sidecar' | 'sidecar-refused' }
  | { ok: true; kind: 'degraded'; why: string }
  | { ok: false; kind: '5xx' | 'not-problem' | 'bad-problem' | 'no-answer'; why: string };

const PROBLEM = /^application\/problem\+json\b/i;

const header = (a: Answer, name: string): string => {
  const v = a.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};

/**
 * daprd answers some invocations itself, before the target app sees them: in its own JSON (`errorCode`, `message`)
 * when its accessControl denies a caller, or as Go's net/http plain text when its HTTP parser refuses the request
 * (`400 Bad Request` for a bad %-escape, `431` past its 4 KiB read buffer). Those are the sidecar's contract, not the kit's.
 */
function fromSidecar(c: FuzzCase, r: Answer, body: unknown): boolean {
  if (c.via === undefined) return false;
  if (typeof body === 'object' && body !== null && typeof (body as { errorCode?: unknown }).errorCode === 'string') return true;
  return /^text\/plain/.test(header(r, 'content-type')) && /^\d{3} [A-Za-z ]+$/.test(r.body.trim());
}

/**
 * daprd 1.18 answers 500 ERR_DIRECT_INVOKE (not 400 / 413) to what it refuses itself before any app is called: a body
 * over its 4 MiB max-body-size ("stream too large"), and method paths it cannot carry once it has %-decoded them: a
 * control character (`%00`), bytes that are not UTF-8 (`%c0%ae`, an encoded lone surrogate: gRPC strings must be
 * UTF-8), a `%` (`%25` decoded, then re-parsed as the app's URL). No service of ours builds such a path (they encode
 * ids their schemas have validated). Counted apart and reported, not a failure of the platform's code; so is a
 * connection daprd resets while a body over its limit is still being written.
 */
const sidecarRefusal =
  /ERR_DIRECT_INVOKE.*(InvalidArgument.*(forbidden|control) character|stream too large|invalid UTF-8|invalid URL escape)/s;

/**
 * Deliberate degradation, not a defect of the request's handling: the payment provider's circuit breaker is open
 * (dapr-config/resiliency.yaml; Dapr 1.18 counts 4xx answers as failures, so the fuzz's own invalid calls to psp trip
 * it), or a service says so itself with a documented 503 marked retryable, or a documented 503 `*.NOT_CONFIGURED` for an
 * optional backend this deployment does not run (the admin trace look-up without a trace backend: the fuzz platform
 * runs no Jaeger). Reported apart, with the case to look at.
 */
function degradation(r: Answer, body: unknown): string | undefined {
  if (/circuit breaker is open/.test(r.body)) return 'circuit breaker open';
  const p = body as { retryable?: unknown; code?: unknown } | undefined;
  if (r.status === 503 && p?.retryable === true && typeof p.code === 'string') return `503 ${p.code} (retryable)`;
  if (r.status === 503 && typeof p?.code === 'string' && p.code.endsWith('.NOT_CONFIGURED')) return `503 ${p.code} (not configured)`;
  return undefined;
}

/**
 * daprd may answer before it has read a large body and close the connection while the rest is still being written:
 * past its max-body-size (4 MiB), and also when it refuses the call outright (an open circuit breaker answers at
 * once). The sender then sees ECONNRESET/EPIPE instead of the answer; seen for a 2.2 MB body to psp with its breaker
 * open. Only for calls through a sidecar, and only for bodies too large to be written in one go.
 */
const DAPR_EARLY_ANSWER_BODY = 1024 * 1024;

export function judge(c: FuzzCase, r: Answer | NoAnswer): Verdict {
  if (!isAnswer(r)) {
    const refusedBody = c.via !== undefined && bodyLength(c.body) > DAPR_EARLY_ANSWER_BODY && /^(ECONNRESET|EPIPE)/.test(r.error);
    return refusedBody ? { ok: true, kind: 'sidecar-refused' } : { ok: false, kind: 'no-answer', why: r.error };
  }
  let body: unknown;
  try {
    body = r.body ? JSON.parse(r.body) : undefined;
  } catch {
    body = undefined;
  }
  if (r.status >= 500 && c.via !== undefined && sidecarRefusal.test(r.body)) return { ok: true, kind: 'sidecar-refused' };
  const degraded = r.status >= 500 ? degradation(r, body) : undefined;
  if (degraded) return { ok: true, kind: 'degraded', why: degraded };
  if (r.status >= 500) {
    const b = body as { code?: unknown; errorCode?: unknown } | undefined;
    const code = b?.code ?? b?.errorCode;
    return { ok: false, kind: '5xx', why: `${r.status}${code ? ` ${String(code)}` : ''}` };
  }
  if (r.status < 400) return { ok: true, kind: 'ok' };
  if (fromSidecar(c, r, body)) return { ok: true, kind: 'sidecar' };
  // A HEAD answer has no body to check; the others must carry the problem.
  if (c.method === 'HEAD') return { ok: true, kind: 'ok' };
  const type = header(r, 'content-type');
  if (!PROBLEM.test(type)) return { ok: false, kind: 'not-problem', why: `${r.status} with content-type "${type}"` };
  const p = body as Record<string, unknown> | undefined;
  if (!p || typeof p !== 'object') return { ok: false, kind: 'bad-problem', why: `${r.status}: body is not a JSON object` };
  const missing = ['type', 'title', 'code'].filter((k) => typeof p[k] !== 'string' || p[k] === '');
  if (missing.length) return { ok: false, kind: 'bad-problem', why: `${r.status}: no ${missing.join(', ')}` };
  if (p.status !== r.status) return { ok: false, kind: 'bad-problem', why: `${r.status}: body status ${String(p.status)}` };
  if (p.errors !== undefined) {
    const errors = p.errors;
    const bad =
      !Array.isArray(errors) ||
      errors.length === 0 ||
      errors.some((e: { field?: unknown; message?: unknown }) => typeof e?.field !== 'string' || typeof e?.message !== 'string');
    if (bad) return { ok: false, kind: 'bad-problem', why: `${r.status} ${String(p.code)}: errors[] without field/message` };
  }
  // REQUEST.INVALID is the kit's code for a request its schema refused: it names what is wrong.
  if (p.code === 'REQUEST.INVALID' && p.errors === undefined) {
    return { ok: false, kind: 'bad-problem', why: `${r.status} REQUEST.INVALID without errors[]` };
  }
  return { ok: true, kind: 'ok' };
}
