import { randomBytes } from 'node:crypto';
import { createPiiProtector, legacyKid } from '@globalmart/platform';
import { describe, expect, it } from 'vitest';
import { loadPiiKeys } from '../src/identity.keys.ts';

const b64 = () => randomBytes(32).toString('base64');
const from = (secrets: Record<string, string>) => async (name: string) => {
  const value = secrets[name];
  if (value === undefined) throw new Error(`secret ${name} is missing`);
  return value;
};

describe("identity's PII keys", () => {
  it('reads a legacy single encryption key as a ring of one, under its derived kid', async () => {
    const enc = b64();
    const keys = await loadPiiKeys(from({ 'pii-encryption-key': enc, 'pii-blind-index-key': b64() }));
    expect(keys.encryptionKey.kids).toEqual([legacyKid(enc)]);
    const pii = createPiiProtector(keys.encryptionKey, keys.blindIndexKey);
    expect(pii.kidOf(pii.encrypt('a@b.c', 'users/u/email'))).toBe(legacyKid(enc));
  });

  it('reads a keyring of encryption keys: the active one encrypts', async () => {
    const ring = JSON.stringify({ active: 'k2', keys: { k1: b64(), k2: b64() } });
    const keys = await loadPiiKeys(from({ 'pii-encryption-key': ring, 'pii-blind-index-key': b64() }));
    expect([keys.encryptionKey.activeKid, keys.encryptionKey.kids]).toEqual(['k2', ['k2', 'k1']]);
  });

  it('refuses a keyring for the blind-index key (rotating it needs a re-index) and bad keys, never echoing a value', async () => {
    const secret = b64();
    const ring = JSON.stringify({ active: 'k1', keys: { k1: secret } });
    await expect(loadPiiKeys(from({ 'pii-encryption-key': b64(), 'pii-blind-index-key': ring }))).rejects.toThrow(/re-index/);
    const short = randomBytes(8).toString('base64');
    for (const secrets of [
      { 'pii-encryption-key': b64(), 'pii-blind-index-key': short },
      { 'pii-encryption-key': short, 'pii-blind-index-key': b64() },
    ]) {
      const err = await loadPiiKeys(from(secrets)).catch((e: unknown) => e as Error);
      expect((err as Error).message).toMatch(/32 bytes/);
      expect((err as Error).message).not.toContain(short);
    }
  });
});
