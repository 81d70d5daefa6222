import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Field-level encryption of personal data (AES-256-GCM) and the keyed blind index that lets identity find a
 * user by email without storing the email in clear. `context` is bound as additional authenticated data, so a
 * ciphertext copied into another field or another user's document fails to decrypt instead of being believed.
 */
export interface PiiProtector {
  encrypt(plain: string, context: string): string;
  /** Throws when the value was tampered with, bound to another context or encrypted under another key. */
  decrypt(stored: string, context: string): string;
  /** HMAC-SHA256 of the normalised email: equal emails give equal indexes, and only with this key. */
  blindIndex(email: string): string;
}

const FORMAT = 'v1'; // the stored value says how it was made, so a later key or cipher can coexist with it
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const normalizeEmail = (email: string): string => email.normalize('NFC').trim().toLowerCase();

export function createPiiProtector(encryptionKey: Buffer, blindIndexKey: Buffer): PiiProtector {
  if (encryptionKey.length !== 32 || blindIndexKey.length !== 32) throw new Error('PII keys must be 32 bytes');
  if (encryptionKey.equals(blindIndexKey)) throw new Error('the PII encryption and blind-index keys must differ');
  return {
    encrypt(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [FORMAT, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    decrypt(stored, context) {
      const [format, iv, tag, body, ...rest] = stored.split('.');
      if (format !== FORMAT || iv === undefined || tag === undefined || body === undefined || rest.length > 0) {
        throw new Error('not an encrypted PII value');
      }
      const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
    blindIndex(email) {
      return createHmac('sha256', blindIndexKey).update(normalizeEmail(email), 'utf8').digest('base64url');
    },
  };
}
