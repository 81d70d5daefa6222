// `npm run helm:check` (scripts/helm-check.ts): lints helm/globalmart and renders it (and its NOTES.txt) with every
// values variant in `variants` below (each broker, Kafka with SASL, ingress, a custom state store, existing Secrets,
// autoscaling, the OpenTelemetry Collector, OTLP over gRPC, the Go recommendations engine, the network policies'
// variants), then validates every rendered manifest with kubeconform in strict mode, offline, against the Kubernetes
// API schemas and Dapr's CRD schemas (scripts/kube-schemas.ts). Any Helm error, lint warning or schema violation
// fails the command, naming the variant. Helm v3 and kubeconform are pinned and, when missing, built from the Go
// module proxy (`go install`) into ~/.cache/globalmart/bin/<tool>-<version>/: minutes the first time, then instant.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { cacheDir, repoRoot } from '@globalmart/devstack';
import { ensureKubeSchemas, type KubeSchemas } from './kube-schemas.ts';

const run = promisify(execFile);

export const HELM_VERSION = 'v3.22.0';
const HELM_MODULE = 'helm.sh/helm/v3';
export const KUBECONFORM_VERSION = 'v0.7.0';
const KUBECONFORM_MODULE = 'github.com/yannh/kubeconform';
export const chartDir = join(repoRoot, 'helm', 'globalmart');
const toolDir = (name: string, version: string) => join(cacheDir, 'bin', `${name}-${version}`);
const helmDir = toolDir('helm', HELM_VERSION);
const helmBin = join(helmDir, 'helm');
const kubeconformBin = join(toolDir('kubeconform', KUBECONFORM_VERSION), 'kubeconform');
// Written after the installed binary answered with the pinned version: a half-copied binary never counts.
const stamp = (bin: string) => join(bin, '..', '.installed');

type Log = (line: string) => void;

/** The brokers values.yaml offers (pubsub.type); each one must render. */
export const pubsubTypes = ['redis', 'rabbitmq', 'jetstream', 'mqtt', 'kafka'] as const;

/** One set of values the chart must render and validate; `values` is merged over values.yaml (`helm -f`). */
export interface Variant {
  name: string;
  values: Record<string, unknown>;
}

/**
 * Every value branch of the chart that changes what is rendered. Names starting with `pubsub.type=` are the brokers
 * (tests/deploy/helm.test.ts compares their `pubsub` components).
 */
export const variants: Variant[] = [
  { name: 'default', values: {} },
  ...pubsubTypes.filter((t) => t !== 'redis').map((t): Variant => ({ name: `pubsub.type=${t}`, values: { pubsub: { type: t } } })),
  {
    name: 'kafka with SASL password',
    values: { pubsub: { type: 'kafka', kafka: { authType: 'password', existingSecret: 'globalmart-kafka' } } },
  },
  {
    name: 'jetstream and mqtt credentials from Secrets',
    values: { pubsub: { type: 'jetstream', jetstream: { existingSecret: 'globalmart-nats', tokenKey: 'token' } } },
  },
  { name: 'mqtt url from a Secret', values: { pubsub: { type: 'mqtt', mqtt: { existingSecret: 'globalmart-mqtt', urlKey: 'url' } } } },
  {
    name: 'existing Secrets for Redis and SMTP',
    values: {
      redis: { existingSecret: 'globalmart-redis', hostKey: 'host', passwordKey: 'redis-password', enableTLS: true },
      email: { existingSecret: 'globalmart-smtp' },
    },
  },
  {
    name: 'custom state store',
    values: {
      statestore: {
        type: 'custom',
        custom: {
          type: 'state.redis',
          version: 'v1',
          metadata: [
            { name: 'redisHost', secretKeyRef: { name: 'managed-redis', key: 'host' } },
            { name: 'redisUsername', value: 'globalmart' },
            { name: 'redisPassword', secretKeyRef: { name: 'managed-redis', key: 'password' } },
            { name: 'enableTLS', value: 'true' },
            { name: 'actorStateStore', value: 'true' },
          ],
        },
      },
    },
  },
  {
    name: 'ingress with TLS',
    values: {
      ingress: { enabled: true, className: 'nginx', tls: [{ secretName: 'globalmart-tls', hosts: ['globalmart.example.com'] }] },
      edge: { hsts: true },
    },
  },
  { name: 'autoscaling', values: { autoscaling: { enabled: true } } },
  { name: 'OpenTelemetry Collector', values: { otelCollector: { enabled: true } } },
  {
    name: 'OTLP over gRPC',
    values: {
      tracing: {
        otlp: {
          endpoint: 'opentelemetry-collector.observability.svc.cluster.local:4317',
          protocol: 'grpc',
          httpEndpoint: 'opentelemetry-collector.observability.svc.cluster.local:4318',
        },
      },
    },
  },
  { name: 'recommendations.stack=go', values: { apps: { recommendations: { stack: 'go' } } } },
  // Egress rules are off by default (environment-specific addresses); the whole set of policies can be turned off.
  { name: 'networkPolicy.egress.enabled=true', values: { networkPolicy: { egress: { enabled: true } } } },
  { name: 'networkPolicy.enabled=false', values: { networkPolicy: { enabled: false } } },
  {
    name: 'everything on',
    values: {
      ingress: { enabled: true },
      autoscaling: { enabled: true },
      otelCollector: { enabled: true },
      networkPolicy: { egress: { enabled: true } },
      apps: { recommendations: { stack: 'go' } },
    },
  },
  // The capacity model's values for seed 003's peak (written by `npm run bench -- capacity`; README "Capacity model").
  {
    name: 'values-peak.yaml',
    values: parse(readFileSync(join(repoRoot, 'helm/globalmart/values-peak.yaml'), 'utf8')) as Record<string, unknown>,
  },
];

export interface Rendering {
  /** The variant's name, or `NOTES.txt`. */
  name: string;
  /** The helm arguments that rendered it. */
  args: string[];
  manifest: string;
}

async function versionOf(bin: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run(bin, args, { timeout: 10_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}
const helmVersion = (bin: string) => versionOf(bin, ['version', '--short']);

/** A Helm v3 that needs no download: the pinned one in the cache, else one on PATH; undefined when neither. */
export async function findHelm(): Promise<string | undefined> {
  if (existsSync(stamp(helmBin)) && existsSync(helmBin)) return helmBin;
  const onPath = await helmVersion('helm');
  return onPath?.startsWith('v3.') ? 'helm' : undefined;
}

/** The pinned kubeconform if `npm run helm:check` has built it; undefined otherwise. */
export function findKubeconform(): string | undefined {
  return existsSync(stamp(kubeconformBin)) && existsSync(kubeconformBin) ? kubeconformBin : undefined;
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
function goInstall(label: string, dir: string, args: string[], log: Log): Promise<void> {
  const env = { ...process.env, GOBIN: dir, CGO_ENABLED: '0' };
  return new Promise((resolveRun, reject) => {
    const child = spawn('go', args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const started = Date.now();
    let packages = 0;
    let downloads = 0;
    const other: string[] = [];
    const timer = setInterval(
      () =>
        log(`  ${label}: ${packages} packages compiled, ${downloads} modules downloaded, ${Math.round((Date.now() - started) / 1000)} s`),
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
  await goInstall('helm', helmDir, ['install', '-v', '-trimpath', '-ldflags', ldflags, `${HELM_MODULE}/cmd/helm@${HELM_VERSION}`], log);
  const version = await helmVersion(helmBin);
  if (!version?.startsWith(HELM_VERSION)) throw new Error(`${helmBin} answers ${version ?? 'nothing'}, not ${HELM_VERSION}`);
  writeFileSync(stamp(helmBin), `${version}\n`);
  log(`installed Helm ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
  return helmBin;
}

/** findKubeconform(), or the pinned kubeconform built from the Go module proxy into the cache (about a minute). */
export async function ensureKubeconform(log: Log = console.log): Promise<string> {
  const found = findKubeconform();
  if (found) return found;
  const started = Date.now();
  const dir = join(kubeconformBin, '..');
  mkdirSync(dir, { recursive: true });
  log(`installing kubeconform ${KUBECONFORM_VERSION} with go install (first run only; cached in ${dir}) ...`);
  await goInstall(
    'kubeconform',
    dir,
    ['install', '-v', '-trimpath', '-ldflags', '-s -w', `${KUBECONFORM_MODULE}/cmd/kubeconform@${KUBECONFORM_VERSION}`],
    log,
  );
  if ((await versionOf(kubeconformBin, ['-v'])) === undefined) throw new Error(`${kubeconformBin} -v does not answer`);
  writeFileSync(stamp(kubeconformBin), `${KUBECONFORM_VERSION}\n`);
  log(`installed kubeconform ${KUBECONFORM_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
  return kubeconformBin;
}

/** The oldest Kubernetes the chart supports (Chart.yaml kubeVersion): render against it, whatever Helm's default. */
export function minKubeVersion(): string {
  const m = /^kubeVersion:\s*["']?>=\s*v?(\d+\.\d+\.\d+)/m.exec(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'));
  if (!m?.[1]) throw new Error('helm/globalmart/Chart.yaml needs a `kubeVersion: ">=X.Y.Z-0"`');
  return m[1];
}

/** The chart rendered as release `globalmart` in namespace `globalmart` for the oldest supported Kubernetes; `extra`: e.g. `--set`s. */
export function renderChart(bin: string, extra: string[] = []): Promise<string> {
  return helm(bin, ['template', 'globalmart', chartDir, '--namespace', 'globalmart', '--kube-version', minKubeVersion(), ...extra]);
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

/** One resource kubeconform found invalid (or could not validate: no schema for its kind is an error too). */
export interface Violation {
  variant: string;
  resource: string;
  message: string;
}

interface KubeconformResult {
  filename: string;
  kind: string;
  name: string;
  version: string;
  status: string;
  msg: string;
  validationErrors?: { path: string; msg: string }[];
}

/**
 * Validates manifests (name → YAML text) with kubeconform -strict against the offline schemas. Returns every invalid
 * resource, an empty list when all are valid; missing schemas count as errors (no -ignore-missing-schemas).
 */
export async function kubeconform(bin: string, schemas: KubeSchemas, manifests: Record<string, string>): Promise<Violation[]> {
  const dir = mkdtempSync(join(tmpdir(), 'globalmart-kubeconform-'));
  try {
    const files = Object.keys(manifests).map((name, i) => {
      const file = join(dir, `${i}.yaml`);
      writeFileSync(file, manifests[name]!);
      return { file, name };
    });
    const args = ['-strict', '-output', 'json', ...schemas.locations.flatMap((l) => ['-schema-location', l]), ...files.map((f) => f.file)];
    let stdout: string;
    try {
      ({ stdout } = await run(bin, args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }));
    } catch (err) {
      const e = err as Error & { stdout?: string; stderr?: string };
      if (!e.stdout) throw new Error(`kubeconform failed: ${e.stderr || e.message}`, { cause: err });
      stdout = e.stdout;
    }
    const { resources } = JSON.parse(stdout) as { resources: KubeconformResult[] };
    const variantOf = new Map(files.map((f) => [f.file, f.name]));
    return resources
      .filter((r) => r.status !== 'statusValid' && r.status !== 'statusEmpty')
      .map((r) => ({
        variant: variantOf.get(r.filename) ?? r.filename,
        resource: `${r.version} ${r.kind} ${r.name}`,
        message: describe(r),
      }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * kubeconform's reason, shortest first: its per-path errors, unless they only say "validation failed" (a nested
 * schema's error, which its message then carries after `- at`).
 */
function describe(r: KubeconformResult): string {
  const errors = (r.validationErrors ?? []).filter((v) => v.msg !== 'validation failed');
  if (errors.length > 0) return errors.map((v) => `${v.path || '/'}: ${v.msg}`).join('; ');
  return /#' - (at .*)$/s.exec(r.msg)?.[1] ?? r.msg;
}

/** How many resources of each kind a manifest holds, e.g. `Deployment 12, Service 12`. */
const kindCounts = (manifest: string): string => {
  const counts = new Map<string, number>();
  for (const m of manifest.matchAll(/^kind: (\w+)/gm)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
};

/** Lints the chart with every variant (warnings fail), renders each and NOTES.txt; returns the renderings. */
export async function helmCheck(bin: string, log: Log = console.log): Promise<Rendering[]> {
  const kube = ['--kube-version', minKubeVersion()];
  const dir = mkdtempSync(join(tmpdir(), 'globalmart-values-'));
  const renderings: Rendering[] = [];
  try {
    for (const [i, variant] of variants.entries()) {
      const file = join(dir, `${i}.yaml`);
      writeFileSync(file, stringify(variant.values));
      const set = ['--values', file];
      try {
        await helm(bin, ['lint', '--strict', chartDir, ...kube, ...set]);
        const args = ['template', 'globalmart', chartDir, '--namespace', 'globalmart', ...kube, ...set];
        const manifest = await helm(bin, args);
        log(`${variant.name}: lint ok, rendered ${kindCounts(manifest)}`);
        renderings.push({ name: variant.name, args, manifest });
      } catch (err) {
        throw new Error(`variant "${variant.name}" (${JSON.stringify(variant.values)}): ${(err as Error).message}`, { cause: err });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const notes = await renderNotes(bin);
  log(`NOTES.txt: ${notes.split('\n').length} lines`);
  renderings.push({ name: 'NOTES.txt', args: [], manifest: notes });
  return renderings;
}

/** helmCheck's manifests through kubeconform; throws naming each variant and resource that is invalid. */
export async function validateRenderings(
  bin: string,
  schemas: KubeSchemas,
  renderings: Rendering[],
  log: Log = console.log,
): Promise<void> {
  const manifests = Object.fromEntries(renderings.filter((r) => r.name !== 'NOTES.txt').map((r) => [r.name, r.manifest]));
  const violations = await kubeconform(bin, schemas, manifests);
  if (violations.length > 0) {
    throw new Error(
      `${violations.length} invalid resource(s) against Kubernetes ${schemas.kubernetesVersion} / Dapr ${schemas.daprVersion} schemas:\n` +
        violations.map((v) => `  [${v.variant}] ${v.resource}: ${v.message}`).join('\n'),
    );
  }
  const total = Object.values(manifests).reduce((n, m) => n + (m.match(/^kind: /gm) ?? []).length, 0);
  log(
    `kubeconform -strict: ${total} resources in ${Object.keys(manifests).length} variants valid (Kubernetes ${schemas.kubernetesVersion}, Dapr ${schemas.daprVersion} CRDs)`,
  );
}

if (import.meta.main) {
  const log: Log = (line) => console.log(`» ${line}`);
  const started = Date.now();
  try {
    const bin = await ensureHelm(log);
    log(`using ${bin} (${await helmVersion(bin)})`);
    const [validator, schemas] = await Promise.all([ensureKubeconform(log), ensureKubeSchemas(log)]);
    // `npm run helm:check -- --values my-values.yaml`: your own values file is one more variant.
    const { values: own } = parseArgs({ options: { values: { type: 'string', multiple: true } } }).values;
    for (const file of own ?? []) variants.push({ name: file, values: parse(readFileSync(file, 'utf8')) as Record<string, unknown> });
    const renderings = await helmCheck(bin, log);
    await validateRenderings(validator, schemas, renderings, log);
    log(`helm check passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(`helm check failed: ${(err as Error).message}`);
    process.exit(1);
  }
}
