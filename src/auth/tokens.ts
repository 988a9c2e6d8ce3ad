import { createHash, createHmac, randomBytes } from 'node:crypto'

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
