import { randomBytes } from 'node:crypto';
import type { LoginRequest, SignupRequest, SignupResponse, TokenResponse, UserProfile } from '@globalmart/contracts';
import { conflict, unauthorized, type Logger } from '@globalmart/platform';
import type { JwtIssuer } from './jwt.issuer.ts';
import { hashPassword, verifyPassword } from './password.hasher.ts';
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
  hash?: (password: string) => Promise<string>;
}

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

export function createIdentityService({ users, issuer, outbox, logger, hash = hashPassword }: IdentityDeps): IdentityService {
  // Unknown emails are checked against this hash, so they cost the same scrypt work as a wrong password.
  const dummyHash = hash(randomBytes(18).toString('base64'));
  return {
    async signup({ email, password, name }) {
      const id = newUserId();
      const passwordHash = await hash(password);
      try {
        await users.create({ id, email, name, role: 'customer', passwordHash, registrationPending: true });
      } catch (err) {
        if (err instanceof EmailTakenError) throw conflict('IDENTITY.EMAIL_TAKEN', 'An account with this email already exists.');
        throw err;
      }
      logger.info({ user_id: id }, 'customer registered');
      await outbox.publishNow(id, new Date());
      return { user_id: id };
    },
    async login({ email, password }) {
      const user = await users.findByEmail(email);
      const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
      if (!user || !ok) throw invalidCredentials();
      const access_token = await issuer.issue({ userId: user.id, role: user.role });
      return { access_token, token_type: 'Bearer', expires_in: issuer.ttlSeconds };
    },
    async profile(userId) {
      const user = await users.findById(userId);
      return user && toProfile(user);
    },
  };
}
