// The ceiling the browse and product-page benches measure against: a trivial handler through the same two sidecars.
// Load goes to the gateway's own daprd (the one the gateway invokes through), which invokes a second, fresh daprd
// started exactly as the harness starts every app's (same flags, mTLS, resources, access policies), in front of a
// bare node:http app that answers a fixed JSON body. Nothing but the two sidecars and the loopback hops is left, so
// "figure / ceiling" is the share of what Dapr allows on this machine that the real path reaches.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureToolchain, repoRoot, startDaprApp, tokensOf, type AppTokens, type RunningApp } from '@globalmart/devstack';
import type { Platform } from '../tests/harness/platform.ts';

/** An app-id the gateway's sidecar may invoke (GET /reports/*, admin reports) and that the benches do not run. */
export const CEILING_APP_ID = 'analytics';
export const CEILING_METHOD = 'reports/ceiling';

export interface Ceiling {
  /** What the load generator requests: the gateway's sidecar invoking the trivial app. */
  url: string;
  /** The gateway sidecar's API token. */
  headers: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the trivial app beside a daprd of its own (app-id CEILING_APP_ID) in `platform`, which must run the gateway. */
export async function startCeiling(platform: Platform): Promise<Ceiling> {
  if (platform.instances(CEILING_APP_ID).length > 0) throw new Error(`${CEILING_APP_ID} runs in this platform: pick another app-id`);
  const resources = join(platform.workDir, 'resources');
  const tokens = JSON.parse(readFileSync(join(platform.workDir, 'tokens.json'), 'utf8')) as Record<string, AppTokens>;
  const app: RunningApp = await startDaprApp(
    {
      toolchain: await ensureToolchain(() => {}),
      resourcesPaths: [join(resources, 'components'), join(resources, 'dapr-config')],
      configFileFor: (appId) => join(resources, 'dapr-config', 'apps', `${appId}.yaml`),
      sentry: platform.infra.sentry,
      tokens: (appId) => tokensOf(tokens, appId),
      logDir: join(platform.workDir, 'logs'),
      ...(platform.infra.placementAddress ? { placementAddress: platform.infra.placementAddress } : {}),
    },
    {
      appId: CEILING_APP_ID,
      launch: { command: [process.execPath, join(repoRoot, 'bench/trivial.app.ts')], cwd: repoRoot },
    },
  );
  return {
    url: `${platform.daprUrl('gateway')}/v1.0/invoke/${CEILING_APP_ID}/method/${CEILING_METHOD}`,
    headers: platform.daprHeaders('gateway'),
    stop: () => app.stop(),
  };
}
