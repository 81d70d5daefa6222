// A carrier that books instantly, numbers parcels GM + 10 digits, and refuses country XX (ISO's "unknown"
// user-assigned code), so tests can rehearse a shipment failure and the saga's compensations.
import { randomInt } from 'node:crypto';
import { UndeliverableError, type Carrier } from './carrier.port.ts';

export const SIMULATED_CARRIER = 'simcarrier';
export const UNDELIVERABLE_COUNTRY = 'XX';

export function simulatedCarrier(random: (max: number) => number = (max) => randomInt(max)): Carrier {
  return {
    async book({ address }) {
      if (address.country === UNDELIVERABLE_COUNTRY) throw new UndeliverableError(address.country);
      const digits = Array.from({ length: 10 }, () => random(10)).join('');
      return { carrier: SIMULATED_CARRIER, trackingNumber: `GM${digits}` };
    },
    async cancel() {
      // Nothing was printed or picked up: a simulated label needs no recall.
    },
  };
}
