import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { appIds, callRules } from '@globalmart/contracts';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { accessControlFor, generatedAccessFiles, pubsubScopeMetadata, repoRoot, secretScopesFor } from '../src/index.ts';

describe('Dapr resources generated from the access table', () => {
  it('are committed as `npm run generate` writes them (the table and the sidecars cannot drift)', () => {
    for (const [file, text] of generatedAccessFiles()) {
      expect(readFileSync(file, 'utf8'), `${relative(repoRoot, file)} is stale: run npm run generate`).toBe(text);
    }
  });

  it('deny by default, and allow each caller exactly the operations of its rules', () => {
    for (const app of appIds) {
      const acl = accessControlFor(app);
      expect(acl.defaultAction).toBe('deny');
      const allowed = acl.policies.flatMap((p) => p.operations.flatMap((o) => o.httpVerb.map((v) => `${p.appId} ${v} ${o.name}`)));
      const rules = callRules.filter((r) => r.target === app).map((r) => `${r.caller} ${r.method} ${r.path}`);
      expect(allowed.sort()).toEqual(rules.sort());
    }
    // e.g. nobody but orders may touch payments, and only the gateway may read reports.
    expect(accessControlFor('payments').policies.map((p) => p.appId)).toEqual(['orders']);
    expect(accessControlFor('analytics').policies.map((p) => p.appId)).toEqual(['gateway']);
  });

  it('give the gateway no secret and every app its per-app Configuration in dapr.yaml', () => {
    expect(secretScopesFor('gateway')).toEqual([{ storeName: 'secretstore', defaultAccess: 'deny', allowedSecrets: [] }]);
    const run = parse(readFileSync(`${repoRoot}/dapr.yaml`, 'utf8')) as { apps: { appID: string; configFilePath?: string }[] };
    for (const a of run.apps) expect(a.configFilePath).toBe(`./dapr-config/apps/${a.appID}.yaml`);
  });

  it('list every app in the pub/sub scopes (an app left out could publish to any topic)', () => {
    for (const m of pubsubScopeMetadata().filter((x) => x.name !== 'allowedTopics')) {
      expect(m.value.split(';').map((e) => e.split('=')[0])).toEqual([...appIds]);
    }
    const publishing = Object.fromEntries(pubsubScopeMetadata()[1]!.value.split(';').map((e) => e.split('=') as [string, string]));
    expect(publishing.gateway).toBe('catalog');
    expect(publishing.psp).toBe('');
  });
});
