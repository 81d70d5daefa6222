// The saga's side effects. Each is idempotent by order id (the downstream APIs are), so a replayed or retried
// activity never reserves, charges or books twice. Expected failures come back as a StepOutcome, not an exception.
import { InvokeError, type Logger, type ServiceInvoker } from '@globalmart/platform';
import type { AddressCipher } from './address.crypto.ts';
import { classifyStatus, FORWARD, type ForwardStep, type StepOutcome } from './checkout.saga.ts';
import { activity, stepName, type AdvanceInput, type AdvanceResult, type SagaInput } from './checkout.workflow.ts';
import type { OrderRepository } from './order.repository.ts';
import type { OrderWriter, TransitionResult } from './order.writer.ts';

export interface ActivityDeps {
  invoker: ServiceInvoker;
  repo: OrderRepository;
  writer: OrderWriter;
  logger: Logger;
  addresses: AddressCipher;
  /**
   * Wraps each forward step and the confirm write inside the advance activity (the host: a span and the saga step
   * histogram, named as the step). Default: runs it as it is.
   */
  observeStep?: <T>(name: string, orderId: string, run: () => Promise<T>) => Promise<T>;
}

const COMPENSATIONS = new Set(['releaseStock', 'refundPayment', 'cancelShipment']);

type Activities = Record<(typeof activity)[keyof typeof activity], (input: never) => Promise<unknown>>;

const codeOf = (body: unknown): string | undefined =>
  typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string'
    ? (body as { code: string }).code
    : undefined;

export function checkoutActivities({
  invoker,
  repo,
  writer,
  logger,
  addresses,
  observeStep = (_name, _orderId, run) => run(),
}: ActivityDeps): Activities {
  // Every command carries a JSON body (`{}` when it has nothing to say), so a JSON-only endpoint never refuses it.
  const call = async (step: string, orderId: string, appId: string, method: string, body: unknown = {}): Promise<StepOutcome> => {
    try {
      await invoker.invoke(appId, method, { httpMethod: 'POST', body });
      return { kind: 'ok' };
    } catch (err) {
      if (!(err instanceof InvokeError)) throw err;
      const kind = classifyStatus(err.status);
      const code = codeOf(err.body);
      const log = { order_id: orderId, step, status: err.status, code };
      // Compensations promise 200 for anything unknown: a refusal breaks that contract and leaves something undone.
      if (kind === 'failed' && COMPENSATIONS.has(step)) logger.error(log, `compensation ${step} refused: needs an operator`);
      else logger.warn(log, `checkout step ${step}: ${kind}`);
      return kind === 'failed' ? { kind, status: err.status, ...(code ? { code } : {}) } : { kind: 'unavailable', status: err.status };
    }
  };
  const id = ({ order }: SagaInput) => encodeURIComponent(order.order_id);
  // Decrypted here, inside the activity, so the saga's input and history keep only the sealed form. A failure (its
  // key dropped from the ring) throws: the step counts as unavailable, is retried, and the order is cancelled in the end.
  const openAddress = ({ order }: SagaInput) => {
    try {
      return addresses.open(order.order_id, order.shipping_address);
    } catch (err) {
      logger.error({ order_id: order.order_id, err }, 'cannot decrypt the shipping address: is its key still in the PII keyring?');
      throw err;
    }
  };
  const items = ({ order }: SagaInput) => order.items.map((i) => ({ product_id: i.product_id, quantity: i.quantity }));

  const forward: Record<ForwardStep, (i: SagaInput) => Promise<StepOutcome>> = {
    reserve: (i) => call('reserve', i.order.order_id, 'inventory', 'reservations', { order_id: i.order.order_id, items: items(i) }),
    authorize: ({ order }) =>
      call('authorize', order.order_id, 'payments', 'payments/authorize', {
        order_id: order.order_id,
        amount_minor: order.total_minor,
        currency: order.currency,
        payment_method: order.payment_method,
      }),
    ship: (i) =>
      call('ship', i.order.order_id, 'shipping', 'shipments', {
        order_id: i.order.order_id,
        customer_id: i.order.customer_id,
        address: openAddress(i),
        items: items(i),
      }),
    capture: (i) => call('capture', i.order.order_id, 'payments', `payments/${id(i)}/capture`),
    commit: (i) => call('commit', i.order.order_id, 'inventory', `reservations/${id(i)}/commit`),
  };

  /** The forward path from step `from` on, then the CONFIRMED write; stops at the first step that did not succeed. */
  const advance = async (input: AdvanceInput): Promise<AdvanceResult> => {
    const orderId = input.order.order_id;
    if (input.from === 0) {
      // A saga started again for an order it already finished (an id reused after completion) stops here.
      const current = (await repo.get(orderId))?.status ?? 'MISSING';
      if (current !== 'PENDING') return { kind: 'skipped', current };
    }
    for (let at = input.from; at < FORWARD.length; at++) {
      const step = FORWARD[at]!;
      let outcome: StepOutcome;
      try {
        outcome = await observeStep(stepName[step], orderId, () => forward[step](input));
      } catch (err) {
        // Not an answer (a bug, an undecryptable address): the step counts as unavailable and is retried.
        logger.warn({ order_id: orderId, step, err }, `checkout step ${step} threw`);
        outcome = { kind: 'unavailable', status: 0 };
      }
      if (outcome.kind !== 'ok') return { kind: 'stopped', at, outcome };
    }
    try {
      await observeStep(activity.confirm, orderId, () => writer.transition(orderId, 'CONFIRMED'));
      return { kind: 'confirmed' };
    } catch (err) {
      logger.warn({ order_id: orderId, err }, 'confirming the order failed; the saga retries the write alone');
      return { kind: 'forwarded' };
    }
  };

  return {
    [activity.advance]: advance,
    [activity.releaseStock]: (i: SagaInput) => call('releaseStock', i.order.order_id, 'inventory', `reservations/${id(i)}/release`),
    [activity.refundPayment]: (i: SagaInput) => call('refundPayment', i.order.order_id, 'payments', `payments/${id(i)}/refund`),
    [activity.cancelShipment]: (i: SagaInput) => call('cancelShipment', i.order.order_id, 'shipping', `shipments/${id(i)}/cancel`),
    [activity.confirm]: ({ order_id }: { order_id: string }): Promise<TransitionResult> => writer.transition(order_id, 'CONFIRMED'),
    [activity.cancel]: ({ order_id, reason }: { order_id: string; reason: string }): Promise<TransitionResult> =>
      writer.transition(order_id, 'CANCELLED', { reason }),
  };
}
