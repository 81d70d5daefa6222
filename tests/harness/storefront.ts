// A storefront client for system tests: what a web page does, over HTTP to the gateway only.
import { waitUntil } from '@globalmart/devstack';
import { randomUUID } from 'node:crypto';

// The tests assert on these bodies field by field; a loose type keeps them readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

export interface Session {
  userId: string;
  email: string;
  token: string;
}

/**
 * Repeats a sign-up or login identity shed (503 AUTH.BUSY: its password hashing is saturated) after the `retry_after`
 * seconds it names, as a client would, until it gets an answer or `patienceMs` has passed.
 */
/** 503s that say "come back" (with Retry-After): identity's hashing bound, the gateway's checkout admission. */
const SHED_CODES: unknown[] = ['AUTH.BUSY', 'CHECKOUT.BUSY'];

export async function comeBackWhenTold<T extends { status: number; body: Body }>(
  attempt: () => Promise<T>,
  patienceMs = 120_000,
): Promise<T> {
  let res = await attempt();
  const shed = (r: T) => r.status === 503 && SHED_CODES.includes(r.body?.code);
  if (!shed(res)) return res;
  // The condition is the service taking the request; it is asked again at the pace its own Retry-After names.
  await waitUntil(
    'the platform to take the request',
    async () => {
      res = await attempt();
      return !shed(res);
    },
    { timeoutMs: patienceMs, intervalMs: Number(res.body.retry_after ?? 1) * 1000 },
  ).catch(() => undefined); // still shed after patienceMs: the caller asserts on the 503 it gets back
  return res;
}

/** A valid product for admin create calls (tests name it). */
export const productDraft = (name: string) => ({
  name,
  description: 'For tests.',
  price: 9.5,
  currency: 'USD',
  category: 'home-kitchen',
  image_url: 'https://images.globalmart.example/products/mug.jpg',
  tags: [] as string[],
});

export class Storefront {
  readonly base: string;
  constructor(gatewayUrl: string) {
    this.base = gatewayUrl;
  }

  async call(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Body }> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Signs a new customer up and logs in (coming back when identity sheds either, as a storefront would). */
  async newCustomer(name = 'Test Customer'): Promise<Session> {
    const email = `c-${randomUUID()}@example.test`;
    const password = 'correct horse battery staple';
    const signup = await comeBackWhenTold(() => this.call('POST', '/api/auth/signup', { body: { email, password, name } }));
    if (signup.status !== 201) throw new Error(`signup ${signup.status}: ${JSON.stringify(signup.body)}`);
    const login = await comeBackWhenTold(() => this.call('POST', '/api/auth/login', { body: { email, password } }));
    if (login.status !== 200) throw new Error(`login ${login.status}: ${JSON.stringify(login.body)}`);
    return { userId: signup.body.user_id, email, token: login.body.access_token };
  }

  /**
   * Creates the platform's admin the way operators do (`npm run create-admin`, through the harness) and logs in as it;
   * resolves to the admin's access token.
   */
  async newAdmin(
    platform: { createAdmin(email: string, password: string): Promise<string> },
    email = 'ops@globalmart.test',
  ): Promise<string> {
    const password = 'a long admin passphrase';
    await platform.createAdmin(email, password);
    const login = await this.call('POST', '/api/auth/login', { body: { email, password } });
    if (login.status !== 200) throw new Error(`admin login ${login.status}: ${JSON.stringify(login.body)}`);
    return login.body.access_token;
  }

  /** Checks out as a storefront does: shed (503 CHECKOUT.BUSY), it comes back with the same Idempotency-Key. */
  async checkout(s: Session, opts: { paymentMethod?: string; country?: string; idempotencyKey?: string } = {}) {
    const key = opts.idempotencyKey ?? randomUUID();
    return comeBackWhenTold(() => this.checkoutOnce(s, { ...opts, idempotencyKey: key }));
  }

  /** One checkout attempt, answered as it is. */
  async checkoutOnce(s: Session, opts: { paymentMethod?: string; country?: string; idempotencyKey?: string } = {}) {
    return this.call('POST', '/api/orders', {
      token: s.token,
      headers: { 'idempotency-key': opts.idempotencyKey ?? randomUUID() },
      body: {
        payment_method: opts.paymentMethod ?? 'tok_visa',
        shipping_address: {
          name: 'Test Customer',
          line1: '1 Main Street',
          city: 'Springfield',
          postal_code: '12345',
          country: opts.country ?? 'US',
        },
      },
    });
  }

  /** Polls the order until `done` says so (or the time is up), returning the last answer. */
  async waitForOrder(s: Session, orderId: string, done: (status: string) => boolean, timeoutMs = 30_000): Promise<Body> {
    const deadline = Date.now() + timeoutMs;
    let last: Body;
    while (Date.now() < deadline) {
      // Only an order counts: a problem answer (e.g. a 502 while a crashed replica is still being resolved) has a
      // numeric `status` of its own and must not pass for the order's.
      const res = await this.call('GET', `/api/orders/${orderId}`, { token: s.token });
      if (res.status === 200) {
        last = res.body;
        if (last && done(last.status)) return last;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`order ${orderId} still ${last?.status} after ${timeoutMs} ms: ${JSON.stringify(last)}`);
  }
}
