import type { HttpMethod } from './routes.ts';
import { topics, type Topic } from './events.ts';

/**
 * Who may call what inside the platform: the one table behind every sidecar's Dapr `accessControl` (rendered into
 * dapr-config/apps/<app-id>.yaml and the Helm chart), the kit's per-route caller check, the pub/sub publishing and
 * subscription scopes and the secret scopes. A call the architecture does not make is not in here, so it is denied
 * twice: by the target's sidecar (defaultAction deny, callers identified by their mTLS certificate) and by the target
 * app itself (dapr-caller-app-id, which only the sidecar can set: the app refuses callers without its app token).
 */
export const appIds = [
  'gateway',
  'catalog',
  'identity',
  'inventory',
  'cart',
  'orders',
  'payments',
  'psp',
  'shipping',
  'notifications',
  'recommendations',
  'analytics',
] as const;
export type AppId = (typeof appIds)[number];

/** The public edge: the only app reachable from outside, and the only caller whose x-user-* headers are believed. */
export const edgeAppId: AppId = 'gateway';

export interface CallRule {
  caller: AppId;
  target: AppId;
  method: HttpMethod;
  /** A Dapr accessControl operation name: `*` stands for exactly one path segment. */
  path: string;
  /** Why the architecture makes this call (shows up in the generated policy as a comment). */
  why: string;
}

const rule = (caller: AppId, target: AppId, method: HttpMethod, path: string, why: string): CallRule => ({
  caller,
  target,
  method,
  path,
  why,
});

const serviceCallRules: readonly CallRule[] = [
  // The gateway fronts the public API.
  rule('gateway', 'catalog', 'GET', '/readyz', 'the gateway is ready once the catalog answers'),
  rule('gateway', 'catalog', 'GET', '/products', 'browse'),
  rule('gateway', 'catalog', 'GET', '/products/*', 'product page'),
  rule('gateway', 'catalog', 'POST', '/products', 'admin: create a product'),
  rule('gateway', 'catalog', 'PUT', '/products/*', 'admin: replace a product'),
  rule('gateway', 'inventory', 'GET', '/stock/*', 'product page stock'),
  rule('gateway', 'inventory', 'GET', '/stock', 'stock badges of a page of products'),
  rule('gateway', 'inventory', 'PUT', '/stock/*', 'admin: set stock'),
  rule('gateway', 'recommendations', 'GET', '/recommendations', 'product page recommendations'),
  rule('gateway', 'identity', 'POST', '/users', 'signup'),
  rule('gateway', 'identity', 'POST', '/sessions', 'login'),
  rule('gateway', 'identity', 'GET', '/users/*', 'the signed-in profile'),
  rule('gateway', 'identity', 'GET', '/.well-known/jwks.json', 'token verification keys'),
  rule('gateway', 'cart', 'GET', '/carts/*', 'the cart'),
  rule('gateway', 'cart', 'POST', '/carts/*/items', 'add to cart'),
  rule('gateway', 'cart', 'PATCH', '/carts/*/items/*', 'change a quantity'),
  rule('gateway', 'cart', 'DELETE', '/carts/*/items/*', 'remove an item'),
  rule('gateway', 'orders', 'POST', '/orders', 'checkout'),
  rule('gateway', 'orders', 'GET', '/orders', 'order history'),
  rule('gateway', 'orders', 'GET', '/orders/*', 'an order'),
  rule('gateway', 'orders', 'GET', '/orders/*/tracking', 'tracking'),
  rule('gateway', 'orders', 'GET', '/admin/orders', 'admin: all orders'),
  rule('gateway', 'analytics', 'GET', '/reports/*', 'admin: reports'),
  rule('gateway', 'notifications', 'GET', '/dead-letters', 'admin: dead letters'),
  rule('gateway', 'notifications', 'POST', '/dead-letters/*/replay', 'admin: replay a dead letter'),
  // Operations (admin console): an order's checkout workflow from orders' sidecar (sidecar metadata: opsRules below).
  rule('gateway', 'orders', 'GET', '/ops/workflows/*', "admin: an order's checkout workflow"),
  // The checkout saga (orders' workflow activities) and order reads.
  rule('orders', 'cart', 'GET', '/carts/*', 'checkout reads the cart it turns into an order'),
  rule('orders', 'inventory', 'POST', '/reservations', 'saga: reserve stock'),
  rule('orders', 'inventory', 'POST', '/reservations/*/commit', 'saga: commit the reservation'),
  rule('orders', 'inventory', 'POST', '/reservations/*/release', 'saga: release it (compensation)'),
  rule('orders', 'payments', 'POST', '/payments/authorize', 'saga: authorise the payment'),
  rule('orders', 'payments', 'POST', '/payments/*/capture', 'saga: capture it'),
  rule('orders', 'payments', 'POST', '/payments/*/refund', 'saga: refund (compensation)'),
  rule('orders', 'payments', 'GET', '/payments/*', 'the payment of an order'),
  rule('orders', 'shipping', 'POST', '/shipments', 'saga: book the shipment'),
  rule('orders', 'shipping', 'POST', '/shipments/*/cancel', 'saga: cancel it (compensation)'),
  rule('orders', 'shipping', 'GET', '/shipments/*', 'tracking'),
  // Everything else a service reads from another.
  rule('payments', 'psp', 'POST', '/v1/charges', 'authorise at the payment provider'),
  rule('payments', 'psp', 'POST', '/v1/charges/*/capture', 'capture at the provider'),
  rule('payments', 'psp', 'POST', '/v1/charges/*/refund', 'refund at the provider'),
  rule('payments', 'psp', 'GET', '/v1/charges', 'find a charge by idempotency key after a timeout'),
  rule('cart', 'catalog', 'GET', '/products/*', 'current prices'),
  rule('cart', 'inventory', 'GET', '/stock/*', 'stock checks'),
  rule('inventory', 'catalog', 'GET', '/products', 'demo seed: stock for every product'),
  rule('recommendations', 'catalog', 'GET', '/products', 'content similarity: the whole catalog at start'),
  rule('recommendations', 'catalog', 'GET', '/products/*', 'content similarity: a product that changed'),
  rule('notifications', 'identity', 'GET', '/contacts/*', 'where to send an email'),
];

/**
 * How the gateway reaches an app's sidecar metadata for the admin console's Operations view (the kit's /ops/metadata):
 * along the calls the architecture already makes, so no app gains a caller (payments still answers orders only, psp
 * payments only). The hops from the gateway to `target`, the target last: [target] when the gateway calls it anyway,
 * [orders, payments] for payments. Each hop relays on /ops/metadata/{target} to the next.
 */
export function opsHops(target: AppId, rules: readonly CallRule[] = serviceCallRules): AppId[] {
  const previous = new Map<AppId, AppId>();
  const queue: AppId[] = [edgeAppId];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (at === target) break;
    for (const r of rules) {
      if (r.caller === at && r.target !== edgeAppId && !previous.has(r.target)) {
        previous.set(r.target, at);
        queue.push(r.target);
      }
    }
  }
  if (target !== edgeAppId && !previous.has(target)) throw new Error(`no chain of calls reaches ${target} from ${edgeAppId}`);
  const hops: AppId[] = [];
  for (let at: AppId | undefined = target; at && at !== edgeAppId; at = previous.get(at)) hops.unshift(at);
  return hops;
}

/** The /ops/metadata calls opsHops needs: each hop may ask the next for its own metadata or to relay further. */
function opsRules(): CallRule[] {
  const rules = new Map<string, CallRule>();
  for (const target of appIds.filter((app) => app !== edgeAppId)) {
    const chain: AppId[] = [edgeAppId, ...opsHops(target)];
    for (let i = 0; i + 1 < chain.length; i++) {
      const [caller, next] = [chain[i]!, chain[i + 1]!];
      const path = next === target ? '/ops/metadata' : '/ops/metadata/*';
      const why = next === target ? "admin: the operations view of this app's sidecar" : `admin: relay the operations view of ${target}`;
      rules.set(`${caller} ${next} ${path}`, rule(caller, next, 'GET', path, why));
    }
  }
  return [...rules.values()];
}

export const callRules: readonly CallRule[] = [...serviceCallRules, ...opsRules()];

/** Each topic's publishers and subscribers. Subscribers also publish `<topic>-dlq` (Dapr dead-letters for them). */
export interface TopicAccess {
  publishers: AppId[];
  subscribers: AppId[];
}

export const topicAccess: Record<Topic, TopicAccess> = {
  [topics.orders]: { publishers: ['orders'], subscribers: ['cart', 'inventory', 'notifications', 'recommendations', 'analytics'] },
  [topics.payments]: { publishers: ['payments'], subscribers: ['analytics'] },
  [topics.inventory]: { publishers: ['inventory'], subscribers: ['analytics'] },
  [topics.catalog]: { publishers: ['catalog', 'gateway'], subscribers: ['recommendations', 'analytics'] },
  [topics.shipping]: { publishers: ['shipping'], subscribers: ['orders', 'analytics'] },
  [topics.customers]: { publishers: ['identity'], subscribers: ['notifications', 'analytics'] },
  [topics.notifications]: { publishers: ['notifications'], subscribers: ['analytics'] },
};

/** The app that keeps dead letters: it subscribes to every `<topic>-dlq` and replays to the original topic. */
export const deadLetterKeeper: AppId = 'notifications';

export const deadLetterTopic = (topic: string): string => `${topic}-dlq`;

/** Topics an app may publish to: its own, the dead-letter topics of what it consumes, and (the keeper) replays. */
export function publishableTopics(app: AppId): string[] {
  const out = new Set<string>();
  for (const [topic, access] of Object.entries(topicAccess) as [Topic, TopicAccess][]) {
    if (access.publishers.includes(app) || app === deadLetterKeeper) out.add(topic);
    if (access.subscribers.includes(app)) out.add(deadLetterTopic(topic));
  }
  return [...out].sort();
}

/** Topics an app may subscribe to. */
export function subscribableTopics(app: AppId): string[] {
  const out = new Set<string>();
  for (const [topic, access] of Object.entries(topicAccess) as [Topic, TopicAccess][]) {
    if (access.subscribers.includes(app)) out.add(topic);
    if (app === deadLetterKeeper) out.add(deadLetterTopic(topic));
  }
  return [...out].sort();
}

/** Every topic the platform uses, dead-letter topics included (pub/sub `allowedTopics`). */
export const allTopics = (): string[] =>
  Object.values(topics)
    .flatMap((t) => [t, deadLetterTopic(t)])
    .sort();

/** The secrets each app may read from the `secretstore`; everything else is denied (the gateway reads none). */
export const secretAccess: Partial<Record<AppId, string[]>> = {
  identity: ['jwt-signing-key', 'pii-encryption-key', 'pii-blind-index-key'],
  orders: ['pii-encryption-key'],
  payments: ['payments-api-key'],
};

const segments = (path: string) => path.split('/').filter((s) => s !== '');

/** Does a concrete request path match a rule's operation (`*` = one segment)? Trailing slashes and queries are ignored. */
export function operationMatches(pattern: string, path: string): boolean {
  const p = segments(pattern);
  const s = segments(path.split('?')[0] ?? '');
  return p.length === s.length && p.every((seg, i) => seg === '*' || seg === s[i]);
}

/** The apps allowed to make this call. */
export function allowedCallers(target: AppId | string, method: string, path: string): AppId[] {
  return callRules
    .filter((r) => r.target === target && r.method === method.toUpperCase() && operationMatches(r.path, path))
    .map((r) => r.caller);
}

/** Is `path` one of the target's invocable routes at all (for any caller)? */
export function isInvocable(target: AppId | string, path: string): boolean {
  return callRules.some((r) => r.target === target && operationMatches(r.path, path));
}
