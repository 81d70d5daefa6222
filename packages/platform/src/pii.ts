// Field-level encryption of personal data (AES-256-GCM) under a keyring, shared by every service that keeps PII
// (identity's users, orders' shipping addresses), and the keyed blind index that lets identity find a user by email
// without storing the email in clear.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { legacyKid, parseKeyring, type Keyring } from './keyring.ts';

/** The secret-store name of the PII encryption keyring. */
export const PII_ENCRYPTION_KEY = 'pii-encryption-key';

/**
 * `context` is bound as additional authenticated data, so a ciphertext copied into another field or another
 * record fails to decrypt instead of being believed.
 */
export interface PiiProtector {
  /** `v2.<kid>.<iv>.<tag>.<body>` under the ring's active key. */
  encrypt(plain: string, context: string): string;
  /** Throws when the value was tampered with, bound to another context, or made under a key the ring lacks. */
  decrypt(stored: string, context: string): string;
  /** The kid a stored value was made under; undefined for a v1 value (made before keys had ids). */
  kidOf(stored: string): string | undefined;
  /** HMAC-SHA256 of the normalised email: equal emails give equal indexes, and only with this key. */
  blindIndex(email: string): string;
}

// The stored value says how it was made. v1 (no kid) was written by the single-key build; it still decrypts.
const V1 = 'v1';
const V2 = 'v2';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// 12-byte IV and 16-byte tag in base64url: 16 and 22 characters.
const SEALED = /^(?:v1|v2\.[A-Za-z0-9][A-Za-z0-9_-]{0,63})\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]*$/;

export const normalizeEmail = (email: string): string => email.normalize('NFC').trim().toLowerCase();

/** A 32-byte key from its base64 form; the message names the secret, never the value. */
export function decodeKey32(value: string): Buffer {
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length !== 32) throw new Error('PII keys must be 32 bytes, base64-encoded');
  return key;
}

/** Parses the PII encryption secret: a legacy single base64 key, or a keyring of them. */
export const piiKeyring = (raw: string, name: string = PII_ENCRYPTION_KEY): Keyring<Buffer> =>
  parseKeyring(name, raw, (value) => decodeKey32(value));

/** A ring of one for a bare key, under the kid the same key gets as a legacy single-value secret. */
function ringOf(key: Buffer): Keyring<Buffer> {
  const kid = legacyKid(key.toString('base64'));
  return { activeKid: kid, active: key, kids: [kid], get: (k) => (k === kid ? key : undefined), entries: () => [[kid, key]] };
}

/**
 * `blindIndexKey` is one key, not a ring: an index made under another key never matches, so rotating it means
 * recomputing every stored index (decrypt each email, HMAC it under the new key) — a re-index, not a rotation.
 * Services that look nobody up by email (orders) pass none.
 */
export function createPiiProtector(encryption: Keyring<Buffer> | Buffer, blindIndexKey?: Buffer): PiiProtector {
  const ring = Buffer.isBuffer(encryption) ? ringOf(encryption) : encryption;
  for (const [, key] of ring.entries()) {
    if (key.length !== 32) throw new Error('PII keys must be 32 bytes');
    if (blindIndexKey?.equals(key)) throw new Error('the PII encryption and blind-index keys must differ');
  }
  if (blindIndexKey && blindIndexKey.length !== 32) throw new Error('PII keys must be 32 bytes');

  const open = (key: Buffer, iv: string, tag: string, body: string, context: string): string => {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  };
  const notSealed = () => new Error('not an encrypted PII value');

  return {
    encrypt(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', ring.active, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [V2, ring.activeKid, ...[iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'))].join('.');
    },
    decrypt(stored, context) {
      const parts = stored.split('.');
      if (parts[0] === V2 && parts.length === 5) {
        const [, kid, iv, tag, body] = parts as [string, string, string, string, string];
        const key = ring.get(kid);
        if (!key) throw new Error(`no PII key ${kid} in the keyring`);
        return open(key, iv, tag, body, context);
      }
      if (parts[0] === V1 && parts.length === 4) {
        // v1 names no key: it was made under the one key of its day, now some key of the ring (a rotation keeps
        // it). GCM's tag refuses every other key, so trying them in turn finds it or fails.
        const [, iv, tag, body] = parts as [string, string, string, string];
        for (const [, key] of ring.entries()) {
          try {
            return open(key, iv, tag, body, context);
          } catch {
            // not this key
          }
        }
        throw new Error('no PII key in the keyring decrypts this v1 value');
      }
      throw notSealed();
    },
    kidOf(stored) {
      const parts = stored.split('.');
      if (parts[0] === V2 && parts.length === 5) return parts[1];
      if (parts[0] === V1 && parts.length === 4) return undefined;
      throw notSealed();
    },
    blindIndex(email) {
      if (!blindIndexKey) throw new Error('this PII protector has no blind-index key');
      return createHmac('sha256', blindIndexKey).update(normalizeEmail(email), 'utf8').digest('base64url');
    },
  };
}

/** Reads the PII keyring from the secret store at start (orders, identity): `get` is `svc.dapr.secrets.get`. */
export async function loadPiiProtector(get: (name: string) => Promise<string>, name: string = PII_ENCRYPTION_KEY): Promise<PiiProtector> {
  return createPiiProtector(piiKeyring(await get(name), name));
}

/** Whether a stored string is a PII ciphertext (v1 or v2), as opposed to a clear value. */
export const isSealed = (value: string): boolean => SEALED.test(value);

declare const sealed: unique symbol;
/** `T` with its PII fields encrypted: same shape, other meaning, so clear data cannot be stored by mistake. */
export type Sealed<T> = T & { readonly [sealed]: true };

type StringKeys<T> = { [K in keyof T]-?: NonNullable<T[K]> extends string ? K : never }[keyof T] & string;

/**
 * Encrypts the named string fields of a record, each bound to `${context}/${field}` (an absent optional field
 * stays absent); the other fields stay clear.
 */
export function sealFields<T extends object>(pii: PiiProtector, value: T, fields: readonly StringKeys<T>[], context: string): Sealed<T> {
  const out = { ...value } as Record<string, unknown>;
  for (const field of fields) {
    const plain = out[field];
    if (typeof plain === 'string') out[field] = pii.encrypt(plain, `${context}/${field}`);
  }
  return out as Sealed<T>;
}

/** The inverse of sealFields; throws when any field fails to decrypt (tampered, moved, or under an unknown key). */
export function openFields<T extends object>(pii: PiiProtector, sealed: Sealed<T>, fields: readonly StringKeys<T>[], context: string): T {
  const out = { ...sealed } as Record<string, unknown>;
  for (const field of fields) {
    const stored = out[field];
    if (typeof stored === 'string') out[field] = pii.decrypt(stored, `${context}/${field}`);
  }
  return out as T;
}
