import { z } from 'zod';

export type JsonSchema = z.core.JSONSchema.BaseSchema;
export type ComponentMeta = { id: string; description?: string };

// Our own registry rather than z.globalRegistry: ids there are process-wide, so a service that registers
// its own "Product" for a local document would clash with ours (or silently rename our component).
export const apiSchemas = z.registry<ComponentMeta>();

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/**
 * Converts every schema of a registry, with cross-references as `${uriPrefix}${id}`.
 * io "input" describes what a receiver's parse accepts, i.e. the JSON on the wire: objects that zod
 * strips stay open (adding a field is not a breaking change), only .strict() ones close.
 */
export function registryToSchemas(
  registry: z.core.$ZodRegistry<{ id?: string | undefined }>,
  uriPrefix: string,
  /** draft-07 for AsyncAPI 3.0, whose default schema format is a superset of it. */
  target: 'draft-2020-12' | 'draft-07' = 'draft-2020-12',
): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, {
    target,
    io: 'input',
    // Without this, titles and descriptions would be read from z.globalRegistry instead.
    metadata: registry,
    uri: (id) => `${uriPrefix}${id}`,
  });
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // zod parks shared or cyclic unnamed parts under __shared, which no $ref in our documents can reach.
    if (id === '__shared') throw new Error('unnamed schema reused cyclically: register it with an id');
    // Embedded in a larger document, the per-schema dialect and $id would re-root every $ref.
    const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
    out[id] = rest;
  }
  return sortKeys(out);
}

/** One field schema inlined (no $refs), as OpenAPI parameters need; "output" keeps `default`. */
export function inlineSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'output',
    metadata: z.registry<{ id?: string }>(),
  }) as JsonSchema;
  return rest;
}

/** Name-keyed maps are sorted so the generated files do not churn with import or registration order. */
export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
