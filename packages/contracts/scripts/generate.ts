import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedDocuments } from '../src/documents.ts';
import { renderJson } from '../src/openapi.ts';

// Generated files are committed so stacks without Node can consume them; test/generated.test.ts keeps them fresh.
const outDir = new URL('../generated/', import.meta.url);
mkdirSync(outDir, { recursive: true });
for (const [file, document] of Object.entries(generatedDocuments())) {
  const target = new URL(file, outDir);
  writeFileSync(target, renderJson(document));
  console.log(`wrote ${fileURLToPath(target)}`);
}
