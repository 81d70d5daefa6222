import { buildAsyncApiDocument } from './asyncapi.ts';
import { buildEventsJsonSchema, buildOpenApiDocument } from './openapi.ts';

/** Every generated document by file name, shared by scripts/generate.ts and the staleness test. */
export function generatedDocuments(): Record<string, unknown> {
  return {
    'openapi.json': buildOpenApiDocument(),
    'events.schema.json': buildEventsJsonSchema(),
    'asyncapi.json': buildAsyncApiDocument(),
  };
}
