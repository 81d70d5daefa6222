// Learning from events, persisted in the Dapr state store, mirrored into the in-memory model.
//
// Storage keys (state store `statestore`, one document per key):
//   recs:index               { product_ids }            every product that has a counts document (reload needs the list)
//   recs:product:{id}        ProductDoc                 views, purchases, co-purchase row, version, recently applied event ids
//   recs:user:{user_id}      UserDoc                    the user's last viewed products, each with the event that recorded it
//   recs:event:{sha256(id)}  { at }, TTL               "this CloudEvent id was applied in full" (late-redelivery filter)
//
// Idempotency. One event may change several documents (an order with n products changes n rows), and the store has no
// multi-key transaction, so a crash can stop an event halfway. Each document therefore records the ids of the events
// applied to it, in the same compare-and-swap write as the change (casUpdate): a document either has the change and
// the id or neither, so a redelivery after a crash anywhere re-applies exactly the documents that were missed and
// skips the others. Those per-document lists are bounded (the last APPLIED_RING ids), which suffices because Dapr
// redelivers within seconds to minutes; for later duplicates (a republished outbox event, a replayed topic) the
// event marker is written only after every document is done and checked first, kept for days with a TTL. Writing
// the marker first ("claim") would be unsound: a crash after the claim would lose the event's counts for good.
// A crash between the last document and the marker only costs one redundant pass of no-op writes.
//
// Replicas. Dapr delivers each event to one replica of the app-id, so each replica's memory sees only its share
// of the writes. Every replica re-reads the index and the counts documents every RECS_RELOAD_MS (`every`), taking
// a document only when its version is newer than the one in memory: replicas converge within one reload period,
// and the replica that applied an event answers with it at once. Users cannot be enumerated: their recent views
// are read through from the store on a miss and trusted for RECS_USER_CACHE_MS.
import { createHash } from 'node:crypto';
import { casUpdate, type CasOptions, type Logger, type StateStore } from '@globalmart/platform';
import type { Model, ProductStats } from './model.ts';

export interface ProductDoc extends ProductStats {
  product_id: string;
  /** Ids of the last events applied to this document, oldest first. */
  applied: string[];
}

export interface UserDoc {
  user_id: string;
  /** Newest first, at most RECENT_VIEWS entries, one per product. */
  recent: { product_id: string; event_id: string; at: string }[];
}

interface IndexDoc {
  product_ids: string[];
}

export const APPLIED_RING = 256;
export const RECENT_VIEWS = 20;

/** Whether view `a` is newer than view `b` (time, then event id): which one a user's recent list keeps for a product. */
const isNewerView = (a: { at: string; event_id: string }, b: { at: string; event_id: string }) =>
  Date.parse(a.at) > Date.parse(b.at) || (Date.parse(a.at) === Date.parse(b.at) && a.event_id > b.event_id);
export const INDEX_KEY = 'recs:index';
export const productKey = (id: string) => `recs:product:${id}`;
// Dapr keys may not contain "||" (its app-id separator); user ids are free text, so they are escaped.
export const userKey = (userId: string) => `recs:user:${encodeURIComponent(userId)}`;
export const eventKey = (eventId: string) => `recs:event:${createHash('sha256').update(eventId).digest('hex')}`;

export type Outcome = 'applied' | 'duplicate';

interface PendingChange {
  eventId: string;
  change: (doc: ProductDoc) => void;
  resolve: (applied: boolean) => void;
  reject: (err: unknown) => void;
}

export interface LearnerDeps {
  store: StateStore;
  model: Model;
  cas: CasOptions;
  logger: Logger;
  eventMemorySeconds: number;
  userCacheMs: number;
  /** Counts documents read at once during a reload. */
  reloadConcurrency?: number;
  now?: () => number;
}

export interface Learner {
  orderConfirmed(productIds: readonly string[], eventId: string): Promise<Outcome>;
  productViewed(view: { product_id: string; user_id?: string | undefined; occurred_at: string }, eventId: string): Promise<Outcome>;
  /** The user's recently viewed product ids, newest first: from memory, or read through from the store on a miss. */
  recentViews(userId: string): Promise<string[]>;
  /** Re-reads the index and every counts document into the model. */
  reload(): Promise<void>;
  /** True once one reload has completed: the model holds what was learned before this process started. */
  loaded(): boolean;
}

const MAX_CACHED_USERS = 10_000;

export function createLearner(deps: LearnerDeps): Learner {
  const { store, model, cas, logger, now = Date.now } = deps;
  const indexed = new Set<string>();
  const users = new Map<string, { recent: string[]; at: number }>();
  let hasLoaded = false;

  const cacheUser = (doc: UserDoc) => {
    users.delete(doc.user_id); // re-insert: Map order is the LRU order
    users.set(doc.user_id, { recent: doc.recent.map((r) => r.product_id), at: now() });
    if (users.size > MAX_CACHED_USERS) users.delete(users.keys().next().value!);
  };

  /** Adds ids to the index before their documents are written, so no counts document is ever missing from it. */
  async function ensureIndexed(ids: readonly string[]) {
    if (ids.every((id) => indexed.has(id))) return;
    const stored = await casUpdate<IndexDoc, string[]>(
      store,
      INDEX_KEY,
      (current) => {
        const all = new Set(current?.product_ids ?? []);
        if (ids.every((id) => all.has(id))) return { result: [...all] };
        for (const id of ids) all.add(id);
        const next = [...all].sort();
        return { next: { product_ids: next }, result: next };
      },
      cas,
    );
    for (const id of stored) indexed.add(id);
  }

  // Changes to one product's document that arrived while a write to it was in flight: applied together by the next.
  const queued = new Map<string, PendingChange[]>();
  const writing = new Set<string>();

  /**
   * One event's change to one product's document, by compare-and-swap, `change` only if the event is not in the
   * document's applied list. Changes to a document that arrive while a write to it is in flight go together in the
   * next read-change-save: the same result as one after the other (each event counted once, its id in the ring),
   * one write instead of one per event, and no compare-and-swap conflicts between this process's own writers (a
   * popular product's views used to retry against each other). Resolves true when this event changed the document.
   */
  function applyToProduct(id: string, eventId: string, change: (doc: ProductDoc) => void): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const batch = queued.get(id);
      if (batch) batch.push({ eventId, change, resolve, reject });
      else queued.set(id, [{ eventId, change, resolve, reject }]);
      if (!writing.has(id)) void writeQueued(id);
    });
  }

  async function writeQueued(id: string): Promise<void> {
    const batch = queued.get(id);
    if (!batch) {
      writing.delete(id);
      return;
    }
    queued.delete(id);
    writing.add(id);
    let applied = new Set<PendingChange>();
    try {
      const doc = await casUpdate<ProductDoc, ProductDoc>(
        store,
        productKey(id),
        (current) => {
          applied = new Set();
          const base = current ?? { product_id: id, views: 0, purchases: 0, co: {}, version: 0, applied: [] };
          const seen = new Set(base.applied);
          for (const pending of batch) {
            if (seen.has(pending.eventId)) continue;
            seen.add(pending.eventId);
            applied.add(pending);
          }
          if (applied.size === 0) return { result: base };
          const next: ProductDoc = {
            ...base,
            co: { ...base.co },
            // One version per event, as if they had been written one by one (the engines store the same documents).
            version: base.version + applied.size,
            applied: [...base.applied, ...[...applied].map((p) => p.eventId)].slice(-APPLIED_RING),
          };
          for (const pending of applied) pending.change(next);
          return { next, result: next };
        },
        cas,
      );
      model.setStats(id, doc);
      for (const pending of batch) pending.resolve(applied.has(pending));
    } catch (err) {
      for (const pending of batch) pending.reject(err);
    } finally {
      void writeQueued(id);
    }
  }

  /** Skips an event applied in full before; otherwise applies it (document by document) and then remembers it. */
  async function once(eventId: string, apply: () => Promise<boolean>): Promise<Outcome> {
    if (await store.get(eventKey(eventId))) return 'duplicate';
    const changed = await apply();
    await store.save(eventKey(eventId), { at: new Date(now()).toISOString() }, { ttlInSeconds: deps.eventMemorySeconds });
    return changed ? 'applied' : 'duplicate';
  }

  return {
    orderConfirmed(productIds, eventId) {
      const ids = [...new Set(productIds)];
      return once(eventId, async () => {
        await ensureIndexed(ids);
        // Quantity does not matter: one order is one purchase of each product and one co-purchase of each pair.
        // Every document is attempted even when one fails, so a redelivery has as little left to do as possible.
        const results = await Promise.allSettled(
          ids.map((id) =>
            applyToProduct(id, eventId, (doc) => {
              doc.purchases += 1;
              for (const other of ids) if (other !== id) doc.co[other] = (doc.co[other] ?? 0) + 1;
            }),
          ),
        );
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
        return results.some((r) => r.status === 'fulfilled' && r.value);
      });
    },

    productViewed(view, eventId) {
      return once(eventId, async () => {
        await ensureIndexed([view.product_id]);
        const counted = await applyToProduct(view.product_id, eventId, (doc) => {
          doc.views += 1;
        });
        if (view.user_id === undefined) return counted;
        const userId = view.user_id;
        let remembered = false;
        const doc = await casUpdate<UserDoc, UserDoc>(
          store,
          userKey(userId),
          (current) => {
            remembered = false;
            const base = current ?? { user_id: userId, recent: [] };
            if (base.recent.some((r) => r.event_id === eventId)) return { result: base };
            const entry = { product_id: view.product_id, event_id: eventId, at: view.occurred_at };
            // One entry per product, the newest view (ties by event id): the same answer whatever order views arrive in.
            const known = base.recent.find((r) => r.product_id === view.product_id);
            if (known && isNewerView(known, entry)) return { result: base };
            const recent = [entry, ...base.recent.filter((r) => r.product_id !== view.product_id)]
              .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
              .slice(0, RECENT_VIEWS);
            remembered = true;
            return { next: { user_id: userId, recent }, result: { user_id: userId, recent } };
          },
          cas,
        );
        cacheUser(doc);
        return counted || remembered;
      });
    },

    async recentViews(userId) {
      const cached = users.get(userId);
      if (cached && now() - cached.at < deps.userCacheMs) return cached.recent;
      try {
        const doc = (await store.get<UserDoc>(userKey(userId)))?.value ?? { user_id: userId, recent: [] };
        cacheUser(doc);
        return users.get(userId)!.recent;
      } catch (err) {
        // The answer degrades (older views, or popular items), it never fails for this.
        logger.warn({ err, user_id: userId }, 'recent views unavailable; answering without them');
        return cached?.recent ?? [];
      }
    },

    async reload() {
      const index = (await store.get<IndexDoc>(INDEX_KEY))?.value.product_ids ?? [];
      for (const id of index) indexed.add(id);
      const ids = [...indexed];
      let taken = 0;
      const concurrency = deps.reloadConcurrency ?? 8;
      for (let i = 0; i < ids.length; i += concurrency) {
        const docs = await Promise.all(ids.slice(i, i + concurrency).map((id) => store.get<ProductDoc>(productKey(id))));
        for (const entry of docs) if (entry && model.setStats(entry.value.product_id, entry.value)) taken++;
      }
      if (!hasLoaded || taken > 0) logger.info({ products: ids.length, updated: taken }, 'recommendation counts reloaded');
      hasLoaded = true;
    },

    loaded: () => hasLoaded,
  };
}
