// The checkout saga as a Dapr Workflow orchestrator. It only sequences: every decision is in checkout.saga.ts and
// every side effect is an activity (checkout.activities.ts). Orchestrators are replayed from history, so this code
// must be deterministic: time comes from the context, waiting is a durable timer, and nothing here does I/O.
import {
  budgetFor,
  backoffSeconds,
  cancelReason,
  compensationBackoff,
  compensationsFor,
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

/** Activity names, as registered with the workflow runtime. */
export const activity = {
  begin: 'checkoutBegin',
  reserve: 'reserveStock',
  authorize: 'authorizePayment',
  ship: 'createShipment',
  capture: 'capturePayment',
  commit: 'commitReservation',
  releaseStock: 'releaseStock',
  refundPayment: 'refundPayment',
  cancelShipment: 'cancelShipment',
  confirm: 'confirmOrder',
  cancel: 'cancelOrder',
} as const satisfies Record<ForwardStep | Compensation | 'begin' | 'confirm' | 'cancel', string>;

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

const FORWARD: readonly ForwardStep[] = ['reserve', 'authorize', 'ship', 'capture', 'commit'];

export async function* checkoutWorkflow(ctx: SagaContext, input: SagaInput): Saga<SagaResult> {
  // A saga started again for an order it already finished (an id reused after completion) stops here.
  const begin = (yield* reliably(ctx, activity.begin, input)) as { status: string };
  if (begin.status !== 'PENDING') return { status: 'SKIPPED', current: begin.status };

  const completed: ForwardStep[] = [];
  for (const step of FORWARD) {
    const outcome = yield* forward(ctx, step, input);
    if (outcome.kind === 'ok') {
      completed.push(step);
      continue;
    }
    const reason = cancelReason(step, outcome);
    ctx.setCustomStatus(`cancelling: ${reason}`);
    for (const undo of compensationsFor(completed, step, outcome.kind)) yield* compensate(ctx, undo, input);
    yield* reliably(ctx, activity.cancel, { order_id: input.order.order_id, reason });
    return { status: 'CANCELLED', reason };
  }
  yield* reliably(ctx, activity.confirm, { order_id: input.order.order_id });
  return { status: 'CONFIRMED' };
}

/** An activity's outcome; an activity that threw (a bug, a crash) counts as "unavailable" and is retried. */
async function* attempt(ctx: SagaContext, name: string, input: unknown): Saga<StepOutcome> {
  try {
    return (yield ctx.callActivity(name, input)) as StepOutcome;
  } catch {
    return { kind: 'unavailable', status: 0 };
  }
}

/** A forward step, retried with backoff and durable timers while its service is unavailable, within its budget. */
async function* forward(ctx: SagaContext, step: ForwardStep, input: SagaInput): Saga<StepOutcome> {
  let firstFailureMs: number | undefined;
  for (let tries = 0; ; tries++) {
    const outcome = yield* attempt(ctx, activity[step], input);
    if (outcome.kind !== 'unavailable') return outcome;
    const nowMs = ctx.getCurrentUtcDateTime().getTime();
    firstFailureMs ??= nowMs;
    const next = nextRetry(tries, firstFailureMs, nowMs, budgetFor(step, input.budgets));
    if ('giveUp' in next) return outcome;
    // The order stays PENDING meanwhile; the custom status tells operators (and the Dapr dashboard) why.
    ctx.setCustomStatus(`waiting: ${step} unavailable (HTTP ${outcome.status || 'no answer'}), retry ${tries + 1}`);
    yield ctx.createTimer(new Date(next.retryAtMs));
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
