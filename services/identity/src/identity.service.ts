import { randomBytes } from 'node:crypto';
import type { LoginRequest, SignupRequest, SignupResponse, TokenResponse, UserProfile } from '@globalmart/contracts';
import { conflict, unauthorized, unavailable, type Logger } from '@globalmart/platform';
import { BulkheadRejectedError, bulkhead } from 'cockatiel';
import { defaultHashConcurrency } from './config.ts';
import type { JwtIssuer } from './jwt.issuer.ts';
import { scryptHasher, type PasswordHasher } from './password.hasher.ts';
import type { RegistrationOutbox } from './registration.outbox.ts';
import { EmailTakenError, type UserRecord, type UserRepository } from './user.repository.ts';

export interface IdentityService {
  signup(input: SignupRequest): Promise<SignupResponse>;
  login(input: LoginRequest): Promise<TokenResponse>;
  profile(userId: string): Promise<UserProfile | undefined>;
}

export interface IdentityDeps {
  users: UserRepository;
  issuer: JwtIssuer;
  outbox: RegistrationOutbox;
  logger: Logger;
  hasher?: PasswordHasher;
  /** At most `concurrency` password hashes at once and `queue` waiting; anything beyond gets 503 AUTH.BUSY. */
  hashing?: { concurrency: number; queue: number };
  /** How long after an account was created a repeated signup (same email and password) answers as the first one. */
  signupReplayMs?: number;
  now?: () => Date;
}

/** A client retries within seconds; an hour covers retries after any timeout without making signup a login. */
export const SIGNUP_REPLAY_MS = 60 * 60_000;

/** Seconds a shed client should wait: a full queue drains within about two hash times. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

export const newUserId = (): string => `usr_${randomBytes(12).toString('hex')}`;

// One answer for "no such user" and "wrong password", so a login cannot tell which emails are registered.
const invalidCredentials = () => unauthorized('AUTH.INVALID_CREDENTIALS', 'The email or password is incorrect.');

export const toProfile = (u: UserRecord): UserProfile => ({
  user_id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  created_at: u.createdAt.toISOString(),
});

// Shed, not queued: a flood of logins answers at once instead of piling up scrypt work (and 64 MiB each) behind it.
const busy = () =>
  unavailable('AUTH.BUSY', 'Too many logins and sign-ups at once: try again shortly.', { retry_after: BUSY_RETRY_AFTER_SECONDS });

export function createIdentityService({
  users,
  issuer,
  outbox,
  logger,
  hasher = scryptHasher(),
  hashing = { concurrency: defaultHashConcurrency, queue: defaultHashConcurrency },
  signupReplayMs = SIGNUP_REPLAY_MS,
  now = () => new Date(),
}: IdentityDeps): IdentityService {
  // Unknown emails are checked against this hash, so they cost the same scrypt work as a wrong password.
  const dummyHash = hasher.hash(randomBytes(18).toString('base64'));
  // cockatiel's bulkhead bounds the wait queue too (p-limit and friends queue without limit).
  const slots = bulkhead(hashing.concurrency, hashing.queue);
  const full = () => slots.executionSlots <= 0 && slots.queueSlots <= 0;
  async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
    if (full()) throw busy();
    try {
      return await slots.execute(work);
    } catch (err) {
      if (err instanceof BulkheadRejectedError) throw busy();
      throw err;
    }
  }

  /** Compare-and-set, so neither a concurrent rehash nor a password set meanwhile (create-admin) is overwritten. */
  async function upgradeHash(user: UserRecord, fresh: string): Promise<void> {
    try {
      const replaced = await users.replacePasswordHash(user.id, user.passwordHash, fresh);
      logger.info({ user_id: user.id, replaced, params: hasher.params }, 'password rehashed with the current scrypt parameters');
    } catch (err) {
      // The login itself succeeded; the old hash stays valid and the next login tries again.
      logger.warn({ err, user_id: user.id }, 'password rehash not stored');
    }
  }

  /**
   * A signup whose first attempt did create the account — the caller gave up waiting (a gateway timeout) and tried
   * again — answers like that first attempt: the same customer account, created within the replay window, whose
   * password is the one given. Anything else with the email stays a 409. Knowing the password already opens the
   * account, so this tells nothing a login would not; it costs one scrypt check, in the same bounded slots as a login.
   */
  async function repeatedSignup(email: string, password: string): Promise<UserRecord | undefined> {
    const existing = await users.findByEmail(email);
    if (!existing || existing.role !== 'customer' || now().getTime() - existing.createdAt.getTime() > signupReplayMs) return undefined;
    return (await withHashSlot(() => hasher.verify(password, existing.passwordHash))) ? existing : undefined;
  }

  return {
    async signup({ email, password, name }) {
      const id = newUserId();
      const passwordHash = await withHashSlot(() => hasher.hash(password));
      try {
        await users.create({ id, email, name, role: 'customer', passwordHash, registrationPending: true });
      } catch (err) {
        if (!(err instanceof EmailTakenError)) throw err;
        const repeated = await repeatedSignup(email, password);
        if (repeated) return { user_id: repeated.id };
        throw conflict('IDENTITY.EMAIL_TAKEN', 'An account with this email already exists.');
      }
      logger.info({ user_id: id }, 'customer registered');
      await outbox.publishNow(id, new Date());
      return { user_id: id };
    },
    async login({ email, password }) {
      // Shed before the lookup too: a flood then costs neither scrypt nor a database query.
      if (full()) throw busy();
      const user = await users.findByEmail(email);
      const { ok, fresh } = await withHashSlot(async () => {
        const stored = user?.passwordHash ?? (await dummyHash);
        const ok = await hasher.verify(password, stored);
        // The plaintext is only here at login: the one moment an old hash can be remade with today's parameters.
        const fresh = user && ok && hasher.needsRehash(stored) ? await hasher.hash(password) : undefined;
        return { ok, fresh };
      });
      if (!user || !ok) throw invalidCredentials();
      if (fresh) await upgradeHash(user, fresh);
      const access_token = await issuer.issue({ userId: user.id, role: user.role });
      return { access_token, token_type: 'Bearer', expires_in: issuer.ttlSeconds };
    },
    async profile(userId) {
      const user = await users.findById(userId);
      return user && toProfile(user);
    },
  };
}
