import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, parseHash, verifyPassword } from '../src/password.hasher.ts';

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse 9');
    expect(await verifyPassword('correct horse 9', stored)).toBe(true);
    expect(await verifyPassword('correct horse 8', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('encodes its parameters and a 16-byte salt in the stored string, and salts every hash', async () => {
    const a = await hashPassword('same password 1');
    const b = await hashPassword('same password 1');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    const parsed = parseHash(a)!;
    expect(parsed.params).toEqual(DEFAULT_SCRYPT);
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.hash).toHaveLength(32);
  });

  it('verifies with the parameters stored in the hash, not the current defaults', async () => {
    const cheap = await hashPassword('older account 1', { ln: 12, r: 8, p: 1 });
    expect(cheap).toContain('$ln=12,r=8,p=1$');
    expect(await verifyPassword('older account 1', cheap)).toBe(true);
  });

  it('treats malformed or absurd stored hashes as a mismatch, never as a crash', async () => {
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
    const stored = await hashPassword('a password 1');
    expect(await verifyPassword('a password 1', stored.replace('ln=15', 'ln=40'))).toBe(false);
    expect(parseHash(stored.replace('ln=15', 'ln=40'))).toBeUndefined();
  });

  it('does not block the event loop while hashing', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all([hashPassword('parallel one 1'), hashPassword('parallel two 2')]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });
});
