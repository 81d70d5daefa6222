import { cartErrorCodes, type Product, type StockLevel } from '@globalmart/contracts';
import { InvokeError, notFound, type ServiceInvoker } from '@globalmart/platform';
import { toMinor, type ProductInfo } from './cart.rules.ts';

/** What the cart asks other services, through Dapr service invocation. */
export interface CartUpstream {
  /** 404 CART.PRODUCT_NOT_FOUND when catalog does not know it. */
  product(productId: string): Promise<ProductInfo>;
  /** Units in stock now (inventory answers 0 for a product it does not know). */
  available(productId: string): Promise<number>;
}

export function cartUpstream(invoker: ServiceInvoker): CartUpstream {
  return {
    async product(productId) {
      try {
        const { body } = await invoker.invoke<Product>('catalog', `products/${productId}`);
        return { product_id: body.id, name: body.name, unit_price_minor: toMinor(body.price), currency: body.currency };
      } catch (err) {
        if (err instanceof InvokeError && err.status === 404) throw notFound(cartErrorCodes.ProductNotFound, `No product ${productId}.`);
        throw err;
      }
    },
    async available(productId) {
      return (await invoker.invoke<StockLevel>('inventory', `stock/${productId}`)).body.stock_qty;
    },
  };
}
