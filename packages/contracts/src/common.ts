import { z } from 'zod';
import { apiSchemas } from './registry.ts';

/** ISO 4217 alphabetic code, e.g. "USD". */
export const Currency = z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code: 3 upper-case letters' });
export type Currency = z.infer<typeof Currency>;

// Prices travel as decimal major units (the seed's GET /products shows "price": 99.00); multipleOf keeps
// them to cents, and zod's multipleOf is float-safe (19.99 passes, 1.005 fails).
export const Price = z.number().positive().max(1_000_000).multipleOf(0.01, { error: 'must have at most 2 decimals' });
export type Price = z.infer<typeof Price>;

/** A total or other sum: like Price but may be 0 and has no ceiling. */
export const Amount = z.number().min(0).multipleOf(0.01, { error: 'must have at most 2 decimals' });
export type Amount = z.infer<typeof Amount>;

// Offsets allowed: producers in other stacks often emit "+00:00" rather than "Z".
export const IsoDateTime = z.iso.datetime({ offset: true });
export type IsoDateTime = z.infer<typeof IsoDateTime>;

export const FieldError = z.object({
  field: z.string(),
  message: z.string(),
  code: z.string().optional(),
});
export type FieldError = z.infer<typeof FieldError>;

/** RFC 9457 problem details; `errors` names each failing field so clients can highlight inputs. */
export const ProblemDetails = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int().min(100).max(599),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(FieldError).optional(),
  })
  .register(apiSchemas, { id: 'ProblemDetails', description: 'RFC 9457 problem details (application/problem+json).' });
export type ProblemDetails = z.infer<typeof ProblemDetails>;

export const PROBLEM_JSON = 'application/problem+json';

/** Flattens a ZodError into ProblemDetails.errors, one entry per failing field. */
export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap<FieldError>((issue) => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...base, key].join('.'), message: 'unknown field', code: issue.code }));
    }
    return [{ field: base.join('.') || '(body)', message: issue.message, code: issue.code }];
  });
}

export function queryInt(field: string, min: number, max: number | undefined, fallback: number) {
  const error = max === undefined ? `${field} must be an integer >= ${min}` : `${field} must be an integer from ${min} to ${max}`;
  const int = max === undefined ? z.int({ error }).min(min, { error }) : z.int({ error }).min(min, { error }).max(max, { error });
  // Only plain digit strings become numbers: z.coerce would also turn '', ' 7 ', '0x10' and '1e2' into numbers.
  return z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v), int).default(fallback);
}

/** Pagination query fields, spread into a query object: z.object({ ...Pagination, q }). */
export const Pagination = {
  page: queryInt('page', 1, undefined, 1),
  page_size: queryInt('page_size', 1, 100, 20),
};
export const PaginationQuery = z.object(Pagination);
export type PaginationQuery = z.infer<typeof PaginationQuery>;

/** A page of results; register the result under a name to make it an OpenAPI component. */
export function paged<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    page: z.int().min(1),
    page_size: z.int().min(1).max(100),
    total: z.int().min(0),
  });
}
export type Paged<T> = { data: T[]; page: number; page_size: number; total: number };
