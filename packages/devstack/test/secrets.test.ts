import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { legacyKid, parseKeyring, piiKeyring } from '@globalmart/platform';
import { describe, expect, it } from 'vitest';
import { ensureLocalSecrets, requiredSecrets, rotateLocalKey } from '../src/secrets.ts';

const tmpFile = () => join(mkdtempSync(join(tmpdir(), 'secrets-test-')), 'nested', 'secrets.json');
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
const jwtRing = (raw: string) => parseKeyring('jwt-signing-key', raw, (pem) => pem);

describe('local secrets', () => {
  it('generates every required secret once; JWT and PII encryption keys as keyrings, the rest single values', () => {
    const file = tmpFile();
    expect(ensureLocalSecrets(file).created).toEqual([...requiredSecrets]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secrets = read(file);
    const jwt = jwtRing(secrets['jwt-signing-key']!);
    expect(jwt.activeKid).toMatch(/^\d{8}-[0-9a-f]{6}$/);
    expect(jwt.active).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(piiKeyring(secrets['pii-encryption-key']!).active).toHaveLength(32);
    expect(Buffer.from(secrets['pii-blind-index-key']!, 'base64')).toHaveLength(32);
    // A second run changes nothing.
    expect(ensureLocalSecrets(file).created).toEqual([]);
    expect(read(file)).toEqual(secrets);
  });

  it('keeps an existing file of legacy single values as it is, adding only what is missing', () => {
    const file = tmpFile();
    ensureLocalSecrets(file);
    const legacyPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const legacy = { 'jwt-signing-key': legacyPem, 'pii-encryption-key': randomBytes(32).toString('base64') };
    writeFileSync(file, JSON.stringify(legacy));
    expect(ensureLocalSecrets(file).created).toEqual(['pii-blind-index-key', 'payments-api-key']);
    expect(read(file)).toMatchObject(legacy);
  });

  it('rotates a legacy value into a keyring: a new active key, the old one kept under its derived kid', () => {
    const file = tmpFile();
    ensureLocalSecrets(file);
    const oldPii = randomBytes(32).toString('base64');
    writeFileSync(file, JSON.stringify({ ...read(file), 'pii-encryption-key': oldPii }));
    const { kid, kids } = rotateLocalKey(file, 'pii-encryption-key');
    expect(kids).toEqual([legacyKid(oldPii), kid]);
    const ring = piiKeyring(read(file)['pii-encryption-key']!);
    expect(ring.activeKid).toBe(kid);
    expect(ring.get(legacyKid(oldPii))!.toString('base64')).toBe(oldPii);
  });

  it('rotates a keyring again and again, every older key kept; the other secrets untouched', () => {
    const file = tmpFile();
    ensureLocalSecrets(file);
    const before = read(file);
    const firstKid = jwtRing(before['jwt-signing-key']!).activeKid;
    const second = rotateLocalKey(file, 'jwt-signing-key');
    const third = rotateLocalKey(file, 'jwt-signing-key');
    const ring = jwtRing(read(file)['jwt-signing-key']!);
    expect(ring.activeKid).toBe(third.kid);
    expect(new Set(ring.kids)).toEqual(new Set([firstKid, second.kid, third.kid]));
    expect(ring.get(firstKid)).toBe(jwtRing(before['jwt-signing-key']!).active);
    const { 'jwt-signing-key': _jwt, ...others } = read(file);
    const { 'jwt-signing-key': _before, ...othersBefore } = before;
    expect(others).toEqual(othersBefore);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses to rotate what is no keyring secret (the blind-index key needs a re-index) or a missing secret', () => {
    const file = tmpFile();
    ensureLocalSecrets(file);
    expect(() => rotateLocalKey(file, 'pii-blind-index-key' as never)).toThrow(/not a keyring secret/);
    writeFileSync(file, '{}');
    expect(() => rotateLocalKey(file, 'pii-encryption-key')).toThrow(/missing/);
  });
});
