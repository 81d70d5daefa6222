import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/devstack/src/paths.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the Dapr CLI expects its runtime: `~/.dapr` (bin/, components/, config.yaml). */
export const daprHome = process.env.DAPR_INSTALL_DIR ?? join(homedir(), '.dapr');
export const daprBinDir = join(daprHome, 'bin');

/** Versioned build outputs, kept across clones so a second setup takes seconds. */
export const cacheDir = process.env.GLOBALMART_CACHE_DIR ?? join(homedir(), '.cache', 'globalmart');

/** Local, git-ignored runtime data (FerretDB files, scheduler etcd, generated secrets). */
export const dataDir = join(repoRoot, '.data');
export const secretsFile = join(dataDir, 'secrets', 'local-secrets.json');
/** Each local app's sidecar API token and app token (see tokens.ts). */
export const tokensFile = join(dataDir, 'secrets', 'local-tokens.json');

export const componentsDir = join(repoRoot, 'components');
export const daprConfigDir = join(repoRoot, 'dapr-config');
export const daprConfigFile = join(daprConfigDir, 'config.yaml');
