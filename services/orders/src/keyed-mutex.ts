/**
 * Runs tasks for the same key one after another (different keys run freely). The order document store here is
 * FerretDB, which applies each update as an unisolated read-modify-write: two writes to one order at the same
 * moment can lose one. Every write to an order in this process goes through one of these, keyed by order id.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    // Forget the key once nothing is queued behind this task, so the map holds only busy keys.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.#tails.size;
  }
}
