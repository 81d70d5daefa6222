import { identityEventTypes } from '@globalmart/contracts';
import { createLogger, loadConfig, type EventPublisher } from '@globalmart/platform';
import { MemoryPublisher } from '@globalmart/platform/testing';
import { describe, expect, it } from 'vitest';
import { registrationOutbox } from '../src/registration.outbox.ts';
import { memoryUserRepository } from './memory-user.repository.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'identity', APP_PORT: '0', LOG_LEVEL: 'silent' }));

describe('CustomerRegistered outbox', () => {
  it('keeps the user pending when the broker is down, and the sweep publishes it later with the same event id', async () => {
    const users = memoryUserRepository();
    await users.create({
      id: 'usr_aaaaaaaaaaaaaaaaaaaaaaaa',
      email: 'a@example.com',
      name: 'A',
      role: 'customer',
      passwordHash: 'x',
      registrationPending: true,
    });
    const down: EventPublisher = { publish: async () => Promise.reject(new Error('broker down')) };
    await registrationOutbox(users, down, logger).publishNow('usr_aaaaaaaaaaaaaaaaaaaaaaaa', new Date());
    expect(users.records.get('usr_aaaaaaaaaaaaaaaaaaaaaaaa')!.pending).toBe(true);

    const up = new MemoryPublisher();
    const outbox = registrationOutbox(users, up, logger, { graceMs: 0, now: () => Date.now() + 1 });
    expect(await outbox.sweep()).toBe(1);
    expect(up.ofType(identityEventTypes.CustomerRegistered).map((e) => e.id)).toEqual(['usr_aaaaaaaaaaaaaaaaaaaaaaaa:registered']);
    expect(users.records.get('usr_aaaaaaaaaaaaaaaaaaaaaaaa')!.pending).toBe(false);
    expect(await outbox.sweep()).toBe(0);
  });

  it('leaves registrations younger than the grace period to the request that is publishing them', async () => {
    const users = memoryUserRepository();
    await users.create({
      id: 'usr_bbbbbbbbbbbbbbbbbbbbbbbb',
      email: 'b@example.com',
      name: 'B',
      role: 'customer',
      passwordHash: 'x',
      registrationPending: true,
    });
    const pub = new MemoryPublisher();
    expect(await registrationOutbox(users, pub, logger, { graceMs: 60_000 }).sweep()).toBe(0);
    expect(pub.published).toHaveLength(0);
  });
});
