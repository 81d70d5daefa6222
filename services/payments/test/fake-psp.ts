// A minimal PSP behind MemoryInvoker (unit tests only): dedupes on the key, declines tok_chargeDeclined, and can
// answer like an outage (503 from the app) or like Dapr with an open breaker (500 ERR_DIRECT_INVOKE).
import type { PspCharge } from '@globalmart/contracts';
import type { MemoryInvoker } from '@globalmart/platform/testing';

export function fakePsp(invoker: MemoryInvoker) {
  const state = { mode: 'up' as 'up' | 'outage' | 'breaker-open', charges: new Map<string, PspCharge>(), requests: 0 };
  const failure = () =>
    state.mode === 'outage'
      ? { status: 503, body: { status: 503, code: 'PSP.UNAVAILABLE' } }
      : state.mode === 'breaker-open'
        ? { status: 500, body: { errorCode: 'ERR_DIRECT_INVOKE', message: 'failed to invoke, id: psp, err: circuit breaker is open' } }
        : undefined;
  const move = (id: string, to: (c: PspCharge) => PspCharge['status']) => () => {
    const charge = state.charges.get(id)!;
    state.charges.set(id, { ...charge, status: to(charge) });
    return failure() ?? { body: state.charges.get(id) };
  };

  invoker.on(
    'psp',
    'v1/charges',
    (req) => {
      const down = failure();
      if (down) return down;
      const key = req.query.get('idempotency_key')!;
      return { body: { data: [...state.charges.values()].filter((c) => c.idempotency_key === key) } };
    },
    'GET',
  );
  invoker.on(
    'psp',
    'v1/charges',
    (req) => {
      state.requests++;
      const down = failure();
      if (down) return down;
      const body = req.body as { idempotency_key: string; amount_minor: number; currency: string; source: string };
      const existing = [...state.charges.values()].find((c) => c.idempotency_key === body.idempotency_key);
      if (existing) return { body: existing };
      const id = `ch_${state.charges.size + 1}`;
      const declined = body.source === 'tok_chargeDeclined';
      const charge: PspCharge = {
        id,
        idempotency_key: body.idempotency_key,
        status: declined ? 'declined' : 'authorized',
        amount_minor: body.amount_minor,
        currency: body.currency,
        ...(declined ? { code: 'card_declined', decline_code: 'generic_decline' } : {}),
        created_at: new Date().toISOString(),
      };
      state.charges.set(id, charge);
      invoker.on(
        'psp',
        `v1/charges/${id}/capture`,
        move(id, () => 'captured'),
        'POST',
      );
      invoker.on(
        'psp',
        `v1/charges/${id}/refund`,
        move(id, (c) => (c.status === 'captured' ? 'refunded' : 'voided')),
        'POST',
      );
      return { body: charge };
    },
    'POST',
  );
  return state;
}
