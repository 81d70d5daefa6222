// Reads the deployment descriptors the tests compare. dapr.yaml is the one list of apps (ids, ports, env); tye.yaml
// and the Helm values must say the same, and the Helm chart must carry the same Dapr resources as components/ and
// dapr-config/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@globalmart/devstack';

export interface RunApp {
  appID: string;
  appDirPath: string;
  /** The app's own Dapr Configuration (dapr-config/apps/<app-id>.yaml). */
  configFilePath: string;
  appPort: number;
  daprHTTPPort: number;
  daprGRPCPort: number;
  env?: Record<string, string>;
}

export interface RunFile {
  common: { resourcesPaths: string[]; configFilePath: string; env?: Record<string, string> };
  apps: RunApp[];
}

export interface TyeService {
  name: string;
  executable?: string;
  external?: boolean;
  args?: string;
  workingDirectory?: string;
  bindings?: { name?: string; port?: number; protocol?: string; connectionString?: string }[];
  env?: { name: string; value: string }[];
}

export interface TyeFile {
  name?: string;
  extensions?: ({ name: string } & Record<string, unknown>)[];
  services: TyeService[];
}

export interface HelmApp {
  port: number;
  replicas?: number;
  mongodb?: boolean;
  appToken?: boolean;
  enabled?: boolean;
  env?: Record<string, string | number | boolean>;
}

/** One operation a caller may invoke on a target (accessControl.policies.<target>.<caller>). */
export interface HelmOperation {
  path: string;
  verbs: string[];
}

export interface HelmValues {
  apps: Record<string, HelmApp>;
  ingress: { enabled: boolean; app: string };
  dapr: { appTokenSecret: string; apiTokenSecret: string; internalGrpcPort: number; metricsPort: number };
  metrics: { enabled: boolean; appPort: number };
  accessControl: { trustDomain: string; policies: Record<string, Record<string, HelmOperation[]>> };
  statestore: { scopes: string[] };
  pubsub: {
    type: string;
    allowedTopics: string[];
    publishingScopes: Record<string, string[]>;
    subscriptionScopes: Record<string, string[]>;
  };
  secretstore: { allowedSecrets: Record<string, string[]> };
  networkPolicy: { enabled: boolean; egress: { enabled: boolean } & Record<string, unknown> } & Record<string, unknown>;
  email: { scopes: string[] };
  lockstore: { scopes: string[] };
  resiliency: { enabled: boolean; spec: unknown };
}

/** A Dapr resource file: the fields the tests compare. */
export interface DaprResource {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
  scopes?: string[];
}

export const repoFile = (...parts: string[]): string => join(repoRoot, ...parts);
const readYaml = <T>(...parts: string[]): T => parse(readFileSync(repoFile(...parts), 'utf8')) as T;

export const runFile = (): RunFile => readYaml<RunFile>('dapr.yaml');
/** Where tye.yaml lives, and so where Tye starts every sidecar (see its header). */
export const tyeDir = join(repoRoot, 'deploy', 'tye');
export const tyeFile = (): TyeFile => readYaml<TyeFile>('deploy', 'tye', 'tye.yaml');
export const helmValues = (): HelmValues => readYaml<HelmValues>('helm', 'globalmart', 'values.yaml');
export const daprResource = (...parts: string[]): DaprResource => readYaml<DaprResource>(...parts);

/** The env dapr.yaml gives one app: common env, then the app's own (what `dapr run -f .` passes). */
export function runEnv(file: RunFile, app: RunApp): Record<string, string> {
  return { ...file.common.env, ...app.env };
}
