import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { addActiveKey, newKid, parseKeyringSpec, stringifyKeyring, type KeyringSpec } from '@globalmart/platform/keyring';

/** The secrets every environment must provide through the Dapr secret store (Kubernetes secrets in Helm). */
export const requiredSecrets = ['jwt-signing-key', 'pii-encryption-key', 'pii-blind-index-key', 'payments-api-key'] as const;
export type SecretName = (typeof requiredSecrets)[number];

/**
 * The secrets held as keyrings (`{"active":"<kid>","keys":{...}}`), so they rotate without breaking what the older
 * keys made. A legacy single value still works: it reads as a ring of one. The blind-index key is not among them:
 * rotating it means recomputing every stored index (a re-index), not adding a key.
 */
export const keyringSecrets = ['jwt-signing-key', 'pii-encryption-key'] as const;
export type KeyringSecretName = (typeof keyringSecrets)[number];

const isKeyringSecret = (name: string): name is KeyringSecretName => (keyringSecrets as readonly string[]).includes(name);

/**
 * Generates the local secrets file for the `local.file` secret store once (git ignores it), and adds
 * any secret a newer checkout requires without rotating the existing ones. Values are never printed.
 */
export function ensureLocalSecrets(file: string): { created: string[] } {
  const current = readSecrets(file);
  const created: string[] = [];
  for (const name of requiredSecrets) {
    if (current[name]) continue;
    current[name] = isKeyringSecret(name) ? stringifyKeyring(firstRing(name)) : generateKey(name);
    created.push(name);
  }
  if (created.length > 0) writeSecrets(file, current);
  return { created };
}

/**
 * Rotates a keyring secret in a local secrets file: a new key under a new kid becomes active, the older keys stay
 * (old tokens still verify, old ciphertexts still decrypt). A legacy single value becomes a keyring first, its key
 * under the kid it always had. The file is replaced atomically; daprd's `local.file` store reads it at start, so
 * restart the apps that use the secret, sidecars included. Answers the new kid and every kid the ring now holds.
 */
export function rotateLocalKey(file: string, name: KeyringSecretName): { kid: string; kids: string[] } {
  if (!isKeyringSecret(name)) throw new Error(`${String(name)} is not a keyring secret (${keyringSecrets.join(', ')} are)`);
  const current = readSecrets(file);
  const value = current[name];
  if (!value) throw new Error(`secret ${name} is missing from ${file}: run npm run setup first`);
  const spec = addActiveKey(parseKeyringSpec(name, value), generateKey(name), newKid());
  current[name] = stringifyKeyring(spec);
  writeSecrets(file, current);
  return { kid: spec.active, kids: Object.keys(spec.keys) };
}

function firstRing(name: KeyringSecretName): KeyringSpec {
  const kid = newKid();
  return { active: kid, keys: { [kid]: generateKey(name) } };
}

function readSecrets(file: string): Record<string, string> {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
}

function writeSecrets(file: string, secrets: Record<string, string>): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Through a temporary file and a rename: a sidecar starting meanwhile reads the old file or the new one, never half.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

function generateKey(name: SecretName): string {
  switch (name) {
    case 'jwt-signing-key':
      return generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    case 'pii-encryption-key':
    case 'pii-blind-index-key':
      return randomBytes(32).toString('base64');
    case 'payments-api-key':
      return `sk_test_${randomBytes(24).toString('hex')}`;
  }
}
