// `npm run create-admin -- --email E --password P [--promote]`: creates the first admin straight in identity's
// database (the way operators bootstrap a platform before anyone can sign in as admin). An existing admin gets the
// new password; an existing customer is refused (exit 1) unless --promote, which makes it admin with the new
// password. Reuses identity's own repository and crypto; reads the PII keys from the local secrets file.
// Prints the user id on stdout and what it did on stderr; exit 2 on a usage error.
import { readFileSync } from 'node:fs';
import { readRunFile, secretsFile as defaultSecretsFile } from '@globalmart/devstack';
import { createConnection } from 'mongoose';
import { BootstrapRefusedError, UsageError, bootstrapAdmin, parseCreateAdminArgs } from '../services/identity/src/admin.bootstrap.ts';
import { loadPiiKeys } from '../services/identity/src/identity.keys.ts';
import { createPiiProtector } from '../services/identity/src/pii.crypto.ts';
import { userModel } from '../services/identity/src/user.model.ts';
import { mongoUserRepository } from '../services/identity/src/user.repository.ts';

/** identity's MONGODB_URI: the environment's, else the one dapr.yaml gives identity. */
function identityMongoUri(): string {
  if (process.env.MONGODB_URI) return process.env.MONGODB_URI;
  const uri = readRunFile().apps.find((a) => a.appID === 'identity')?.env?.MONGODB_URI;
  if (!uri) throw new Error('set MONGODB_URI: dapr.yaml gives identity none');
  return uri;
}

async function main(): Promise<void> {
  const args = parseCreateAdminArgs(process.argv.slice(2), process.env);
  const file = args.secretsFile ?? process.env.GLOBALMART_SECRETS_FILE ?? defaultSecretsFile;
  let secrets: Record<string, string>;
  try {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    throw new Error(`cannot read the secrets file ${file}: run npm run setup first`);
  }
  const keys = await loadPiiKeys(async (name) => {
    const value = secrets[name];
    if (!value) throw new Error(`secret ${name} is missing from ${file}`);
    return value;
  });
  const connection = await createConnection(identityMongoUri(), { serverSelectionTimeoutMS: 3_000 }).asPromise();
  try {
    const users = mongoUserRepository(userModel(connection), createPiiProtector(keys.encryptionKey, keys.blindIndexKey));
    await users.init();
    const { userId, message } = await bootstrapAdmin(users, args);
    console.error(`create-admin: ${message}`);
    console.log(userId);
  } finally {
    await connection.close();
  }
}

if (import.meta.main) {
  await main().catch((err: unknown) => {
    const known = err instanceof UsageError || err instanceof BootstrapRefusedError;
    console.error(known ? `create-admin: ${(err as Error).message}` : `create-admin failed: ${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
