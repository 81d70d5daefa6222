// The port to a parcel carrier. The simulated carrier is one adapter; DHL or UPS adapters would implement the same.
import type { ShipmentCreateRequest } from '@globalmart/contracts';

export interface CarrierBooking {
  carrier: string;
  trackingNumber: string;
}

export interface Carrier {
  /** Books a pick-up and prints the label; throws UndeliverableError when it cannot deliver there. */
  book(request: Pick<ShipmentCreateRequest, 'order_id' | 'address' | 'items'>): Promise<CarrierBooking>;
  cancel(trackingNumber: string): Promise<void>;
}

export class UndeliverableError extends Error {
  readonly country: string;
  constructor(country: string) {
    super(`the carrier does not deliver to ${country}`);
    this.name = 'UndeliverableError';
    this.country = country;
  }
}
