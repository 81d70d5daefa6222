// PaymentProvider adapter for the simulated PSP, reached by Dapr service invocation (app-id `psp`) so that the
// sidecar's Resiliency spec puts a timeout and a circuit breaker on every provider call.
import { PspCharge, PspChargeList } from '@globalmart/contracts';
import { InvokeError, type Logger, type ServiceInvoker } from '@globalmart/platform';
import type { z } from 'zod';
import { ProviderRejectedError, ProviderUnavailableError, type PaymentProvider } from './payment-provider.port.ts';

export interface PspProviderOptions {
  appId: string;
  /** From the secret store (`payments-api-key`); sent as a bearer token like a real PSP's secret key. */
  apiKey: string;
  logger: Logger;
}

/**
 * Dapr 1.18 answers 500 ERR_DIRECT_INVOKE ("circuit breaker is open", a timeout, no app) when it could not get an
 * answer, and passes the app's own status otherwise. Any of those, or no answer at all, means "try again later".
 */
function isUnavailable(err: InvokeError): boolean {
  return err.status === 0 || err.status >= 500 || err.status === 429;
}

function describe(err: InvokeError): string {
  const body = err.body as { message?: unknown; code?: unknown } | undefined;
  const detail = typeof body?.message === 'string' ? body.message : typeof body?.code === 'string' ? body.code : '';
  return `${err.status === 0 ? 'no answer' : `status ${err.status}`}${detail ? `: ${detail}` : ''}`;
}

export function pspProvider(invoker: ServiceInvoker, { appId, apiKey, logger }: PspProviderOptions): PaymentProvider {
  const log = logger.child({ component: 'psp-provider' });
  const headers = { authorization: `Bearer ${apiKey}` };

  async function call<S extends z.ZodType>(
    schema: S,
    method: string,
    body?: unknown,
    query?: Record<string, string>,
  ): Promise<z.output<S>> {
    let answer: unknown;
    try {
      ({ body: answer } = await invoker.invoke(appId, method, {
        httpMethod: body === undefined ? 'GET' : 'POST',
        headers,
        ...(body === undefined ? {} : { body }),
        ...(query ? { query } : {}),
      }));
    } catch (err) {
      if (!(err instanceof InvokeError)) throw err;
      const what = describe(err);
      if (isUnavailable(err)) {
        log.warn({ method, status: err.status, reason: what }, 'payment provider unavailable');
        throw new ProviderUnavailableError(`payment provider unavailable (${what})`, { cause: err });
      }
      throw new ProviderRejectedError(`payment provider refused ${method} (${what})`, err.status, { cause: err });
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success) throw new ProviderRejectedError(`payment provider sent an unreadable answer to ${method}`, 502);
    return parsed.data;
  }

  return {
    async authorize({ idempotencyKey, amountMinor, currency, token }) {
      const charge = await call(PspCharge, 'v1/charges', {
        idempotency_key: idempotencyKey,
        amount_minor: amountMinor,
        currency,
        source: token,
      });
      if (charge.status === 'declined') {
        return { kind: 'declined', code: charge.code ?? 'card_declined', declineCode: charge.decline_code ?? 'generic_decline' };
      }
      return { kind: 'authorized', chargeId: charge.id };
    },
    async capture(chargeId) {
      await call(PspCharge, `v1/charges/${encodeURIComponent(chargeId)}/capture`, {});
    },
    async refund(chargeId) {
      const charge = await call(PspCharge, `v1/charges/${encodeURIComponent(chargeId)}/refund`, {});
      return charge.status === 'voided' ? 'voided' : 'refunded';
    },
    async findByIdempotencyKey(key) {
      const { data } = await call(PspChargeList, 'v1/charges', undefined, { idempotency_key: key });
      const charge = data[0];
      return charge && { chargeId: charge.id, state: charge.status };
    },
  };
}
