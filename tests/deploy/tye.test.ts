// deploy/tye/tye.yaml cannot be run here (Project Tye is archived and needs .NET): it is checked against Tye's published
// JSON Schema, against dapr.yaml and the Helm values so that the three runners never disagree on app-ids or ports, and
// every path in it (and in the Dapr resources its sidecars load) is resolved the way Tye's Dapr extension does.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { defaultPorts, repoRoot } from '@globalmart/devstack';
import { daprResource, helmValues, runEnv, runFile, tyeDir, tyeFile, type TyeService } from './deploy-files.ts';

// Tye's schema (draft-07, Ajv's default draft), copied from the Tye repository: see tye.schema.json's $id.
const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'tye.schema.json'), 'utf8')) as Record<string, unknown>;

const run = runFile();
const relativeToRepo = (file: string) => file.slice(repoRoot.length + 1);
const tye = tyeFile();
const appServices = tye.services.filter((s): s is TyeService & { executable: string } => s.executable !== undefined);
const byName = new Map(appServices.map((s) => [s.name, s]));
const dapr = tye.extensions?.find((e) => e.name === 'dapr');
type DaprSettings = { 'http-port'?: number; 'grpc-port'?: number; config?: string; 'components-path'?: string };
const daprServices = (dapr?.services ?? {}) as Record<string, DaprSettings>;

/**
 * One sidecar as Tye's Dapr extension starts it (src/Microsoft.Tye.Extensions/Dapr/DaprExtension.cs): `dapr run` in
 * tye.yaml's folder, `--components-path <components-path>` as written, and `--config <components-path>/<config>.yaml`
 * only if that file exists (File.Exists, relative to where `tye run` starts: tye.yaml's folder, as its header says);
 * a service's own settings win over the extension's.
 */
function tyeSidecar(app: string): { cwd: string; resourcesPath: string; configFile: string | undefined } {
  const own = daprServices[app] ?? {};
  const componentsPath = String(own['components-path'] ?? dapr?.['components-path']);
  const config = own.config ?? (dapr?.config as string | undefined);
  const configFile = config === undefined ? undefined : resolve(tyeDir, join(componentsPath, `${config}.yaml`));
  return {
    cwd: tyeDir,
    resourcesPath: resolve(tyeDir, componentsPath),
    configFile: configFile && existsSync(configFile) ? configFile : undefined,
  };
}

interface Resource {
  kind: string;
  metadata: { name: string };
  spec?: { metadata?: { name: string; value?: unknown }[]; nameResolution?: { configuration?: { connectionString?: string } } };
}

/** The resources daprd loads from one resources path: the YAML files directly in it (it does not descend). */
const resourcesIn = (dir: string): Resource[] =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Resource))
    .filter((r) => r.kind !== 'Configuration');

/** The file paths a resource holds, which daprd opens relative to its working folder. */
const filePaths = (r: Resource): string[] => [
  ...(r.spec?.metadata ?? []).filter((m) => m.name === 'secretsFile').map((m) => String(m.value)),
  ...[r.spec?.nameResolution?.configuration?.connectionString ?? []].flat().filter((c) => !c.startsWith(':memory:')),
];

describe('tye.yaml', () => {
  it("is valid against Tye's JSON Schema", () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const valid = validate(tye);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('fails the schema on a malformed service (the validator is really checking)', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ services: [{ name: 'x', executable: 'node', bindings: [{ port: '80' }] }] })).toBe(false);
    expect(validate({ services: [{ name: 'x', external: true, args: 'nope' }] })).toBe(false);
  });

  it('has one executable service per dapr.yaml app, and no other', () => {
    expect([...byName.keys()].sort()).toEqual(run.apps.map((a) => a.appID).sort());
  });

  it.each(run.apps.map((a) => [a.appID, a] as const))('%s: same port, folder, command and env as dapr.yaml', (id, app) => {
    const svc = byName.get(id);
    expect(svc, `tye.yaml has no service ${id}`).toBeDefined();
    expect(svc?.bindings?.map((b) => [b.protocol, b.port])).toEqual([['http', app.appPort]]);
    expect(resolve(tyeDir, svc?.workingDirectory ?? '')).toBe(resolve(repoRoot, app.appDirPath));
    expect(svc?.executable).toBe('node');
    expect(svc?.args).toBe('--import @globalmart/platform/telemetry src/main.ts');
    const env = Object.fromEntries((svc?.env ?? []).map((e) => [e.name, e.value]));
    const expected = Object.fromEntries(Object.entries(runEnv(run, app)).map(([k, v]) => [k, String(v)]));
    expect(env).toEqual({ APP_ID: id, APP_PORT: String(app.appPort), ...expected });
    expect(daprServices[id]).toMatchObject({ 'http-port': app.daprHTTPPort, 'grpc-port': app.daprGRPCPort });
  });

  it.each(run.apps.map((a) => [a.appID, a] as const))(
    "%s: Tye's sidecar loads what dapr.yaml's loads, its own Configuration, and every file path lands where dapr.yaml's does",
    (id, app) => {
      const sidecar = tyeSidecar(id);
      const runCwd = resolve(repoRoot, app.appDirPath);
      // The app itself runs in the same folder under both runners.
      expect(resolve(tyeDir, byName.get(id)!.workingDirectory!)).toBe(runCwd);
      // Its Configuration (accessControl, secret scopes): the file dapr.yaml names for it.
      expect(sidecar.configFile, `${id}: Tye would skip its Configuration`).toBe(resolve(repoRoot, app.configFilePath));
      // One resources path that holds every component and the Resiliency policy dapr.yaml's paths hold.
      const key = (r: Resource) => `${r.kind}/${r.metadata.name}`;
      const tyeLoads = resourcesIn(sidecar.resourcesPath);
      const runLoads = run.common.resourcesPaths.flatMap((p) => resourcesIn(resolve(repoRoot, p)));
      expect(tyeLoads.map(key).sort()).toEqual(runLoads.map(key).sort());
      expect(tyeLoads.map(key)).toContain('Resiliency/globalmart');
      // Relative file paths (the local secrets file, the name-resolution database) open the same file in the repository.
      const paths = [...tyeLoads, daprResource(relativeToRepo(sidecar.configFile!)) as unknown as Resource].flatMap(filePaths);
      expect(paths.length).toBeGreaterThanOrEqual(2);
      for (const p of paths) {
        const underTye = resolve(sidecar.cwd, p);
        expect(underTye, p).toBe(resolve(runCwd, p));
        expect(underTye.startsWith(repoRoot + sep), `${p} leaves the repository`).toBe(true);
      }
    },
  );

  it('gives every sidecar a Configuration file that exists (Tye drops a missing one with a mere warning)', () => {
    expect(Object.keys(daprServices).sort()).toEqual(run.apps.map((a) => a.appID).sort());
    for (const id of Object.keys(daprServices)) expect(tyeSidecar(id).configFile, id).toBeDefined();
  });

  it("sets the scheduler address the only way Tye allows (daprd's environment), on npm start's scheduler port", () => {
    const header = readFileSync(join(tyeDir, 'tye.yaml'), 'utf8');
    expect(header).toContain(`cd deploy/tye && DAPR_SCHEDULER_HOST_ADDRESS_DNS_A=localhost:${defaultPorts.scheduler} tye run`);
    expect(dapr?.['placement-port']).toBe(defaultPorts.placement);
  });

  it("lists the infrastructure npm start runs as external services on its ports: Redis, FerretDB, MailDev and Dapr's control plane", () => {
    const external = tye.services.filter((s) => s.external === true);
    expect(Object.fromEntries(external.map((s) => [s.name, s.bindings?.map((b) => b.port)]))).toEqual({
      redis: [defaultPorts.redis],
      ferretdb: [defaultPorts.ferretdb],
      maildev: [defaultPorts.smtp, defaultPorts.maildevWeb],
      'dapr-placement': [defaultPorts.placement],
      'dapr-scheduler': [defaultPorts.scheduler],
      'dapr-sentry': [defaultPorts.sentry],
    });
    // notifications' email component sends to MailDev's SMTP port.
    const email = daprResource('components', 'email.yaml').spec.metadata as { name: string; value: string }[];
    expect(Number(email.find((m) => m.name === 'port')?.value)).toBe(defaultPorts.smtp);
  });
});

describe('dapr.yaml, tye.yaml and the Helm values', () => {
  const values = helmValues();

  it('list the same app-ids', () => {
    const ids = run.apps.map((a) => a.appID).sort();
    expect(Object.keys(values.apps).sort()).toEqual(ids);
    expect([...byName.keys()].sort()).toEqual(ids);
  });

  it.each(run.apps.map((a) => [a.appID, a] as const))('%s: same port and env in the Helm values', (id, app) => {
    const helmApp = values.apps[id];
    expect(helmApp?.port).toBe(app.appPort);
    expect(byName.get(id)?.bindings?.[0]?.port).toBe(app.appPort);
    // MONGODB_URI comes from a Secret in Kubernetes (mongodb: true), the gateway's RATE_LIMIT_REDIS_URL from the
    // chart's redis settings (helm.test.ts checks it); every other app setting is carried over.
    const { MONGODB_URI, RATE_LIMIT_REDIS_URL: _redis, ...env } = app.env ?? {};
    expect(helmApp?.mongodb ?? false).toBe(MONGODB_URI !== undefined);
    const helmEnv = Object.fromEntries(Object.entries(helmApp?.env ?? {}).map(([k, v]) => [k, String(v)]));
    expect(helmEnv).toEqual(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])));
  });
});
