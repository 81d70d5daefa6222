// The Helm values copy what Kubernetes cannot read from the repository (component scopes, the Resiliency spec):
// these tests fail when a copy drifts from components/ or dapr-config/. They need no Helm binary.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { daprResource, helmValues, repoFile } from './deploy-files.ts';

const values = helmValues();

describe('Helm values', () => {
  it.each([
    ['statestore', 'statestore'],
    ['pubsub', 'pubsub'],
    ['secretstore', 'secretstore'],
    ['email', 'email'],
    ['analytics-rollup', 'analyticsRollup'],
  ] as const)('give component %s the scopes of its file in components/', (name, key) => {
    const component = daprResource('components', `${name}.yaml`);
    expect(component.metadata.name).toBe(name);
    expect(component.scopes?.length).toBeGreaterThan(0);
    expect(values[key].scopes).toEqual(component.scopes);
  });

  it("carry dapr-config/resiliency.yaml's policies and targets unchanged", () => {
    const resiliency = daprResource('dapr-config', 'resiliency.yaml');
    expect(resiliency.kind).toBe('Resiliency');
    expect(values.resiliency.enabled).toBe(true);
    expect(values.resiliency.spec).toEqual(resiliency.spec);
  });

  it('are valid against the chart values schema, which rejects an unknown broker', () => {
    const schema = JSON.parse(readFileSync(repoFile('helm', 'globalmart', 'values.schema.json'), 'utf8')) as Record<string, unknown>;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(values), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validate({ ...values, pubsub: { ...values.pubsub, type: 'carrier-pigeon' } })).toBe(false);
    expect(validate({ ...values, apps: { ...values.apps, gateway: { port: 'eighty' } } })).toBe(false);
  });

  it('hold no secret values: every credential is a reference to an existing Secret', () => {
    const text = readFileSync(repoFile('helm', 'globalmart', 'values.yaml'), 'utf8');
    // No credential-holding key has a value (keys naming a Secret or a Secret's key, like passwordKey, are fine).
    const literal = text.split('\n').filter((line) => {
      const m = /^\s*(\w+)\s*:\s*(.*)$/.exec(line);
      return m !== null && /(password|token|apiKey|privateKey)$/i.test(m[1]!) && !['', 'true', 'false', '""', "''"].includes(m[2]!.trim());
    });
    expect(literal).toEqual([]);
    expect(text).not.toMatch(/(mongodb|amqp|redis):\/\/[^\s<]*:[^\s<@]+@/);
  });
});
