import { MemorySidecarMetadata } from '@globalmart/platform/testing';
import { describe, expect, it } from 'vitest';
import { UnsafeIdempotencyStoreError, assertAtomicClaims } from '../src/idempotency.store.ts';

const sidecarWith = (type: string | undefined) => {
  const metadata = new MemorySidecarMetadata();
  metadata.list = type === undefined ? [] : [{ name: 'statestore', type, version: 'v1', capabilities: ['ETAG'] }];
  return metadata;
};

describe('the idempotency store guard (orders refuses to start on a store where claims are not atomic)', () => {
  it('accepts state.redis, where the first-write claim at etag "0" is one atomic Lua script', async () => {
    expect(await assertAtomicClaims(sidecarWith('state.redis'), 'statestore')).toBe('state.redis');
  });

  it.each(['state.postgresql', 'state.mongodb', 'state.in-memory'])('refuses %s, naming the store and its type', async (type) => {
    const err = await assertAtomicClaims(sidecarWith(type), 'statestore').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeIdempotencyStoreError);
    expect((err as Error).message).toContain(`the state store "statestore" is ${type}`);
    expect((err as Error).message).toContain('state.redis');
  });

  it('refuses a sidecar without the store', async () => {
    const err = await assertAtomicClaims(sidecarWith(undefined), 'statestore').catch((e: unknown) => e);
    expect((err as Error).message).toContain('no state store named "statestore"');
  });
});
