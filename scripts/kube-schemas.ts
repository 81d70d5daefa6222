// Offline JSON Schemas for kubeconform, generated once per version into ~/.cache/globalmart/kube-schemas/:
//   - every Kubernetes kind from the OpenAPI spec that the k8s.io/kubernetes Go module carries
//     (api/openapi-spec/swagger.json), one standalone file per kind in kubeconform's
//     `{{.ResourceKind}}{{.KindSuffix}}.json` layout (e.g. deployment-apps-v1.json, service-v1.json);
//   - every Dapr CRD version from the github.com/dapr/dapr module's charts/dapr/crds/ (openAPIV3Schema), in
//     kubeconform's CRD layout `{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`.
// Strict, as kubeconform's own openapi2jsonschema --strict does it: every object schema that lists its properties
// gets `additionalProperties: false` unless the spec leaves it open (x-kubernetes-preserve-unknown-fields, or an
// additionalProperties of its own), so a misspelt key fails validation instead of being dropped by the API server.
// Both modules come from the Go module proxy (`go mod download`), so nothing is fetched from anywhere else.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { cacheDir, repoRoot } from '@globalmart/devstack';

const run = promisify(execFile);

/** The Kubernetes API the manifests are validated against (its OpenAPI spec, from the Go module proxy). */
export const K8S_SCHEMA_VERSION = 'v1.36.3';
const DAPR_MODULE = 'github.com/dapr/dapr';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

/** The Dapr runtime the project pins (tools/dapr/go.mod): its CRDs are what the chart's resources must satisfy. */
export function daprVersion(): string {
  const m = /^\s*(?:require\s+)?github\.com\/dapr\/dapr (v\S+)/m.exec(readFileSync(join(repoRoot, 'tools', 'dapr', 'go.mod'), 'utf8'));
  if (!m?.[1]) throw new Error('tools/dapr/go.mod does not pin github.com/dapr/dapr');
  return m[1];
}

/** `go mod download` of one module version: its extracted folder in the module cache. */
async function moduleDir(path: string, version: string): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  let stdout: string;
  try {
    ({ stdout } = await run('go', ['mod', 'download', '-json', `${path}@${version}`], {
      cwd: cacheDir,
      timeout: 600_000,
      maxBuffer: 8 << 20,
    }));
  } catch (err) {
    const e = err as Error & { stdout?: string };
    throw new Error(`go mod download ${path}@${version} failed: ${e.stdout || e.message}`, { cause: err });
  }
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`the Go module proxy did not serve ${path}@${version}: ${info.Error ?? stdout}`);
  return info.Dir;
}

const isObject = (v: Json | undefined): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One OpenAPI (v2 definition or v3 CRD) schema as a strict JSON Schema (draft 4-7 keywords only): descriptions and
 * formats dropped (formats are not validated the same way by every validator), int-or-string as string|integer,
 * nullable as an extra `null` type, and closed objects closed.
 */
export function strictSchema(node: Json): Json {
  if (!isObject(node)) return node;
  if (node.format === 'int-or-string' || node['x-kubernetes-int-or-string'] === true) {
    return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key === 'format' || key === 'nullable' || key.startsWith('x-')) continue;
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strictSchema(v)])) : value;
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = strictSchema(value);
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      out[key] = Array.isArray(value) ? value.map(strictSchema) : value;
    } else {
      out[key] = value;
    }
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const open = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (isObject(node.properties) && node.additionalProperties === undefined && !open) out.additionalProperties = false;
  return out;
}

/** kubeconform's KindSuffix: `-<first label of the group>-<version>`, or `-<version>` for the core group. */
export function kindSuffix(group: string, version: string): string {
  return group ? `-${group.split('.')[0]!.toLowerCase()}-${version.toLowerCase()}` : `-${version.toLowerCase()}`;
}

/** The definitions one schema reaches through `#/definitions/...` references (its own included). */
function reachable(definitions: Record<string, Json>, root: string): Record<string, Json> {
  const out: Record<string, Json> = {};
  const pending = [root];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (name in out) continue;
    const def = definitions[name];
    if (def === undefined) throw new Error(`swagger.json references a missing definition ${name}`);
    out[name] = def;
    JSON.stringify(def, (key, value: unknown) => {
      if (key === '$ref' && typeof value === 'string') pending.push(value.replace('#/definitions/', ''));
      return value;
    });
  }
  return out;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** swagger.json's definitions, each a strict JSON Schema. */
function kubernetesDefinitions(swaggerFile: string): { swagger: Record<string, Json>; definitions: Record<string, Json> } {
  const swagger = (JSON.parse(readFileSync(swaggerFile, 'utf8')) as { definitions: Record<string, Json> }).definitions;
  const definitions: Record<string, Json> = {};
  for (const [name, def] of Object.entries(swagger)) definitions[name] = strictSchema(def);
  // Quantities are strings or plain numbers in manifests (cpu: 1), as the API server accepts them.
  definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  return { swagger, definitions };
}

/** Writes one standalone schema per Kubernetes kind (group/version/kind) into `dir`; returns how many. */
function writeKubernetesSchemas(swagger: Record<string, Json>, definitions: Record<string, Json>, dir: string): number {
  let count = 0;
  for (const [name, def] of Object.entries(swagger)) {
    const gvks = isObject(def)
      ? (def['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined)
      : undefined;
    for (const gvk of gvks ?? []) {
      // List kinds and the meta/v1 helper kinds (DeleteOptions, WatchEvent, ...) are never rendered by the chart.
      if (name.startsWith('io.k8s.apimachinery.pkg.apis.meta.')) continue;
      const schema: Schema = {
        $schema: 'http://json-schema.org/draft-07/schema#',
        $ref: `#/definitions/${name}`,
        definitions: reachable(definitions, name),
      };
      writeFileSync(join(dir, `${gvk.kind.toLowerCase()}${kindSuffix(gvk.group, gvk.version)}.json`), JSON.stringify(schema));
      count++;
    }
  }
  return count;
}

interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema?: Json } }[] };
}

/**
 * Writes every Dapr CRD version's schema into `dir/<group>/<kind>_<version>.json`; returns the kinds written. A CRD
 * leaves `metadata` an open object (the API server checks it as ObjectMeta): here it is Kubernetes' ObjectMeta, strict.
 */
function writeCrdSchemas(crdDir: string, definitions: Record<string, Json>, dir: string): string[] {
  const written: string[] = [];
  for (const file of readdirSync(crdDir).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of parseAllDocuments(readFileSync(join(crdDir, file), 'utf8'))) {
      const crd = doc.toJS() as Crd | null;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      mkdirSync(join(dir, crd.spec.group), { recursive: true });
      for (const version of crd.spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (!schema) continue;
        const strict = strictSchema(schema) as Schema & { properties: Schema };
        const out = {
          $schema: 'http://json-schema.org/draft-07/schema#',
          ...strict,
          properties: { ...strict.properties, metadata: { $ref: `#/definitions/${OBJECT_META}` } },
          definitions: reachable(definitions, OBJECT_META),
        };
        writeFileSync(join(dir, crd.spec.group, `${crd.spec.names.kind.toLowerCase()}_${version.name}.json`), JSON.stringify(out));
        written.push(`${crd.spec.group}/${version.name} ${crd.spec.names.kind}`);
      }
    }
  }
  return written;
}

export interface KubeSchemas {
  /** kubeconform -schema-location templates: Kubernetes kinds first, then the CRDs. */
  locations: string[];
  kubernetesVersion: string;
  daprVersion: string;
  dir: string;
}

/**
 * The schema folders for kubeconform, generated when missing. The folder name carries both versions and a hash of
 * this file, so a change in the conversion regenerates them; a half-written folder never counts (renamed last).
 */
export async function ensureKubeSchemas(log: (line: string) => void = console.log): Promise<KubeSchemas> {
  const dapr = daprVersion();
  const generator = createHash('sha256')
    .update(readFileSync(new URL(import.meta.url)))
    .digest('hex')
    .slice(0, 10);
  const dir = join(cacheDir, 'kube-schemas', `k8s-${K8S_SCHEMA_VERSION}-dapr-${dapr}-${generator}`);
  const result: KubeSchemas = {
    locations: [
      join(dir, 'kubernetes', '{{.ResourceKind}}{{.KindSuffix}}.json'),
      join(dir, 'crds', '{{.Group}}', '{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'),
    ],
    kubernetesVersion: K8S_SCHEMA_VERSION,
    daprVersion: dapr,
    dir,
  };
  if (existsSync(dir)) return result;
  const started = Date.now();
  log(
    `generating JSON schemas: Kubernetes ${K8S_SCHEMA_VERSION} and Dapr ${dapr} CRDs, from the Go module proxy (first run only; cached in ${dir})`,
  );
  const kube = await moduleDir('k8s.io/kubernetes', K8S_SCHEMA_VERSION);
  const daprDir = await moduleDir(DAPR_MODULE, dapr);
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(join(partial, 'kubernetes'), { recursive: true });
  mkdirSync(join(partial, 'crds'), { recursive: true });
  const { swagger, definitions } = kubernetesDefinitions(join(kube, 'api', 'openapi-spec', 'swagger.json'));
  const kinds = writeKubernetesSchemas(swagger, definitions, join(partial, 'kubernetes'));
  const crds = writeCrdSchemas(join(daprDir, 'charts', 'dapr', 'crds'), definitions, join(partial, 'crds'));
  renameSync(partial, dir);
  log(
    `generated ${kinds} Kubernetes kind schemas and ${crds.length} Dapr CRD schemas (${crds.join(', ')}) in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  return result;
}
