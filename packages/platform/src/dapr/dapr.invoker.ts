import { Agent, request } from 'node:http';
import { InvokeError, type InvokeRequest, type InvokeResponse, type QueryValue, type ServiceInvoker } from './ports.ts';

export interface SidecarAddress {
  host: string;
  httpPort: number;
  apiToken?: string | undefined;
}

/**
 * ServiceInvoker over Dapr's HTTP service-invocation API (/v1.0/invoke/<app-id>/method/<method>).
 *
 * Not DaprClient.invoker, on purpose (checked in @dapr/dapr 3.18 HTTPClient.execute): it returns only the parsed
 * body of a 2xx-3xx answer (the status - 200 vs 201 vs 204 - and the headers are dropped), turns an empty 204 into
 * '', and its first call waits up to 30 s for the sidecar. Plain node:http keeps the exact status, and because
 * node:http is instrumented the call carries the W3C traceparent to the sidecar, which continues the trace.
 */
export class DaprHttpInvoker implements ServiceInvoker {
  readonly #sidecar: SidecarAddress;
  readonly #agent = new Agent({ keepAlive: true });

  constructor(sidecar: SidecarAddress) {
    this.#sidecar = sidecar;
  }

  async invoke<T = unknown>(appId: string, method: string, req: InvokeRequest = {}): Promise<InvokeResponse<T>> {
    const [path = '', search] = method.replace(/^\//, '').split('?', 2);
    const query = buildQuery(search, req.query);
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string | number> = { accept: 'application/json', ...req.headers };
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
    if (this.#sidecar.apiToken) headers['dapr-api-token'] = this.#sidecar.apiToken;
    let answer: { status: number; contentType: string; bytes: Buffer };
    try {
      answer = await send(this.#agent, {
        host: this.#sidecar.host,
        port: this.#sidecar.httpPort,
        method: req.httpMethod ?? (payload ? 'POST' : 'GET'),
        path: `/v1.0/invoke/${encodeURIComponent(appId)}/method/${path}${query}`,
        headers,
        signal: AbortSignal.timeout(req.timeoutMs ?? 15_000),
        payload,
      });
    } catch (err) {
      throw new InvokeError(appId, method, 0, undefined, err);
    }
    const { status, contentType, bytes } = answer;
    if (status < 200 || status > 299) throw new InvokeError(appId, method, status, parseBody(bytes.toString('utf8'), contentType));
    // The body is parsed when first read: a caller that passes the answer on as it came (jsonBytes) never parses it.
    let parsed: { value: unknown } | undefined;
    const response = {
      status,
      get body(): T {
        parsed ??= { value: parseBody(bytes.toString('utf8'), contentType) };
        return parsed.value as T;
      },
    };
    if (/[/+]json\b/.test(contentType)) jsonAnswers.set(response, bytes);
    return response;
  }

  close(): void {
    this.#agent.destroy();
  }
}

const jsonAnswers = new WeakMap<object, Buffer>();

/**
 * The JSON text of an answer exactly as the target sent it, for a caller that passes it on unchanged (the gateway's
 * browse page): no JSON.parse here and no JSON.stringify there. Undefined for a non-JSON answer or another invoker.
 */
export function jsonBytes(response: InvokeResponse<unknown>): Buffer | undefined {
  return jsonAnswers.get(response);
}

function buildQuery(search: string | undefined, extra: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams(search);
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) for (const item of [value].flat()) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseBody(text: string, contentType: string): unknown {
  if (text === '') return undefined;
  if (!/[/+]json\b/.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

interface SendOptions {
  host: string;
  port: number;
  method: string;
  path: string;
  headers: Record<string, string | number>;
  signal: AbortSignal;
  payload: Buffer | undefined;
}

function send(agent: Agent, o: SendOptions): Promise<{ status: number; contentType: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const { payload, ...options } = o;
    const req = request({ ...options, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    req.end(payload);
  });
}
