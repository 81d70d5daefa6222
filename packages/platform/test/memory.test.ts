import { describe, expect, it } from 'vitest';
import { createMemoryDapr, MemoryBindings, MemoryInvoker, MemoryStateStore } from '../src/testing.ts';
import { AppError } from '../src/errors.ts';
import { BindingError, InvokeError, StateConflictError } from '../src/dapr/ports.ts';

describe('MemoryStateStore behaves like the StateStore port', () => {
  it('saves and reads a value with an etag that changes on every write', async () => {
    const store = new MemoryStateStore();
    expect(await store.get('cart-1')).toBeUndefined();
    await store.save('cart-1', { items: [{ sku: 'A', qty: 1 }] });
    const first = await store.get<{ items: unknown[] }>('cart-1');
    expect(first?.value).toEqual({ items: [{ sku: 'A', qty: 1 }] });
    await store.save('cart-1', { items: [] }, { etag: first?.etag });
    const second = await store.get('cart-1');
    expect(second?.etag).not.toBe(first?.etag);
    expect(second?.value).toEqual({ items: [] });
  });

  it('rejects a save or delete with a stale etag as a 409 StateConflictError', async () => {
    const store = new MemoryStateStore();
    await store.save('cart-1', { v: 1 });
    const stale = (await store.get('cart-1'))!.etag;
    await store.save('cart-1', { v: 2 }, { etag: stale }); // someone else wins
    const conflict = await store.save('cart-1', { v: 3 }, { etag: stale }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(StateConflictError);
    expect(conflict).toBeInstanceOf(AppError);
    expect((conflict as AppError).status).toBe(409);
    expect((await store.get('cart-1'))?.value).toEqual({ v: 2 });
    await expect(store.delete('cart-1', { etag: stale })).rejects.toBeInstanceOf(StateConflictError);
    await store.delete('cart-1', { etag: (await store.get('cart-1'))!.etag });
    expect(await store.get('cart-1')).toBeUndefined();
    await store.delete('cart-1'); // deleting a missing key is fine
  });

  it('hands out copies, not references', async () => {
    const store = new MemoryStateStore();
    const value = { qty: 1 };
    await store.save('k', value);
    value.qty = 99;
    const read = (await store.get<{ qty: number }>('k'))!;
    read.value.qty = 42;
    expect((await store.get('k'))?.value).toEqual({ qty: 1 });
  });

  it('expires keys after ttlInSeconds', async () => {
    let now = 1_000;
    const store = new MemoryStateStore('cache', () => now);
    await store.save('p-1', 'cached', { ttlInSeconds: 60 });
    now += 59_000;
    expect((await store.get('p-1'))?.value).toBe('cached');
    now += 1_000;
    expect(await store.get('p-1')).toBeUndefined();
  });
});

describe('MemoryInvoker', () => {
  const invoker = new MemoryInvoker()
    .on('catalog', '/products', ({ query }) => ({ body: { page: query.get('page'), category: query.get('category') } }), 'GET')
    .on('catalog', 'products', ({ body }) => ({ status: 400, body: { status: 400, code: 'PRODUCT.INVALID', echo: body } }), 'POST');

  it('routes by app-id, method and path, merging the query of the method and the request', async () => {
    const res = await invoker.invoke('catalog', 'products?category=lamps', { query: { page: 2, skip: undefined } });
    expect(res).toEqual({ status: 200, body: { page: '2', category: 'lamps' } });
    expect(invoker.calls.at(-1)).toMatchObject({ appId: 'catalog', method: 'products?category=lamps' });
  });

  it('throws a non-2xx answer as InvokeError with status and body', async () => {
    const err = await invoker.invoke('catalog', 'products', { body: { name: 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvokeError);
    expect(err).toMatchObject({ appId: 'catalog', status: 400, body: { code: 'PRODUCT.INVALID', echo: { name: 'x' } } });
  });

  it('fails loudly for a call no test prepared', async () => {
    await expect(invoker.invoke('payments', 'authorize')).rejects.toThrow(/no handler for payments GET \/authorize/);
  });
});

describe('createMemoryDapr', () => {
  it('records publishes, keeps one store per name and toggles sidecar health', async () => {
    const dapr = createMemoryDapr();
    await dapr.publisher.publish('orders', 'globalmart.order.placed.v1', { order_id: 'o-1' }, { id: 'o-1:placed' });
    expect(dapr.publisher.ofType('globalmart.order.placed.v1')).toEqual([
      { topic: 'orders', type: 'globalmart.order.placed.v1', data: { order_id: 'o-1' }, id: 'o-1:placed', metadata: {} },
    ]);
    await dapr.state().save('k', 1);
    expect(dapr.state('statestore')).toBe(dapr.state());
    expect(await dapr.state('other').get('k')).toBeUndefined();
    expect(await dapr.health.isReady()).toBe(true);
    dapr.health.ready = false;
    expect(await dapr.health.isReady()).toBe(false);
  });
});

describe('MemoryBindings behaves like the BindingInvoker port', () => {
  it('records what went out, answers through a handler, and counts failed attempts apart', async () => {
    const bindings = new MemoryBindings();
    expect(await bindings.invoke('email', 'create', '<p>a</p>', { emailTo: 'a@example.com' })).toBeUndefined();
    let down = true;
    bindings.on('email', () => {
      if (down) throw new BindingError('email', 'create', 500, undefined);
      return { ok: true };
    });
    await expect(bindings.invoke('email', 'create', '<p>b</p>')).rejects.toBeInstanceOf(BindingError);
    down = false;
    expect(await bindings.invoke('email', 'create', '<p>c</p>')).toEqual({ ok: true });
    expect(bindings.sent.map((c) => [c.name, c.operation, c.data])).toEqual([
      ['email', 'create', '<p>a</p>'],
      ['email', 'create', '<p>c</p>'],
    ]);
    expect(bindings.sent[0]?.metadata).toEqual({ emailTo: 'a@example.com' });
    expect(bindings.attempts).toBe(3);
    expect(createMemoryDapr().bindings).toBeInstanceOf(MemoryBindings);
  });
});
