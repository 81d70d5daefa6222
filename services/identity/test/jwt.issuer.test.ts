import { createHmac, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { JWT_AUDIENCE, JWT_ISSUER } from '@globalmart/contracts';
import { SignJWT, createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { legacyKid } from '@globalmart/platform';
import { describe, expect, it } from 'vitest';
import { createJwtIssuer } from '../src/jwt.issuer.ts';

const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const user = { userId: 'usr_0123456789abcdef01234567', role: 'customer' as const };
const verifyOpts = { algorithms: ['EdDSA'], issuer: JWT_ISSUER, audience: JWT_AUDIENCE };
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('JWT issuing (EdDSA) and verification', () => {
  it('issues a token that verifies against its own JWKS, with the expected claims', async () => {
    const issuer = await createJwtIssuer(pem, { ttlSeconds: 900 });
    const token = await issuer.issue(user);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', kid: issuer.kid, typ: 'JWT' });
    expect(issuer.jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: issuer.kid, alg: 'EdDSA', use: 'sig' });
    expect(issuer.jwks.keys[0]).not.toHaveProperty('d'); // public half only
    const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks as JSONWebKeySet), verifyOpts);
    expect(payload).toMatchObject({ sub: user.userId, role: 'customer', iss: JWT_ISSUER, aud: JWT_AUDIENCE });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives a legacy single PEM a stable kid derived from the key', async () => {
    const a = await createJwtIssuer(pem, { ttlSeconds: 60 });
    const b = await createJwtIssuer(`${pem}\n`, { ttlSeconds: 60 });
    expect(a.kid).toBe(b.kid);
    expect(a.kid).toBe(legacyKid(pem));
    expect(a.kid).toMatch(/^[0-9a-f]{8}$/);
  });

  it('refuses a non-Ed25519 signing key, naming the secret and the kid but not the key', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await expect(createJwtIssuer(rsa, { ttlSeconds: 60 })).rejects.toThrow(/Ed25519/);
    const ring = JSON.stringify({ active: 'good', keys: { good: pem, bad: 'not a pem' } });
    await expect(createJwtIssuer(ring, { ttlSeconds: 60 })).rejects.toThrow(/^secret jwt-signing-key, key bad: not a PKCS#8 PEM/);
  });

  describe('a keyring of two keys (a rotation)', () => {
    const oldPem = pem;
    const newPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const before = JSON.stringify({ active: 'k-old', keys: { 'k-old': oldPem } });
    const after = JSON.stringify({ active: 'k-new', keys: { 'k-old': oldPem, 'k-new': newPem } });

    it('signs with the active key, publishes both public keys, and still verifies tokens of the old key', async () => {
      const oldIssuer = await createJwtIssuer(before, { ttlSeconds: 900 });
      const issuer = await createJwtIssuer(after, { ttlSeconds: 900 });
      const oldToken = await oldIssuer.issue(user);
      const newToken = await issuer.issue(user);
      expect(decodeProtectedHeader(oldToken).kid).toBe('k-old');
      expect(decodeProtectedHeader(newToken).kid).toBe('k-new');
      expect(issuer.kid).toBe('k-new');
      expect(issuer.jwks.keys.map((k) => k.kid)).toEqual(['k-new', 'k-old']);
      for (const k of issuer.jwks.keys) expect(k).not.toHaveProperty('d');
      expect(issuer.jwks.keys[1]).toEqual(oldIssuer.jwks.keys[0]);
      const keys = createLocalJWKSet(issuer.jwks as JSONWebKeySet);
      expect((await jwtVerify(oldToken, keys, verifyOpts)).protectedHeader.kid).toBe('k-old');
      expect((await jwtVerify(newToken, keys, verifyOpts)).protectedHeader.kid).toBe('k-new');
      // The JWKS of before the rotation does not know the new key.
      await expect(jwtVerify(newToken, createLocalJWKSet(oldIssuer.jwks as JSONWebKeySet), verifyOpts)).rejects.toBeInstanceOf(
        errors.JWKSNoMatchingKey,
      );
    });

    it('refuses a token whose kid names the other key of the ring', async () => {
      const issuer = await createJwtIssuer(after, { ttlSeconds: 900 });
      const signedByOld = await new SignJWT({ role: 'admin' })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k-new' })
        .setSubject(user.userId)
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(createPrivateKey(oldPem));
      await expect(jwtVerify(signedByOld, createLocalJWKSet(issuer.jwks as JSONWebKeySet), verifyOpts)).rejects.toBeInstanceOf(
        errors.JWSSignatureVerificationFailed,
      );
    });
  });

  describe('a verifier pinned to EdDSA, issuer and audience', () => {
    it('rejects an unsigned alg "none" token', async () => {
      const issuer = await createJwtIssuer(pem, { ttlSeconds: 60 });
      const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: user.userId, role: 'admin', iss: JWT_ISSUER, aud: JWT_AUDIENCE })}.`;
      await expect(jwtVerify(none, createLocalJWKSet(issuer.jwks as JSONWebKeySet), verifyOpts)).rejects.toThrow();
    });

    it('rejects an HS256 token "signed" with the public key (algorithm confusion)', async () => {
      const issuer = await createJwtIssuer(pem, { ttlSeconds: 60 });
      const publicX = String(issuer.jwks.keys[0]!.x);
      const head = `${b64url({ alg: 'HS256', kid: issuer.kid })}.${b64url({ sub: user.userId, role: 'admin', iss: JWT_ISSUER, aud: JWT_AUDIENCE, exp: 9e9 })}`;
      const forged = `${head}.${createHmac('sha256', publicX).update(head).digest('base64url')}`;
      await expect(jwtVerify(forged, createLocalJWKSet(issuer.jwks as JSONWebKeySet), verifyOpts)).rejects.toBeInstanceOf(
        errors.JOSEAlgNotAllowed,
      );
    });

    it('rejects an expired token', async () => {
      const past = await createJwtIssuer(pem, { ttlSeconds: 60, now: () => Date.now() - 3_600_000 });
      const token = await past.issue(user);
      await expect(jwtVerify(token, createLocalJWKSet(past.jwks as JSONWebKeySet), verifyOpts)).rejects.toBeInstanceOf(errors.JWTExpired);
    });

    it('rejects a token for another audience or from another issuer', async () => {
      const issuer = await createJwtIssuer(pem, { ttlSeconds: 60 });
      const keys = createLocalJWKSet(issuer.jwks as JSONWebKeySet);
      const key = (await import('node:crypto')).createPrivateKey(pem);
      const base = () =>
        new SignJWT({ role: 'customer' })
          .setProtectedHeader({ alg: 'EdDSA', kid: issuer.kid })
          .setSubject(user.userId)
          .setIssuedAt()
          .setExpirationTime('5m');
      const otherAud = await base().setIssuer(JWT_ISSUER).setAudience('someone-else').sign(key);
      const otherIss = await base().setIssuer('evil').setAudience(JWT_AUDIENCE).sign(key);
      await expect(jwtVerify(otherAud, keys, verifyOpts)).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed);
      await expect(jwtVerify(otherIss, keys, verifyOpts)).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed);
    });

    it('rejects a token signed by another Ed25519 key', async () => {
      const mine = await createJwtIssuer(pem, { ttlSeconds: 60 });
      const otherPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const theirs = await createJwtIssuer(otherPem, { ttlSeconds: 60 });
      const forged = await theirs.issue({ ...user, role: 'admin' });
      await expect(jwtVerify(forged, createLocalJWKSet(mine.jwks as JSONWebKeySet), verifyOpts)).rejects.toBeInstanceOf(errors.JOSEError);
    });
  });
});
