// Hostile values, as fast-check arbitraries: what a broken client or an attacker puts where the contract wants a
// well-formed value. Strings that JSON cannot carry as themselves (lone surrogates) travel as markers that the
// encoder turns into `\uD800`-style escapes in the body text (see encodeJson).
import fc from 'fast-check';

/** Replaced by a JSON escape in the body text: a lone surrogate cannot be put into UTF-8 bytes as itself. */
export const LONE_HIGH = '@@LONE_HIGH@@';
export const LONE_LOW = '@@LONE_LOW@@';

/** JSON text of a value, with the lone-surrogate markers turned into escapes. */
export function encodeJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.replaceAll(LONE_HIGH, '\\ud800').replaceAll(LONE_LOW, '\\udfff');
}

/** A long string described by a unit and a count, so a case stays small to print and to keep. */
export interface Repeat {
  repeat: string;
  times: number;
}

const unicodeSamples = [
  '😀🏳️‍🌈👩‍👩‍👧‍👦', // astral, ZWJ sequences
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙𝟚', // mathematical alphanumerics (astral)
  'مرحبا بالعالم', // RTL
  '\u202Egnp.exe', // right-to-left override
  'שָׁלוֹם\u200F', // Hebrew with RLM
  'a\u0000b', // NUL inside
  '\u0000',
  'e\u0301\u0301\u0301\u0301\u0301', // stacked combining marks
  '\uFEFFbom', // BOM
  '\u200B\u200C\u200D\u2060', // zero-width characters
  'Ω≈ç√∫˜µ≤≥÷', // BMP symbols
  '田中さんにあげて下さい', // CJK
  '\u00ad', // soft hyphen
  '\r\n\t\u000b\u000c', // control whitespace
  '\u001b[31mred', // terminal escape
  '\u2028\u2029', // JS line separators
  'İıſK', // case-mapping oddities (Turkish i, long s, Kelvin)
  `x${LONE_HIGH}`,
  `${LONE_LOW}y`,
  `${LONE_LOW}${LONE_HIGH}`,
];

const injectionSamples = [
  '{"$gt":""}',
  '$where',
  "' OR '1'='1",
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '%00',
  '%s%s%s%n',
  'null',
  'undefined',
  'NaN',
  'true',
  '[]',
  '{}',
];

/** A string that is hostile for its content (not its length). */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...unicodeSamples),
  fc.constantFrom(...injectionSamples),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.constant(''),
  fc.constant(' '),
);

/** A JSON number that is hostile (huge, negative, fractional, beyond double precision, or denormal). */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-1, 0, -0, 0.5, 1.5, -1.5, 0.001, 1e-320, 1e21, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53)),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Number literals for JSON text that JSON.stringify cannot write (overflow to Infinity, precision loss, -0). */
export const nastyNumberLiteral = fc.constantFrom(
  '1e309',
  '-1e309',
  '9007199254740993',
  '123456789012345678901234567890',
  '-0',
  '1E400',
  '0.1e-400',
);

/** Query-string forms of a number that a lax parser may accept. */
export const nastyNumericText = fc.constantFrom(
  '-1',
  '0',
  '-0',
  '1.5',
  '1e2',
  '1e309',
  '0x10',
  '010',
  '+1',
  ' 1',
  '1 ',
  'NaN',
  'Infinity',
  '-Infinity',
  '',
  '١٢', // Arabic-Indic digits
  '9007199254740993',
  '99999999999999999999999999',
  'true',
  '[]',
);

/** A value of some JSON type, to put where another type is wanted. */
export const anyJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, '', 'text', [], {}, [1, 2], { a: 1 }, [null], ['x']),
  nastyNumber,
  nastyString,
);

/** Deeply nested JSON text: arrays or objects, `depth` levels. */
export function nestedJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Byte sizes around the kit's JSON body limit (100 kB) and daprd's (4 MiB), and far beyond. */
export const hugeLength = fc.constantFrom(10_000, 99_000, 102_500, 200_000, 1_100_000, 4_300_000);

/** Malformed JSON texts: syntax errors, valid JSON that is not an object, and JSON5/JS-isms. */
export const badJsonTexts = [
  '',
  '{',
  '}',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{a:1}',
  '{"a":1}{"b":2}',
  '{"a":1} trailing',
  '\uFEFF{"a":1}',
  '/* comment */{}',
  '{"a":NaN}',
  '{"a":undefined}',
  '{"a":0x10}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"\u0001"}',
  'null',
  'true',
  '"string"',
  '123',
  '[]',
  '[1,2,3]',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  ' ',
  '\n\n',
];

/** Path segments that try traversal, encoding tricks and parser confusion. */
export const pathTricks = [
  '..',
  '.',
  '../..',
  '..%2f..%2fadmin',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2f',
  '%252e%252e%252f',
  '%c0%ae%c0%ae',
  '%2f',
  '%5c..%5c',
  '..\\..\\',
  '%00',
  'prd_000101%00',
  'prd_000101%00.json',
  '%zz',
  '%',
  '%%',
  '%u0041',
  '%ED%A0%80', // an encoded lone surrogate: decodeURIComponent throws
  '%F0%9F%98%80',
  '%E2%80%AE',
  '%0d%0aSet-Cookie:%20x=1',
  'prd_000101;jsessionid=1',
  'prd_000101%3Fa=1',
  'prd_000101%23frag',
  '__proto__',
  'constructor',
  '%7B%22%24gt%22%3A%22%22%7D',
  '~',
  '*',
  'a'.repeat(3000),
  '%41'.repeat(500),
];
