import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_JSON, toFieldErrors, type ProblemDetails } from '@globalmart/contracts';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { InvokeError } from './dapr/ports.ts';
import type { Logger } from './logger.ts';

/** RFC 9457 body (the contracts' ProblemDetails) plus extension members: `code` names the error for clients. */
export type Problem = ProblemDetails & { code?: string; [extension: string]: unknown };

/** type about:blank: the status says it all, so the title is the status phrase (RFC 9457 §4.2.1). */
export function problem(status: number, fields: Partial<Problem> = {}): Problem {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, ...fields };
}

export function sendProblem(res: Response, body: Problem): void {
  res.status(body.status).type(PROBLEM_JSON).json(body);
}

// Path only: a query string may carry tokens or personal data.
const instanceOf = (req: Request) => req.originalUrl.split('?')[0];

// body-parser's `type` for the failures a client can cause; everything else about the body is a 500.
const BODY_ERRORS = new Map<string, [status: number, code: string, detail: string]>([
  ['entity.parse.failed', [400, 'REQUEST.MALFORMED_JSON', 'The request body is not valid JSON.']],
  ['entity.too.large', [413, 'REQUEST.TOO_LARGE', 'The request body is too large.']],
  ['parameters.too.many', [413, 'REQUEST.TOO_LARGE', 'The request body has too many parameters.']],
  ['encoding.unsupported', [415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 'The content encoding is not supported.']],
  ['charset.unsupported', [415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 'The charset is not supported.']],
  ['request.aborted', [400, 'REQUEST.ABORTED', 'The request was aborted.']],
  ['request.size.invalid', [400, 'REQUEST.SIZE_MISMATCH', 'The body length does not match Content-Length.']],
]);

interface HttpErrorLike {
  code?: unknown;
  errno?: unknown;
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
  message?: unknown;
}

const isProblem = (body: unknown): body is Problem =>
  typeof body === 'object' && body !== null && typeof (body as Problem).status === 'number';

/** Maps an error to the problem the client sees; `log` receives what operators must see instead. */
export function toProblem(err: unknown, req: Request, log: Logger): Problem {
  const instance = instanceOf(req);
  if (err instanceof z.ZodError) {
    return problem(400, { detail: 'The request is invalid.', code: 'REQUEST.INVALID', errors: toFieldErrors(err), instance });
  }
  if (err instanceof AppError) {
    if (err.status >= 500) log.warn({ err }, err.message);
    const core = problem(err.status, { code: err.code, instance, ...(err.detail ? { detail: err.detail } : {}) });
    return { ...err.details, ...core };
  }
  if (err instanceof InvokeError) {
    // A client error from a downstream service is the client's error here too: pass it through unchanged.
    if (err.status >= 400 && err.status < 500 && isProblem(err.body)) return err.body;
    if (err.status >= 400 && err.status < 500) return problem(err.status, { code: 'UPSTREAM.REJECTED', instance });
    log.warn({ err, appId: err.appId, status: err.status }, 'downstream call failed');
    return problem(502, { code: 'UPSTREAM.FAILED', detail: 'A service this request depends on failed.', instance });
  }
  // Express' router marks a path parameter that is not valid percent-encoding (`/products/%`, an encoded lone
  // surrogate) as status 400 on a plain URIError, without `expose`: the client's mistake, not a 500.
  if (err instanceof URIError) {
    return problem(400, { code: 'REQUEST.MALFORMED_PATH', detail: 'The path is not valid percent-encoded UTF-8.', instance });
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as HttpErrorLike;
  const known = typeof e.type === 'string' ? BODY_ERRORS.get(e.type) : undefined;
  if (known) return problem(known[0], { code: known[1], detail: known[2], instance });
  const status = Number(e.status ?? e.statusCode);
  // body-parser passes on zlib's (or brotli's) failure on a body that is not what its Content-Encoding says: a 400
  // carrying the stream's errno and code, in zlib's words.
  if (status === 400 && typeof e.errno === 'number' && typeof e.code === 'string' && e.type === undefined) {
    return problem(400, { code: 'REQUEST.MALFORMED_BODY', detail: 'The body is not encoded as its Content-Encoding says.', instance });
  }
  // Other http-errors marked `expose` carry a message meant for clients. Not REQUEST.INVALID: that code promises
  // errors[] naming the fields, which only a schema can say.
  if (e.expose === true && status >= 400 && status < 500 && typeof e.message === 'string') {
    return problem(status, { code: 'REQUEST.MALFORMED', detail: e.message, instance });
  }
  log.error({ err }, 'unhandled error');
  return problem(500, { code: 'INTERNAL', instance });
}

/** Express error handler: every error becomes application/problem+json. Register last (finalizeApp does). */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err); // too late for a body: let Express close the connection
    sendProblem(res, toProblem(err, req, req.log ?? logger));
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(
    res,
    problem(404, { code: 'ROUTE.NOT_FOUND', detail: `No route for ${req.method} ${instanceOf(req)}.`, instance: instanceOf(req) }),
  );
};

// What node's HTTP parser refuses before Express sees a request (its default answer is a bare 400/431 without a body).
const PARSER_ERRORS: Record<string, [status: number, code: string, detail: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'REQUEST.HEADERS_TOO_LARGE', 'The request line and headers are too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST.TIMEOUT', 'The request took too long to arrive.'],
};

/**
 * The http.Server 'clientError' listener: a request node's parser refuses (headers over the limit, conflicting
 * Content-Length, a malformed request line) is answered with problem+json like every other 4xx, then the connection
 * closes. `server.on('clientError', clientErrorHandler(logger))`.
 */
export function clientErrorHandler(logger: Logger) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, code, detail] = PARSER_ERRORS[err.code ?? ''] ?? [400, 'REQUEST.MALFORMED_HTTP', 'The request is not valid HTTP/1.1.'];
    // The raw packet may hold credentials: log the parser's code only.
    logger.warn({ code: err.code, status }, 'malformed HTTP request refused');
    const body = JSON.stringify(problem(status, { code, detail }));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_JSON}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}
