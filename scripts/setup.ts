// `npm run setup`: installs the pinned toolchain (Dapr runtime + CLI, FerretDB, Jaeger), makes sure PostgreSQL's server
// programs (FerretDB's storage), Redis and Chromium (the browser tests') are installed (apt-get when root and missing),
// generates local secrets, builds the storefront (services/web) when its sources changed.
// Idempotent; `npm start` and `npm test` call it themselves.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, ensureLocalSecrets, ensureToolchain, secretsFile, type Toolchain } from '@globalmart/devstack';
import { ensureWebBuild } from '../packages/devstack/src/web.ts';
import { ensureJaeger } from '../packages/devstack/src/jaeger.ts';

export async function setup(log: (line: string) => void = (l) => console.log(`» ${l}`)): Promise<Toolchain> {
  const started = Date.now();
  const tc = await ensureToolchain(log);
  const { created } = ensureLocalSecrets(secretsFile);
  // Dapr's name-resolution file lives here (dapr-config/config.yaml).
  mkdirSync(join(dataDir, 'dapr'), { recursive: true });
  if (created.length > 0) log(`generated local secrets (${created.join(', ')}) in ${secretsFile}`);
  // The trace backend `npm start` runs and the tracing tests start (tools/jaeger), built once with progress.
  await ensureJaeger(log);
  // The storefront the gateway serves (services/web/dist), rebuilt only when its sources changed.
  await ensureWebBuild(log);
  log(
    `toolchain ready in ${((Date.now() - started) / 1000).toFixed(1)} s: Dapr ${tc.versions.dapr} (CLI ${tc.versions.daprCli}), FerretDB ${tc.versions.ferretdb} on PostgreSQL ${tc.versions.postgres} (${tc.postgres.binDir}), Node ${process.versions.node}`,
  );
  return tc;
}

if (import.meta.main) {
  await setup().catch((err: unknown) => {
    console.error(`setup failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
