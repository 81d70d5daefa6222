// The simulator's ledger, in memory on purpose: a restart forgets every charge, which a simulator may do (a real
// PSP keeps them). Idempotency keys are honoured within a process lifetime, concurrent repeats included.
import { randomBytes } from 'node:crypto';
import type { PspCharge, PspChargeRequest, PspIdempotencyStats } from '@globalmart/contracts';
import { behaviourOf } from './charge.rules.ts';

export interface ChargeBookOptions {
  slowDelayMs: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export class IdempotencyMismatchError extends Error {}

export function chargeBook({
  slowDelayMs,
  now = () => new Date(),
  sleep = (ms) => new Promise((r) => setTimeout(r, ms)),
}: ChargeBookOptions) {
  const charges = new Map<string, PspCharge>();
  const byKey = new Map<string, Promise<PspCharge>>();
  const stats = new Map<string, { requests: number; charges: number }>();
  const statsOf = (key: string) => stats.get(key) ?? stats.set(key, { requests: 0, charges: 0 }).get(key)!;

  async function create(req: PspChargeRequest): Promise<PspCharge> {
    const behaviour = behaviourOf(req.source);
    if (behaviour.kind === 'approve' && behaviour.slow) await sleep(slowDelayMs);
    const charge: PspCharge = {
      id: `ch_${randomBytes(12).toString('hex')}`,
      idempotency_key: req.idempotency_key,
      status: behaviour.kind === 'approve' ? 'authorized' : 'declined',
      amount_minor: req.amount_minor,
      currency: req.currency,
      ...(behaviour.kind === 'decline' ? { code: behaviour.code, decline_code: behaviour.declineCode } : {}),
      created_at: now().toISOString(),
    };
    charges.set(charge.id, charge);
    statsOf(req.idempotency_key).charges++;
    return charge;
  }

  return {
    /** The same key always yields the same charge: a repeat (even while the first is still running) never charges again. */
    async charge(req: PspChargeRequest): Promise<PspCharge> {
      statsOf(req.idempotency_key).requests++;
      let pending = byKey.get(req.idempotency_key);
      if (!pending) {
        pending = create(req);
        byKey.set(req.idempotency_key, pending);
        pending.catch(() => byKey.delete(req.idempotency_key));
      }
      const first = await pending;
      const current = charges.get(first.id) ?? first;
      if (current.amount_minor !== req.amount_minor || current.currency !== req.currency) {
        throw new IdempotencyMismatchError('idempotency key reused with a different amount or currency');
      }
      return current;
    },
    get: (id: string) => charges.get(id),
    put: (charge: PspCharge) => void charges.set(charge.id, charge),
    async findByKey(key: string): Promise<PspCharge | undefined> {
      const first = await byKey.get(key)?.catch(() => undefined);
      return first && (charges.get(first.id) ?? first);
    },
    stats: (key: string): PspIdempotencyStats => ({ idempotency_key: key, ...(stats.get(key) ?? { requests: 0, charges: 0 }) }),
  };
}

export type ChargeBook = ReturnType<typeof chargeBook>;
