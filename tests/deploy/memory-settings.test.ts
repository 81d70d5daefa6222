// The memory settings of the services and their sidecars (README "Memory", `npm run bench -- idle`) are the same in
// local runs (packages/devstack/src/sidecar.ts: the harness and `npm start`) and in production: the image's
// NODE_OPTIONS (Dockerfile) and every daprd's environment (the chart's dapr.sidecarEnv, rendered as dapr.io/env).
// Rendering needs a Helm v3 at hand, as helm.test.ts (`npm run helm:check` builds the pinned one).
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { nodeOptionsFor, repoRoot, serviceNodeOptions, sidecarGoEnv } from '@globalmart/devstack';
import { findHelm, renderChart } from '../../scripts/helm-check.ts';
import { helmValues, runFile } from './deploy-files.ts';

interface Deployment {
  kind: string;
  metadata: { name: string };
  spec: { template: { metadata: { annotations: Record<string, string> } } };
}

const helmBin = await findHelm();

async function deployments(set: string[] = []): Promise<Deployment[]> {
  if (!helmBin) throw new Error('no Helm v3 at hand: run `npm run helm:check` first');
  const manifest = await renderChart(helmBin, set);
  const docs = parseAllDocuments(manifest);
  // A key written twice (ours and an annotation's dapr.io/env) is a YAML error.
  expect(docs.flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
  return docs.map((d) => d.toJS() as Deployment | null).filter((d): d is Deployment => d?.kind === 'Deployment');
}

describe('memory settings', () => {
  it("the image runs every service with the local runs' NODE_OPTIONS", () => {
    const dockerfile = readFileSync(`${repoRoot}/Dockerfile`, 'utf8');
    expect(/^ENV NODE_OPTIONS=(.+)$/m.exec(dockerfile)?.[1]).toBe(serviceNodeOptions);
  });

  it('local runs put the V8 settings first, so that a NODE_OPTIONS given by the caller still wins', () => {
    expect(nodeOptionsFor(undefined)).toBe(serviceNodeOptions);
    expect(nodeOptionsFor('--max-semi-space-size=16')).toBe(`${serviceNodeOptions} --max-semi-space-size=16`);
  });

  it("the chart gives every daprd the local sidecars' Go settings", async () => {
    expect(helmValues().dapr).toMatchObject({ sidecarEnv: sidecarGoEnv });
    const expected = Object.entries(sidecarGoEnv)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const rendered = await deployments();
    expect(rendered.length).toBe(runFile().apps.length);
    for (const d of rendered) expect(d.spec.template.metadata.annotations['dapr.io/env'], d.metadata.name).toBe(expected);
  });

  it('an app whose daprAnnotations set dapr.io/env gets that one, once', async () => {
    const rendered = await deployments(['--set-string', 'apps.orders.daprAnnotations.dapr\\.io/env=GOGC=80']);
    const orders = rendered.find((d) => d.metadata.name === 'globalmart-orders');
    expect(orders?.spec.template.metadata.annotations['dapr.io/env']).toBe('GOGC=80');
  });
});
