// Sends a case as it is: node:http, not fetch, so the path is not normalised ('..' stays), header lines may repeat
// and the body may be any bytes. Public operations go to the gateway's port; internal ones to the calling app's
// sidecar (/v1.0/invoke/<app>/method/...), with that sidecar's API token.
import { request } from 'node:http';
import type { BodyPart, FuzzCase } from './cases.ts';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The first 64 KiB of the body, as text. */
  body: string;
  ms: number;
}

/** The transport went wrong before an answer: the connection was reset, refused, or nothing came back in time. */
export interface NoAnswer {
  error: string;
  ms: number;
}

export interface Endpoint {
  host: string;
  port: number;
  /** Prefix of the request target (empty for the gateway). */
  prefix: string;
  /** Headers the mesh needs (the sidecar's API token), not part of the case. */
  headers: Record<string, string>;
}

const MAX_BODY = 64 * 1024;

/** Substitutes run values ({{customer.token}}, {{order.id}}, ...) into a string of a case. */
export type Resolve = (text: string) => string;

export function bodyBytes(parts: BodyPart[] | undefined, resolve: Resolve): Buffer | undefined {
  if (!parts) return undefined;
  return Buffer.concat(
    parts.map((p) =>
      typeof p === 'string' ? Buffer.from(resolve(p)) : 'hex' in p ? Buffer.from(p.hex, 'hex') : Buffer.from(p.repeat.repeat(p.times)),
    ),
  );
}

export function send(c: FuzzCase, to: Endpoint, resolve: Resolve, timeoutMs: number): Promise<Answer | NoAnswer> {
  const started = Date.now();
  const body = bodyBytes(c.body, resolve);
  // node's setHost does not combine with the flat header form: write Host like any other line.
  const headers: string[] = c.headers.some(([k]) => k === 'host') ? [] : ['host', `${to.host}:${to.port}`];
  for (const [k, v] of Object.entries(to.headers)) headers.push(k, v);
  for (const [k, v] of c.headers) headers.push(k, resolve(v));
  if (body) headers.push('content-length', String(body.length));
  return new Promise((done) => {
    let settled = false;
    const finish = (r: Answer | NoAnswer) => {
      if (!settled) {
        settled = true;
        done(r);
      }
    };
    let req;
    try {
      req = request({
        host: to.host,
        port: to.port,
        method: c.method,
        path: `${to.prefix}${resolve(c.target)}`,
        // The flat [name, value, name, value] form keeps repeated header lines as separate lines.
        headers,
        setHost: false,
        agent: false,
        timeout: timeoutMs,
      });
    } catch (err) {
      // node refuses to send it (e.g. a character no HTTP request line may carry): nothing reached the server.
      return finish({ error: `not sendable: ${(err as Error).message}`, ms: 0 });
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      const complete = () =>
        finish({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8'),
          ms: Date.now() - started,
        });
      res.on('end', complete);
      // A server that answered and then closed mid-body still answered.
      res.on('error', complete);
      res.on('aborted', complete);
    });
    req.on('timeout', () => {
      req.destroy();
      finish({ error: `no answer within ${timeoutMs} ms`, ms: Date.now() - started });
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ error: `${err.code ?? 'ERROR'}: ${err.message}`, ms: Date.now() - started }));
    // A server may answer (413) and close before it has read a large body: writing on is then an EPIPE, not a failure.
    req.end(body);
  });
}

export const isAnswer = (r: Answer | NoAnswer): r is Answer => 'status' in r;
