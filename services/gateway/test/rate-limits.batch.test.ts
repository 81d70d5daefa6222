// A client's concurrent requests share one count in the store (edge/rate-limits.ts, PolicyLimiter): each still gets the
// answer it would have had alone.
import type { Response } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '@globalmart/platform';
import { PolicyLimiter } from '../src/edge/rate-limits.ts';

function fakeResponse(): Response & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  return { headers, setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value) } as never;
}

describe('per-client counting under concurrency', () => {
  it('numbers concurrent requests as if they came one by one: the first `points` pass, each with its own remaining, the rest 429', async () => {
    const limiter = new PolicyLimiter({ name: 'api', points: 5, windowSeconds: 60 });
    const responses = Array.from({ length: 8 }, fakeResponse);
    const outcomes = await Promise.allSettled(responses.map((res) => limiter.consume(res, '203.0.113.7')));
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(responses.map((r) => r.headers.ratelimit?.split(';')[1])).toEqual(['r=4', 'r=3', 'r=2', 'r=1', 'r=0', 'r=0', 'r=0', 'r=0']);
    for (const o of outcomes.slice(5)) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
    // Another client's budget is its own.
    const other = fakeResponse();
    await limiter.consume(other, '203.0.113.8');
    expect(other.headers.ratelimit).toMatch(/^"api";r=4;t=\d+$/);
  });

  it('sends the requests that arrive while a count is in flight as one count', async () => {
    const consume = vi.spyOn(RateLimiterMemory.prototype, 'consume');
    try {
      const limiter = new PolicyLimiter({ name: 'api', points: 100, windowSeconds: 60 });
      const responses = Array.from({ length: 20 }, fakeResponse);
      await Promise.all(responses.map((res) => limiter.consume(res, '198.51.100.1')));
      // The first request went alone; the 19 that arrived meanwhile went together.
      expect(consume.mock.calls.map((c) => c[1])).toEqual([1, 19]);
      expect(responses.map((r) => r.headers.ratelimit?.split(';')[1])).toEqual(Array.from({ length: 20 }, (_, i) => `r=${99 - i}`));
      // A lone request later waits for nobody.
      await limiter.consume(fakeResponse(), '198.51.100.1');
      expect(consume.mock.calls.at(-1)?.[1]).toBe(1);
    } finally {
      consume.mockRestore();
    }
  });
});
