import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyringFromSpec, parseKeyring } from '../src/keyring.ts';
import { createPiiProtector, isSealed, loadPiiProtector, normalizeEmail, piiKeyring } from '../src/pii.ts';

const encKey = randomBytes(32);
const bidxKey = randomBytes(32);
const pii = createPiiProtector(encKey, bidxKey);
const b64 = (b: Buffer) => b.toString('base64');
const ring = (active: string, keys: Record<string, Buffer>) =>
  keyringFromSpec('pii-encryption-key', { active, keys: Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, b64(v)])) }, (v) =>
    Buffer.from(v, 'base64'),
  );
const flip = (s: string) => {
  const buf = Buffer.from(s, 'base64url');
  buf[0]! ^= 1;
  return buf.toString('base64url');
};

// Made by the single-key build (format v1, no kid) under the key of 32 bytes 0x07, with the blind-index key of 32
// bytes 0x09: what users' documents stored before keyrings hold.
const V1 = {
  key: Buffer.alloc(32, 7),
  blindIndexKey: Buffer.alloc(32, 9),
  stored: 'v1.Dm67wCrdJ49WZZok.hcOJc9yvfT9e7kKLtG7a7A.PopzCPMHgMz8kYr4X1kHx02Y_EEo7lko',
  context: 'users/usr_1/email',
  plain: 'Ada.Lovelace@example.com',
  blindIndex: 'buNOPFGkdVp1_56hJLaVRGG0omf57sdJ4mx1HHJ3Iu4',
};

describe('PII encryption (AES-256-GCM, v2 = kid-tagged)', () => {
  it('round-trips, with a fresh IV each time, the active kid in the stored form and no plaintext', () => {
    const keys = ring('k2', { k1: randomBytes(32), k2: encKey });
    const p = createPiiProtector(keys);
    const a = p.encrypt('Ada.Lovelace@example.com', 'users/u1/email');
    const b = p.encrypt('Ada.Lovelace@example.com', 'users/u1/email');
    expect(a).not.toBe(b);
    expect(a).not.toMatch(/lovelace/i);
    expect(a.split('.')).toEqual(['v2', 'k2', expect.any(String), expect.any(String), expect.any(String)]);
    expect(p.kidOf(a)).toBe('k2');
    expect(isSealed(a)).toBe(true);
    expect(p.decrypt(a, 'users/u1/email')).toBe('Ada.Lovelace@example.com');
    expect(p.decrypt(p.encrypt('Zoë 🚀', 'n'), 'n')).toBe('Zoë 🚀');
  });

  it('decrypts values made under every key of the ring: a rotation keeps old ciphertexts readable', () => {
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    const before = createPiiProtector(ring('k1', { k1 }));
    const stored = before.encrypt('1 Main Street', 'orders/o1/shipping_address/line1');
    const after = createPiiProtector(ring('k2', { k1, k2 }));
    expect(after.decrypt(stored, 'orders/o1/shipping_address/line1')).toBe('1 Main Street');
    expect(after.kidOf(after.encrypt('x', 'c'))).toBe('k2');
    // A ring that dropped k1 cannot read it any more, and says which key is missing.
    expect(() => createPiiProtector(ring('k2', { k2 })).decrypt(stored, 'orders/o1/shipping_address/line1')).toThrow(/no PII key k1/);
  });

  it('refuses a value that names another key of the ring than the one that made it (wrong kid)', () => {
    const p = createPiiProtector(ring('k2', { k1: randomBytes(32), k2: randomBytes(32) }));
    const stored = p.encrypt('secret', 'ctx');
    expect(() => p.decrypt(stored.replace('v2.k2.', 'v2.k1.'), 'ctx')).toThrow();
    expect(() => p.decrypt(stored.replace('v2.k2.', 'v2.k9.'), 'ctx')).toThrow(/no PII key k9/);
  });

  it('still decrypts v1 values (no kid) made by the single-key build, before and after a rotation', () => {
    const legacy = createPiiProtector(piiKeyring(b64(V1.key)), V1.blindIndexKey);
    expect(legacy.decrypt(V1.stored, V1.context)).toBe(V1.plain);
    expect(legacy.kidOf(V1.stored)).toBeUndefined();
    expect(legacy.blindIndex(V1.plain)).toBe(V1.blindIndex);
    // After a rotation the old key sits beside the new one: v1 still opens, new values go out under the new kid.
    const rotated = createPiiProtector(ring('new', { new: randomBytes(32), old: V1.key }), V1.blindIndexKey);
    expect(rotated.decrypt(V1.stored, V1.context)).toBe(V1.plain);
    expect(rotated.kidOf(rotated.encrypt('x', 'c'))).toBe('new');
    expect(() => createPiiProtector(ring('new', { new: randomBytes(32) })).decrypt(V1.stored, V1.context)).toThrow(/no PII key/);
    expect(() => legacy.decrypt(V1.stored, 'users/usr_2/email')).toThrow();
  });

  it('refuses a tampered ciphertext, tag, IV or format', () => {
    const stored = pii.encrypt('secret name', 'ctx');
    const [v, kid, iv, tag, body] = stored.split('.') as [string, string, string, string, string];
    expect(() => pii.decrypt([v, kid, iv, tag, flip(body)].join('.'), 'ctx')).toThrow();
    expect(() => pii.decrypt([v, kid, iv, flip(tag), body].join('.'), 'ctx')).toThrow();
    expect(() => pii.decrypt([v, kid, flip(iv), tag, body].join('.'), 'ctx')).toThrow();
    expect(() => pii.decrypt([v, iv, tag, body].join('.'), 'ctx')).toThrow();
    const [v1, iv1, tag1, body1] = V1.stored.split('.') as [string, string, string, string];
    const legacy = createPiiProtector(V1.key);
    expect(() => legacy.decrypt([v1, iv1, tag1, flip(body1)].join('.'), V1.context)).toThrow();
    expect(() => pii.decrypt('plain text', 'ctx')).toThrow(/not an encrypted/);
    expect(() => pii.kidOf('plain text')).toThrow(/not an encrypted/);
    expect(isSealed('plain text')).toBe(false);
    expect(isSealed('v1.2 Main Street')).toBe(false);
  });

  it('binds the value to its context and its key', () => {
    const stored = pii.encrypt('a@example.com', 'users/u1/email');
    expect(() => pii.decrypt(stored, 'users/u2/email')).toThrow();
    expect(() => createPiiProtector(randomBytes(32), bidxKey).decrypt(stored, 'users/u1/email')).toThrow();
  });

  it('gives a bare key the kid the same key gets as a legacy single-value secret', () => {
    const stored = createPiiProtector(encKey).encrypt('x', 'c');
    expect(createPiiProtector(piiKeyring(b64(encKey))).decrypt(stored, 'c')).toBe('x');
  });

  it('refuses short keys and a blind-index key that is also an encryption key', () => {
    expect(() => createPiiProtector(randomBytes(16), bidxKey)).toThrow(/32 bytes/);
    expect(() => createPiiProtector(encKey, Buffer.from(encKey))).toThrow(/differ/);
    expect(() => createPiiProtector(ring('a', { a: randomBytes(32), b: bidxKey }), bidxKey)).toThrow(/differ/);
    expect(() => piiKeyring(JSON.stringify({ active: 'a', keys: { a: b64(randomBytes(16)) } }))).toThrow(
      /pii-encryption-key, key a: .*32 bytes/,
    );
  });

  it('loads the keyring from the secret store by name', async () => {
    const k1 = randomBytes(32);
    const secrets: Record<string, string> = { 'pii-encryption-key': JSON.stringify({ active: 'k1', keys: { k1: b64(k1) } }) };
    const p = await loadPiiProtector(async (name) => secrets[name]!);
    expect(p.kidOf(p.encrypt('x', 'c'))).toBe('k1');
    expect(() => p.blindIndex('a@b.c')).toThrow(/no blind-index key/);
    expect(parseKeyring('n', secrets['pii-encryption-key']!, (v) => v).kids).toEqual(['k1']);
  });
});

describe('email blind index (HMAC-SHA256)', () => {
  it('is stable across case and surrounding spaces, and differs between emails', () => {
    expect(pii.blindIndex('  Ada@Example.COM ')).toBe(pii.blindIndex('ada@example.com'));
    expect(pii.blindIndex('ada@example.com')).not.toBe(pii.blindIndex('bob@example.com'));
    expect(normalizeEmail(' A@B.C ')).toBe('a@b.c');
  });

  it('is keyed: another key gives another index, and the email is not in it', () => {
    const other = createPiiProtector(encKey, randomBytes(32));
    expect(other.blindIndex('ada@example.com')).not.toBe(pii.blindIndex('ada@example.com'));
    expect(pii.blindIndex('ada@example.com')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
