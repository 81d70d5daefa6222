import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  symlinkSync,
  writeFileSync,
  accessSync,
  constants,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir, daprBinDir, daprHome, repoRoot } from './paths.ts';
import { CHROMIUM } from './web.ts';

/** Absolute paths of every binary the local platform runs. */
export interface Toolchain {
  daprd: string;
  placement: string;
  scheduler: string;
  sentry: string;
  dapr: string;
  ferretdb: string;
  /** undefined only when it is missing and could not be installed (not root): startRedis then needs a running one. */
  redisServer: string | undefined;
  /** The PostgreSQL server FerretDB stores its documents in (the project's own cluster; see startPostgres). */
  postgres: PostgresBinaries;
  versions: { dapr: string; daprCli: string; ferretdb: string; postgres: string };
}

/** The PostgreSQL server programs, all from one installation (Debian: /usr/lib/postgresql/<major>/bin). */
export interface PostgresBinaries {
  binDir: string;
  initdb: string;
  postgres: string;
  pgIsReady: string;
  createdb: string;
  psql: string;
}

type Log = (line: string) => void;

interface GoBinary {
  name: string;
  pkg: string;
  tags?: string;
  ldflags?: string;
}

export interface GoToolModule {
  dir: string;
  /** The module whose version names the build (read from the wrapper's go.mod: pinned once). */
  pinned: string;
  binaries: (version: string) => GoBinary[];
}

const DAPR_RUNTIME = 'github.com/dapr/dapr';
const tools = {
  dapr: {
    dir: join(repoRoot, 'tools/dapr'),
    pinned: DAPR_RUNTIME,
    binaries: (v) => {
      const ldflags = `-s -w -X ${DAPR_RUNTIME}/pkg/buildinfo.version=${v}`;
      return [
        { name: 'daprd', pkg: './cmd/daprd', tags: 'stablecomponents', ldflags },
        { name: 'placement', pkg: `${DAPR_RUNTIME}/cmd/placement`, ldflags },
        { name: 'scheduler', pkg: `${DAPR_RUNTIME}/cmd/scheduler`, ldflags },
        { name: 'sentry', pkg: `${DAPR_RUNTIME}/cmd/sentry`, ldflags },
      ];
    },
  },
  daprCli: {
    dir: join(repoRoot, 'tools/dapr-cli'),
    pinned: 'github.com/dapr/cli',
    binaries: (v) => [{ name: 'dapr', pkg: 'github.com/dapr/cli', ldflags: `-s -w -X main.version=${v} -X main.apiVersion=1.0` }],
  },
  ferretdb: {
    dir: join(repoRoot, 'tools/ferretdb'),
    pinned: 'github.com/FerretDB/FerretDB',
    binaries: () => [{ name: 'ferretdb', pkg: '.', ldflags: '-s -w' }],
  },
} satisfies Record<string, GoToolModule>;

export function pinnedVersion(mod: GoToolModule): string {
  const gomod = readFileSync(join(mod.dir, 'go.mod'), 'utf8');
  // `require X vN` or an entry inside a `require (...)` block; replace lines (`=>`) do not count.
  const m = new RegExp(`^(?:require\\s+|\\s+)${mod.pinned.replace(/\./g, '\\.')} v(\\S+)\\s*(?://.*)?$`, 'm').exec(gomod);
  if (!m?.[1]) throw new Error(`${mod.dir}/go.mod does not pin ${mod.pinned}`);
  return m[1];
}

/** Cache key: the wrapper module's sources and the Go version, so any change rebuilds. */
function buildKey(mod: GoToolModule, goVersion: string): string {
  const h = createHash('sha256').update(goVersion);
  for (const f of readdirSync(mod.dir, { recursive: true }).map(String).sort()) {
    if (/\.(go|mod|sum)$/.test(f)) h.update(f).update(readFileSync(join(mod.dir, f)));
  }
  return h.digest('hex').slice(0, 12);
}

export function goVersion(): string {
  try {
    return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'Go is required to build the pinned Dapr runtime and FerretDB: install Go >= 1.26 (https://go.dev/dl) and put `go` on PATH.',
    );
  }
}

/** Builds one wrapper module's binaries into a versioned cache folder, unless already there. */
export async function ensureGoModule(label: string, mod: GoToolModule, log: Log): Promise<Record<string, string>> {
  const version = pinnedVersion(mod);
  const gv = goVersion();
  const out = join(cacheDir, 'bin', `${label}-${version}-${buildKey(mod, gv)}`); // same name as the install stamp
  const bins = mod.binaries(version);
  const paths = Object.fromEntries(bins.map((b) => [b.name, join(out, b.name)]));
  const missing = bins.filter((b) => !existsSync(join(out, b.name)));
  if (missing.length === 0) return paths;
  mkdirSync(out, { recursive: true });
  for (const b of missing) {
    // Another setup (a second terminal, a parallel test run) may have finished it meanwhile.
    if (existsSync(join(out, b.name))) continue;
    const started = Date.now();
    log(`building ${b.name} ${version} with ${gv} (first run only; cached in ${out})`);
    // Each build writes its own partial file: two concurrent builds never rename one another's output away.
    const partial = join(out, `${b.name}.partial-${process.pid}`);
    const args = ['build', '-v', '-trimpath', '-o', partial];
    if (b.tags) args.push('-tags', b.tags);
    if (b.ldflags) args.push('-ldflags', b.ldflags);
    args.push(b.pkg);
    await runWithProgress('go', args, mod.dir, (n) =>
      log(`  ${b.name}: ${n} packages compiled, ${Math.round((Date.now() - started) / 1000)} s`),
    );
    // Rename last, so an interrupted build never leaves a binary that looks finished.
    renameSync(partial, join(out, b.name));
    log(`built ${b.name} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  return paths;
}

export function runWithProgress(
  cmd: string,
  args: string[],
  cwd: string,
  progress: (packages: number, downloads: number) => void,
): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let packages = 0;
    let downloads = 0;
    let lastReport = Date.now();
    const errors: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        if (/^[\w.\-/]+$/.test(line)) packages++;
        else if (line.startsWith('go: downloading ')) downloads++;
        else errors.push(line);
      }
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        progress(packages, downloads);
      }
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolveRun() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${errors.slice(-40).join('\n')}`)),
    );
  });
}

function versionOf(bin: string, args: string[]): string | undefined {
  try {
    return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

function which(bin: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(':').filter(Boolean)) {
    const p = join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** The layout `dapr` expects after `dapr init --slim`: ~/.dapr/bin, ~/.dapr/components, ~/.dapr/config.yaml. */
function ensureDaprHome(): void {
  mkdirSync(daprBinDir, { recursive: true });
  mkdirSync(join(daprHome, 'components'), { recursive: true });
  const cfg = join(daprHome, 'config.yaml');
  if (!existsSync(cfg)) {
    writeFileSync(cfg, 'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: daprConfig\nspec: {}\n');
  }
}

/** Installs (or reuses) every binary; idempotent, and seconds when the cache is warm. */
export async function ensureToolchain(log: Log = console.log): Promise<Toolchain> {
  ensureDaprHome();
  const daprVersion = pinnedVersion(tools.dapr);
  const minor = daprVersion.split('.').slice(0, 2).join('.');
  const runtimeBins = ['daprd', 'placement', 'scheduler', 'sentry'] as const;

  // An install of the same minor version that this project did not build (official `dapr init --slim`) is used
  // as is; one this project built is replaced whenever tools/dapr changes (the stamp names the build).
  const installed = versionOf(join(daprBinDir, 'daprd'), ['--version']);
  const stampFile = join(daprBinDir, '.globalmart-build');
  const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : undefined;
  const wanted = `dapr-${daprVersion}-${buildKey(tools.dapr, goVersion())}`;
  const foreign = stamp === undefined && installed?.startsWith(`${minor}.`) && runtimeBins.every((b) => existsSync(join(daprBinDir, b)));
  const reuse = foreign || stamp === wanted;
  if (!reuse) {
    const built = await ensureGoModule('dapr', tools.dapr, log);
    for (const b of runtimeBins) copyInto(built[b]!, join(daprBinDir, b));
    writeFileSync(stampFile, `${wanted}\n`);
    log(`installed Dapr runtime ${daprVersion} into ${daprBinDir}`);
  }

  const cliVersion = pinnedVersion(tools.daprCli);
  let dapr = which('dapr');
  if (!dapr || !versionOf(dapr, ['version'])) {
    const built = await ensureGoModule('dapr-cli', tools.daprCli, log);
    dapr = join(daprBinDir, 'dapr');
    copyInto(built.dapr!, dapr);
    linkOntoPath(dapr, log);
  }

  const ferret = await ensureGoModule('ferretdb', tools.ferretdb, log);
  const system = await ensureSystemServers(log);
  return {
    daprd: join(daprBinDir, 'daprd'),
    placement: join(daprBinDir, 'placement'),
    scheduler: join(daprBinDir, 'scheduler'),
    sentry: join(daprBinDir, 'sentry'),
    dapr,
    ferretdb: ferret.ferretdb!,
    redisServer: system.redisServer,
    postgres: system.postgres,
    versions: {
      dapr: installed && reuse ? installed : daprVersion,
      daprCli: cliVersion,
      ferretdb: pinnedVersion(tools.ferretdb),
      postgres: system.postgresVersion,
    },
  };
}

const execFileAsync = promisify(execFile);

/** Where Debian's `postgresql` package puts each major version's server programs. */
export const debianPostgresRoot = '/usr/lib/postgresql';
const postgresPrograms = { initdb: 'initdb', postgres: 'postgres', pgIsReady: 'pg_isready', createdb: 'createdb', psql: 'psql' } as const;

/**
 * The PostgreSQL server programs: the highest major version under `<root>/<major>/bin` (Debian's layout), else the
 * folder on PATH that holds `initdb` (its real folder when it is a symlink, e.g. /usr/local/bin/initdb), provided
 * every program is there. undefined when there is none.
 */
export function findPostgres(root = debianPostgresRoot, path = process.env.PATH ?? ''): PostgresBinaries | undefined {
  const complete = (binDir: string): PostgresBinaries | undefined => {
    const bins = Object.fromEntries(Object.entries(postgresPrograms).map(([k, name]) => [k, join(binDir, name)]));
    return Object.values(bins).every(isExecutable) ? ({ binDir, ...bins } as unknown as PostgresBinaries) : undefined;
  };
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+(\.\d+)?$/.test(d))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) {
    const found = complete(join(root, major, 'bin'));
    if (found) return found;
  }
  const initdb = which('initdb', path);
  return initdb ? complete(dirname(realpathSync(initdb))) : undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * PostgreSQL (FerretDB's storage), Redis and Chromium come from the system's packages, not from Go builds. When one is missing
 * and this runs as root on Debian/Ubuntu, they are installed with apt-get (one `apt-get update`, one install);
 * otherwise a one-line error says what to install. A missing Redis alone is not an error here: `npm start` can use
 * one already running on its port (startRedis says so when there is none).
 */
async function ensureSystemServers(
  log: Log,
): Promise<{ postgres: PostgresBinaries; postgresVersion: string; redisServer: string | undefined }> {
  const missing: string[] = [];
  if (!findPostgres()) missing.push('postgresql');
  if (!which('redis-server')) missing.push('redis-server');
  // The browser tests' headless browser (tests/browser, driven by playwright-core).
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  if (missing.length > 0 && process.getuid?.() === 0 && which('apt-get')) {
    log(`installing ${missing.join(' and ')} with apt-get (first run only)`);
    const apt = (args: string[]) =>
      execFileAsync('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 << 20 }).catch(
        (err: unknown) => {
          const { stderr } = err as { stderr?: string };
          throw new Error(`apt-get ${args.join(' ')} failed:\n${(stderr ?? String(err)).trim().split('\n').slice(-20).join('\n')}`, {
            cause: err,
          });
        },
      );
    await apt(['update']);
    await apt(['install', '-y', '--no-install-recommends', ...missing]);
  }
  const postgres = findPostgres();
  if (!postgres) {
    throw new Error(
      `PostgreSQL's server programs are required (FerretDB stores its documents there; the project runs its own cluster): ` +
        `install them (sudo apt-get install postgresql, or put a PostgreSQL bin folder with initdb and postgres on PATH).`,
    );
  }
  const postgresVersion = versionOf(postgres.postgres, ['--version'])?.replace(/^postgres \(PostgreSQL\) /, '') ?? 'unknown';
  return { postgres, postgresVersion, redisServer: which('redis-server') };
}

function copyInto(from: string, to: string): void {
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp, constants.COPYFILE_FICLONE);
  renameSync(tmp, to); // atomic: a running daprd keeps its old inode
}

/** Like Dapr's own installer: put `dapr` in /usr/local/bin when that is writable and free. */
function linkOntoPath(target: string, log: Log): void {
  const link = '/usr/local/bin/dapr';
  try {
    accessSync('/usr/local/bin', constants.W_OK);
    if (!existsSync(link)) {
      symlinkSync(target, link);
      log(`linked ${link} -> ${target}`);
      return;
    }
  } catch {
    // not writable: fall through to the hint
  }
  if (!which('dapr')) log(`the Dapr CLI is at ${target}; add ${daprBinDir} to PATH to run \`dapr list\``);
}
