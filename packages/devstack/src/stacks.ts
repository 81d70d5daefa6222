// Which implementation runs behind an app-id: the TypeScript service (services/<app-id>, the default) or a twin in
// another language behind the same app-id, routes and events (`RECOMMENDATIONS=go npm start`, `startPlatform({ stacks:
// { recommendations: 'go' } })`, Helm's `apps.<app>.stack`). A Go twin is built from its module into
// ~/.cache/globalmart/bin, keyed by a hash of its sources, with progress; a warm cache costs one hash.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cacheDir, repoRoot } from './paths.ts';
import { goVersion, runWithProgress } from './toolchain.ts';

export const stackNames = ['ts', 'go'] as const;
export type Stack = (typeof stackNames)[number];

/** The twins there are: app-id → the folder of its Go module (its binary is named after the app-id). */
export const goTwins: Readonly<Record<string, string>> = {
  recommendations: 'services/recommendations-go',
};

/** The environment variable that picks an app's stack: RECOMMENDATIONS=go. */
export const stackVariable = (appId: string) => appId.toUpperCase().replaceAll('-', '_');

/**
 * Stacks from the environment (RECOMMENDATIONS=go|ts; unset or empty = ts), only for apps that have a twin. Throws a
 * one-line error for any other value.
 */
export function parseStacks(env: Record<string, string | undefined> = process.env): Record<string, Stack> {
  const stacks: Record<string, Stack> = {};
  for (const appId of Object.keys(goTwins)) {
    const variable = stackVariable(appId);
    const value = (env[variable] ?? '').trim();
    if (value === '') continue;
    if (!(stackNames as readonly string[]).includes(value))
      throw new Error(`${variable}: "${value}" is not one of ${stackNames.join(', ')}`);
    stacks[appId] = value as Stack;
  }
  return stacks;
}

/** How to start an app: its command and working folder (the sidecar stays in services/<app-id> either way). */
export interface AppLaunch {
  command: string[];
  cwd: string;
}

/** Cache key: every file the Go build reads (sources, go.mod/go.sum, embedded contract files) and the Go version. */
function goBuildKey(dir: string, gv: string): string {
  const h = createHash('sha256').update(gv);
  for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (/\.(go|mod|sum|json)$/.test(f) && !f.startsWith('test/')) h.update(f).update(readFileSync(join(dir, f)));
  }
  return h.digest('hex').slice(0, 12);
}

/** Builds the Go twin of `appId` (first run, or after its sources changed) and returns the binary's path. */
export async function ensureGoTwin(appId: string, log: (line: string) => void = console.log): Promise<string> {
  const rel = goTwins[appId];
  if (!rel) throw new Error(`${appId} has no Go twin (known: ${Object.keys(goTwins).join(', ')})`);
  const dir = join(repoRoot, rel);
  const gv = goVersion();
  const out = join(cacheDir, 'bin', `${appId}-go-${goBuildKey(dir, gv)}`);
  const bin = join(out, appId);
  if (existsSync(bin)) return bin;
  mkdirSync(out, { recursive: true });
  const started = Date.now();
  log(`building ${appId} (Go, ${relative(repoRoot, dir)}) with ${gv} (cached in ${out})`);
  await runWithProgress('go', ['build', '-v', '-trimpath', '-ldflags', '-s -w', '-o', join(out, `${appId}.partial`), '.'], dir, (n, d) =>
    log(`  ${appId}: ${n} packages compiled, ${d} modules downloaded, ${Math.round((Date.now() - started) / 1000)} s`),
  );
  // Rename last, so an interrupted build never leaves a binary that looks finished.
  renameSync(join(out, `${appId}.partial`), bin);
  log(`built ${appId} (Go) in ${Math.round((Date.now() - started) / 1000)} s`);
  return bin;
}

/** The launch of `appId` on `stack`: undefined for the TypeScript default (the caller's usual command). */
export async function appLaunch(appId: string, stack: Stack | undefined, log?: (line: string) => void): Promise<AppLaunch | undefined> {
  if (stack === undefined || stack === 'ts') return undefined;
  return { command: [await ensureGoTwin(appId, log)], cwd: join(repoRoot, goTwins[appId]!) };
}
