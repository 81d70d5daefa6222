import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The secrets every environment must provide through the Dapr secret store (Kubernetes secrets in Helm). */
export const requiredSecrets = ['jwt-signing-key', 'pii-encryption-key', 'pii-blind-index-key', 'payments-api-key'] as const;

/**
 * Generates the local secrets file for the `local.file` secret store once (git ignores it), and adds
 * any secret a newer checkout requires without rotating the existing ones. Values are never printed.
 */
export function ensureLocalSecrets(file: string): { created: string[] } {
  const current: Record<string, string> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const created: string[] = [];
  for (const name of requiredSecrets) {
    if (current[name]) continue;
    current[name] = generate(name);
    created.push(name);
  }
  if (created.length > 0) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
  }
  return { created };
}

function generate(name: (typeof requiredSecrets)[number]): string {
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
