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

  it('deny by default, and give each caller an operation for every call of its rules, and no other caller', () => {
    // How Dapr 1.18 matches an operation (pkg/config/acl_trie.go): `**` = the rest of the path, a last `*` = one
    // segment, and an operation that is a prefix of the path answers for it.
    const covers = (op: string, path: string) => {
      const o = op.split('/').filter(Boolean);
      const p = path.split('/').filter(Boolean);
      if (o.at(-1) === '**') return o.slice(0, -1).every((x, i) => x === p[i]) && p.length >= o.length - 1;
      return o.length <= p.length && o.every((x, i) => x === p[i] || (x === '*' && i === o.length - 1 && o.length === p.length));
    };
    for (const app of appIds) {
      const acl = accessControlFor(app);
      expect(acl.defaultAction).toBe('deny');
      const rules = callRules.filter((r) => r.target === app);
      expect(acl.policies.map((p) => p.appId).sort()).toEqual([...new Set(rules.map((r) => r.caller))].sort());
      for (const r of rules) {
        const policy = acl.policies.find((p) => p.appId === r.caller)!;
        const path = r.path.replaceAll('*', 'id_1');
        expect(
          policy.operations.some((o) => covers(o.name, path) && o.httpVerb.includes(r.method)),
          `${r.caller} → ${app} ${r.method} ${r.path}`,
        ).toBe(true);
        // No operation uses a `*` before its last segment: Dapr would never match it.
        expect(policy.operations.every((o) => !o.name.split('/').slice(0, -1).includes('*'))).toBe(true);
      }
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
    const publishing = Object.fromEntries(
      pubsubScopeMetadata()[1]!
        .value.split(';')
        .map((e) => e.split('=') as [string, string]),
    );
    expect(publishing.gateway).toBe('catalog');
    expect(publishing.psp).toBe('');
  });
});
