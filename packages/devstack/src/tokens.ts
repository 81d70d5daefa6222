import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { edgeAppId } from '@globalmart/contracts';
import type { AppTokens } from './sidecar.ts';

/**
 * Per-app tokens for a local platform: each sidecar's API token (DAPR_API_TOKEN: the app and nobody else may use its
 * sidecar) and each app's token (APP_API_TOKEN: the app answers its sidecar and nobody else). The public edge has no
 * app token: clients reach it directly. Kept in a git-ignored 0600 file beside the local secrets, generated once and
 * extended when apps are added; never printed.
 */
export function ensureLocalTokens(file: string, appIds: readonly string[]): Record<string, AppTokens> {
  const current: Record<string, AppTokens> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, AppTokens>) : {};
  let changed = false;
  for (const app of appIds) {
    const t = current[app];
    if (t?.daprApiToken && (app === edgeAppId || t.appApiToken)) continue;
    current[app] = { daprApiToken: token(), ...(app === edgeAppId ? {} : { appApiToken: token() }) };
    changed = true;
  }
  if (changed) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
  }
  return current;
}

const token = () => randomBytes(32).toString('base64url');

/** The tokens of one app, or a one-line error naming it. */
export function tokensOf(all: Record<string, AppTokens>, appId: string): AppTokens {
  const t = all[appId];
  if (!t) throw new Error(`no local tokens for ${appId}`);
  return t;
}
