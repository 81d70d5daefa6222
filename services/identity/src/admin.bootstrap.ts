import { parseArgs } from 'node:util';
import { Email, NewPassword, PersonName } from '@globalmart/contracts';
import { z } from 'zod';
import { newUserId } from './identity.service.ts';
import { hashPassword } from './password.hasher.ts';
import type { UserRepository } from './user.repository.ts';

export interface CreateAdminArgs {
  email: string;
  password: string;
  name: string;
  /** The local secrets file to read the PII keys from (default: the one `npm run setup` generates). */
  secretsFile?: string;
}

export const CREATE_ADMIN_USAGE =
  'usage: npm run create-admin -- --email <email> --password <password> [--name <name>] [--secrets-file <path>]\n' +
  '       (or set ADMIN_PASSWORD instead of --password, to keep it out of the process list)';

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${CREATE_ADMIN_USAGE}`);
    this.name = 'UsageError';
  }
}

const Args = z.object({ email: Email, password: NewPassword, name: PersonName, secretsFile: z.string().min(1).optional() });

/** Parses and validates the command line (same email and password rules as sign-up). */
export function parseCreateAdminArgs(argv: string[], env: Record<string, string | undefined> = {}): CreateAdminArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, 'secrets-file': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const parsed = Args.safeParse({
    email: values.email,
    password: values.password ?? env.ADMIN_PASSWORD,
    name: values.name ?? 'Administrator',
    secretsFile: values['secrets-file'],
  });
  if (!parsed.success) {
    // Field names and rules only: the password itself is never echoed.
    throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const { secretsFile, ...rest } = parsed.data;
  return secretsFile ? { ...rest, secretsFile } : rest;
}

export type BootstrapOutcome = 'created' | 'promoted' | 'unchanged';

/**
 * Creates the admin, or promotes the existing account with that email (its password is left alone), so running
 * it twice changes nothing. An admin made here is no customer sign-up: no CustomerRegistered for it.
 */
export async function bootstrapAdmin(
  users: UserRepository,
  { email, password, name }: Pick<CreateAdminArgs, 'email' | 'password' | 'name'>,
  hash: (password: string) => Promise<string> = hashPassword,
): Promise<{ userId: string; outcome: BootstrapOutcome }> {
  const existing = await users.findByEmail(email);
  if (existing) {
    if (existing.role === 'admin') return { userId: existing.id, outcome: 'unchanged' };
    await users.setRole(existing.id, 'admin');
    return { userId: existing.id, outcome: 'promoted' };
  }
  const created = await users.create({
    id: newUserId(),
    email,
    name,
    role: 'admin',
    passwordHash: await hash(password),
    registrationPending: false,
  });
  return { userId: created.id, outcome: 'created' };
}
