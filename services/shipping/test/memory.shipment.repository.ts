// ShipmentRepository in memory (unit tests only), with the same version check as the MongoDB adapter.
import type { ShipmentRepository } from '../src/shipment.repository.ts';
import type { ShipmentRecord } from '../src/shipment.rules.ts';

const copy = (r: ShipmentRecord): ShipmentRecord => structuredClone(r);

export function memoryShipmentRepository(): ShipmentRepository & { all: Map<string, ShipmentRecord> } {
  const all = new Map<string, ShipmentRecord>();
  return {
    all,
    async findByOrder(orderId) {
      const r = all.get(orderId);
      return r && copy(r);
    },
    async insert(record) {
      const existing = all.get(record.order_id);
      if (existing) return { record: copy(existing), created: false };
      all.set(record.order_id, copy(record));
      return { record: copy(record), created: true };
    },
    async replace(next, expected) {
      if (all.get(next.order_id)?.version !== expected) return undefined;
      all.set(next.order_id, copy(next));
      return copy(next);
    },
  };
}
