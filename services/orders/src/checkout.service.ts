import { randomBytes } from 'node:crypto';
import { Cart, type OrderAccepted, type OrderCreateRequest } from '@globalmart/contracts';
import { AppError, type Caller, type Logger, type ServiceInvoker } from '@globalmart/platform';
import type { AddressCipher } from './address.crypto.ts';
import type { IdempotencyStore } from './idempotency.store.ts';
import { draftOrder } from './order.draft.ts';
import type { OrderRepository } from './order.repository.ts';
import type { Order } from './order.types.ts';
import type { OrderWriter } from './order.writer.ts';
import type { SagaStarter } from './workflow.host.ts';

export interface CheckoutDeps {
  invoker: ServiceInvoker;
  idempotency: IdempotencyStore;
  repo: OrderRepository;
  writer: OrderWriter;
  saga: SagaStarter;
  logger: Logger;
  /** Seals the shipping address before the order reaches the idempotency record, the store or the saga. */
  addresses: AddressCipher;
  newOrderId?: () => string;
  now?: () => string;
}

// An empty cart is the customer's problem (422, in draftOrder); a cart we cannot read is the cart service's (502).
function parseCart(body: unknown): Cart {
  const items = (body as { items?: unknown } | undefined)?.items;
  if (Array.isArray(items) && items.length === 0) return { user_id: '', items: [], total: 0, currency: 'XXX', item_count: 0 };
  const cart = Cart.safeParse(body);
  if (!cart.success) throw new AppError(502, 'UPSTREAM.INVALID', 'The cart service answered with an unexpected body.');
  return cart.data;
}

/**
 * POST /orders: cart → PENDING order → saga, answered before the saga runs. One Idempotency-Key yields one order,
 * one workflow and one charge however often (and however concurrently) it is sent: the key is claimed in the state
 * store before anything is written, and every later step is idempotent by order id.
 */
export class CheckoutService {
  readonly #d: Required<CheckoutDeps>;
  readonly #background = new Set<Promise<void>>();

  constructor(deps: CheckoutDeps) {
    this.#d = {
      newOrderId: () => `ord_${randomBytes(16).toString('hex')}`,
      now: () => new Date().toISOString(),
      ...deps,
    };
  }

  async place(caller: Caller, idempotencyKey: string, request: OrderCreateRequest): Promise<OrderAccepted> {
    const { idempotency, invoker, writer } = this.#d;
    // The key's record and the cart are read at once (acceptance waits for one round trip, not two); a repeated key
    // wastes the cart read. orders reads the cart as itself (the access table allows it GET /carts/*): no user headers.
    const cartRead = invoker.invoke<unknown>('cart', `carts/${encodeURIComponent(caller.userId)}`);
    cartRead.catch(() => {}); // a repeat needs no cart: its failure must not fail the repeat (awaited below otherwise)
    const known = await idempotency.find(caller.userId, idempotencyKey);
    if (known) return this.#converge(known);
    const { body } = await cartRead;
    const draft = draftOrder({
      orderId: this.#d.newOrderId(),
      customerId: caller.userId,
      cart: parseCart(body),
      request,
      now: this.#d.now(),
      addresses: this.#d.addresses,
    });
    const claim = await idempotency.claim(caller.userId, idempotencyKey, draft);
    if (!claim.won) return this.#converge(claim.order);
    await writer.create(draft);
    this.#startAfterAnswer(draft, true);
    return { order_id: draft.order_id, status: 'PENDING' };
  }

  /** A repeated key, a racer that lost the claim, or a retry after a crash: finish whatever is missing. */
  async #converge(order: Order): Promise<OrderAccepted> {
    const stored = await this.#d.repo.get(order.order_id);
    if (!stored) await this.#d.writer.create(order);
    if (!stored || stored.status === 'PENDING') this.#startAfterAnswer(order, false);
    return { order_id: order.order_id, status: 'PENDING' };
  }

  /**
   * The saga starts right after the answer (a workflow start costs tens of milliseconds the customer need not wait
   * for), then OrderPlaced is published. That order matters: while OrderPlaced is unpublished its outbox cursor
   * stays, and the outbox relay starts the saga of any PENDING order it finds so — so a crash here, or a start
   * that keeps failing, delays the saga by a relay pass but never loses it.
   */
  #startAfterAnswer(order: Order, fresh: boolean): void {
    const { saga, writer, logger } = this.#d;
    const work = (async () => {
      try {
        await saga.start(order, { fresh });
      } catch (err) {
        logger.warn({ err, order_id: order.order_id }, 'checkout workflow not started yet; the outbox relay retries');
        return;
      }
      await writer.flush(order.order_id);
    })().catch((err: unknown) => logger.warn({ err, order_id: order.order_id }, 'OrderPlaced publish left to the outbox relay'));
    this.#background.add(work);
    void work.finally(() => this.#background.delete(work));
  }

  /** Resolves once the work started after answers is done (graceful shutdown, tests). */
  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }
}
