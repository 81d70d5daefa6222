// Every dead-lettered event of the platform, kept for admins to inspect and replay.
import { createHash } from 'node:crypto';
import type { DeadLetter, DeadLetterList, DeadLetterListQuery } from '@globalmart/contracts';
import {
  casUpdate,
  notFound,
  StateConflictError,
  unavailable,
  type DeadLetterEvent,
  type DeliveryStatus,
  type EventPublisher,
  type Logger,
  type StateStore,
} from '@globalmart/platform';

export const deadLetterErrorCodes = {
  NotFound: 'NOTIFICATIONS.DEAD_LETTER_NOT_FOUND',
  Busy: 'NOTIFICATIONS.BUSY',
  ReplayFailed: 'NOTIFICATIONS.REPLAY_FAILED',
} as const;

/** Newest first; the list filters on it, then reads the documents of one page. */
interface IndexEntry {
  id: string;
  topic: string;
  status: DeadLetter['status'];
  received_at: string;
}
interface DeadLetterIndex {
  items: IndexEntry[];
}

const ignoreConflict = (err: unknown) => {
  if (!(err instanceof StateConflictError)) throw err;
};

export const INDEX_KEY = 'dead-letters:index';
export const deadLetterKey = (id: string) => `dead-letter:${id}`;

/**
 * One dead letter per (topic, CloudEvent id): the same event dead-lettered by two subscribers, or redelivered from
 * the dead-letter topic, is one entry. CloudEvent ids may hold any character (`ord_…:confirmed`), so the id is a
 * digest: `dl_` + 32 base64url characters of SHA-256(topic, id).
 */
export function deadLetterId(topic: string, eventId: string): string {
  return `dl_${createHash('sha256').update(`${topic}\n${eventId}`).digest('base64url').slice(0, 32)}`;
}

export interface DeadLetterStore {
  /** Handler for Subscriptions.deadLetters: stores (or re-opens) the dead letter. */
  receive(event: DeadLetterEvent): Promise<DeliveryStatus | void>;
  list(query: DeadLetterListQuery): Promise<DeadLetterList>;
  /** Publishes the original data to the original topic with the same CloudEvent id and type. */
  replay(id: string): Promise<DeadLetter>;
}

export interface DeadLetterDeps {
  store: StateStore;
  publisher: EventPublisher;
  logger: Logger;
  kept: number;
  casAttempts?: number;
  now?: () => number;
}

export function deadLetterStore(deps: DeadLetterDeps): DeadLetterStore {
  const { store, publisher, logger, kept } = deps;
  const now = deps.now ?? Date.now;
  const cas = { attempts: deps.casAttempts ?? 20, busyCode: deadLetterErrorCodes.Busy };

  /** Puts the entry first (or, for a replay, updates it in place), keeps the newest `kept`; returns the evicted ids. */
  async function index(entry: IndexEntry, { moveToFront }: { moveToFront: boolean }): Promise<string[]> {
    return casUpdate<DeadLetterIndex, string[]>(
      store,
      INDEX_KEY,
      (current) => {
        const items = current?.items ?? [];
        const at = items.findIndex((e) => e.id === entry.id);
        if (!moveToFront && at >= 0) {
          // A status change (replay) applies only to the receipt it saw: a letter re-opened since stays pending.
          const stale = items[at]!.received_at !== entry.received_at || items[at]!.status === entry.status;
          return stale ? { result: [] } : { next: { items: items.map((e, i) => (i === at ? entry : e)) }, result: [] };
        }
        const next = [entry, ...items.filter((e) => e.id !== entry.id)];
        return { next: { items: next.slice(0, kept) }, result: next.slice(kept).map((e) => e.id) };
      },
      cas,
    );
  }

  /** Deletes an evicted letter's document, with its etag (its key was written first-write). */
  async function forget(id: string): Promise<void> {
    const entry = await store.get<DeadLetter>(deadLetterKey(id));
    // A conflict: re-received meanwhile, so it is back in the index; leave it.
    if (entry) await store.delete(deadLetterKey(id), { etag: entry.etag }).catch((err: unknown) => ignoreConflict(err));
  }

  const entryOf = (d: DeadLetter): IndexEntry => ({ id: d.id, topic: d.topic, status: d.status, received_at: d.received_at });

  return {
    async receive(event) {
      if (!event.id || !event.type) {
        logger.warn({ topic: event.deadLetterTopic }, 'dead letter without a CloudEvent id or type cannot be replayed; dropped');
        return 'DROP';
      }
      const id = deadLetterId(event.topic, event.id);
      const receivedAt = new Date(now()).toISOString();
      const fresh: DeadLetter = {
        id,
        topic: event.topic,
        dead_letter_topic: event.deadLetterTopic,
        event_id: event.id,
        event_type: event.type,
        data: event.data,
        received_at: receivedAt,
        status: 'pending',
        replay_count: 0,
      };
      // New, or back after a replay (pending again, replays counted); a pending one redelivered stays as it is.
      const stored = await casUpdate<DeadLetter, { letter: DeadLetter; changed: boolean }>(
        store,
        deadLetterKey(id),
        (current) => {
          if (!current) return { next: fresh, result: { letter: fresh, changed: true } };
          if (current.status === 'pending') return { result: { letter: current, changed: false } };
          const reopened: DeadLetter = { ...current, status: 'pending', data: event.data, received_at: receivedAt };
          return { next: reopened, result: { letter: reopened, changed: true } };
        },
        cas,
      );
      // Also when unchanged: a crash between the document and the index is repaired by the redelivery.
      const evicted = await index(entryOf(stored.letter), { moveToFront: stored.changed });
      await Promise.all(evicted.map((old) => forget(old)));
      logger.warn(
        { dead_letter_id: id, event_id: event.id, type: event.type, topic: event.topic, replay_count: stored.letter.replay_count },
        'event dead-lettered',
      );
      return 'SUCCESS';
    },

    async list(query) {
      const entries = (await store.get<DeadLetterIndex>(INDEX_KEY))?.value.items ?? [];
      const matching = entries.filter(
        (e) => (query.status === 'all' || e.status === query.status) && (!query.topic || e.topic === query.topic),
      );
      const docs = await Promise.all(matching.slice(0, query.limit).map((e) => store.get<DeadLetter>(deadLetterKey(e.id))));
      const items = docs.flatMap((d) => (d ? [d.value] : [])).filter((d) => query.status === 'all' || d.status === query.status);
      return { items, total: matching.length };
    },

    async replay(id) {
      const key = deadLetterKey(id);
      const at = new Date(now()).toISOString();
      // Marked before the publish: a replayed event that fails again at once must find it `replayed` to re-open it.
      const marked = await casUpdate<DeadLetter, { before: DeadLetter; after: DeadLetter } | undefined>(
        store,
        key,
        (current) => {
          if (!current) return { result: undefined };
          const after: DeadLetter = { ...current, status: 'replayed', replayed_at: at, replay_count: current.replay_count + 1 };
          return { next: after, result: { before: current, after } };
        },
        cas,
      );
      if (!marked) throw notFound(deadLetterErrorCodes.NotFound, 'No dead letter with this id.');
      const { before, after } = marked;
      try {
        await publisher.publish(after.topic, after.event_type, after.data, { id: after.event_id });
      } catch (err) {
        // Not replayed after all: undo this replay's mark unless something else changed the letter since.
        await casUpdate<DeadLetter, void>(
          store,
          key,
          (current) =>
            current?.status === 'replayed' && current.replay_count === after.replay_count
              ? { next: { ...before }, result: undefined }
              : { result: undefined },
          cas,
        );
        logger.warn({ err, dead_letter_id: id, topic: after.topic }, 'dead letter replay failed');
        throw unavailable(deadLetterErrorCodes.ReplayFailed, 'The event could not be published again; retry later.');
      }
      await index(entryOf(after), { moveToFront: false });
      logger.info(
        { dead_letter_id: id, event_id: after.event_id, topic: after.topic, replay_count: after.replay_count },
        'dead letter replayed',
      );
      return after;
    },
  };
}
