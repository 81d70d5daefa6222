import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, type Jwks, type UserRole } from '@globalmart/contracts';
import { SignJWT, calculateJwkThumbprint, exportJWK } from 'jose';

export interface JwtIssuer {
  readonly ttlSeconds: number;
  readonly kid: string;
  /** The public half, served at /.well-known/jwks.json. */
  readonly jwks: Jwks;
  issue(subject: { userId: string; role: UserRole }): Promise<string>;
}

export interface JwtIssuerOptions {
  ttlSeconds: number;
  /** Milliseconds since the epoch; tests move it to mint expired tokens. */
  now?: () => number;
}

/** Ed25519 (JWS `EdDSA`) from a PKCS#8 PEM; `kid` is the RFC 7638 thumbprint, so it changes with the key. */
export async function createJwtIssuer(privateKeyPem: string, { ttlSeconds, now = Date.now }: JwtIssuerOptions): Promise<JwtIssuer> {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('jwt-signing-key must be an Ed25519 private key (PKCS#8 PEM)');
  const publicJwk = await exportJWK(createPublicKey(privateKey));
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const jwks: Jwks = { keys: [{ ...publicJwk, kty: 'OKP', kid, alg: JWT_ALGORITHM, use: 'sig' }] };
  return {
    ttlSeconds,
    kid,
    jwks,
    issue({ userId, role }) {
      const iat = Math.floor(now() / 1000);
      return new SignJWT({ role })
        .setProtectedHeader({ alg: JWT_ALGORITHM, kid, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .setJti(randomUUID())
        .sign(privateKey);
    },
  };
}
