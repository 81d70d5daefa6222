// tye.yaml cannot be run here (Project Tye is archived and needs .NET): it is checked against Tye's published JSON
// Schema, and against dapr.yaml and the Helm values so that the three runners never disagree on app-ids or ports.
import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { helmValues, repoFile, runEnv, runFile, tyeFile, type TyeService } from './deploy-files.ts';

// Tye's schema (draft-07, Ajv's default draft), copied from the Tye repository: see tye.schema.json's $id.
const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'tye.schema.json'), 'utf8')) as Record<string, unknown>;

const run = runFile();
const tye = tyeFile();
const appServices = tye.services.filter((s): s is TyeService & { executable: string } => s.executable !== undefined);
const byName = new Map(appServices.map((s) => [s.name, s]));
const dapr = tye.extensions?.find((e) => e.name === 'dapr');
const daprServices = (dapr?.services ?? {}) as Record<string, { 'http-port'?: number; 'grpc-port'?: number }>;

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
    expect(normalize(svc?.workingDirectory ?? '')).toBe(normalize(app.appDirPath));
    expect(svc?.executable).toBe('node');
    expect(svc?.args).toBe('--import @globalmart/platform/telemetry src/main.ts');
    const env = Object.fromEntries((svc?.env ?? []).map((e) => [e.name, e.value]));
    const expected = Object.fromEntries(Object.entries(runEnv(run, app)).map(([k, v]) => [k, String(v)]));
    expect(env).toEqual({ APP_ID: id, APP_PORT: String(app.appPort), ...expected });
    expect(daprServices[id]).toEqual({ 'http-port': app.daprHTTPPort, 'grpc-port': app.daprGRPCPort });
  });

  it("uses dapr.yaml's components and Configuration through the Dapr extension", () => {
    const componentsPath = String(dapr?.['components-path']);
    expect(run.common.resourcesPaths.map((p) => normalize(p))).toContain(normalize(componentsPath));
    // Tye resolves `config` as <components-path>/<config>.yaml.
    const config = normalize(join(componentsPath, `${String(dapr?.config)}.yaml`));
    expect(config).toBe(normalize(run.common.configFilePath));
    expect(existsSync(repoFile(config))).toBe(true);
    expect(Object.keys(daprServices).sort()).toEqual(run.apps.map((a) => a.appID).sort());
  });

  it('lists Redis and FerretDB as external services on their local ports', () => {
    const external = tye.services.filter((s) => s.external === true);
    expect(Object.fromEntries(external.map((s) => [s.name, s.bindings?.map((b) => b.port)]))).toEqual({
      redis: [6379],
      ferretdb: [27017],
    });
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
