// Generates the Go engine's contract types from the contracts' JSON Schema (never copied by hand):
//   node services/recommendations-go/src/generate.ts          rewrites contracts/*.json and internal/contracts/*.gen.go
//   node services/recommendations-go/src/generate.ts --check  exits 1 (naming the files) when they are stale
// 1. Picks the schemas the engine needs out of packages/contracts/generated/{openapi,events.schema}.json into
//    standalone files (contracts/schemas/*.json): its query (from the route's parameters), its answer, the problem body,
//    the three events it learns from, and the catalog product reduced to what similarity reads (as Product.pick in TS).
// 2. Runs go-jsonschema (pinned as a `tool` in go.mod, fetched from the Go module proxy) over them.
// 3. Writes contracts/app.json: the app's call rules and subscriptions from @globalmart/contracts (access.ts, the event
//    catalogue), which the Go engine embeds, so the caller check and /dapr/subscribe come from the same table as in TS.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { callRules, eventCatalog, eventTypes, ordersEventTypes, subscribableTopics, topics } from '@globalmart/contracts';

const moduleDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(moduleDir, '../..');
const generatedDir = join(repoRoot, 'packages/contracts/generated');
const APP_ID = 'recommendations';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; required?: string[] };
const readJson = (file: string) => JSON.parse(readFileSync(join(generatedDir, file), 'utf8')) as Record<string, unknown>;

/** The Go root type name → its standalone JSON Schema. */
function schemas(): Record<string, Schema> {
  const openapi = readJson('openapi.json') as {
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, Schema> };
  };
  const events = readJson('events.schema.json') as { $defs: Record<string, Schema> };
  const route = openapi.paths['/recommendations']?.get as { parameters: { name: string; required: boolean; schema: Schema }[] };
  const query: Schema = {
    type: 'object',
    description: 'GET /recommendations query parameters (from the OpenAPI route).',
    properties: Object.fromEntries(route.parameters.map((p) => [p.name, p.schema])),
    required: route.parameters.filter((p) => p.required).map((p) => p.name),
  };
  const product = openapi.components.schemas.Product!;
  const picked = ['id', 'category', 'price', 'tags'];
  const productInfo: Schema = {
    type: 'object',
    description: 'What content similarity reads of a catalog product (Product.pick in the TypeScript engine).',
    properties: Object.fromEntries(picked.map((k) => [k, product.properties![k]!])),
    required: picked.filter((k) => product.required!.includes(k)),
  };
  const event = (type: string) => events.$defs[type]!;
  return {
    RecommendationsQuery: query,
    RecommendationsResponse: openapi.components.schemas.RecommendationsResponse!,
    ProblemDetails: openapi.components.schemas.ProblemDetails!,
    OrderConfirmed: event(ordersEventTypes.OrderConfirmed),
    ProductViewed: event(eventTypes.ProductViewed),
    ProductUpdated: event(eventTypes.ProductUpdated),
    ProductInfo: productInfo,
  };
}

const fileName = (type: string) => type.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
/** JSON as the repository's Prettier writes it (`npm run format:check` reads these files too). */
async function json(v: unknown, file: string): Promise<string> {
  return format(JSON.stringify(v), { ...(await resolveConfig(join(moduleDir, 'contracts/x.json'))), filepath: file });
}

/** The subscriptions and call rules of this app, as the TypeScript kit derives them (Subscriptions, enforceCallers). */
function appTable() {
  const handled = [ordersEventTypes.OrderConfirmed, eventTypes.ProductViewed, eventTypes.ProductUpdated];
  const routeFor = (name: string) => `/events/${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
  const subscriptions = handled.map((type) => {
    const spec = eventCatalog[type];
    if (!subscribableTopics(APP_ID).includes(spec.topic)) throw new Error(`${APP_ID} may not subscribe to ${spec.topic}`);
    return { type, name: spec.name, topic: spec.topic, route: routeFor(spec.name) };
  });
  return {
    app_id: APP_ID,
    call_rules: callRules.filter((r) => r.target === APP_ID).map(({ caller, method, path }) => ({ caller, method, path })),
    subscriptions,
    known_topics: Object.values(topics),
  };
}

/** go-jsonschema as pinned by go.mod's `tool` line, built (or taken from Go's build cache) by `go tool -n`. */
let generator: string | undefined;
function generatorBinary(): string {
  generator ??= execFileSync('go', ['tool', '-n', 'go-jsonschema'], {
    cwd: moduleDir,
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    encoding: 'utf8',
  }).trim();
  return generator;
}

/** Writes every generated file under `outDir` (the module folder, or a scratch copy for --check). */
async function generate(outDir: string): Promise<string[]> {
  const schemaDir = join(outDir, 'contracts/schemas');
  rmSync(schemaDir, { recursive: true, force: true });
  mkdirSync(schemaDir, { recursive: true });
  const written: string[] = [];
  const files: string[] = [];
  for (const [type, schema] of Object.entries(schemas())) {
    const file = join(schemaDir, `${fileName(type)}.json`);
    // Draft 7 keywords are what go-jsonschema reads; none of these schemas uses a 2020-12-only keyword.
    const { title: _title, ...rest } = schema;
    writeFileSync(
      file,
      await json({ $schema: 'http://json-schema.org/draft-07/schema#', $id: `${fileName(type)}.json`, title: type, ...rest }, file),
    );
    files.push(file);
    written.push(file);
  }
  const appFile = join(outDir, 'contracts/app.json');
  writeFileSync(appFile, await json(appTable(), appFile));
  written.push(appFile);
  const goDir = join(outDir, 'internal/contracts');
  mkdirSync(goDir, { recursive: true });
  const goFile = join(goDir, 'types.gen.go');
  const rootTypes = Object.keys(schemas()).flatMap((type) => ['--schema-root-type', `${fileName(type)}.json=${type}`]);
  const out = execFileSync(
    generatorBinary(),
    ['--package', 'contracts', '--capitalization', 'ID', '--tags', 'json', ...rootTypes, ...files.map((f) => relative(outDir, f))],
    {
      cwd: outDir,
      encoding: 'utf8',
      maxBuffer: 32 << 20,
    },
  );
  writeFileSync(goFile, `// Code generated by services/recommendations-go/src/generate.ts with go-jsonschema; DO NOT EDIT.\n\n${out}`);
  written.push(goFile);
  return written;
}

if (process.argv.includes('--check')) {
  const scratch = mkdtempSync(join(tmpdir(), 'recs-go-gen-'));
  try {
    // The schema paths appear in go-jsonschema's output relative to the module: generate with the same relative paths.
    const produced = (await generate(scratch)).map((f) => relative(scratch, f));
    const stale = produced.filter((f) => {
      let committed: string;
      try {
        committed = readFileSync(join(moduleDir, f), 'utf8');
      } catch {
        return true;
      }
      return committed !== readFileSync(join(scratch, f), 'utf8');
    });
    const committedSchemas = readdirSync(join(moduleDir, 'contracts/schemas')).map((f) => `contracts/schemas/${f}`);
    stale.push(...committedSchemas.filter((f) => !produced.includes(f)));
    if (stale.length > 0) {
      console.error(`stale (run node services/recommendations-go/src/generate.ts): ${stale.join(', ')}`);
      process.exit(1);
    }
    console.log('generated Go contract types are up to date');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
} else {
  for (const f of await generate(moduleDir)) console.log(`wrote ${relative(repoRoot, f)}`);
}
