// The storefront's build (services/web, Vite): `npm start` and the browser tests build it when its sources changed
// (a hash of them, like the toolchain cache), into services/web/dist, which the gateway serves. The build also
// measures what a shopper's first visit downloads: the entry's JavaScript, gzipped, with everything it imports
// statically (the admin console and the charts are lazy chunks, fetched only when opened).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from './paths.ts';

/** Debian's Chromium, which the browser tests drive (setup installs it when missing: toolchain.ts). */
export const CHROMIUM = '/usr/bin/chromium';

export const webDir = join(repoRoot, 'services', 'web');
export const webDistDir = join(webDir, 'dist');
/** The storefront entry's budget: JavaScript a shopper downloads before the first page, gzipped. */
export const WEB_ENTRY_BUDGET_BYTES = 250 * 1024;

const HASH_FILE = '.source-hash';
const SIZE_FILE = 'bundle-size.json';

export interface WebBundleSize {
  /** The entry chunk and its static imports, gzipped (bytes). */
  entryJsGzipBytes: number;
  entryFiles: string[];
  /** Every JavaScript file of the build, gzipped (bytes): the entry plus the lazy chunks. */
  allJsGzipBytes: number;
}

function sourceHash(): string {
  const h = createHash('sha256');
  const files = ['index.html', 'vite.config.ts', 'package.json'];
  for (const f of readdirSync(join(webDir, 'src'), { recursive: true }).map(String).sort()) {
    if (statSync(join(webDir, 'src', f)).isFile()) files.push(join('src', f));
  }
  for (const f of files) h.update(f).update(readFileSync(join(webDir, f)));
  h.update(JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'vite', 'package.json'), 'utf8')).version as string);
  return h.digest('hex').slice(0, 16);
}

/** The entry's size from the build's manifest (dist/.vite/manifest.json). */
export function measureWebBundle(dist = webDistDir): WebBundleSize {
  type Chunk = { file: string; isEntry?: boolean; imports?: string[] };
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, Chunk>;
  const gz = (file: string) => gzipSync(readFileSync(join(dist, file))).length;
  const entry = Object.entries(manifest).find(([, c]) => c.isEntry);
  if (!entry) throw new Error('the storefront build has no entry chunk');
  const seen = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || seen.has(chunk.file)) return;
    seen.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entry[0]);
  const entryFiles = [...seen];
  const allJs = [...new Set(Object.values(manifest).map((c) => c.file))].filter((f) => f.endsWith('.js'));
  return {
    entryJsGzipBytes: entryFiles.reduce((n, f) => n + gz(f), 0),
    entryFiles,
    allJsGzipBytes: allJs.reduce((n, f) => n + gz(f), 0),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const sizeLine = (size: WebBundleSize) =>
  `entry ${kb(size.entryJsGzipBytes)} of JavaScript gzipped (budget ${kb(WEB_ENTRY_BUDGET_BYTES)}), ` +
  `${kb(size.allJsGzipBytes)} with the lazy admin and chart chunks`;

/**
 * Builds services/web into dist unless dist was built from the same sources. The build goes to a temporary folder
 * first, so a gateway serving dist never sees half a build. Resolves to the entry's measured size.
 */
export async function ensureWebBuild(log: (line: string) => void): Promise<WebBundleSize> {
  const hash = sourceHash();
  const stamp = join(webDistDir, HASH_FILE);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash && existsSync(join(webDistDir, SIZE_FILE))) {
    const size = JSON.parse(readFileSync(join(webDistDir, SIZE_FILE), 'utf8')) as WebBundleSize;
    log(`storefront up to date (services/web/dist): ${sizeLine(size)}`);
    return size;
  }
  const started = Date.now();
  log('building the storefront (services/web, vite build): its sources changed');
  const tmp = join(webDir, `dist.tmp-${process.pid}`);
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--outDir', tmp, '--logLevel', 'warn'], { cwd: webDir, stdio: 'pipe' });
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`vite build failed (exit ${code}):\n${output.join('').trim().split('\n').slice(-30).join('\n')}`);
  }
  const size = measureWebBundle(tmp);
  writeFileSync(join(tmp, SIZE_FILE), `${JSON.stringify(size, null, 2)}\n`);
  writeFileSync(join(tmp, HASH_FILE), hash);
  rmSync(webDistDir, { recursive: true, force: true });
  renameSync(tmp, webDistDir);
  log(`storefront built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${sizeLine(size)}`);
  return size;
}
