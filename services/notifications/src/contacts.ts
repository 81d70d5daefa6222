import { ContactDetails } from '@globalmart/contracts';
import { InvokeError, type ServiceInvoker } from '@globalmart/platform';

export interface Contacts {
  /** The customer's contact details; undefined when identity does not know the customer (a permanent answer). */
  find(customerId: string): Promise<ContactDetails | undefined>;
}

/** A plain address only: no display name, no list separators, no whitespace (it becomes the To header). */
const PLAIN_ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/** identity's GET /contacts/{id} through Dapr service invocation; only the `notifications` app-id may call it. */
export function identityContacts(invoker: ServiceInvoker, identityAppId: string): Contacts {
  return {
    async find(customerId) {
      try {
        const res = await invoker.invoke<unknown>(identityAppId, `contacts/${encodeURIComponent(customerId)}`, { httpMethod: 'GET' });
        const contact = ContactDetails.parse(res.body);
        return PLAIN_ADDRESS.test(contact.email) ? contact : undefined;
      } catch (err) {
        // 404: no such customer; 400: not even a customer id. Asking again will not change either answer.
        if (err instanceof InvokeError && (err.status === 404 || err.status === 400)) return undefined;
        throw err;
      }
    },
  };
}
