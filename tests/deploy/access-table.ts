// packages/contracts/src/access.ts seen the way the Helm chart carries it (values.yaml and the rendered manifests):
// per target, per caller, the operations with their verbs; per app, its topics and secrets. Everything is sorted, so
// a comparison fails on content, never on order.
import { accessControlFor } from '@globalmart/devstack';
import { appIds, publishableTopics, secretAccess, subscribableTopics, type AppId } from '@globalmart/contracts';
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

/**
 * The operations each caller may use on each target, in the form the sidecars get them (devstack's accessControlFor:
 * the table's paths folded where Dapr 1.18's operation matching needs it), so Helm and the local configurations agree.
 */
export function tablePolicies(): Policies {
  const out: Policies = {};
  for (const target of appIds) {
    for (const p of accessControlFor(target).policies) {
      (out[target] ??= {})[p.appId] = p.operations.map((o) => ({ path: o.name, verbs: o.httpVerb }));
    }
  }
  return normalizePolicies(out);
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
