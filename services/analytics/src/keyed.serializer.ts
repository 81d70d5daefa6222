/**
 * Runs read-modify-writes one at a time per key (a bucket or an order) within this process, and coalesces: while one
 * runs, every caller for the same key shares the single run queued behind it, which starts after they queued their
 * facts and so includes them. A burst of N events for one hour costs at most two writes in sequence. Within one
 * process only: analytics.service.ts runs each task under the document's Dapr lock too, for other replicas.
 */
export interface KeyedSerializer {
  run(key: string, task: () => Promise<void>): Promise<void>;
  /** Keys with a run in progress or queued (for tests and shutdown). */
  readonly busy: number;
  /** Waits for every run in progress or queued. */
  idle(): Promise<void>;
}

interface Slot {
  running?: Promise<void>;
  queued?: Promise<void>;
}

export function keyedSerializer(): KeyedSerializer {
  const slots = new Map<string, Slot>();
  return {
    run(key, task) {
      let slot = slots.get(key);
      if (!slot) slots.set(key, (slot = {}));
      if (slot.queued) return slot.queued;
      const s = slot;
      const queued = (s.running ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => {
          s.queued = undefined;
          const running = task();
          s.running = running;
          return running.finally(() => {
            if (s.running === running) s.running = undefined;
            if (!s.running && !s.queued && slots.get(key) === s) slots.delete(key);
          });
        });
      s.queued = queued;
      return queued;
    },
    get busy() {
      return slots.size;
    },
    async idle() {
      while (slots.size > 0) {
        await Promise.allSettled([...slots.values()].flatMap((s) => [s.running, s.queued].filter((p) => p !== undefined)));
      }
    },
  };
}
