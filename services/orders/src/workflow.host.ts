// The Dapr Workflow adapter: registers the saga and its activities with the SDK's WorkflowRuntime, which talks
// gRPC to the sidecar (DAPR_GRPC_PORT), and starts instances with DaprWorkflowClient. Nothing else imports the SDK.
import { DaprWorkflowClient, WorkflowRuntime, type TWorkflow, type WorkflowActivityContext, type WorkflowContext } from '@dapr/dapr';
import { Logger as SdkLogger } from '@dapr/dapr/logger/Logger.js';
import { currentTraceCarrier, inSpan, platformMetrics, timed, type BaseConfig, type Logger, type TraceCarrier } from '@globalmart/platform';
import type { RetryBudgets } from './checkout.saga.ts';
import { activity, CHECKOUT_WORKFLOW, checkoutWorkflow, sagaInputOf, type SagaContext, type SagaInput } from './checkout.workflow.ts';
import type { Order } from './order.types.ts';

export interface SagaStarter {
  /**
   * Starts the order's saga unless an instance exists (instance id = order id): a second call is a no-op.
   * `fresh`: the order id was minted just now, so no instance can exist and the look-up is skipped.
   */
  start(order: Order, options?: { fresh?: boolean }): Promise<'started' | 'exists'>;
}

export interface WorkflowHostOptions {
  sidecar: Pick<BaseConfig, 'DAPR_HOST' | 'DAPR_GRPC_PORT' | 'DAPR_API_TOKEN'>;
  budgets: RetryBudgets;
  activities: Record<string, (input: never) => Promise<unknown>>;
  /** Work items (orchestrator turns + activities) this process runs at once; the SDK's default is 10. */
  maxConcurrency: number;
  logger: Logger;
}

const isGrpcCode = (err: unknown, code: number) => (err as { code?: unknown }).code === code;
const GRPC_ALREADY_EXISTS = 6;

/**
 * The SDK's durable-task internals log every work item at info through console.log with no way to configure it;
 * their lines go to pino instead (per-item chatter at debug). Patched once, for the DurableTask component only.
 */
function routeSdkLogs(logger: Logger): void {
  const proto = SdkLogger.prototype as unknown as Record<string, (this: { component?: string }, ...args: unknown[]) => void> & {
    __globalmart?: boolean;
  };
  if (proto.__globalmart) return;
  proto.__globalmart = true;
  const log = logger.child({ component: 'dapr-workflow' });
  const levels = { error: 'error', warn: 'warn', info: 'debug', verbose: 'trace', debug: 'trace' } as const;
  for (const [method, level] of Object.entries(levels)) {
    const original = proto[method]!;
    proto[method] = function (this: { component?: string }, ...args: unknown[]) {
      if (this.component !== 'DurableTask') return original.apply(this, args);
      const [message, ...rest] = args;
      log[level]({ detail: rest.map(String) }, String(message));
    };
  }
}

/**
 * The checkout's W3C trace context rides in the saga's input (`_trace`, fixed when the saga starts, so replays see the
 * same input) and in every activity's input: the SDK's work items carry no trace context, so without it each activity
 * would start a trace of its own. Sagas started before this field existed simply have none.
 */
type Traced<T> = T & { _trace?: TraceCarrier };

function withTrace(input: unknown, carrier: TraceCarrier | undefined): unknown {
  if (!carrier?.traceparent || typeof input !== 'object' || input === null || Array.isArray(input) || '_trace' in input) return input;
  return { ...input, _trace: carrier };
}

/** The saga's context, passing the checkout's trace context along with every activity input. */
function tracingContext(ctx: WorkflowContext, carrier: TraceCarrier | undefined): SagaContext {
  return {
    callActivity: (name, input) => ctx.callActivity(name, withTrace(input, carrier)),
    createTimer: (fireAt) => ctx.createTimer(fireAt),
    getCurrentUtcDateTime: () => ctx.getCurrentUtcDateTime(),
    setCustomStatus: (status) => ctx.setCustomStatus(status),
  };
}

const orderIdOf = (input: unknown): string | undefined => {
  const i = input as { order?: { order_id?: unknown }; order_id?: unknown } | undefined;
  const id = i?.order?.order_id ?? i?.order_id;
  return typeof id === 'string' ? id : undefined;
};

/** What an activity came back with, for the saga step histogram: a StepOutcome's or a TransitionResult's kind. */
const outcomeOf = (result: unknown): string => {
  const kind = (result as { kind?: unknown; status?: unknown } | undefined)?.kind;
  return typeof kind === 'string' ? kind : 'ok';
};

/** Counts an order confirmed or cancelled by the saga's own writes. */
function countOrder(name: string, result: unknown): void {
  if (outcomeOf(result) !== 'applied') return;
  if (name === activity.confirm) platformMetrics().ordersConfirmed.add(1);
  if (name === activity.cancel) platformMetrics().ordersCancelled.add(1);
}

/**
 * One step of the saga inside the advance activity (a forward step, the confirm write): a span under the activity's,
 * tagged with the order id, its duration in the saga step histogram, and the order counters. Passed to the activities.
 */
export function observeSagaStep<T>(name: string, orderId: string, run: () => Promise<T>): Promise<T> {
  return inSpan(`saga step ${name}`, { attributes: { 'saga.step': name, 'order.id': orderId } }, async () => {
    const result = await timed(platformMetrics().sagaStepDuration, { step: name }, run, outcomeOf);
    countOrder(name, result);
    return result;
  });
}

/** One activity run: a span in the checkout's trace (tagged with the order id), its duration, and the order counters. */
function runActivity(name: string, ctx: WorkflowActivityContext, input: unknown, fn: (input: never) => Promise<unknown>): Promise<unknown> {
  const traced = input as Traced<object> | undefined;
  const carrier = traced?._trace;
  let plain = input;
  if (carrier) {
    const { _trace, ...rest } = traced;
    plain = rest;
  }
  const orderId = orderIdOf(plain);
  return inSpan(
    `activity ${name}`,
    {
      ...(carrier ? { parent: carrier } : {}),
      attributes: {
        'workflow.activity': name,
        'workflow.instance_id': ctx.getWorkflowInstanceId(),
        ...(orderId ? { 'order.id': orderId } : {}),
      },
    },
    async () => {
      const result = await timed(platformMetrics().sagaStepDuration, { step: name }, () => fn(plain as never), outcomeOf);
      countOrder(name, result);
      return result;
    },
  );
}

export class WorkflowHost implements SagaStarter {
  readonly #runtime: WorkflowRuntime;
  readonly #client: DaprWorkflowClient;
  readonly #options: WorkflowHostOptions;
  #connected = false;

  constructor(options: WorkflowHostOptions) {
    this.#options = options;
    routeSdkLogs(options.logger);
    const grpc = {
      daprHost: options.sidecar.DAPR_HOST,
      daprPort: String(options.sidecar.DAPR_GRPC_PORT),
      ...(options.sidecar.DAPR_API_TOKEN ? { daprApiToken: options.sidecar.DAPR_API_TOKEN } : {}),
    };
    this.#runtime = new WorkflowRuntime(grpc);
    this.#client = new DaprWorkflowClient(grpc);
    this.#tuneWorker(options.maxConcurrency);
    this.#runtime.registerWorkflowWithName(CHECKOUT_WORKFLOW, ((ctx: WorkflowContext, input: Traced<SagaInput>) =>
      checkoutWorkflow(tracingContext(ctx, input._trace), input)) as TWorkflow);
    for (const [name, fn] of Object.entries(options.activities)) {
      this.#runtime.registerActivityWithName(name, (ctx: WorkflowActivityContext, input: unknown) => runActivity(name, ctx, input, fn));
    }
  }

  /**
   * The SDK worker runs at most 10 work items at once and DROPS items beyond a queue of 100 (task-hub-grpc-worker.js):
   * under a burst of checkouts that would stall sagas. The limits are private fields; raise them, and say so loudly
   * if a newer SDK renamed them.
   */
  #tuneWorker(maxConcurrency: number): void {
    const worker = (this.#runtime as unknown as { worker?: Record<string, unknown> }).worker;
    if (worker && typeof worker._maxConcurrentWorkItems === 'number' && typeof worker._maxQueueSize === 'number') {
      worker._maxConcurrentWorkItems = maxConcurrency;
      worker._maxQueueSize = Math.max(10_000, maxConcurrency * 10);
    } else {
      this.#options.logger.warn('cannot tune the Dapr workflow worker (SDK internals changed): it runs 10 work items at once');
    }
  }

  /**
   * Connects the worker once the sidecar's workflow API answers: the SDK gives up for good when its very first
   * connection fails, and the sidecar starts beside the app, not before it.
   */
  async connect(signal?: AbortSignal): Promise<void> {
    for (let delay = 200; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        await this.#client.getWorkflowState('readiness-probe', false);
        break;
      } catch (err) {
        if (signal?.aborted) throw err;
        this.#options.logger.debug({ err }, 'workflow API not ready yet');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    await this.#runtime.start();
    this.#connected = true;
    this.#options.logger.info('checkout workflow worker connected');
  }

  get connected(): boolean {
    return this.#connected;
  }

  async start(order: Order, options: { fresh?: boolean } = {}): Promise<'started' | 'exists'> {
    // A finished instance would be recreated by a plain schedule (Dapr reuses ids of completed workflows): look first.
    if (!options.fresh && (await this.#client.getWorkflowState(order.order_id, false))) return 'exists';
    return this.#schedule(order);
  }

  #schedule(order: Order): Promise<'started' | 'exists'> {
    // A span of orders tagged with the order id (what the trace look-up by order id finds), parent of the saga's activities.
    return inSpan(
      'checkout saga start',
      { attributes: { 'order.id': order.order_id, 'workflow.instance_id': order.order_id } },
      async () => {
        const input: Traced<SagaInput> = { ...sagaInputOf(order, this.#options.budgets), _trace: currentTraceCarrier() };
        const started = await this.#scheduleInput(order, input);
        if (started === 'started') platformMetrics().ordersPlaced.add(1);
        return started;
      },
    );
  }

  async #scheduleInput(order: Order, input: Traced<SagaInput>): Promise<'started' | 'exists'> {
    try {
      await this.#client.scheduleNewWorkflow(CHECKOUT_WORKFLOW, input, order.order_id);
      return 'started';
    } catch (err) {
      // Two racing starts: the loser finds the winner's instance running.
      if (isGrpcCode(err, GRPC_ALREADY_EXISTS)) return 'exists';
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.#connected) await this.#runtime.stop().catch(() => undefined);
    await this.#client.stop().catch(() => undefined);
  }
}
