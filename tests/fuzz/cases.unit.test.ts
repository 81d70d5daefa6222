// The generator alone (no platform): reproducible from its seed, covering every operation and strategy, and its
// "valid" requests valid for the contract, so a 4xx on them is worth a look rather than noise of the generator.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { allowedCallers } from '@globalmart/contracts';
import { describe, expect, it } from 'vitest';
import { generateCase, strategies, type FuzzCase } from './cases.ts';
import { bodyBytes } from './send.ts';
import { loadContract } from './spec.ts';

const contract = loadContract();
const ctx = { productIds: ['prd_000001', 'prd_000002', 'prd_000003'], categories: ['books', 'home-garden'] };
const values: Record<string, string> = { 'customer.id': 'usr_0123456789abcdef', 'order.id': `ord_${'0'.repeat(32)}` };
const resolve = (t: string) => t.replace(/\{\{([a-z.]+)\}\}/g, (_m, k: string) => values[k] ?? 'usr_fedcba9876543210');
const many = (seed: number, n: number): FuzzCase[] => Array.from({ length: n }, (_, i) => generateCase(contract, ctx, seed, i));

// Thousands of generated cases are CPU work: room for a busy 2-core machine beyond vitest's 5 s default.
const SLOW = 60_000;

describe('fuzz case generation', () => {
  it(
    'replays: the same seed gives the same cases, one case alone included; another seed gives others',
    () => {
      const a = many(42, 300);
      expect(many(42, 300)).toEqual(a);
      expect(generateCase(contract, ctx, 42, 217)).toEqual(a[217]);
      const b = many(43, 300);
      expect(b.filter((c, i) => JSON.stringify(c) === JSON.stringify(a[i])).length).toBeLessThan(10);
    },
    SLOW,
  );

  it(
    'draws every operation of openapi.json and every strategy in a few thousand cases',
    () => {
      const cases = many(7, 4000);
      expect(new Set(cases.map((c) => c.op))).toEqual(new Set(contract.operations.map((o) => o.id)));
      expect(new Set(cases.map((c) => c.strategy))).toEqual(new Set(strategies));
    },
    SLOW,
  );

  it(
    'sends internal operations from an app the access table allows (the gateway when none is)',
    () => {
      for (const c of many(11, 2000).filter((c) => c.via)) {
        const op = contract.operations.find((o) => o.id === c.op)!;
        const allowed = allowedCallers(op.app, op.method, op.path.replace(/\{[^}]+\}/g, 'x'));
        expect(allowed.length === 0 ? c.via === 'gateway' : allowed.includes(c.via as never), `${c.op} via ${c.via}`).toBe(true);
      }
    },
    SLOW,
  );

  it(
    'valid cases carry bodies that the contract accepts',
    () => {
      const ajv = new Ajv2020({ strict: false, validateFormats: false });
      ajv.addSchema({ $id: 'openapi', components: contract.components });
      const valid = many(5, 3000).filter((c) => c.strategy === 'valid' && c.body);
      expect(valid.length).toBeGreaterThan(100);
      const rejected = valid.filter((c) => {
        const op = contract.operations.find((o) => o.id === c.op)!;
        const check = ajv.compile({ $ref: `openapi${String(op.body!.$ref)}` });
        return !check(JSON.parse(bodyBytes(c.body, resolve)!.toString()));
      });
      // json-schema-faker misses multipleOf: 0.01 now and then (binary floating point): a few, not many.
      expect(rejected.length / valid.length).toBeLessThan(0.05);
    },
    SLOW,
  );
});
