import type { Request } from 'express';
import type { z } from 'zod';

// Each throws the ZodError; the kit's error handler turns it into a 400 problem naming every field.
// Express 5's req.query is a getter: read it, never assign the parsed value back.

export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return schema.parse(req.body);
}

export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return schema.parse(req.query);
}

export function parseParams<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return schema.parse(req.params);
}
