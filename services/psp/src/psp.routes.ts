import { PspChargeRequest, PspOutage, type PspCharge } from '@globalmart/contracts';
import { conflict, notFound, parseBody, parseParams, parseQuery, unauthorized, unavailable, type Logger } from '@globalmart/platform';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { IdempotencyMismatchError, type ChargeBook } from './charge.book.ts';
import { capture, refund, type Transition } from './charge.rules.ts';

const ChargeParams = z.object({ id: z.string().min(1).max(64) });
const KeyQuery = z.object({ idempotency_key: z.string().min(1).max(255) });
const KeyParams = z.object({ key: z.string().min(1).max(255) });

export interface Outage {
  down: boolean;
}

/**
 * While the rehearsed outage is on, every /v1 call answers 503 as a PSP in trouble would (before auth, like a
 * load balancer in front of a dead backend). A secret key is required like Stripe's; the simulator cannot read
 * the secret store, so it checks only the test-key shape.
 */
function gate(outage: Outage): RequestHandler {
  return (req, _res, next) => {
    if (outage.down) throw unavailable('PSP.UNAVAILABLE', 'The payment provider is unavailable (rehearsed outage).');
    if (!/^Bearer sk_test_\w+$/.test(req.get('authorization') ?? ''))
      throw unauthorized('PSP.API_KEY_MISSING', 'Send the secret key as a bearer token.');
    next();
  };
}

export function pspRoutes(book: ChargeBook, outage: Outage, logger: Logger): Router {
  const router = Router();
  const log = logger.child({ component: 'psp' });

  const apply = (id: string, move: (charge: PspCharge) => Transition): PspCharge => {
    const charge = book.get(id);
    if (!charge) throw notFound('PSP.NO_SUCH_CHARGE', `No charge ${id}.`);
    const result = move(charge);
    if (!result.ok) throw conflict('PSP.CHARGE_STATE', result.reason, { status: charge.status });
    book.put(result.charge);
    return result.charge;
  };

  router.use('/v1', gate(outage));
  router.post('/v1/charges', async (req, res) => {
    const body = parseBody(PspChargeRequest, req);
    try {
      const charge = await book.charge(body);
      // Never the token itself in a log line: its first 8 characters name the test card well enough.
      log.info({ charge_id: charge.id, status: charge.status, source: body.source.slice(0, 8) }, 'charge');
      res.json(charge);
    } catch (err) {
      if (err instanceof IdempotencyMismatchError) throw conflict('PSP.IDEMPOTENCY_MISMATCH', err.message);
      throw err;
    }
  });
  router.get('/v1/charges', async (req, res) => {
    const charge = await book.findByKey(parseQuery(KeyQuery, req).idempotency_key);
    res.json({ data: charge ? [charge] : [] });
  });
  router.post('/v1/charges/:id/capture', (req, res) => {
    res.json(apply(parseParams(ChargeParams, req).id, capture));
  });
  router.post('/v1/charges/:id/refund', (req, res) => {
    res.json(apply(parseParams(ChargeParams, req).id, refund));
  });

  router.get('/admin/outage', (_req, res) => {
    res.json({ down: outage.down });
  });
  router.put('/admin/outage', (req, res) => {
    outage.down = parseBody(PspOutage, req).down;
    log.warn({ down: outage.down }, outage.down ? 'rehearsed outage ON' : 'rehearsed outage off');
    res.json({ down: outage.down });
  });
  router.get('/admin/idempotency/:key', (req, res) => {
    res.json(book.stats(parseParams(KeyParams, req).key));
  });
  return router;
}
