import { identityEventTypes, identityEvents, type CustomerRegistered } from '@globalmart/contracts';
import type { EventPublisher, Logger } from '@globalmart/platform';
import type { UserRepository } from './user.repository.ts';

const { topic } = identityEvents[identityEventTypes.CustomerRegistered];

export interface RegistrationOutbox {
  /** Publishes at once; on failure the user stays marked pending and the sweep publishes later. Never throws. */
  publishNow(userId: string, registeredAt: Date): Promise<void>;
  /** One pass over pending registrations older than `graceMs` (so an in-flight publishNow is not raced). */
  sweep(): Promise<number>;
}

/**
 * The user document carries `registered_event_pending` until CustomerRegistered is out: a crash or a broker
 * outage between the insert and the publish delays the event, never loses it. The sweep is the Dapr job
 * `identity-registration-outbox` (main.ts), so one replica sweeps at a time. A sweep racing publishNow (in any replica)
 * may publish twice; the fixed event id (`${user_id}:registered`) lets consumers drop the duplicate.
 */
export function registrationOutbox(
  users: UserRepository,
  publisher: EventPublisher,
  logger: Logger,
  { graceMs = 10_000, batch = 100, now = Date.now } = {},
): RegistrationOutbox {
  async function publish(userId: string, registeredAt: Date): Promise<boolean> {
    const data: CustomerRegistered = { customer_id: userId, occurred_at: registeredAt.toISOString() };
    try {
      await publisher.publish(topic, identityEventTypes.CustomerRegistered, data, { id: `${userId}:registered` });
      await users.markRegistrationPublished(userId);
      return true;
    } catch (err) {
      logger.warn({ err, user_id: userId }, 'CustomerRegistered not published yet; the outbox sweep will retry');
      return false;
    }
  }
  const outbox: RegistrationOutbox = {
    async publishNow(userId, registeredAt) {
      await publish(userId, registeredAt);
    },
    async sweep() {
      const pending = await users.pendingRegistrations(new Date(now() - graceMs), batch);
      let published = 0;
      for (const p of pending) if (await publish(p.id, p.createdAt)) published++;
      return published;
    },
  };
  return outbox;
}
