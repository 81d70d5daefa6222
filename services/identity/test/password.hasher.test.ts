import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, parseHash, scryptHasher, verifyPassword } from '../src/password.hasher.ts';

const cheap = { ln: 10, r: 8, p: 1 };

// A stored string of the right shape without computing it (parsing needs no scrypt).
const shaped = (params: string) =>
  `$scrypt$${params}$${randomBytes(16).toString('base64').replace(/=+$/, '')}$${randomBytes(32).toString('base64').replace(/=+$/, '')}`;

describe('password hashing (scrypt)', () => {
  // The only test at the real parameters (64 MiB and a few hundred ms each): the rest use cheap ones.
  it(
    'hashes at the defaults off the event loop, salted, self-describing, and verifies only the right password',
    { timeout: 60_000 },
    async () => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const [a, b] = await Promise.all([hashPassword('same password 1'), hashPassword('same password 1')]);
      clearInterval(timer);
      expect(ticks).toBeGreaterThan(3);
      expect(a).not.toBe(b);
      expect(a).toMatch(/^\$scrypt\$ln=16,r=8,p=2\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      const parsed = parseHash(a)!;
      expect(parsed.params).toEqual(DEFAULT_SCRYPT);
      expect(parsed.salt).toHaveLength(16);
      expect(parsed.hash).toHaveLength(32);
      expect(await verifyPassword('same password 1', a)).toBe(true);
      expect(await verifyPassword('same password 2', a)).toBe(false);
    },
  );

  it('refuses a wrong or empty password', async () => {
    const stored = await hashPassword('correct horse 9', cheap);
    expect(await verifyPassword('correct horse 9', stored)).toBe(true);
    expect(await verifyPassword('correct horse 8', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('verifies with the parameters stored in the hash, not the current defaults', async () => {
    const older = await hashPassword('older account 1', { ln: 12, r: 8, p: 1 });
    expect(older).toContain('$ln=12,r=8,p=1$');
    expect(await verifyPassword('older account 1', older)).toBe(true);
  });

  it('treats malformed or absurd stored hashes as a mismatch, never as a crash', async () => {
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
    expect(parseHash(shaped('ln=16,r=8,p=2'))).toBeDefined();
    expect(await verifyPassword('a password 1', shaped('ln=40,r=8,p=2'))).toBe(false);
    expect(parseHash(shaped('ln=40,r=8,p=2'))).toBeUndefined();
    // Within the digit limits but past the memory (1 GiB) or CPU (16× the default) bounds.
    expect(parseHash(shaped('ln=20,r=8,p=1'))).toBeUndefined();
    expect(parseHash(shaped('ln=16,r=8,p=16'))).toBeUndefined();
  });

  it('uses OWASP parameters: N=2^16, r=8, p=2 (equal in strength to N=2^17, r=8, p=1)', () => {
    expect(DEFAULT_SCRYPT).toEqual({ ln: 16, r: 8, p: 2 });
    const { ln, r, p } = DEFAULT_SCRYPT;
    expect(2 ** ln * r * p).toBe(2 ** 17 * 8 * 1);
  });

  it('asks for a rehash when a stored hash was made under other parameters, and only then', () => {
    const current = shaped('ln=16,r=8,p=2');
    expect(needsRehash(current)).toBe(false);
    expect(needsRehash(current, DEFAULT_SCRYPT)).toBe(false);
    expect(needsRehash(shaped('ln=15,r=8,p=1'))).toBe(true);
    // Another parameter set of equal strength is remade too, so every account converges on the current one.
    expect(needsRehash(shaped('ln=17,r=8,p=1'))).toBe(true);
    expect(needsRehash(current, { ln: 17, r: 8, p: 1 })).toBe(true);
    expect(needsRehash('not a hash')).toBe(true);
    // A 16-byte key is still verified but remade at the current size.
    const shortKey = `$scrypt$ln=16,r=8,p=2$${randomBytes(16).toString('base64').replace(/=+$/, '')}$${randomBytes(16).toString('base64').replace(/=+$/, '')}`;
    expect(needsRehash(shortKey)).toBe(true);
  });

  it('scryptHasher makes current hashes with its own parameters and verifies any sane stored one', async () => {
    const hasher = scryptHasher(cheap);
    const stored = await hasher.hash('cheap password 1');
    expect(parseHash(stored)!.params).toEqual(cheap);
    expect(hasher.needsRehash(stored)).toBe(false);
    expect(hasher.needsRehash(await hashPassword('cheap password 1', { ln: 11, r: 8, p: 1 }))).toBe(true);
    expect(await hasher.verify('cheap password 1', stored)).toBe(true);
    expect(() => scryptHasher({ ln: 22, r: 8, p: 1 })).toThrow(/out of bounds/);
  });
});
