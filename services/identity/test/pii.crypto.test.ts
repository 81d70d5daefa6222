import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPiiProtector, normalizeEmail } from '../src/pii.crypto.ts';

const encKey = randomBytes(32);
const bidxKey = randomBytes(32);
const pii = createPiiProtector(encKey, bidxKey);

describe('PII encryption (AES-256-GCM)', () => {
  it('round-trips, with a fresh IV each time and no plaintext in the stored form', () => {
    const a = pii.encrypt('Ada.Lovelace@example.com', 'users/u1/email');
    const b = pii.encrypt('Ada.Lovelace@example.com', 'users/u1/email');
    expect(a).not.toBe(b);
    expect(a).not.toMatch(/lovelace/i);
    expect(a.split('.')).toHaveLength(4);
    expect(pii.decrypt(a, 'users/u1/email')).toBe('Ada.Lovelace@example.com');
    expect(pii.decrypt(pii.encrypt('Zoë 🚀', 'n'), 'n')).toBe('Zoë 🚀');
  });

  it('refuses a tampered ciphertext, tag or IV', () => {
    const stored = pii.encrypt('secret name', 'ctx');
    const [v, iv, tag, body] = stored.split('.') as [string, string, string, string];
    const flip = (s: string) => {
      const buf = Buffer.from(s, 'base64url');
      buf[0]! ^= 1;
      return buf.toString('base64url');
    };
    expect(() => pii.decrypt([v, iv, tag, flip(body)].join('.'), 'ctx')).toThrow();
    expect(() => pii.decrypt([v, iv, flip(tag), body].join('.'), 'ctx')).toThrow();
    expect(() => pii.decrypt([v, flip(iv), tag, body].join('.'), 'ctx')).toThrow();
    expect(() => pii.decrypt('plain text', 'ctx')).toThrow(/not an encrypted/);
  });

  it('binds the value to its context and its key', () => {
    const stored = pii.encrypt('a@example.com', 'users/u1/email');
    expect(() => pii.decrypt(stored, 'users/u2/email')).toThrow();
    expect(() => createPiiProtector(randomBytes(32), bidxKey).decrypt(stored, 'users/u1/email')).toThrow();
  });

  it('refuses short keys and one key used for both purposes', () => {
    expect(() => createPiiProtector(randomBytes(16), bidxKey)).toThrow(/32 bytes/);
    expect(() => createPiiProtector(encKey, Buffer.from(encKey))).toThrow(/differ/);
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
