import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parseDocument, stringify } from 'yaml';
import { componentsDir, daprConfigDir } from './paths.ts';

export interface ResourceOverrides {
  /** host:port of the Redis behind `statestore` and `pubsub`. */
  redisHost?: string;
  /** Absolute path of the local secrets file behind `secretstore`. */
  secretsFile?: string;
  /** Absolute path of the SQLite file behind Dapr name resolution (one per platform). */
  nameResolutionDb?: string;
}

interface Metadatum {
  name: string;
  value?: unknown;
}
interface ResourceDoc {
  kind?: string;
  spec?: { type?: string; metadata?: Metadatum[] };
}

/**
 * Copies components/ and dapr-config/ into `outDir`, pointing them at this run's infrastructure.
 * The committed YAML stays the plain data a developer reads and `dapr run -f .` uses; tests that
 * run their own Redis on a free port get a rendered copy instead of editing the originals.
 */
export function renderResources(outDir: string, o: ResourceOverrides): { resourcesPaths: string[]; configFile: string } {
  const compOut = join(outDir, 'components');
  const cfgOut = join(outDir, 'dapr-config');
  mkdirSync(compOut, { recursive: true });
  mkdirSync(cfgOut, { recursive: true });
  for (const f of readdirSync(componentsDir).filter((n) => /\.ya?ml$/.test(n))) {
    const docs = parseAllDocuments(readFileSync(join(componentsDir, f), 'utf8')).map((d) => d.toJS() as ResourceDoc);
    for (const doc of docs) override(doc, o);
    writeFileSync(join(compOut, f), docs.map((d) => stringify(d)).join('---\n'));
  }
  for (const f of readdirSync(daprConfigDir).filter((n) => /\.ya?ml$/.test(n))) {
    const doc = parseDocument(readFileSync(join(daprConfigDir, f), 'utf8'));
    if (o.nameResolutionDb && doc.hasIn(['spec', 'nameResolution'])) {
      doc.setIn(['spec', 'nameResolution', 'configuration', 'connectionString'], o.nameResolutionDb);
    }
    writeFileSync(join(cfgOut, f), doc.toString());
  }
  return { resourcesPaths: [compOut, cfgOut], configFile: join(cfgOut, 'config.yaml') };
}

function override(doc: ResourceDoc, o: ResourceOverrides): void {
  if (doc.kind !== 'Component' || !doc.spec?.metadata) return;
  for (const m of doc.spec.metadata) {
    if (o.redisHost && m.name === 'redisHost') m.value = o.redisHost;
    if (o.secretsFile && m.name === 'secretsFile') m.value = o.secretsFile;
  }
}
