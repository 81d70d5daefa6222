// The schema check behind `npm run helm:check` really checks: the chart as rendered is valid, and each structural typo
// below, injected into that same rendering, fails kubeconform -strict against the offline Kubernetes and Dapr CRD
// schemas (scripts/kube-schemas.ts). Needs the pinned Helm and kubeconform that `npm run helm:check` builds: without
// them every test here fails, saying so (CI runs helm:check first).
import { parseAllDocuments, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { findHelm, findKubeconform, kubeconform, renderChart, type Violation } from '../../scripts/helm-check.ts';
import { ensureKubeSchemas, type KubeSchemas } from '../../scripts/kube-schemas.ts';

// Kubernetes reads YAML 1.1 (`off` is a boolean there): strings must come out quoted as such.
const toYaml = (docs: unknown[]): string => docs.map((d) => stringify(d, { version: '1.1' })).join('---\n');

type Doc = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> } & Record<string, unknown>;

const helmBin = await findHelm();
const validator = findKubeconform();

describe('kubeconform -strict on the rendered chart', () => {
  let schemas: KubeSchemas;
  let docs: Doc[] = [];

  beforeAll(async () => {
    if (!helmBin || !validator) {
      throw new Error(
        `no ${helmBin ? '' : 'Helm '}${!helmBin && !validator ? 'and no ' : ''}${validator ? '' : 'kubeconform '}at hand: run \`npm run helm:check\` first (it builds the pinned ones from the Go module proxy into ~/.cache/globalmart/bin)`,
      );
    }
    schemas = await ensureKubeSchemas(() => {});
    const manifest = await renderChart(helmBin);
    docs = parseAllDocuments(manifest).flatMap((d) => (d.contents ? [d.toJS() as Doc] : []));
  }, 180_000);

  /** The default rendering with one resource of `kind` changed by `change`, through kubeconform. */
  async function withTypo(kind: string, change: (doc: Doc) => void): Promise<Violation[]> {
    const copy = structuredClone(docs);
    const target = copy.find((d) => d.kind === kind);
    expect(target, `the chart renders no ${kind}`).toBeDefined();
    change(target!);
    return kubeconform(validator!, schemas, { typo: toYaml(copy) });
  }

  it('accepts the chart as rendered (every kind has a schema: none is skipped)', async () => {
    expect(docs.length).toBeGreaterThan(50);
    const kinds = new Set(docs.map((d) => d.kind));
    for (const kind of ['Deployment', 'Service', 'NetworkPolicy', 'PodDisruptionBudget', 'Component', 'Configuration', 'Resiliency']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(await kubeconform(validator!, schemas, { default: toYaml(docs) })).toEqual([]);
  });

  it('rejects a Dapr Component with `spec.verison`', async () => {
    const violations = await withTypo('Component', (c) => {
      c.spec.verison = c.spec.version;
    });
    expect(violations).toEqual([
      expect.objectContaining({ resource: expect.stringContaining('Component'), message: expect.stringContaining("'verison'") }),
    ]);
  });

  it('rejects a Deployment whose env secretKeyRef has no key', async () => {
    const violations = await withTypo('Deployment', (d) => {
      const pod = d.spec.template as { spec: { containers: { env: { name: string; valueFrom?: unknown }[] }[] } };
      pod.spec.containers[0]!.env.push({ name: 'TYPO', valueFrom: { secretKeyRef: { name: 'some-secret' } } });
    });
    expect(violations).toEqual([
      expect.objectContaining({
        resource: expect.stringContaining('Deployment'),
        message: expect.stringMatching(/secretKeyRef.*missing property 'key'|missing property 'key'/),
      }),
    ]);
  });

  it.each([
    ['Deployment', '`spec.replica`', (d: Doc) => void (d.spec.replica = 2)],
    ['Configuration', '`spec.tracing.samplingRat`', (d: Doc) => void ((d.spec.tracing as Record<string, unknown>).samplingRat = '1')],
    [
      'Component',
      'a metadata item with `secretKeyRf`',
      (d: Doc) => void (d.spec.metadata as unknown[]).push({ name: 'x', secretKeyRf: { name: 'y' } }),
    ],
    [
      'Resiliency',
      'a retry with `initialInterval` (no such field in Dapr)',
      (d: Doc) =>
        void ((d.spec.policies as Record<string, Record<string, Record<string, unknown>>>).retries!.standard!.initialInterval = '50ms'),
    ],
    ['NetworkPolicy', '`spec.ingres`', (d: Doc) => void (d.spec.ingres = [])],
    // A CRD leaves metadata open; the generated schemas check it as Kubernetes' ObjectMeta, as the API server does.
    ['Component', '`metadata.lables`', (d: Doc) => void ((d.metadata as Record<string, unknown>).lables = { a: 'b' })],
    ['Service', 'a port without `port`', (d: Doc) => void (d.spec.ports = [{ name: 'http', targetPort: 'http' }])],
  ])('rejects a %s with %s', async (kind, _what, change) => {
    const violations = await withTypo(kind, change);
    expect(violations.map((v) => v.resource.split(' ')[1])).toEqual([kind]);
  });

  it('rejects a kind it has no schema for (a misspelt kind is never skipped)', async () => {
    const component = docs.find((d) => d.kind === 'Component')!;
    const violations = await kubeconform(validator!, schemas, { typo: toYaml([{ ...component, kind: 'Componnet' }]) });
    expect(violations).toEqual([expect.objectContaining({ message: expect.stringContaining('could not find schema') })]);
  });

  it("lets through what Dapr's own CRD leaves open: a Component secretKeyRef without key, any metadata value", async () => {
    // Dapr's Component CRD requires only secretKeyRef.name and keeps metadata values schemaless
    // (x-kubernetes-preserve-unknown-fields): these pass here as they pass the API server.
    const violations = await withTypo('Component', (c) => {
      (c.spec.metadata as unknown[]).push({ name: 'x', secretKeyRef: { name: 'y' } }, { name: 'z', value: { any: ['thing'] } });
    });
    expect(violations).toEqual([]);
  });
});
