// packages/contracts/src/access.ts seen the way the Helm chart carries it (values.yaml and the rendered manifests):
// per target, per caller, the operations with their verbs; per app, its topics and secrets. Everything is sorted, so
// a comparison fails on content, never on order.
import { appIds, callRules, publishableTopics, secretAccess, subscribableTopics, type AppId } from '@globalmart/contracts';
import type { HelmOperation } from './deploy-files.ts';

export type Policies = Record<string, Record<string, HelmOperation[]>>;

const sortOperations = (ops: HelmOperation[]): HelmOperation[] =>
  ops.map((o) => ({ path: o.path, verbs: [...o.verbs].sort() })).sort((a, b) => a.path.localeCompare(b.path));

/** Sorted copy of policies.<target>.<caller>: operations by path, verbs alphabetically. */
export function normalizePolicies(policies: Policies): Policies {
  return Object.fromEntries(
    Object.entries(policies).map(([target, callers]) => [
      target,
      Object.fromEntries(Object.entries(callers).map(([caller, ops]) => [caller, sortOperations(ops)])),
    ]),
  );
}

/** callRules grouped by target, caller and path: the verbs each caller may use on each operation. */
export function tablePolicies(): Policies {
  const out: Record<string, Record<string, Map<string, Set<string>>>> = {};
  for (const r of callRules) {
    const byPath = ((out[r.target] ??= {})[r.caller] ??= new Map<string, Set<string>>());
    byPath.set(r.path, (byPath.get(r.path) ?? new Set<string>()).add(r.method));
  }
  return normalizePolicies(
    Object.fromEntries(
      Object.entries(out).map(([target, callers]) => [
        target,
        Object.fromEntries(
          Object.entries(callers).map(([caller, paths]) => [caller, [...paths].map(([path, verbs]) => ({ path, verbs: [...verbs] }))]),
        ),
      ]),
    ),
  );
}

/** An app → list map without its empty lists, each list sorted (an absent app and an empty list mean the same). */
export function nonEmpty(map: Record<string, readonly string[]>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(map)
      .filter(([, list]) => list.length > 0)
      .map(([app, list]) => [app, [...list].sort()]),
  );
}

const perApp = (f: (app: AppId) => readonly string[]) => nonEmpty(Object.fromEntries(appIds.map((a) => [a, f(a)])));

export const tablePublishing = (): Record<string, string[]> => perApp(publishableTopics);
export const tableSubscription = (): Record<string, string[]> => perApp(subscribableTopics);
export const tableSecrets = (): Record<string, string[]> => perApp((a) => secretAccess[a] ?? []);

/** The apps that use pub/sub at all (the `pubsub` component's scopes), sorted. */
export const pubsubApps = (): string[] => appIds.filter((a) => publishableTopics(a).length + subscribableTopics(a).length > 0).sort();

/** The apps that read any secret (the `secretstore` component's scopes), sorted. */
export const secretApps = (): string[] => Object.keys(tableSecrets()).sort();
