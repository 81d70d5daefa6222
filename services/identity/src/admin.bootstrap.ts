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
  /** Make an existing customer account an admin (and set its password); refused without it. */
  promote: boolean;
  /** The local secrets file to read the PII keys from (default: the one `npm run setup` generates). */
  secretsFile?: string;
}

export const CREATE_ADMIN_USAGE =
  'usage: npm run create-admin -- --email <email> --password <password> [--name <name>] [--promote] [--secrets-file <path>]\n' +
  '       (or set ADMIN_PASSWORD instead of --password, to keep it out of the process list;\n' +
  '        --promote: the email already has a customer account, make it an admin and set this password)';

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${CREATE_ADMIN_USAGE}`);
    this.name = 'UsageError';
  }
}

/** The run was understood but would do something the operator did not ask for: nothing was changed. */
export class BootstrapRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootstrapRefusedError';
  }
}

const Args = z.object({ email: Email, password: NewPassword, name: PersonName, secretsFile: z.string().min(1).optional() });

/** Parses and validates the command line (same email and password rules as sign-up). */
export function parseCreateAdminArgs(argv: string[], env: Record<string, string | undefined> = {}): CreateAdminArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        name: { type: 'string' },
        promote: { type: 'boolean' },
        'secrets-file': { type: 'string' },
      },
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
  const args = { ...rest, promote: values.promote === true };
  return secretsFile ? { ...args, secretsFile } : args;
}

export type BootstrapOutcome = 'created' | 'promoted' | 'password-updated';

export interface BootstrapResult {
  userId: string;
  outcome: BootstrapOutcome;
  /** One line for the operator saying what was changed (and what was not). */
  message: string;
}

// A role lives in the access token: sessions opened before the change keep their old role until they expire.
const SESSIONS_NOTE = 'sessions opened before keep working until their access tokens expire';

/**
 * Creates the admin. An email that already has an account is never taken over silently (whoever signed up with
 * admin@… first would otherwise become admin, with the password they chose): an admin gets the given password,
 * a customer is refused unless `promote` says so, and is then made admin with the given password, so only the
 * operator knows it. An admin made here is no customer sign-up: no CustomerRegistered for it.
 */
export async function bootstrapAdmin(
  users: UserRepository,
  { email, password, name, promote = false }: Pick<CreateAdminArgs, 'email' | 'password' | 'name'> & { promote?: boolean },
  hash: (password: string) => Promise<string> = hashPassword,
): Promise<BootstrapResult> {
  const existing = await users.findByEmail(email);
  if (existing?.role === 'customer' && !promote) {
    throw new BootstrapRefusedError(
      `refused: ${existing.id} is an existing customer account with this email; pass --promote to make it an admin and set its password (nothing was changed)`,
    );
  }
  if (existing) {
    await users.setRoleAndPassword(existing.id, 'admin', await hash(password));
    const outcome = existing.role === 'admin' ? 'password-updated' : 'promoted';
    const did =
      outcome === 'promoted'
        ? `promoted customer ${existing.id} to admin and set its password`
        : `admin ${existing.id} exists: set its password`;
    return { userId: existing.id, outcome, message: `${did}; its profile is unchanged; ${SESSIONS_NOTE}` };
  }
  const created = await users.create({
    id: newUserId(),
    email,
    name,
    role: 'admin',
    passwordHash: await hash(password),
    registrationPending: false,
  });
  return { userId: created.id, outcome: 'created', message: `created admin ${created.id}` };
}
