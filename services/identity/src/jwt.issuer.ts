import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, type Jwks, type UserRole } from '@globalmart/contracts';
import { parseKeyring, type Keyring } from '@globalmart/platform';
import { SignJWT, exportJWK } from 'jose';

export interface JwtIssuer {
  readonly ttlSeconds: number;
  /** The active key's id: every token this issues carries it in its header. */
  readonly kid: string;
  /** The public half of every key in the ring, active first, served at /.well-known/jwks.json. */
  readonly jwks: Jwks;
  issue(subject: { userId: string; role: UserRole }): Promise<string>;
}

export interface JwtIssuerOptions {
  ttlSeconds: number;
  /** Milliseconds since the epoch; tests move it to mint expired tokens. */
  now?: () => number;
  /** The secret's name, for error messages. */
  secretName?: string;
}

function ed25519(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error('not a PKCS#8 PEM private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('must be an Ed25519 private key (PKCS#8 PEM)');
  return key;
}

/**
 * Ed25519 (JWS `EdDSA`) from the `jwt-signing-key` secret: a keyring of PKCS#8 PEMs (or one legacy PEM, whose kid
 * is derived from it). The active key signs; the JWKS lists every key, so tokens signed before a rotation keep
 * verifying until they expire (15 min) — drop the old key from the ring only after that.
 */
export async function createJwtIssuer(
  signingKeys: string,
  { ttlSeconds, now = Date.now, secretName = 'jwt-signing-key' }: JwtIssuerOptions,
): Promise<JwtIssuer> {
  const ring: Keyring<KeyObject> = parseKeyring(secretName, signingKeys, ed25519);
  const keys: Jwks['keys'] = [];
  for (const [kid, privateKey] of ring.entries()) {
    const publicJwk = await exportJWK(createPublicKey(privateKey));
    keys.push({ ...publicJwk, kty: 'OKP', kid, alg: JWT_ALGORITHM, use: 'sig' });
  }
  const kid = ring.activeKid;
  return {
    ttlSeconds,
    kid,
    jwks: { keys },
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
        .sign(ring.active);
    },
  };
}
