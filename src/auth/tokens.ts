import { createHash, createHmac, createSecretKey, type KeyObject, randomBytes, randomFillSync } from 'node:crypto'

/**
 * Random bytes from the operating system's CSPRNG, drawn 4 KB at a time. Each
 * `randomBytes(12)` call costs about 7 µs here (one trip into OpenSSL per call), which was
 * the largest single cost of serving the step-1 form; `crypto.randomUUID` buffers the same
 * way. Every byte is handed out once, and a slice is copied out so no caller keeps a view
 * of the pool.
 */
const pool = Buffer.alloc(4096)
let poolOffset = pool.length

export function pooledRandomBytes(size: number): Buffer {
  if (size > pool.length) return randomBytes(size)
  if (poolOffset + size > pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + size))
  poolOffset += size
  return bytes
}

const secretKeys = new Map<string, KeyObject>()

/**
 * The HMAC key object of a secret, made once: `createHmac` with a string key converts and
 * imports the key on every call (about 1 µs here), and the citizen routes sign or check
 * four to five tokens and keys per answer. The app has a handful of secrets; the map is
 * bounded all the same.
 */
export function hmacKey(secret: string): KeyObject {
  let key = secretKeys.get(secret)
  if (key === undefined) {
    if (secretKeys.size >= 64) secretKeys.clear()
    key = createSecretKey(Buffer.from(secret, 'utf8'))
    secretKeys.set(secret, key)
  }
  return key
}

/** 256 random bits, URL-safe: for session cookies and invitation links. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url')
}

/** What the database keeps instead of a token: reading the table does not give the token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** A keyed hash, for values such as a client address that must be counted but not stored. */
export function keyedHash(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex')
}
