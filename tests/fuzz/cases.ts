// Request cases from the contract: each case is drawn from its own seed (the run's seed and its index), so a run
// replays exactly from FUZZ_SEED, and one case from FUZZ_SEED + its index. Valid bodies and parameters come from
// json-schema-faker (seeded by fast-check); each strategy then breaks one thing about the request.
import fc from 'fast-check';
import { generateSync } from 'json-schema-faker';
import { deref, viaFor, type Contract, type JsonSchema, type Operation } from './spec.ts';
import {
  LONE_HIGH,
  anyJsonValue,
  badJsonTexts,
  encodeJson,
  hugeLength,
  nastyNumber,
  nastyNumberLiteral,
  nastyNumericText,
  nastyString,
  nestedJson,
  pathTricks,
  type Repeat,
} from './values.ts';

export const strategies = [
  'valid',
  'boundary',
  'wrong-type',
  'missing-field',
  'extra-field',
  'huge-string',
  'unicode',
  'deep-nesting',
  'bad-json',
  'content-type',
  'duplicates',
  'path-tricks',
  'numbers',
  'idempotency-key',
  'auth',
  'wrong-method',
] as const;
export type Strategy = (typeof strategies)[number];

// How often each strategy is drawn: valid requests keep the services' deeper paths (stored state, downstream calls) busy.
const weights: Record<Strategy, number> = {
  valid: 20,
  boundary: 9,
  'wrong-type': 8,
  'missing-field': 5,
  'extra-field': 5,
  'huge-string': 4,
  unicode: 8,
  'deep-nesting': 3,
  'bad-json': 6,
  'content-type': 6,
  duplicates: 6,
  'path-tricks': 7,
  numbers: 6,
  'idempotency-key': 3,
  auth: 6,
  'wrong-method': 2,
};

/** Who the request claims to be: resolved to real tokens and user ids when it is sent. */
export type Identity = 'anonymous' | 'customer' | 'other' | 'admin';

/** A body part: text, a long run of one unit, or raw bytes (hex) that are not UTF-8. */
export type BodyPart = string | Repeat | { hex: string };

export interface FuzzCase {
  index: number;
  strategy: Strategy;
  /** The operation it was drawn from, e.g. `POST /api/orders`. */
  op: string;
  /** The app that answers; `via` is the app whose sidecar invokes it (internal operations only). */
  app: string;
  via?: string;
  method: string;
  /** Path and query as sent to the app (raw: tricks are not re-encoded). Placeholders: {{customer.id}}, ... */
  target: string;
  headers: [string, string][];
  body?: BodyPart[];
  /** What was broken, for the report. */
  note: string;
}

/** What the running platform contributed before generation (the same for every run on the demo catalog). */
export interface FuzzContext {
  productIds: string[];
  categories: string[];
}

type G = fc.GeneratorValue;
type Path = (string | number)[];

const pick = <T>(g: G, xs: readonly T[]): T => g(() => fc.constantFrom(...xs));
const chance = (g: G, p: number): boolean => g(() => fc.double({ min: 0, max: 1, noNaN: true })) < p;
const int = (g: G, min: number, max: number): number => g(() => fc.integer({ min, max }));

function weighted(g: G): Strategy {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  let n = int(g, 0, total - 1);
  for (const s of strategies) {
    n -= weights[s];
    if (n < 0) return s;
  }
  return 'valid';
}

/** A value valid for the schema (json-schema-faker, seeded from the case's own random stream). */
function fake(g: G, contract: Contract, schema: JsonSchema): unknown {
  const seed = int(g, 1, 2 ** 31 - 2);
  return generateSync({ ...schema, components: contract.components } as never, { seed, optionalsProbability: 0.6, maxDefaultItems: 3 });
}

/** Real values where the contract's pattern alone would only ever find nothing (404s all the way down). */
function known(g: G, ctx: FuzzContext, op: Operation, name: string): string | undefined {
  if (!chance(g, 0.7)) return undefined;
  if (name === 'product_id' || (name === 'id' && op.path.includes('/products'))) return pick(g, ctx.productIds);
  if (name === 'user_id' || name === 'customer_id' || (name === 'id' && /\/(users|contacts)\//.test(op.path)))
    return pick(g, ['{{customer.id}}', '{{other.id}}', '{{admin.id}}']);
  if (name === 'order_id' || (name === 'id' && op.path.includes('/orders'))) return '{{order.id}}';
  if (name === 'category') return pick(g, ctx.categories);
  if (name === 'ids') return ctx.productIds.slice(0, int(g, 1, 4)).join(',');
  // Not tok_slow: it makes the provider slow on purpose (to rehearse timeouts), and the breaker that then opens
  // turns every payment into a deliberate 503 for the rest of the run.
  if (name === 'payment_method' || name === 'source') return pick(g, ['tok_visa', 'tok_chargeDeclined', 'tok_unknown']);
  return undefined;
}

/** Puts known values into a generated body (product and user ids, payment tokens) wherever the field names say so. */
function withKnownValues(g: G, ctx: FuzzContext, op: Operation, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => withKnownValues(g, ctx, op, v));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? (known(g, ctx, op, k) ?? v) : withKnownValues(g, ctx, op, v)]),
  );
}

// -- the parts of a request while it is being built ------------------------------------------------------------

interface Draft {
  method: string;
  /** Path parameter values, already encoded for the path (a trick replaces one raw). */
  pathValues: Record<string, string>;
  /** Query pairs, encoded. */
  query: [string, string][];
  headers: [string, string][];
  /** The body as a value (encoded at the end), or its final text/parts when a strategy wrote it itself. */
  body?: { value: unknown } | { parts: BodyPart[] };
  identity: Identity;
  suffix: string;
  notes: string[];
}

const toText = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : JSON.stringify(v));
const enc = (v: string) => encodeURIComponent(v).replace(/%7B%7B(.+?)%7D%7D/g, '{{$1}}');

/** Every node of a body value with the schema that describes it (where the schema says). */
function nodes(
  contract: Contract,
  schema: JsonSchema | undefined,
  value: unknown,
  path: Path = [],
): { path: Path; schema: JsonSchema; value: unknown }[] {
  const s = schema ? deref(contract, schema) : {};
  const here = [{ path, schema: s, value }];
  if (Array.isArray(value)) {
    const items = s.items as JsonSchema | undefined;
    return [...here, ...value.flatMap((v, i) => nodes(contract, items, v, [...path, i]))];
  }
  if (value !== null && typeof value === 'object') {
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    return [...here, ...Object.entries(value).flatMap(([k, v]) => nodes(contract, props[k], v, [...path, k]))];
  }
  const anyOf = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  return anyOf?.[0] ? [{ path, schema: deref(contract, anyOf[0]), value }] : here;
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  // defineProperty, not assignment: a key named __proto__ must become an own, serialised property.
  Object.defineProperty(at, path.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function deleteAt(root: unknown, path: Path): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  if (Array.isArray(at)) at.splice(Number(path.at(-1)), 1);
  else delete at[path.at(-1)!];
  return copy;
}

const where = (path: Path) => (path.length ? path.join('.') : '(body)');

/** A boundary value for a schema: at, just inside and just outside its limits. */
function boundary(g: G, s: JsonSchema, current: unknown): [unknown, string] {
  const type = s.type;
  if (Array.isArray(s.enum)) {
    const v = String(pick(g, s.enum as unknown[]));
    return pick(g, [
      [v.toLowerCase() === v ? v.toUpperCase() : v.toLowerCase(), 'enum value in the wrong case'],
      [` ${v}`, 'enum value with a space'],
      [`${v}x`, 'enum value with a suffix'],
    ]);
  }
  if (type === 'string') {
    const min = Number(s.minLength ?? 0);
    const max = s.maxLength === undefined ? 256 : Number(s.maxLength);
    const len = pick(g, [Math.max(0, min - 1), min, max, max + 1, 0]);
    return ['a'.repeat(len), `string of length ${len} (min ${min}, max ${max})`];
  }
  if (type === 'integer' || type === 'number') {
    const min = Number(s.minimum ?? s.exclusiveMinimum ?? 0);
    const max = Number(s.maximum ?? s.exclusiveMaximum ?? 2 ** 53);
    const v = pick(g, [min, min - 1, max, max + 1, min + 0.5, max - 0.5, min + 0.001, s.exclusiveMinimum ?? min - 0.01]);
    return [v, `number ${v} (min ${min}, max ${max})`];
  }
  if (type === 'array') {
    const items = Array.isArray(current) ? current : [];
    const maxItems = Number(s.maxItems ?? 100);
    return pick(g, [
      [[], 'empty array'],
      [Array.from({ length: maxItems + 1 }, (_, i) => items[i % Math.max(1, items.length)] ?? i), `array of ${maxItems + 1} items`],
    ]);
  }
  if (type === 'boolean')
    return pick(g, [
      ['true', 'boolean as a string'],
      [1, 'boolean as 1'],
    ]);
  return [{}, 'empty object'];
}

// -- the strategies ------------------------------------------------------------------------------------------

function bodyNodes(contract: Contract, op: Operation, d: Draft) {
  if (!op.body || !d.body || !('value' in d.body)) return [];
  return nodes(contract, op.body, d.body.value);
}

function mutateBody(g: G, contract: Contract, op: Operation, d: Draft, filter: (n: { schema: JsonSchema; value: unknown }) => boolean) {
  const candidates = bodyNodes(contract, op, d).filter(filter);
  return candidates.length ? pick(g, candidates) : undefined;
}

const queryParams = (op: Operation) => op.params.filter((p) => p.in === 'query');
const pathParams = (op: Operation) => op.params.filter((p) => p.in === 'path');

/** Sets a query parameter (encoded), or a path parameter when the operation has no query. */
function mutateParam(g: G, contract: Contract, op: Operation, d: Draft, make: (s: JsonSchema) => [string, string]): boolean {
  const params = op.params;
  if (params.length === 0) return false;
  const p = pick(g, params);
  const [raw, why] = make(deref(contract, p.schema));
  if (p.in === 'path') d.pathValues[p.name] = raw;
  else d.query = [...d.query.filter(([k]) => k !== p.name), [p.name, raw]];
  d.notes.push(`${p.in} ${p.name}: ${why}`);
  return true;
}

type Apply = (g: G, contract: Contract, op: Operation, d: Draft) => void;

const apply: Record<Strategy, Apply> = {
  valid: () => {},
  boundary: (g, contract, op, d) => {
    const node = mutateBody(g, contract, op, d, (n) => n.schema.type !== undefined || Array.isArray(n.schema.enum));
    if (node && d.body && 'value' in d.body) {
      const [v, why] = boundary(g, node.schema, node.value);
      d.body = { value: setAt(d.body.value, node.path, v) };
      d.notes.push(`${where(node.path)}: ${why}`);
    } else {
      mutateParam(g, contract, op, d, (s) => {
        const [v, why] = boundary(g, s, undefined);
        return [enc(toText(v)), why];
      });
    }
  },
  'wrong-type': (g, contract, op, d) => {
    const node = mutateBody(g, contract, op, d, () => true);
    const v = g(() => anyJsonValue);
    if (node && d.body && 'value' in d.body) {
      d.body = { value: setAt(d.body.value, node.path, v) };
      d.notes.push(`${where(node.path)} = ${encodeJson(v).slice(0, 60)}`);
    } else if (!mutateParam(g, contract, op, d, () => [enc(toText(v)), `= ${toText(v).slice(0, 60)}`])) {
      d.body = { value: v };
      d.notes.push('a body where none is expected');
    }
  },
  'missing-field': (g, contract, op, d) => {
    const node = mutateBody(g, contract, op, d, (n) => n.value !== null && typeof n.value === 'object' && !Array.isArray(n.value));
    const keys = node ? Object.keys(node.value as object) : [];
    if (node && keys.length && d.body && 'value' in d.body && chance(g, 0.8)) {
      const key = pick(g, keys);
      d.body = { value: deleteAt(d.body.value, [...node.path, key]) };
      d.notes.push(`without ${where([...node.path, key])}`);
    } else if (op.body && chance(g, 0.5)) {
      delete d.body;
      d.headers = d.headers.filter(([k]) => k !== 'content-type');
      d.notes.push('no body');
    } else if (d.query.length) {
      const drop = pick(g, d.query);
      d.query = d.query.filter((q) => q !== drop);
      d.notes.push(`without query ${drop[0]}`);
    } else {
      d.body = { value: {} };
      d.notes.push('empty object body');
    }
  },
  'extra-field': (g, contract, op, d) => {
    const name = pick(g, ['extra', '__proto__', 'constructor', 'role', 'isAdmin', 'user_id', '$where', '', 'a'.repeat(300)]);
    const v = name === '__proto__' ? { isAdmin: true, role: 'admin' } : g(() => anyJsonValue);
    const node = mutateBody(g, contract, op, d, (n) => n.value !== null && typeof n.value === 'object' && !Array.isArray(n.value));
    if (node && d.body && 'value' in d.body) {
      d.body = { value: setAt(d.body.value, [...node.path, name], v) };
      d.notes.push(`extra ${where([...node.path, name]).slice(0, 60)}`);
    } else {
      d.query.push([enc(name || 'x'), enc(toText(v))]);
      d.notes.push(`extra query ${name.slice(0, 40)}`);
    }
  },
  'huge-string': (g, contract, op, d) => {
    const times = g(() => hugeLength);
    const unit = pick(g, ['a', 'é', '😀', '\\u0000']);
    const node = mutateBody(g, contract, op, d, (n) => typeof n.value === 'string') ?? mutateBody(g, contract, op, d, () => true);
    const marker = '@@HUGE@@';
    if (node && d.body && 'value' in d.body && chance(g, 0.8)) {
      const [before, after] = encodeJson(setAt(d.body.value, node.path, marker)).split(marker) as [string, string];
      d.body = { parts: [before, { repeat: unit, times }, after] };
      d.notes.push(`${where(node.path)}: ${times} × "${unit}"`);
    } else if (op.body) {
      d.body = { parts: ['{"padding":"', { repeat: unit, times }, '"}'] };
      d.notes.push(`a body of ${times} × "${unit}"`);
    } else {
      // Around the HTTP parsers' limits (daprd's 4 KiB read buffer, node's 16 KiB of headers). Not far beyond: a
      // server that stops reading closes with unread bytes, and TCP then resets the connection before its 431 is read.
      const len = pick(g, [2_000, 8_000, 15_000, 20_000]);
      if (!mutateParam(g, contract, op, d, () => ['a'.repeat(len), `${len} characters`])) d.query.push(['q', 'a'.repeat(len)]);
      d.notes.push(`URL of ~${len} characters`);
    }
  },
  unicode: (g, contract, op, d) => {
    const s = g(() => nastyString);
    const node = mutateBody(g, contract, op, d, (n) => typeof n.value === 'string');
    if (node && d.body && 'value' in d.body && chance(g, 0.75)) {
      d.body = { value: setAt(d.body.value, node.path, s) };
      d.notes.push(`${where(node.path)} = ${JSON.stringify(s).slice(0, 60)}`);
    } else {
      const encoded = s.includes(LONE_HIGH) ? '%ED%A0%80' : enc(s.replaceAll(/@@LONE_\w+@@/g, ''));
      if (!mutateParam(g, contract, op, d, () => [encoded, `= ${JSON.stringify(s).slice(0, 60)}`])) {
        // Raw UTF-8 bytes, read as Latin-1 by HTTP; control characters cannot be sent in a header at all.
        const bytes = [...Buffer.from(s, 'utf8').toString('latin1')].filter((ch) => ch === '\t' || (ch >= ' ' && ch !== '\u007f'));
        d.headers.push(['x-note', bytes.join('')]);
        d.notes.push(`UTF-8 bytes in a header: ${JSON.stringify(s).slice(0, 40)}`);
      }
    }
  },
  'deep-nesting': (g, contract, op, d) => {
    const depth = pick(g, [64, 512, 5_000, 20_000, 45_000]);
    const kind = pick(g, ['array', 'object'] as const);
    const marker = '@@DEEP@@';
    const node = mutateBody(g, contract, op, d, () => true);
    if (node && d.body && 'value' in d.body) {
      const [before, after] = encodeJson(setAt(d.body.value, node.path, marker)).split(`"${marker}"`) as [string, string];
      d.body = { parts: [before, nestedJson(depth, kind), after] };
      d.notes.push(`${where(node.path)}: ${kind}s nested ${depth} deep`);
    } else if (op.body || chance(g, 0.5)) {
      d.body = { parts: [nestedJson(depth, kind)] };
      d.notes.push(`body: ${kind}s nested ${depth} deep`);
    } else {
      d.query.push([`a${'[b]'.repeat(Math.min(depth, 200))}`, '1']);
      d.notes.push('query key nested with brackets');
    }
  },
  'bad-json': (g, _contract, _op, d) => {
    const form = int(g, 0, 5);
    if (form === 0 && d.body && 'value' in d.body) {
      const text = encodeJson(d.body.value);
      const cut = int(g, 0, Math.max(0, text.length - 1));
      d.body = { parts: [text.slice(0, cut)] };
      d.notes.push(`JSON cut at ${cut}/${text.length}`);
    } else if (form === 1) {
      d.body = { parts: ['{"name":"', { hex: pick(g, ['ff', 'c0af', 'eda080', 'f4908080', 'fe', 'c3']) }, '"}'] };
      d.notes.push('invalid UTF-8 in a string');
    } else {
      const text = pick(g, badJsonTexts);
      d.body = { parts: [text] };
      d.notes.push(`body ${JSON.stringify(text).slice(0, 40)}`);
    }
    if (!d.headers.some(([k]) => k === 'content-type')) d.headers.push(['content-type', 'application/json']);
  },
  'content-type': (g, _contract, _op, d) => {
    const type = pick(g, [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/json; charset=bogus',
      'application/json;;',
      'application/json, text/plain',
      'application/merge-patch+json',
      'application/cloudevents+json',
      'application/jsonx',
      '*/*',
      '',
      'none',
      'gzip',
      'br',
      'deflate',
      'bogus-encoding',
    ]);
    if (!d.body) d.body = { value: {} };
    d.headers = d.headers.filter(([k]) => k !== 'content-type');
    if (['gzip', 'br', 'deflate', 'bogus-encoding'].includes(type)) {
      d.headers.push(['content-type', 'application/json'], ['content-encoding', type]);
      d.notes.push(`content-encoding ${type} on a plain body`);
    } else if (type !== 'none') {
      d.headers.push(['content-type', type]);
      d.notes.push(`content-type "${type}"`);
    } else d.notes.push('no content-type on a body');
  },
  duplicates: (g, _contract, op, d) => {
    const form = int(g, 0, 6);
    const qp = queryParams(op);
    if (form <= 2 && qp.length) {
      const p = pick(g, qp);
      const v = d.query.find(([k]) => k === p.name)?.[1] ?? '1';
      const shape = pick(g, ['repeat', 'brackets', 'object', 'empty'] as const);
      d.query = d.query.filter(([k]) => k !== p.name);
      if (shape === 'repeat') d.query.push([p.name, v], [p.name, pick(g, [v, '2', 'x', ''])]);
      if (shape === 'brackets') d.query.push([`${p.name}[]`, v], [`${p.name}[]`, v]);
      if (shape === 'object') d.query.push([`${p.name}[a]`, v], [`${p.name}[__proto__]`, v]);
      if (shape === 'empty') d.query.push([p.name, ''], [p.name, '']);
      d.notes.push(`query ${p.name} ${shape}`);
      return;
    }
    const header = pick(g, [
      'authorization',
      'content-type',
      'idempotency-key',
      'x-user-id',
      'x-user-role',
      'x-request-id',
      'dapr-caller-app-id',
      'host',
    ]);
    const values: Record<string, [string, string]> = {
      authorization: ['Bearer {{customer.token}}', 'Bearer {{admin.token}}'],
      'content-type': ['application/json', 'text/plain'],
      'idempotency-key': ['fuzz-key-1', 'fuzz-key-2'],
      'x-user-id': ['{{customer.id}}', '{{admin.id}}'],
      'x-user-role': ['customer', 'admin'],
      'x-request-id': ['a', 'b'],
      'dapr-caller-app-id': ['gateway', 'orders'],
      host: ['localhost', 'evil.example'],
    };
    const [a, b] = values[header]!;
    d.headers = d.headers.filter(([k]) => k !== header);
    d.headers.push([header, a], [header, b]);
    d.notes.push(`header ${header} twice`);
  },
  'path-tricks': (g, _contract, op, d) => {
    const trick = pick(g, pathTricks);
    const pp = pathParams(op);
    if (pp.length && chance(g, 0.8)) {
      const p = pick(g, pp);
      d.pathValues[p.name] = trick;
      d.notes.push(`path ${p.name} = ${trick.slice(0, 40)}`);
    } else {
      d.suffix = pick(g, ['/', '//', '/.', '/..', `/${trick}`, '%2f', '?', '#frag', ';x=1']);
      d.notes.push(`path + ${d.suffix.slice(0, 40)}`);
    }
  },
  numbers: (g, contract, op, d) => {
    const numeric = (s: JsonSchema) => s.type === 'integer' || s.type === 'number';
    const node = mutateBody(g, contract, op, d, (n) => numeric(n.schema));
    if (node && d.body && 'value' in d.body) {
      if (chance(g, 0.4)) {
        const literal = g(() => nastyNumberLiteral);
        const marker = '@@NUM@@';
        const [before, after] = encodeJson(setAt(d.body.value, node.path, marker)).split(`"${marker}"`) as [string, string];
        d.body = { parts: [before, literal, after] };
        d.notes.push(`${where(node.path)} = ${literal}`);
      } else {
        const v = chance(g, 0.5) ? g(() => nastyNumber) : g(() => nastyNumericText);
        d.body = { value: setAt(d.body.value, node.path, v) };
        d.notes.push(`${where(node.path)} = ${JSON.stringify(v)}`);
      }
      return;
    }
    const numericParams = op.params.filter((p) => numeric(deref(contract, p.schema)));
    const p = numericParams.length ? pick(g, numericParams) : op.params.length ? pick(g, op.params) : undefined;
    const text = g(() => nastyNumericText);
    if (!p) {
      d.query.push(['page', enc(text)]);
      d.notes.push(`stray query page=${text}`);
    } else if (p.in === 'path') d.pathValues[p.name] = enc(text);
    else d.query = [...d.query.filter(([k]) => k !== p.name), [p.name, enc(text)]];
    if (p) d.notes.push(`${p.in} ${p.name} = ${JSON.stringify(text)}`);
  },
  'idempotency-key': (g, _contract, _op, d) => {
    d.headers = d.headers.filter(([k]) => k !== 'idempotency-key');
    const v = pick(g, [
      undefined,
      '',
      ' ',
      'a'.repeat(256),
      'a'.repeat(8_000),
      'key with spaces',
      '../../x',
      '{"$gt":""}',
      '*',
      Buffer.from('clé-😀', 'utf8').toString('latin1'),
      '\t',
      'null',
    ]);
    if (v !== undefined) d.headers.push(['idempotency-key', v]);
    d.notes.push(v === undefined ? 'no Idempotency-Key' : `Idempotency-Key ${JSON.stringify(v.slice(0, 30))} (${v.length})`);
  },
  auth: (g, _contract, op, d) => {
    d.headers = d.headers.filter(([k]) => k !== 'authorization');
    if (op.app !== 'gateway') {
      // Inside the mesh only the gateway's x-user-* are believed: forge them anyway, malformed or not.
      const [id, role] = pick(g, [
        ['{{customer.id}}', 'superadmin'],
        ['', 'admin'],
        ['../usr_x', 'admin'],
        ['{{customer.id}}', 'ADMIN'],
        ['a'.repeat(5000), 'customer'],
        ['{{admin.id}}', ''],
      ]);
      d.headers = d.headers.filter(([k]) => k !== 'x-user-id' && k !== 'x-user-role');
      d.headers.push(['x-user-id', id], ['x-user-role', role]);
      d.notes.push(`x-user-id ${id.slice(0, 20)}, x-user-role "${role}"`);
      return;
    }
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'usr_0000000000000000', role: 'admin', exp: 4102444800 })}.`;
    const hs = `${b64({ alg: 'HS256', typ: 'JWT', kid: '../../etc/passwd' })}.${b64({ sub: 'x', role: 'admin' })}.c2ln`;
    const v = pick(g, [
      'Bearer',
      'Bearer ',
      'Bearer x',
      'Bearer a.b.c',
      `Bearer ${none}`,
      `Bearer ${hs}`,
      'Basic dXNlcjpwYXNz',
      'bearer {{customer.token}}',
      '{{customer.token}}',
      'Bearer {{customer.token}}x',
      'Bearer  {{customer.token}}',
      `Bearer ${'a'.repeat(12_000)}`,
      `Bearer ${'a.'.repeat(5_000)}`,
    ]);
    d.headers.push(['authorization', v]);
    if (chance(g, 0.3)) d.headers.push(['x-user-role', 'admin'], ['x-user-id', '{{other.id}}']);
    d.notes.push(`Authorization "${v.slice(0, 40)}"`);
  },
  'wrong-method': (g, _contract, op, d) => {
    d.method = pick(
      g,
      ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'CONNECTX'].filter((m) => m !== op.method),
    );
    d.notes.push(`${d.method} instead of ${op.method}`);
  },
};

// -- putting a case together ---------------------------------------------------------------------------------

function identityFor(g: G, op: Operation): Identity {
  const byScope: Record<string, Identity[]> = {
    admin: ['admin', 'admin', 'admin', 'customer', 'anonymous'],
    customer: ['customer', 'customer', 'customer', 'other', 'admin', 'anonymous'],
    none: ['anonymous', 'anonymous', 'customer', 'admin'],
  };
  return pick(g, byScope[op.security ?? 'none']!);
}

function draftOf(g: G, contract: Contract, ctx: FuzzContext, op: Operation, index: number): Draft {
  const d: Draft = { method: op.method, pathValues: {}, query: [], headers: [], identity: identityFor(g, op), suffix: '', notes: [] };
  for (const p of op.params) {
    const value = known(g, ctx, op, p.name) ?? toText(fake(g, contract, p.schema));
    if (p.in === 'path') d.pathValues[p.name] = enc(value);
    else if (p.required || chance(g, 0.5)) d.query.push([p.name, enc(value)]);
  }
  if (op.body) {
    d.body = { value: withKnownValues(g, ctx, op, fake(g, contract, op.body)) };
    d.headers.push(['content-type', 'application/json']);
  }
  if (op.method === 'POST' && op.path === '/api/orders') d.headers.push(['idempotency-key', `fuzz-{{run}}-${index}`]);
  if (d.identity !== 'anonymous') {
    if (op.app === 'gateway') d.headers.push(['authorization', `Bearer {{${d.identity}.token}}`]);
    else d.headers.push(['x-user-id', `{{${d.identity}.id}}`], ['x-user-role', d.identity === 'admin' ? 'admin' : 'customer']);
  }
  return d;
}

function finish(op: Operation, index: number, strategy: Strategy, d: Draft): FuzzCase {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => d.pathValues[name] ?? '');
  const query = d.query.map(([k, v]) => `${k}=${v}`).join('&');
  const body = d.body === undefined ? undefined : 'parts' in d.body ? d.body.parts : [encodeJson(d.body.value)];
  return {
    index,
    strategy,
    op: op.id,
    app: op.app,
    ...(op.app === 'gateway' ? {} : { via: viaFor(op) }),
    method: d.method,
    target: `${path}${d.suffix}${query ? `?${query}` : ''}`,
    headers: d.headers,
    ...(body ? { body } : {}),
    note: d.notes.join('; ') || 'valid request',
  };
}

/** The case number `index` of the run seeded `seed`: always the same request for the same contract and context. */
export function generateCase(
  contract: Contract,
  ctx: FuzzContext,
  seed: number,
  index: number,
  only?: (op: Operation) => boolean,
): FuzzCase {
  const ops = only ? contract.operations.filter(only) : contract.operations;
  if (ops.length === 0) throw new Error('no operation matches the filter');
  const [g] = fc.sample(fc.gen(), { seed: (seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0, numRuns: 1 }) as [G];
  const op = pick(g, ops);
  const strategy = weighted(g);
  const d = draftOf(g, contract, ctx, op, index);
  apply[strategy](g, contract, op, d);
  return finish(op, index, strategy, d);
}

/** The body's size in bytes once expanded (without building it). */
export function bodyLength(body: BodyPart[] | undefined): number {
  return (body ?? []).reduce(
    (n, p) => n + (typeof p === 'string' ? Buffer.byteLength(p) : 'hex' in p ? p.hex.length / 2 : Buffer.byteLength(p.repeat) * p.times),
    0,
  );
}
