import { normalizeEmail } from '../src/pii.crypto.ts';
import { EmailTakenError, type UserRecord, type UserRepository } from '../src/user.repository.ts';

/** In-memory UserRepository for unit tests (the Mongo adapter is covered by the system test). */
export function memoryUserRepository(): UserRepository & { records: Map<string, UserRecord & { pending: boolean }> } {
  const records = new Map<string, UserRecord & { pending: boolean }>();
  const byEmail = (email: string) => [...records.values()].find((r) => normalizeEmail(r.email) === normalizeEmail(email));
  const strip = (r: (UserRecord & { pending: boolean }) | undefined): UserRecord | undefined => {
    if (!r) return undefined;
    const { pending: _pending, ...record } = r;
    return { ...record };
  };
  return {
    records,
    async create(u) {
      if (byEmail(u.email)) throw new EmailTakenError();
      const record = {
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        passwordHash: u.passwordHash,
        createdAt: new Date(),
        pending: u.registrationPending,
      };
      records.set(u.id, record);
      return strip(record)!;
    },
    findByEmail: async (email) => strip(byEmail(email)),
    findById: async (id) => strip(records.get(id)),
    async setRoleAndPassword(id, role, passwordHash) {
      const r = records.get(id);
      if (r) Object.assign(r, { role, passwordHash });
    },
    async replacePasswordHash(id, expected, next) {
      const r = records.get(id);
      if (!r || r.passwordHash !== expected) return false;
      r.passwordHash = next;
      return true;
    },
    async pendingRegistrations(before, limit) {
      return [...records.values()]
        .filter((r) => r.pending && r.createdAt < before)
        .slice(0, limit)
        .map((r) => ({ id: r.id, createdAt: r.createdAt }));
    },
    async markRegistrationPublished(id) {
      const r = records.get(id);
      if (r) r.pending = false;
    },
  };
}
