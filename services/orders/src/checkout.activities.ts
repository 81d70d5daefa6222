// The saga's side effects. Each is idempotent by order id (the downstream APIs are), so a replayed or retried
// activity never reserves, charges or books twice. Expected failures come back as a StepOutcome, not an exception.
import { InvokeError, type Logger, type ServiceInvoker } from '@globalmart/platform';
import type { AddressCipher } from './address.crypto.ts';
import { classifyStatus, type StepOutcome } from './checkout.saga.ts';
import { activity, type SagaInput } from './checkout.workflow.ts';
import type { OrderRepository } from './order.repository.ts';
import type { OrderWriter, TransitionResult } from './order.writer.ts';

export interface ActivityDeps {
  invoker: ServiceInvoker;
  repo: OrderRepository;
  writer: OrderWriter;
  logger: Logger;
  addresses: AddressCipher;
}

const COMPENSATIONS = new Set(['releaseStock', 'refundPayment', 'cancelShipment']);

type Activities = Record<(typeof activity)[keyof typeof activity], (input: never) => Promise<unknown>>;

const codeOf = (body: unknown): string | undefined =>
  typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string'
    ? (body as { code: string }).code
    : undefined;

export function checkoutActivities({ invoker, repo, writer, logger, addresses }: ActivityDeps): Activities {
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

  return {
    [activity.begin]: async ({ order }: SagaInput) => ({ status: (await repo.get(order.order_id))?.status ?? 'MISSING' }),
    [activity.reserve]: (i: SagaInput) =>
      call('reserve', i.order.order_id, 'inventory', 'reservations', { order_id: i.order.order_id, items: items(i) }),
    [activity.authorize]: ({ order }: SagaInput) =>
      call('authorize', order.order_id, 'payments', 'payments/authorize', {
        order_id: order.order_id,
        amount_minor: order.total_minor,
        currency: order.currency,
        payment_method: order.payment_method,
      }),
    [activity.ship]: (i: SagaInput) =>
      call('ship', i.order.order_id, 'shipping', 'shipments', {
        order_id: i.order.order_id,
        customer_id: i.order.customer_id,
        address: openAddress(i),
        items: items(i),
      }),
    [activity.capture]: (i: SagaInput) => call('capture', i.order.order_id, 'payments', `payments/${id(i)}/capture`),
    [activity.commit]: (i: SagaInput) => call('commit', i.order.order_id, 'inventory', `reservations/${id(i)}/commit`),
    [activity.releaseStock]: (i: SagaInput) => call('releaseStock', i.order.order_id, 'inventory', `reservations/${id(i)}/release`),
    [activity.refundPayment]: (i: SagaInput) => call('refundPayment', i.order.order_id, 'payments', `payments/${id(i)}/refund`),
    [activity.cancelShipment]: (i: SagaInput) => call('cancelShipment', i.order.order_id, 'shipping', `shipments/${id(i)}/cancel`),
    [activity.confirm]: ({ order_id }: { order_id: string }): Promise<TransitionResult> => writer.transition(order_id, 'CONFIRMED'),
    [activity.cancel]: ({ order_id, reason }: { order_id: string; reason: string }): Promise<TransitionResult> =>
      writer.transition(order_id, 'CANCELLED', { reason }),
  };
}
