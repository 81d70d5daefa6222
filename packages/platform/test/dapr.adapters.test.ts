import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDaprAdapters, type DaprAdapters } from '../src/dapr/dapr.adapters.ts';
import { BindingError, InvokeError, PublishError, StateConflictError } from '../src/dapr/ports.ts';
import { captureLogger } from './helpers.ts';

// A stub sidecar: records what the adapters send over Dapr's HTTP API and answers as told. The real daprd
// is the system tests' job; this pins down what our code (and @dapr/dapr 3.18 under it) puts on the wire.
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Answer = { status: number; type?: string; body?: string };
let seen: Seen[] = [];
let answer: (req: Seen) => Answer = () => ({ status: 204 });

const sidecar = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
    // The SDK's first call waits until GET /v1.0/metadata answers: not part of what is asserted.
    if (s.url === '/v1.0/metadata') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    seen.push(s);
    const a = answer(s);
    res.writeHead(a.status, a.type ? { 'content-type': a.type } : {}).end(a.body);
  });
});

let dapr: DaprAdapters;
beforeAll(async () => {
  await new Promise<void>((resolve) => sidecar.listen(0, '127.0.0.1', resolve));
  const port = (sidecar.address() as AddressInfo).port;
  dapr = createDaprAdapters({ DAPR_HOST: '127.0.0.1', DAPR_HTTP_PORT: port, DAPR_API_TOKEN: 'dapr-secret' }, captureLogger().logger);
});
afterAll(async () => {
  await dapr.close();
  sidecar.closeAllConnections();
  await new Promise((resolve) => sidecar.close(resolve));
});
beforeEach(() => {
  seen = [];
});
const json = (status: number, value: unknown, type = 'application/json'): Answer => ({ status, type, body: JSON.stringify(value) });

describe('DaprHttpInvoker', () => {
  it('calls /v1.0/invoke with the query intact, JSON body, token, and keeps the exact status', async () => {
    answer = () => json(201, { order_id: 'o-1', status: 'PENDING' });
    const res = await dapr.invoker.invoke('orders', 'orders?source=web', {
      body: { sku: 'A' },
      query: { dry: false, tag: ['a', 'b'] },
      headers: { 'x-user-id': 'u-1' },
    });
    expect(res).toEqual({ status: 201, body: { order_id: 'o-1', status: 'PENDING' } });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/v1.0/invoke/orders/method/orders?source=web&dry=false&tag=a&tag=b',
      body: '{"sku":"A"}',
    });
    expect(seen[0]?.headers).toMatchObject({ 'content-type': 'application/json', 'dapr-api-token': 'dapr-secret', 'x-user-id': 'u-1' });
  });

  it('throws a downstream problem as InvokeError carrying its status and parsed body', async () => {
    const problem = { type: 'about:blank', title: 'Bad Request', status: 400, code: 'REQUEST.INVALID' };
    answer = () => json(400, problem, 'application/problem+json');
    const err = await dapr.invoker.invoke('catalog', 'products', { httpMethod: 'GET' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvokeError);
    expect(err).toMatchObject({ appId: 'catalog', status: 400, body: problem });
  });

  it('returns undefined for an empty 204', async () => {
    answer = () => ({ status: 204 });
    expect(await dapr.invoker.invoke('cart', 'carts/c-1', { httpMethod: 'DELETE' })).toEqual({ status: 204, body: undefined });
  });

  it('reports "no answer" as status 0 when the sidecar cannot be reached', async () => {
    const { DaprHttpInvoker } = await import('../src/dapr/dapr.invoker.ts');
    const nowhere = new DaprHttpInvoker({ host: '127.0.0.1', httpPort: 1 });
    await expect(nowhere.invoke('catalog', 'products')).rejects.toMatchObject({ name: 'InvokeError', status: 0 });
  });
});

describe('DaprEventPublisher', () => {
  it('publishes data as JSON with the CloudEvent type and id as Dapr metadata', async () => {
    answer = () => ({ status: 204 });
    await dapr.publisher.publish('orders', 'globalmart.order.placed.v1', { order_id: 'o-1' }, { id: 'o-1:placed' });
    const url = new URL(seen[0]!.url, 'http://sidecar');
    expect(url.pathname).toBe('/v1.0/publish/pubsub/orders');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'metadata.cloudevent.type': 'globalmart.order.placed.v1',
      'metadata.cloudevent.id': 'o-1:placed',
    });
    expect(seen[0]?.headers['content-type']).toBe('application/json');
    expect(seen[0]?.headers['dapr-api-token']).toBe('dapr-secret');
    expect(JSON.parse(seen[0]!.body)).toEqual({ order_id: 'o-1' });
  });

  it('throws PublishError when the sidecar refuses (the SDK only returns { error })', async () => {
    answer = () => json(500, { errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' });
    await expect(dapr.publisher.publish('orders', 't', {})).rejects.toSatisfy((e) => e instanceof PublishError && e.status === 500);
  });
});

describe('DaprBindings', () => {
  it('POSTs { data, metadata, operation } to /v1.0/bindings/<name> with the token, and returns the answer', async () => {
    answer = () => ({ status: 204 });
    const sent = await dapr.bindings.invoke('email', 'create', '<p>Hi</p>', { emailTo: 'a@example.com', subject: 'Hello' });
    expect(sent).toBeUndefined();
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1.0/bindings/email' });
    expect(seen[0]?.headers).toMatchObject({ 'dapr-api-token': 'dapr-secret' });
    expect(JSON.parse(seen[0]!.body)).toEqual({
      data: '<p>Hi</p>',
      metadata: { emailTo: 'a@example.com', subject: 'Hello' },
      operation: 'create',
    });
    answer = () => json(200, { key: 'k-1' });
    expect(await dapr.bindings.invoke('blob', 'create', { a: 1 })).toEqual({ key: 'k-1' });
  });

  it('throws BindingError with the status when the binding fails', async () => {
    answer = () => json(500, { errorCode: 'ERR_INVOKE_OUTPUT_BINDING', message: 'error from smtp binding, sending email failed' });
    const err = await dapr.bindings.invoke('email', 'create', 'x', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BindingError);
    expect(err).toMatchObject({ binding: 'email', operation: 'create', status: 500 });
  });
});

describe('DaprStateStore', () => {
  it('reads value and etag through the bulk API', async () => {
    answer = () => json(200, [{ key: 'cart-1', data: { items: [] }, etag: '7' }]);
    expect(await dapr.state().get('cart-1')).toEqual({ value: { items: [] }, etag: '7' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1.0/state/statestore/bulk?' });
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ keys: ['cart-1'] });
    answer = () => json(200, [{ key: 'gone' }]);
    expect(await dapr.state().get('gone')).toBeUndefined();
  });

  it('saves with etag under first-write concurrency and a TTL, and maps 409 to StateConflictError', async () => {
    answer = () => ({ status: 204 });
    await dapr.state('cache').save('p-1', { name: 'Lamp' }, { etag: '7', ttlInSeconds: 60 });
    expect(seen[0]?.url).toMatch(/^\/v1\.0\/state\/cache\??$/);
    expect(JSON.parse(seen[0]!.body)).toEqual([
      { key: 'p-1', value: { name: 'Lamp' }, etag: '7', options: { concurrency: 'first-write' }, metadata: { ttlInSeconds: '60' } },
    ]);
    answer = () => json(409, { errorCode: 'ERR_STATE_SAVE', message: 'possible etag mismatch' });
    await expect(dapr.state().save('cart-1', {}, { etag: '6' })).rejects.toBeInstanceOf(StateConflictError);
    answer = () => json(500, { errorCode: 'ERR_STATE_SAVE' });
    await expect(dapr.state().save('cart-1', {})).rejects.toThrow('state save statestore/cart-1 failed');
  });

  it('deletes conditionally with If-Match', async () => {
    answer = () => ({ status: 204 });
    await dapr.state().delete('cart-1', { etag: '7' });
    expect(seen[0]).toMatchObject({ method: 'DELETE', url: '/v1.0/state/statestore/cart-1?concurrency=first-write' });
    expect(seen[0]?.headers['if-match']).toBe('7');
  });
});

describe('DaprSidecarHealth', () => {
  it('is ready when /v1.0/healthz/outbound answers 2xx, not otherwise', async () => {
    answer = () => ({ status: 204 });
    expect(await dapr.health.isReady()).toBe(true);
    expect(seen[0]?.url).toBe('/v1.0/healthz/outbound');
    answer = () => ({ status: 500 });
    expect(await dapr.health.isReady()).toBe(false);
  });
});
