// The checkout saga's decisions, as plain functions: what an answer means, when to retry, which compensations
// undo what, and the reason an order is cancelled with. checkout.workflow.ts only sequences them.

/** Forward steps in order; capture and commit form the confirm step. */
export type ForwardStep = 'reserve' | 'authorize' | 'ship' | 'capture' | 'commit';
export const FORWARD: readonly ForwardStep[] = ['reserve', 'authorize', 'ship', 'capture', 'commit'];
export type Compensation = 'cancelShipment' | 'refundPayment' | 'releaseStock';

/** What one call to a downstream service came to. `status` is the HTTP status (0: no answer). */
export type StepOutcome = { kind: 'ok' } | { kind: 'failed'; status: number; code?: string } | { kind: 'unavailable'; status: number };

/** A business "no" is final; an outage, a timeout or contention is worth another try. */
export function classifyStatus(status: number): StepOutcome['kind'] {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 0 || status === 408 || status === 429 || status >= 500) return 'unavailable';
  return 'failed';
}

const compensationOf: Partial<Record<ForwardStep, Compensation>> = {
  reserve: 'releaseStock',
  authorize: 'refundPayment',
  ship: 'cancelShipment',
  // A captured payment is refunded by the same call that voids an authorisation; a committed reservation is final.
  capture: 'refundPayment',
};

/**
 * The compensations for a saga that stopped at `failedStep`, in reverse order of the steps they undo.
 * A step that ended `failed` did nothing (every API is all-or-nothing), so it needs no undo; a step we gave up
 * on after `unavailable` may have happened without our hearing the answer, so it is undone too — harmless,
 * because every compensation answers 200 for something that never happened.
 */
export function compensationsFor(completed: readonly ForwardStep[], failedStep: ForwardStep, outcome: StepOutcome['kind']): Compensation[] {
  const touched = outcome === 'failed' ? [...completed] : [...completed, failedStep];
  const result: Compensation[] = [];
  for (const step of touched.reverse()) {
    const undo = compensationOf[step];
    if (undo && !result.includes(undo)) result.push(undo);
  }
  return result;
}

/** Why the order was cancelled, in the words the customer sees (cancel_reason). */
export function cancelReason(step: ForwardStep, outcome: StepOutcome): string {
  const gaveUp = outcome.kind === 'unavailable';
  switch (step) {
    case 'reserve':
      if (gaveUp) return 'inventory unavailable';
      return outcome.kind === 'failed' && outcome.status === 409 && outcome.code !== 'INVENTORY.ORDER_ID_REUSED'
        ? 'out of stock'
        : 'reservation failed';
    case 'authorize':
      if (gaveUp) return 'payment provider unavailable';
      return outcome.kind === 'failed' && outcome.status === 402 ? 'payment declined' : 'payment failed';
    case 'ship':
      return gaveUp ? 'shipping unavailable' : 'shipment failed';
    case 'capture':
      return gaveUp ? 'payment provider unavailable' : 'payment capture failed';
    case 'commit':
      return gaveUp ? 'inventory unavailable' : 'reservation expired';
  }
}

export interface RetryBudgets {
  /** How long an order waits for the payment provider (ORDER_PAYMENT_WAIT_SECONDS). */
  paymentWaitSeconds: number;
  /** How long the other steps retry an unavailable service before the order is cancelled. */
  stepRetrySeconds: number;
}

export function budgetFor(step: ForwardStep, budgets: RetryBudgets): number {
  return step === 'authorize' || step === 'capture' ? budgets.paymentWaitSeconds : budgets.stepRetrySeconds;
}

export interface Backoff {
  initialSeconds: number;
  maxSeconds: number;
}

export const forwardBackoff: Backoff = { initialSeconds: 1, maxSeconds: 10 };
/** Compensations never give up (the services promise 200 for anything unknown): they back off further instead. */
export const compensationBackoff: Backoff = { initialSeconds: 1, maxSeconds: 30 };

/** Exponential backoff, no jitter: a workflow must compute the same timer on every replay. */
export function backoffSeconds(attempt: number, backoff: Backoff): number {
  return Math.min(backoff.initialSeconds * 2 ** Math.min(attempt, 20), backoff.maxSeconds);
}

/**
 * After the `attempt`-th unavailable answer (0-based), first seen at `firstFailureMs`: when to try again, or
 * give up once the budget is spent. The last retry is pulled in to the deadline so the budget is used in full.
 */
export function nextRetry(
  attempt: number,
  firstFailureMs: number,
  nowMs: number,
  budgetSeconds: number,
  backoff = forwardBackoff,
): { retryAtMs: number } | { giveUp: true } {
  const deadline = firstFailureMs + budgetSeconds * 1000;
  if (nowMs >= deadline) return { giveUp: true };
  return { retryAtMs: Math.min(nowMs + backoffSeconds(attempt, backoff) * 1000, deadline) };
}
