// Shipping addresses are personal data: an order holds its address encrypted from the moment it is drafted, so the
// idempotency record (Redis), the order document (FerretDB) and the saga's input (the workflow state in Redis) never
// see it in clear. It is decrypted only for the owner's and admins' views and for the step that books the shipment.
import type { ShippingAddress } from '@globalmart/contracts';
import { isSealed, openFields, sealFields, type PiiProtector, type Sealed } from '@globalmart/platform';

export type SealedAddress = Sealed<ShippingAddress>;

/**
 * Every field that names a person or a place. The country stays clear: it identifies nobody on its own, the
 * carrier's deliverability rule turns on it, and reports can group by it without the key.
 */
export const ADDRESS_PII_FIELDS = ['name', 'line1', 'line2', 'city', 'postal_code'] as const;

export interface AddressCipher {
  /** Each field bound to the order and the field (`orders/<id>/shipping_address/<field>`): no moving it elsewhere. */
  seal(orderId: string, address: ShippingAddress): SealedAddress;
  /** Throws when a field was tampered with, belongs to another order, or was made under a key the ring lacks. */
  open(orderId: string, sealed: SealedAddress): ShippingAddress;
}

const context = (orderId: string) => `orders/${orderId}/shipping_address`;

export function addressCipher(pii: PiiProtector): AddressCipher {
  return {
    seal: (orderId, address) => sealFields(pii, address, ADDRESS_PII_FIELDS, context(orderId)),
    open(orderId, sealed) {
      // Orders placed before addresses were encrypted hold them in clear (every field): shown as they are. A mix
      // of clear and encrypted fields is no such order, and fails below.
      if (!ADDRESS_PII_FIELDS.some((f) => typeof sealed[f] === 'string' && isSealed(sealed[f]))) return sealed;
      return openFields(pii, sealed, ADDRESS_PII_FIELDS, context(orderId));
    },
  };
}
