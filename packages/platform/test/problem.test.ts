import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvokeError } from '../src/dapr/ports.ts';
import { conflict, notFound } from '../src/errors.ts';
import { parseBody, parseParams, parseQuery } from '../src/validate.ts';
import { clientErrorHandler } from '../src/problem.ts';
import { captureLogger, testApp } from './helpers.ts';

const PROBLEM = /^application\/problem\+json/;

const { app, lines } = testApp({
  jsonLimit: '1kb',
  routes(app) {
    app.get('/products', (req, res) => {
      const query = parseQuery(z.object({ page_size: z.coerce.number().int().max(100) }), req);
      res.json(query);
    });
    app.post('/products/:id', (req, res) => {
      const { id } = parseParams(z.object({ id: z.string().regex(/^p-\d+$/) }), req);
      const body = parseBody(z.object({ name: z.string(), price: z.number().positive() }), req);
      res.status(201).json({ id, ...body });
    });
    app.get('/orders/:id', async (req) => {
      throw notFound('ORDER.NOT_FOUND', `Order ${req.params.id} does not exist.`, { order_id: req.params.id });
    });
    app.put('/carts/1', () => {
      throw conflict('CART.CHANGED', 'The cart changed meanwhile.', { status: 200, title: 'spoofed' });
    });
    app.get('/boom', async () => {
      throw new Error('db password is hunter2 at 10.0.0.7');
    });
    app.get('/downstream/:status', (req) => {
      const status = Number(req.params.status);
      const body = { type: 'about:blank', title: 'Bad Request', status, code: 'PRODUCT.INVALID', detail: 'price' };
      throw new InvokeError('catalog', 'products', status, body);
    });
  },
});

describe('problem+json error mapping', () => {
  it('maps a ZodError from the query to 400 naming the field', async () => {
    const res = await request(app).get('/products?page_size=500');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'REQUEST.INVALID',
      instance: '/products',
    });
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'page_size', code: 'too_big' })]);
    expect(res.body.errors[0].message).toEqual(expect.any(String));
  });

  it('names every failing body field and passes valid input through', async () => {
    const bad = await request(app).post('/products/p-1').send({ name: 7, price: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'price']);
    const good = await request(app).post('/products/p-1').send({ name: 'Lamp', price: 9.5 });
    expect(good.status).toBe(201);
    expect(good.body).toEqual({ id: 'p-1', name: 'Lamp', price: 9.5 });
  });

  it('maps an AppError to its status with code and details as extension members', async () => {
    const res = await request(app).get('/orders/o-9');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      code: 'ORDER.NOT_FOUND',
      detail: 'Order o-9 does not exist.',
      instance: '/orders/o-9',
      order_id: 'o-9',
    });
  });

  it('does not let details override the core members', async () => {
    const res = await request(app).put('/carts/1').send({});
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, title: 'Conflict', code: 'CART.CHANGED' });
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await request(app).post('/products/p-1').set('content-type', 'application/json').send('{"name":');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('REQUEST.MALFORMED_JSON');
  });

  it('answers 400 for a path parameter that is not valid percent-encoding (found by the fuzz suite: was a 500)', async () => {
    const unhandled = () => lines.filter((l) => l.msg === 'unhandled error').length;
    const before = unhandled();
    for (const path of ['/orders/%', '/orders/%ED%A0%80', '/orders/%zz']) {
      const res = await request(app).get(path);
      expect(res.status, path).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ status: 400, title: 'Bad Request', code: 'REQUEST.MALFORMED_PATH' });
    }
    expect(unhandled()).toBe(before);
  });

  it('answers 400 REQUEST.MALFORMED_BODY for a body that is not what its Content-Encoding says (found by the fuzz suite)', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await request(app)
        .post('/products/p-1')
        .set('content-type', 'application/json')
        .set('content-encoding', encoding)
        .send('{"name":"Lamp","price":1}');
      expect(res.status, encoding).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      // REQUEST.INVALID is kept for schema failures, which always name their fields in errors[].
      expect(res.body).toMatchObject({ status: 400, code: 'REQUEST.MALFORMED_BODY' });
    }
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await request(app)
      .post('/products/p-1')
      .send({ name: 'x'.repeat(2048), price: 1 });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 413, code: 'REQUEST.TOO_LARGE' });
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await request(app).post('/products/p-1').set('content-type', 'text/plain').send('name=Lamp');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
  });

  it('lets a body-less chunked POST through (how daprd forwards POST .../commit with no body)', async () => {
    const { request: httpRequest } = await import('node:http');
    const server = app.listen(0);
    try {
      const port = (server.address() as { port: number }).port;
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = httpRequest({ port, method: 'POST', path: '/products/p-3', headers: { 'transfer-encoding': 'chunked' } }, (r) => {
          r.resume();
          resolve(r.statusCode);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).not.toBe(415);
      expect(status).toBeLessThan(500);
    } finally {
      server.close();
    }
  });

  it('accepts application/cloudevents+json, the type Dapr delivers events with', async () => {
    const res = await request(app)
      .post('/products/p-2')
      .set('content-type', 'application/cloudevents+json')
      .send(JSON.stringify({ name: 'Event', price: 1 }));
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Event');
  });

  it('answers 500 without internals and logs the stack at error level', async () => {
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, code: 'INTERNAL', instance: '/boom' });
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toContain('at ');
    const logged = lines.find((l) => l.msg === 'unhandled error') as { level: string; err: { stack: string } };
    expect(logged.level).toBe('error');
    expect(logged.err.stack).toContain('hunter2');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await request(app).delete('/nope?token=abc');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ code: 'ROUTE.NOT_FOUND', instance: '/nope' });
    expect(res.text).not.toContain('abc');
  });

  it('passes a downstream 4xx problem through unchanged and turns a 5xx into 502', async () => {
    const passed = await request(app).get('/downstream/400');
    expect(passed.status).toBe(400);
    expect(passed.body).toEqual({ type: 'about:blank', title: 'Bad Request', status: 400, code: 'PRODUCT.INVALID', detail: 'price' });
    const failed = await request(app).get('/downstream/500');
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ status: 502, code: 'UPSTREAM.FAILED' });
    expect(failed.text).not.toContain('price');
  });
});

describe("requests node's HTTP parser refuses", () => {
  // Raw bytes on a socket: no HTTP client sends these on purpose.
  async function raw(bytes: string): Promise<{ status: number; type: string; body: Record<string, unknown> }> {
    const server = createServer(app);
    const { logger } = captureLogger();
    server.on('clientError', clientErrorHandler(logger));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      socket.end(bytes);
      const text = (await socket.toArray()).map(String).join('');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      return {
        status: Number(head.split(' ')[1]),
        type: /content-type: ([^\r]+)/i.exec(head)?.[1] ?? '',
        body: JSON.parse(body) as Record<string, unknown>,
      };
    } finally {
      server.close();
    }
  }

  it('answers 431 problem+json for headers over the limit (found by the fuzz suite: a bare 431)', async () => {
    const res = await raw(`GET /orders/1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.type).toMatch(PROBLEM);
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Request Header Fields Too Large',
      status: 431,
      code: 'REQUEST.HEADERS_TOO_LARGE',
      detail: expect.any(String),
    });
  });

  it('answers 400 problem+json for conflicting framing (Content-Length with Transfer-Encoding)', async () => {
    const res = await raw('POST /products/p-1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.type).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 400, code: 'REQUEST.MALFORMED_HTTP' });
  });
});
