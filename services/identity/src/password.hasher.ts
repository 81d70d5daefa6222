import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost: N = 2^ln (memory ≈ 128·N·r bytes), r block size, p parallelism (CPU ≈ N·r·p). */
export interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

/**
 * OWASP Password Storage Cheat Sheet lists N=2^17,r=8,p=1 and, of equal strength, N=2^16,r=8,p=2 and
 * N=2^15,r=8,p=3. We take N=2^16, p=2: the same CPU work per hash as 2^17 (N·r·p equal; OpenSSL runs the p
 * lanes one after the other) with half the memory, 64 MiB, so identity's peak under its hashing bulkhead is
 * concurrency × 64 MiB rather than × 128 MiB, while each guess still costs an attacker 64 MiB of fast memory
 * (p=3 at 2^15 would halve that again for a quarter less CPU: too little memory-hardness for what it saves).
 */
export const DEFAULT_SCRYPT: ScryptParams = { ln: 16, r: 8, p: 2 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

const memoryOf = ({ ln, r, p }: ScryptParams) => 128 * r * (2 ** ln + 2 + p);

// Bounds for stored strings, so a corrupt or hostile hash cannot make a login allocate gigabytes or burn seconds:
// at most 256 MiB and 4× the CPU of the defaults.
const isSane = (params: ScryptParams) => {
  const { ln, r, p } = params;
  return ln >= 10 && ln <= 20 && r >= 1 && r <= 32 && p >= 1 && p <= 16 && memoryOf(params) <= 257 * 2 ** 20 && 2 ** ln * r * p <= 2 ** 22;
};

// The async form runs on the libuv pool: a login costs ~0.3 s of CPU but never blocks the event loop.
function derive(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  // Node's default maxmem (32 MiB) is below what OpenSSL needs from N=2^15,r=8 on: give it exactly that plus slack.
  const options: ScryptOptions = { N: 2 ** params.ln, r: params.r, p: params.p, maxmem: memoryOf(params) + 2 ** 20 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A PHC-style string that names its own parameters: `$scrypt$ln=16,r=8,p=2$<salt>$<hash>` (base64, no padding). */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, KEY_BYTES, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export function parseHash(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const m = PHC.exec(stored);
  if (!m) return undefined;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  const salt = Buffer.from(m[4]!, 'base64');
  const hash = Buffer.from(m[5]!, 'base64');
  if (!isSane(params) || salt.length < 16 || hash.length < 16 || hash.length > 64) return undefined;
  return { params, salt, hash };
}

/** Constant-time comparison with the parameters the hash was made with, so hashes made before a change still verify. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.hash.length, parsed.params);
  return timingSafeEqual(candidate, parsed.hash);
}

/**
 * True when a (verified) stored hash was not made exactly as `params` and our key and salt sizes would make it,
 * so a login should store a fresh one. Any difference counts, not only a weaker one: after a move between equal-
 * strength parameter sets every account converges on the current one.
 */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  const p = parsed.params;
  return p.ln !== params.ln || p.r !== params.r || p.p !== params.p || parsed.salt.length < SALT_BYTES || parsed.hash.length < KEY_BYTES;
}

/** What identity's logic depends on: one parameter set for new hashes, any sane stored one for verification. */
export interface PasswordHasher {
  readonly params: ScryptParams;
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  needsRehash(stored: string): boolean;
}

export function scryptHasher(params: ScryptParams = DEFAULT_SCRYPT): PasswordHasher {
  if (!isSane(params)) throw new Error(`scrypt parameters out of bounds: ${JSON.stringify(params)}`);
  return {
    params,
    hash: (password) => hashPassword(password, params),
    verify: verifyPassword,
    needsRehash: (stored) => needsRehash(stored, params),
  };
}

const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');
