import { cartErrorCodes, type Cart, type OrderPlaced } from '@globalmart/contracts';
import { AppError, type StateStore, casUpdate, type CasOptions } from '@globalmart/platform';
import {
  addItem,
  applyOrderPlaced,
  cartView,
  emptyCart,
  priorOp,
  rememberOp,
  removeItem,
  setQuantity,
  type CartChange,
  type CartDoc,
  type CartProblem,
} from './cart.rules.ts';
import type { CartUpstream } from './cart.upstream.ts';

/**
 * The changes take an optional Idempotency-Key: a request whose key the cart already applied answers the cart as it
 * is now and changes nothing (a Dapr retry of a call that timed out, or a client repeating itself).
 */
export interface CartService {
  get(userId: string): Promise<Cart>;
  add(userId: string, productId: string, quantity: number, key?: string): Promise<Cart>;
  setQuantity(userId: string, productId: string, quantity: number, key?: string): Promise<Cart>;
  remove(userId: string, productId: string, key?: string): Promise<Cart>;
  clear(userId: string): Promise<void>;
  /** Takes the ordered units out of the customer's cart; true when something changed (false for a repeat). */
  orderPlaced(order: Pick<OrderPlaced, 'order_id' | 'customer_id' | 'items'>): Promise<boolean>;
}

export interface CartDeps {
  store: StateStore;
  upstream: CartUpstream;
  cas: CasOptions;
  defaultCurrency: string;
  /** Carts untouched this long disappear (Dapr state TTL, renewed by every change). */
  ttlSeconds: number;
  now?: () => Date;
}

export const cartKey = (userId: string) => `cart:${userId}`;

function problemError(p: CartProblem): AppError {
  switch (p.code) {
    case 'CART.INSUFFICIENT_STOCK':
      return new AppError(409, p.code, `Only ${p.available} of ${p.product_id} in stock.`, { ...p });
    case 'CART.CURRENCY_MISMATCH':
      return new AppError(409, p.code, `The cart is in ${p.cart_currency}; this product is priced in another currency.`, { ...p });
    case 'CART.LINE_NOT_FOUND':
      return new AppError(404, p.code, `${p.product_id} is not in the cart.`, { ...p });
    case 'CART.TOO_MANY_LINES':
      return new AppError(422, p.code, `A cart holds at most ${p.max} different products.`, { ...p });
    case 'CART.QUANTITY_LIMIT':
      return new AppError(422, p.code, `A line holds at most ${p.max} units.`, { ...p });
  }
}

const keyReused = () =>
  new AppError(422, cartErrorCodes.IdempotencyKeyReused, 'This Idempotency-Key was already used for another cart change.', {
    field: 'idempotency-key',
  });

/** A keyed request: its key and what it asks (see AppliedOp). */
interface Keyed {
  key: string;
  op: string;
}
const keyed = (key: string | undefined, op: string): Keyed | undefined => (key ? { key, op } : undefined);

/** Carts in the Dapr state store: read → rule → save with the etag, the whole step retried on a conflict. */
export function cartService(deps: CartDeps): CartService {
  const { store, upstream, now = () => new Date() } = deps;
  const view = (cart: CartDoc) => cartView(cart, deps.defaultCurrency);

  /**
   * `rule` sees the stored cart (or an empty one) and says what it becomes; undefined = leave it as it is. A keyed
   * request is looked up first, in the same read, and its key saved with the change (also when nothing changed), so
   * of two attempts of one request racing each other the etag lets exactly one apply it.
   */
  const change = (userId: string, rule: (cart: CartDoc) => CartDoc | undefined, request?: Keyed) =>
    casUpdate<CartDoc, CartDoc>(
      store,
      cartKey(userId),
      (stored) => {
        const cart = stored ?? emptyCart(userId, now());
        const seen = request && priorOp(cart, request.key, request.op);
        if (seen === 'repeat') return { result: cart };
        if (seen === 'reused') throw keyReused();
        const changed = rule(cart);
        const next = request ? rememberOp(changed ?? cart, request.key, request.op) : changed;
        return next ? { next, result: next, ttlInSeconds: deps.ttlSeconds } : { result: cart };
      },
      deps.cas,
    );
  const orFail = (c: CartChange) => {
    if (!c.ok) throw problemError(c.problem);
    return c.cart;
  };

  const remove = async (userId: string, productId: string, request?: Keyed) =>
    view(await change(userId, (cart) => removeItem(cart, productId, now()), request));

  return {
    async get(userId) {
      return view((await store.get<CartDoc>(cartKey(userId)))?.value ?? emptyCart(userId, now()));
    },
    async add(userId, productId, quantity, key) {
      // Outside the CAS loop: a conflict re-runs only the cheap rule, not the calls to catalog and inventory.
      const [product, available] = await Promise.all([upstream.product(productId), upstream.available(productId)]);
      const request = keyed(key, `add ${productId} ${quantity}`);
      return view(await change(userId, (cart) => orFail(addItem(cart, product, quantity, available, now())), request));
    },
    async setQuantity(userId, productId, quantity, key) {
      const request = keyed(key, `set ${productId} ${quantity}`);
      if (quantity === 0) return remove(userId, productId, request);
      const [product, available] = await Promise.all([upstream.product(productId), upstream.available(productId)]);
      return view(await change(userId, (cart) => orFail(setQuantity(cart, product, quantity, available, now())), request));
    },
    remove: (userId, productId, key) => remove(userId, productId, keyed(key, `remove ${productId}`)),
    async clear(userId) {
      await store.delete(cartKey(userId));
    },
    async orderPlaced(order) {
      if (!(await store.get<CartDoc>(cartKey(order.customer_id)))) return false; // no cart: nothing to take out
      let changed = false;
      await change(order.customer_id, (cart) => {
        const next = applyOrderPlaced(cart, order, now());
        changed = next !== undefined;
        return next;
      });
      return changed;
    },
  };
}
