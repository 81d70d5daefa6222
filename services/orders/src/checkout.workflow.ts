// The checkout saga as a Dapr Workflow orchestrator. It only sequences: every decision is in checkout.saga.ts and
// every side effect is an activity (checkout.activities.ts). Orchestrators are replayed from history, so this code
// must be deterministic: time comes from the context, waiting is a durable timer, and nothing here does I/O.
import {
  budgetFor,
  backoffSeconds,
  cancelReason,
  compensationBackoff,
  compensationsFor,
  FORWARD,
  nextRetry,
  type Compensation,
  type ForwardStep,
  type RetryBudgets,
  type StepOutcome,
} from './checkout.saga.ts';
import type { Order } from './order.types.ts';

export const CHECKOUT_WORKFLOW = 'checkout';

export interface SagaInput {
  /** The order as stored at checkout: what the steps need (lines, amount, token, address) travels with the saga. */
  order: Order;
  /** Fixed when the saga starts, so a restart with other settings never changes a running saga's replay. */
  budgets: RetryBudgets;
}

export function sagaInputOf(order: Order, budgets: RetryBudgets): SagaInput {
  return { order, budgets };
}

/**
 * Activity names, as registered with the workflow runtime. The forward path is ONE activity (`advance`): it runs the
 * forward steps in order from a given step and confirms the order, and comes back at the first step that did not
 * succeed. Every step is idempotent by order id, so running them in one activity loses nothing on a crash (the
 * activity runs again and the done steps answer as before), and it costs Dapr Workflow one activity per order
 * instead of seven (each costs ~6 ms of engine CPU: docs/adr/0002 "Cost per order").
 */
export const activity = {
  advance: 'checkoutAdvance',
  releaseStock: 'releaseStock',
  refundPayment: 'refundPayment',
  cancelShipment: 'cancelShipment',
  confirm: 'confirmOrder',
  cancel: 'cancelOrder',
} as const satisfies Record<Compensation | 'advance' | 'confirm' | 'cancel', string>;

/** The name each forward step goes by in spans, metrics and logs (they were activities of their own before). */
export const stepName = {
  reserve: 'reserveStock',
  authorize: 'authorizePayment',
  ship: 'createShipment',
  capture: 'capturePayment',
  commit: 'commitReservation',
} as const satisfies Record<ForwardStep, string>;

/** The advance activity's input: the saga's, and the index in FORWARD of the first step to run. */
export interface AdvanceInput extends SagaInput {
  from: number;
}

/** How far one run of the advance activity got. */
export type AdvanceResult =
  /** The order is not PENDING (checked when starting from the first step): a saga started again, nothing ran. */
  | { kind: 'skipped'; current: string }
  /** FORWARD[at] did not succeed (the steps before it did). */
  | { kind: 'stopped'; at: number; outcome: StepOutcome }
  /** Every forward step succeeded, but the CONFIRMED write did not happen (the document store did not answer). */
  | { kind: 'forwarded' }
  | { kind: 'confirmed' };

/** The part of Dapr's WorkflowContext the saga uses (a fake drives it in unit tests). */
export interface SagaContext {
  callActivity(name: string, input?: unknown): unknown;
  createTimer(fireAt: Date): unknown;
  getCurrentUtcDateTime(): Date;
  setCustomStatus(status: string): void;
}

export type SagaResult = { status: 'CONFIRMED' } | { status: 'CANCELLED'; reason: string } | { status: 'SKIPPED'; current: string };

// Async generators: the SDK drives only those (a plain generator is taken for a finished orchestration's result).
type Saga<T> = AsyncGenerator<unknown, T, unknown>;

export async function* checkoutWorkflow(ctx: SagaContext, input: SagaInput): Saga<SagaResult> {
  const orderId = input.order.order_id;
  let from = 0;
  // The step being retried, since when, and how often: each step has its own budget (payment steps wait longer).
  let failing: { at: number; sinceMs: number; tries: number } | undefined;
  // An advance run that threw (a bug, not an answer) may have got further than `from` before it did.
  let uncertain = false;
  for (;;) {
    let result: AdvanceResult;
    try {
      result = (yield ctx.callActivity(activity.advance, { ...input, from } satisfies AdvanceInput)) as AdvanceResult;
    } catch {
      uncertain = true;
      result = { kind: 'stopped', at: from, outcome: { kind: 'unavailable', status: 0 } };
    }
    if (result.kind === 'skipped') return { status: 'SKIPPED', current: result.current };
    if (result.kind === 'forwarded') yield* reliably(ctx, activity.confirm, { order_id: orderId });
    if (result.kind === 'forwarded' || result.kind === 'confirmed') return { status: 'CONFIRMED' };

    const { at, outcome } = result;
    const step = FORWARD[at]!;
    from = at;
    if (outcome.kind === 'unavailable') {
      // Retried with backoff and durable timers while the service is unavailable, within the step's budget.
      const nowMs = ctx.getCurrentUtcDateTime().getTime();
      if (failing?.at !== at) failing = { at, sinceMs: nowMs, tries: 0 };
      const next = nextRetry(failing.tries, failing.sinceMs, nowMs, budgetFor(step, input.budgets));
      if (!('giveUp' in next)) {
        // The order stays PENDING meanwhile; the custom status tells operators (and the Dapr dashboard) why.
        ctx.setCustomStatus(`waiting: ${step} unavailable (HTTP ${outcome.status || 'no answer'}), retry ${++failing.tries}`);
        yield ctx.createTimer(new Date(next.retryAtMs));
        continue;
      }
    }
    const reason = cancelReason(step, outcome);
    ctx.setCustomStatus(`cancelling: ${reason}`);
    const undo = uncertain
      ? compensationsFor(FORWARD.slice(0, -1), FORWARD.at(-1)!, 'unavailable')
      : compensationsFor(FORWARD.slice(0, at), step, outcome.kind);
    for (const u of undo) yield* compensate(ctx, u, input);
    yield* reliably(ctx, activity.cancel, { order_id: orderId, reason });
    return { status: 'CANCELLED', reason };
  }
}

/** An activity's outcome; an activity that threw (a bug, a crash) counts as "unavailable" and is retried. */
async function* attempt(ctx: SagaContext, name: string, input: unknown): Saga<StepOutcome> {
  try {
    return (yield ctx.callActivity(name, input)) as StepOutcome;
  } catch {
    return { kind: 'unavailable', status: 0 };
  }
}

/** A compensation never gives up: the services answer 200 for anything unknown, so only an outage stops it. */
async function* compensate(ctx: SagaContext, undo: Compensation, input: SagaInput): Saga<StepOutcome> {
  for (let tries = 0; ; tries++) {
    const outcome = yield* attempt(ctx, activity[undo], input);
    if (outcome.kind !== 'unavailable') return outcome;
    yield ctx.createTimer(new Date(ctx.getCurrentUtcDateTime().getTime() + backoffSeconds(tries, compensationBackoff) * 1000));
  }
}

/** The order's own writes (begin, confirm, cancel) must happen: retried until the document store answers. */
async function* reliably(ctx: SagaContext, name: string, input: unknown): Saga<unknown> {
  for (let tries = 0; ; tries++) {
    try {
      return yield ctx.callActivity(name, input);
    } catch {
      yield ctx.createTimer(new Date(ctx.getCurrentUtcDateTime().getTime() + backoffSeconds(tries, compensationBackoff) * 1000));
    }
  }
}
