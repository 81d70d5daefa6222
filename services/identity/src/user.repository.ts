import type { UserRole } from '@globalmart/contracts';
import type { Model } from 'mongoose';
import type { PiiProtector } from './pii.crypto.ts';
import type { UserDoc } from './user.model.ts';

/** A user as the rest of identity sees it: decrypted, with the password hash for verification only. */
export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  passwordHash: string;
  createdAt: Date;
}

export interface NewUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  passwordHash: string;
  /** true: CustomerRegistered still has to be published for this user. */
  registrationPending: boolean;
}

export class EmailTakenError extends Error {
  constructor() {
    super('a user with this email already exists');
    this.name = 'EmailTakenError';
  }
}

/** The port identity's logic and the create-admin script use; the Mongo adapter below and a memory fake implement it. */
export interface UserRepository {
  /** Throws EmailTakenError when the (normalised) email is already registered. */
  create(user: NewUser): Promise<UserRecord>;
  findByEmail(email: string): Promise<UserRecord | undefined>;
  findById(id: string): Promise<UserRecord | undefined>;
  /** Sets the role and the password hash in one write (create-admin's promotion and password reset). */
  setRoleAndPassword(id: string, role: UserRole, passwordHash: string): Promise<void>;
  /**
   * Replaces the password hash only while it is still `expected` (compare-and-set), and says whether it did: a
   * rehash on login then never overwrites a password that changed meanwhile, and of two concurrent rehashes of the
   * same password the second is a no-op (the first one's hash verifies the same password).
   */
  replacePasswordHash(id: string, expected: string, next: string): Promise<boolean>;
  /** Users whose CustomerRegistered is still unpublished, created before `before`, oldest first. */
  pendingRegistrations(before: Date, limit: number): Promise<{ id: string; createdAt: Date }[]>;
  markRegistrationPublished(id: string): Promise<void>;
}

// Binding the ciphertext to its field and owner (AAD) stops a swapped or copied value from decrypting.
const ctx = (id: string, field: 'email' | 'name') => `users/${id}/${field}`;

const isDuplicateKey = (err: unknown) => (err as { code?: unknown }).code === 11000 || /E11000/.test(String(err));

export interface MongoUserRepository extends UserRepository {
  /** Builds the indexes (the unique blind index above all) before the first write. */
  init(): Promise<void>;
}

export function mongoUserRepository(model: Model<UserDoc>, pii: PiiProtector): MongoUserRepository {
  const toRecord = (d: UserDoc): UserRecord => ({
    id: d._id,
    email: pii.decrypt(d.email_enc, ctx(d._id, 'email')),
    name: pii.decrypt(d.name_enc, ctx(d._id, 'name')),
    role: d.role,
    passwordHash: d.password_hash,
    createdAt: d.created_at,
  });
  return {
    async init() {
      await model.createIndexes();
      const unique = (await model.listIndexes()).some((i: { key?: object; unique?: boolean }) => 'email_bidx' in (i.key ?? {}) && i.unique);
      if (!unique) throw new Error('users.email_bidx has no unique index: refusing to start (duplicate accounts possible)');
    },
    async create(user) {
      try {
        const doc = await model.create({
          _id: user.id,
          email_enc: pii.encrypt(user.email, ctx(user.id, 'email')),
          email_bidx: pii.blindIndex(user.email),
          name_enc: pii.encrypt(user.name, ctx(user.id, 'name')),
          password_hash: user.passwordHash,
          role: user.role,
          registered_event_pending: user.registrationPending,
        });
        return toRecord(doc.toObject());
      } catch (err) {
        if (isDuplicateKey(err)) throw new EmailTakenError();
        throw err;
      }
    },
    async findByEmail(email) {
      const doc = await model.findOne({ email_bidx: pii.blindIndex(email) }).lean<UserDoc>();
      return doc ? toRecord(doc) : undefined;
    },
    async findById(id) {
      const doc = await model.findById(id).lean<UserDoc>();
      return doc ? toRecord(doc) : undefined;
    },
    async setRoleAndPassword(id, role, passwordHash) {
      await model.updateOne({ _id: id }, { $set: { role, password_hash: passwordHash } });
    },
    async replacePasswordHash(id, expected, next) {
      const { modifiedCount } = await model.updateOne({ _id: id, password_hash: expected }, { $set: { password_hash: next } });
      return modifiedCount === 1;
    },
    async pendingRegistrations(before, limit) {
      // `registered_event_pending: true` selects (index-backed, a handful of users); created_at only narrows them.
      const docs = await model
        .find({ registered_event_pending: true, created_at: { $lt: before } }, { _id: 1, created_at: 1 })
        .sort({ created_at: 1 })
        .limit(limit)
        .lean<Pick<UserDoc, '_id' | 'created_at'>[]>();
      return docs.map((d) => ({ id: d._id, createdAt: d.created_at }));
    },
    async markRegistrationPublished(id) {
      await model.updateOne({ _id: id }, { $set: { registered_event_pending: false } });
    },
  };
}
