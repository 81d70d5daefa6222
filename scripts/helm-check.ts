// `node scripts/helm-check.ts`: lints helm/globalmart and renders it (and its NOTES.txt) with its default values,
// with every pub/sub broker and with the network policies' variants, failing on any Helm error or lint warning. Helm
// v3 is pinned and, when missing, built from the Go module proxy (`go install`) into
// ~/.cache/globalmart/bin/helm-<version>/: minutes the first time, then instant.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { cacheDir, repoRoot } from '@globalmart/devstack';

const run = promisify(execFile);

export const HELM_VERSION = 'v3.22.0';
const HELM_MODULE = 'helm.sh/helm/v3';
export const chartDir = join(repoRoot, 'helm', 'globalmart');
const helmDir = join(cacheDir, 'bin', `helm-${HELM_VERSION}`);
const helmBin = join(helmDir, 'helm');
// Written after the installed binary answered with the pinned version: a half-copied binary never counts.
const stamp = join(helmDir, '.installed');

type Log = (line: string) => void;

/** The brokers values.yaml offers (pubsub.type); each one must render. */
export const pubsubTypes = ['redis', 'rabbitmq', 'jetstream', 'mqtt', 'kafka'] as const;

export interface Rendering {
  /** What was rendered, e.g. `default` or `pubsub.type=kafka`. */
  name: string;
  args: string[];
  manifest: string;
}

async function helmVersion(bin: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(bin, ['version', '--short'], { timeout: 10_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** A Helm v3 that needs no download: the pinned one in the cache, else one on PATH; undefined when neither. */
export async function findHelm(): Promise<string | undefined> {
  if (existsSync(stamp) && existsSync(helmBin)) return helmBin;
  const onPath = await helmVersion('helm');
  return onPath?.startsWith('v3.') ? 'helm' : undefined;
}

/** Helm's own build stamps the Kubernetes version of its client-go (the default for --kube-version); so do we. */
async function kubeMinorOf(version: string): Promise<string> {
  const { stdout } = await run('go', ['mod', 'download', '-json', `${HELM_MODULE}@${version}`], { cwd: helmDir, timeout: 300_000 });
  const info = JSON.parse(stdout) as { GoMod?: string; Error?: string };
  if (!info.GoMod) throw new Error(`the Go module proxy did not serve ${HELM_MODULE}@${version}: ${info.Error ?? stdout}`);
  const m = /k8s\.io\/client-go v0\.(\d+)\./.exec(readFileSync(info.GoMod, 'utf8'));
  if (!m?.[1]) throw new Error(`${HELM_MODULE}@${version}'s go.mod names no k8s.io/client-go version`);
  return m[1];
}

/** `go install` with progress every 15 s (compiled packages, module downloads); rejects with go's own last lines. */
function goInstall(args: string[], env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('go', args, { cwd: helmDir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const started = Date.now();
    let packages = 0;
    let downloads = 0;
    const other: string[] = [];
    const timer = setInterval(
      () => log(`  helm: ${packages} packages compiled, ${downloads} modules downloaded, ${Math.round((Date.now() - started) / 1000)} s`),
      15_000,
    );
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        if (line.startsWith('go: downloading ')) downloads++;
        else if (/^[\w.\-/]+$/.test(line)) packages++;
        else other.push(line);
      }
    });
    child.once('error', (err) => {
      clearInterval(timer);
      reject(new Error(`cannot run go (${err.message}): install Go >= 1.26 and put it on PATH`));
    });
    child.once('exit', (code) => {
      clearInterval(timer);
      if (code === 0) resolveRun();
      else reject(new Error(`go ${args.join(' ')} failed (exit ${code}):\n${other.slice(-30).join('\n')}`));
    });
  });
}

/** findHelm(), or the pinned Helm built from the Go module proxy into the cache. */
export async function ensureHelm(log: Log = console.log): Promise<string> {
  const found = await findHelm();
  if (found) return found;
  const started = Date.now();
  mkdirSync(helmDir, { recursive: true });
  log(`installing Helm ${HELM_VERSION} with go install (first run only; cached in ${helmDir}) ...`);
  const minor = await kubeMinorOf(HELM_VERSION);
  const ldflags = [
    '-s -w',
    `-X ${HELM_MODULE}/internal/version.version=${HELM_VERSION}`,
    `-X ${HELM_MODULE}/internal/version.gitTreeState=clean`,
    ...['pkg/chartutil', 'pkg/lint/rules'].flatMap((pkg) => [
      `-X ${HELM_MODULE}/${pkg}.k8sVersionMajor=1`,
      `-X ${HELM_MODULE}/${pkg}.k8sVersionMinor=${minor}`,
    ]),
  ].join(' ');
  await goInstall(
    ['install', '-v', '-trimpath', '-ldflags', ldflags, `${HELM_MODULE}/cmd/helm@${HELM_VERSION}`],
    { ...process.env, GOBIN: helmDir, CGO_ENABLED: '0' },
    log,
  );
  const version = await helmVersion(helmBin);
  if (!version?.startsWith(HELM_VERSION)) throw new Error(`${helmBin} answers ${version ?? 'nothing'}, not ${HELM_VERSION}`);
  writeFileSync(stamp, `${version}\n`);
  log(`installed Helm ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
  return helmBin;
}

/** The oldest Kubernetes the chart supports (Chart.yaml kubeVersion): render against it, whatever Helm's default. */
export function minKubeVersion(): string {
  const m = /^kubeVersion:\s*["']?>=\s*v?(\d+\.\d+\.\d+)/m.exec(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'));
  if (!m?.[1]) throw new Error('helm/globalmart/Chart.yaml needs a `kubeVersion: ">=X.Y.Z-0"`');
  return m[1];
}

/** `helm <args>`; rejects with Helm's own output on failure. */
export async function helm(bin: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(bin, args, { cwd: repoRoot, maxBuffer: 32 * 1024 * 1024, timeout: 120_000 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`helm ${args.join(' ')} failed:\n${e.stderr || e.stdout || e.message}`, { cause: err });
  }
}

/**
 * NOTES.txt as `helm install` prints it. `helm template` leaves it out and `helm install --dry-run` needs a cluster,
 * so a copy of the chart renders it into a ConfigMap.
 */
export async function renderNotes(bin: string, set: string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'globalmart-chart-'));
  try {
    const chart = join(dir, 'globalmart');
    cpSync(chartDir, chart, { recursive: true });
    const templates = join(chart, 'templates');
    const notes = readFileSync(join(templates, 'NOTES.txt'), 'utf8');
    rmSync(join(templates, 'NOTES.txt'));
    writeFileSync(join(templates, '_helm-check-notes.tpl'), `{{- define "helm-check.notes" -}}\n${notes}{{- end -}}\n`);
    writeFileSync(
      join(templates, 'helm-check-notes.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ include "helm-check.notes" . | toJson }}\n',
    );
    const args = ['template', 'globalmart', chart, '--namespace', 'globalmart', '--kube-version', minKubeVersion()];
    const manifest = await helm(bin, [...args, '--show-only', 'templates/helm-check-notes.yaml', ...set]);
    return (parse(manifest) as { data: { notes: string } }).data.notes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lints the chart (warnings fail) and renders every variant and NOTES.txt; returns the renderings for further checks. */
export async function helmCheck(bin: string, log: Log = console.log): Promise<Rendering[]> {
  const kube = ['--kube-version', minKubeVersion()];
  for (const set of [[], ['--set', 'pubsub.type=rabbitmq'], ['--set', 'networkPolicy.egress.enabled=true']]) {
    await helm(bin, ['lint', '--strict', chartDir, ...kube, ...set]);
    log(`helm lint --strict ${set.join(' ') || '(default values)'}: ok`);
  }
  const variants: [string, string[]][] = [
    ['default', []],
    ...pubsubTypes.filter((t) => t !== 'redis').map((t): [string, string[]] => [`pubsub.type=${t}`, ['--set', `pubsub.type=${t}`]]),
    ['ingress.enabled=true', ['--set', 'ingress.enabled=true']],
    // Egress rules are off by default (environment-specific addresses); the whole set of policies can be turned off.
    ['networkPolicy.egress.enabled=true', ['--set', 'networkPolicy.egress.enabled=true']],
    ['networkPolicy.enabled=false', ['--set', 'networkPolicy.enabled=false']],
  ];
  const renderings: Rendering[] = [];
  for (const [name, set] of variants) {
    const args = ['template', 'globalmart', chartDir, '--namespace', 'globalmart', ...kube, ...set];
    const manifest = await helm(bin, args);
    const kinds = (manifest.match(/^kind: /gm) ?? []).length;
    log(`helm template ${name}: ${kinds} resources`);
    renderings.push({ name, args, manifest });
  }
  const notes = await renderNotes(bin);
  log(`NOTES.txt: ${notes.split('\n').length} lines`);
  renderings.push({ name: 'NOTES.txt', args: [], manifest: notes });
  return renderings;
}

if (import.meta.main) {
  const log: Log = (line) => console.log(`» ${line}`);
  try {
    const bin = await ensureHelm(log);
    log(`using ${bin} (${await helmVersion(bin)})`);
    await helmCheck(bin, log);
    log('helm check passed');
  } catch (err) {
    console.error(`helm check failed: ${(err as Error).message}`);
    process.exit(1);
  }
}
