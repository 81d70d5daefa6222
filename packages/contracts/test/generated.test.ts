import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument, generatedDocuments, renderJson } from '../src/index.ts';

describe('generated documents', () => {
  for (const [file, document] of Object.entries(generatedDocuments())) {
    it(`generated/${file} matches the schemas`, () => {
      const path = new URL(`../generated/${file}`, import.meta.url);
      const committed: unknown = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
      expect(committed, `generated/${file} is stale: run \`npm run generate\` and commit the result`).toEqual(
        JSON.parse(renderJson(document)),
      );
    });
  }

  it('every $ref points at something in its own document', () => {
    const documents = Object.values(generatedDocuments());
    expect(documents.flatMap(collectRefs).length).toBeGreaterThan(0);
    for (const document of documents) {
      for (const ref of collectRefs(document)) {
        const target = ref
          .slice(2)
          .split('/')
          .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
        expect(target, ref).toBeTypeOf('object');
      }
    }
  });

  it('refuses a route whose schema has no component name', () => {
    const Anonymous = z.object({ ok: z.boolean() });
    expect(() => buildOpenApiDocument([{ method: 'GET', path: '/x', summary: 'x', responses: { 200: { schema: Anonymous } } }])).toThrow(
      /GET \/x response 200: schema is not registered/,
    );
  });

  it('refuses duplicate routes', () => {
    const route = { method: 'GET', path: '/x', summary: 'x', responses: { 204: {} } } as const;
    expect(() => buildOpenApiDocument([route, route])).toThrow(/duplicate route GET \/x/);
  });
});

function collectRefs(node: unknown): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const own = '$ref' in node && typeof node.$ref === 'string' ? [node.$ref] : [];
  return [...own, ...Object.values(node).flatMap(collectRefs)];
}
