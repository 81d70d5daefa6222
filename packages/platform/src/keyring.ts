// Keyrings: the keys one secret holds, each under a key id (kid), one of them active. The active key signs or
// encrypts; every key in the ring still verifies or decrypts, so a rotation adds a key without breaking the
// tokens and ciphertexts made under the older ones. No I/O and no dependency on the rest of the kit: the devstack
// rotates local secrets with the same code (`@globalmart/platform/keyring`).
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** A kid travels inside tokens and ciphertexts (`v2.<kid>.…`): letters, digits, `_` and `-`, starting alphanumeric. */
export const KID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A secret's value in keyring form: `{"active":"<kid>","keys":{"<kid>":"<value>", …}}`. */
export interface KeyringSpec {
  active: string;
  keys: Record<string, string>;
}

export interface Keyring<K> {
  readonly activeKid: string;
  readonly active: K;
  /** Every kid, the active one first. */
  readonly kids: readonly string[];
  get(kid: string): K | undefined;
  /** Every key with its kid, the active one first. */
  entries(): [kid: string, key: K][];
}

/** Messages name the secret and the kid, never a key. */
export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

/**
 * The kid a legacy single-value secret gets: the first 8 hex digits of the SHA-256 of the value. Stable, so
 * whatever was made under that value before the secret became a keyring stays readable under the same kid.
 */
export const legacyKid = (value: string): string => createHash('sha256').update(value.trim(), 'utf8').digest('hex').slice(0, 8);

/** A fresh kid that says when the key was made: `20260101-a1b2c3`. */
export const newKid = (now: Date = new Date()): string =>
  `${now.toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;

const Kid = z.string().regex(KID_PATTERN, { error: 'must be 1-64 letters, digits, _ or -, starting with a letter or digit' });
const Spec = z
  .object({ active: Kid, keys: z.record(Kid, z.string().trim().min(1, { error: 'is empty' })) })
  .strict()
  .refine((s) => Object.hasOwn(s.keys, s.active), { error: 'names no key of the ring', path: ['active'] });

/** Reads a secret's value: keyring JSON, or a legacy single value (a ring of one, under its legacyKid). */
export function parseKeyringSpec(name: string, raw: string): KeyringSpec {
  const text = raw.trim();
  if (!text) throw new KeyringError(`secret ${name} is empty`);
  // Neither a base64 key nor a PEM starts with "{": a value that does is a keyring.
  if (!text.startsWith('{')) {
    const kid = legacyKid(text);
    return { active: kid, keys: { [kid]: text } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyringError(`secret ${name} starts like a keyring but is not valid JSON`);
  }
  const parsed = Spec.safeParse(json);
  if (!parsed.success) {
    // Paths and rules only: zod does not echo string values in these messages.
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
    throw new KeyringError(`secret ${name} is not a valid keyring: ${why}`);
  }
  return parsed.data;
}

/** A keyring of decoded keys; `decode` throws for a value that is no valid key (its message may name the kid). */
export function keyringFromSpec<K>(name: string, spec: KeyringSpec, decode: (value: string, kid: string) => K): Keyring<K> {
  const kids = [spec.active, ...Object.keys(spec.keys).filter((k) => k !== spec.active)];
  const keys = new Map<string, K>();
  for (const kid of kids) {
    try {
      keys.set(kid, decode(spec.keys[kid]!, kid));
    } catch (err) {
      throw new KeyringError(`secret ${name}, key ${kid}: ${(err as Error).message}`);
    }
  }
  return {
    activeKid: spec.active,
    active: keys.get(spec.active)!,
    kids,
    get: (kid) => keys.get(kid),
    entries: () => [...keys],
  };
}

export function parseKeyring<K>(name: string, raw: string, decode: (value: string, kid: string) => K): Keyring<K> {
  return keyringFromSpec(name, parseKeyringSpec(name, raw), decode);
}

export const stringifyKeyring = (spec: KeyringSpec): string => JSON.stringify({ active: spec.active, keys: spec.keys });

/** The ring with `value` added under a new kid and made active; the older keys stay, to verify and decrypt. */
export function addActiveKey(spec: KeyringSpec, value: string, kid: string = newKid()): KeyringSpec {
  if (!KID_PATTERN.test(kid)) throw new KeyringError(`kid ${JSON.stringify(kid)} is not a valid key id`);
  if (Object.hasOwn(spec.keys, kid)) throw new KeyringError(`the keyring already holds a key ${kid}`);
  return { active: kid, keys: { ...spec.keys, [kid]: value } };
}
