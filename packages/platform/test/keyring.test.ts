import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyringError, addActiveKey, legacyKid, newKid, parseKeyring, parseKeyringSpec, stringifyKeyring } from '../src/keyring.ts';

const upper = (v: string) => v.toUpperCase();

describe('keyrings', () => {
  it('reads a legacy single value as a ring of one, under a kid derived from the key (stable)', () => {
    const ring = parseKeyring('pii-encryption-key', '  c2VjcmV0LWtleQ==\n', upper);
    const kid = createHash('sha256').update('c2VjcmV0LWtleQ==').digest('hex').slice(0, 8);
    expect(ring.activeKid).toBe(kid);
    expect(legacyKid('c2VjcmV0LWtleQ==')).toBe(kid);
    expect(ring.kids).toEqual([kid]);
    expect(ring.active).toBe('C2VJCMV0LWTLEQ==');
    expect(parseKeyring('x', 'c2VjcmV0LWtleQ==', upper).activeKid).toBe(kid);
  });

  it('reads a keyring: the active key first, every key by its kid', () => {
    const ring = parseKeyring('jwt-signing-key', JSON.stringify({ active: 'k2', keys: { k1: 'one', k2: 'two', k3: 'three' } }), upper);
    expect(ring.activeKid).toBe('k2');
    expect(ring.active).toBe('TWO');
    expect(ring.kids).toEqual(['k2', 'k1', 'k3']);
    expect(ring.get('k1')).toBe('ONE');
    expect(ring.get('k9')).toBeUndefined();
    expect(ring.entries()).toEqual([
      ['k2', 'TWO'],
      ['k1', 'ONE'],
      ['k3', 'THREE'],
    ]);
  });

  it('refuses malformed keyrings with a message naming the secret and never a key', () => {
    const cases: [string, RegExp][] = [
      ['', /secret s is empty/],
      ['{"active":', /not valid JSON/],
      ['{"active":"k2","keys":{"k1":"topsecret"}}', /active names no key/],
      ['{"active":"k1","keys":{"k1":""}}', /keys\.k1 is empty/],
      ['{"active":"k.1","keys":{"k.1":"topsecret"}}', /active must be/],
      ['{"active":"__proto__","keys":{"__proto__":"topsecret"}}', /must be/],
      ['{"active":"k1","keys":{"k1":"topsecret"},"extra":1}', /not a valid keyring/],
      ['{"active":"k1","keys":["topsecret"]}', /not a valid keyring/],
    ];
    for (const [raw, message] of cases) {
      let error: unknown;
      try {
        parseKeyringSpec('s', raw);
      } catch (err) {
        error = err;
      }
      expect([raw, error]).toEqual([raw, expect.any(KeyringError)]);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('topsecret');
    }
  });

  it('names the kid of a key that does not decode, never its value', () => {
    const decode = (v: string) => {
      if (v !== 'good') throw new Error('must be good');
      return v;
    };
    expect(() => parseKeyring('s', JSON.stringify({ active: 'a', keys: { a: 'good', b: 'topsecret' } }), decode)).toThrow(
      /^secret s, key b: must be good$/,
    );
  });

  it('rotates: a new active key beside the old ones, which keep their kids', () => {
    const legacy = parseKeyringSpec('s', 'old-value');
    const rotated = addActiveKey(legacy, 'new-value', 'k-new');
    expect(rotated).toEqual({ active: 'k-new', keys: { [legacyKid('old-value')]: 'old-value', 'k-new': 'new-value' } });
    const reread = parseKeyring('s', stringifyKeyring(rotated), (v) => v);
    expect(reread.active).toBe('new-value');
    expect(reread.get(legacyKid('old-value'))).toBe('old-value');
    expect(() => addActiveKey(rotated, 'again', 'k-new')).toThrow(/already holds a key k-new/);
    expect(() => addActiveKey(rotated, 'again', 'bad kid')).toThrow(/not a valid key id/);
    expect(newKid(new Date('2026-03-04T05:06:07Z'))).toMatch(/^20260304-[0-9a-f]{6}$/);
    expect(addActiveKey(rotated, 'third').active).toMatch(/^\d{8}-[0-9a-f]{6}$/);
  });
});
