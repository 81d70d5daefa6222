/** A readiness check passes by resolving; it fails by throwing, rejecting, answering `false` or timing out. */
export type ReadinessCheck = () => unknown;

const TIMEOUT = Symbol('timeout');

export type CheckResult = 'ok' | 'failed' | 'timeout';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/** Named checks run in parallel, each with its own time limit, so one hung dependency cannot hang /readyz. */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #timeoutMs: number;
  #draining = false;

  constructor(timeoutMs = 2_000) {
    this.#timeoutMs = timeoutMs;
  }

  add(name: string, check: ReadinessCheck): this {
    this.#checks.set(name, check);
    return this;
  }

  /** Graceful shutdown: report not-ready so the platform stops routing new traffic here. */
  drain(): void {
    this.#draining = true;
  }

  /** `onFailure` hears of each failing check, with the error if it threw (for the log, never the client). */
  async run(onFailure?: (name: string, result: CheckResult, error?: unknown) => void): Promise<ReadinessReport> {
    const entries = [...this.#checks].map(async ([name, check]): Promise<[string, CheckResult]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(resolve, this.#timeoutMs, TIMEOUT)));
      try {
        const outcome = await Promise.race([Promise.resolve().then(check), timeout]);
        if (outcome !== TIMEOUT && outcome !== false) return [name, 'ok'];
        const result = outcome === TIMEOUT ? 'timeout' : 'failed';
        onFailure?.(name, result);
        return [name, result];
      } catch (error) {
        onFailure?.(name, 'failed', error);
        return [name, 'failed'];
      } finally {
        clearTimeout(timer);
      }
    });
    const checks = Object.fromEntries(await Promise.all(entries));
    if (this.#draining) checks.shutdown = 'failed';
    return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
  }
}
