import { randomBytes } from 'node:crypto';
import { createPiiProtector, keyringFromSpec, type PiiProtector } from '@globalmart/platform';
import { describe, expect, it } from 'vitest';
import { ADDRESS_PII_FIELDS, addressCipher, type SealedAddress } from '../src/address.crypto.ts';
import { address } from './fixtures.ts';

const ORDER = 'ord_0123456789abcdef0123456789abcdef';
const pii = createPiiProtector(randomBytes(32));
const cipher = addressCipher(pii);
const withLine2 = { ...address, line2: 'Flat 4' };

describe('shipping address encryption', () => {
  it('encrypts every field that names a person or a place, keeps the country clear, and opens for the same order', () => {
    const sealed = cipher.seal(ORDER, withLine2);
    for (const field of ADDRESS_PII_FIELDS) expect(sealed[field]).toMatch(/^v2\.[^.]+\.[^.]+\.[^.]+\.[^.]+$/);
    expect(sealed.country).toBe('GB');
    const raw = JSON.stringify(sealed);
    for (const clear of [withLine2.name, withLine2.line1, withLine2.line2, withLine2.city, withLine2.postal_code])
      expect(raw).not.toContain(clear);
    expect(cipher.open(ORDER, sealed)).toEqual(withLine2);
    // An absent optional field stays absent.
    expect(cipher.seal(ORDER, address)).not.toHaveProperty('line2');
    expect(cipher.open(ORDER, cipher.seal(ORDER, address))).toEqual(address);
  });

  it('binds each field to its order and its field: moved or swapped ciphertexts do not open', () => {
    const sealed = cipher.seal(ORDER, address);
    expect(() => cipher.open('ord_ffffffffffffffffffffffffffffffff', sealed)).toThrow();
    expect(() => cipher.open(ORDER, { ...sealed, name: sealed.city, city: sealed.name })).toThrow();
    const other = cipher.seal('ord_ffffffffffffffffffffffffffffffff', address);
    expect(() => cipher.open(ORDER, { ...sealed, line1: other.line1 })).toThrow();
  });

  it('opens addresses sealed under an older key of the ring after a rotation, and seals new ones under the new key', () => {
    const oldKey = randomBytes(32);
    const before: PiiProtector = createPiiProtector(
      keyringFromSpec('pii', { active: 'k1', keys: { k1: oldKey.toString('base64') } }, (v) => Buffer.from(v, 'base64')),
    );
    const sealedBefore = addressCipher(before).seal(ORDER, address);
    const ring = { active: 'k2', keys: { k1: oldKey.toString('base64'), k2: randomBytes(32).toString('base64') } };
    const after = createPiiProtector(keyringFromSpec('pii', ring, (v) => Buffer.from(v, 'base64')));
    expect(addressCipher(after).open(ORDER, sealedBefore)).toEqual(address);
    expect(after.kidOf(addressCipher(after).seal(ORDER, address).name)).toBe('k2');
    expect(after.kidOf(sealedBefore.name)).toBe('k1');
  });

  it('shows an order stored before addresses were encrypted as it is, but refuses a mix of clear and encrypted fields', () => {
    expect(cipher.open(ORDER, address as SealedAddress)).toEqual(address);
    const sealed = cipher.seal(ORDER, address);
    expect(() => cipher.open(ORDER, { ...sealed, city: 'London' })).toThrow(/not an encrypted/);
  });
});
