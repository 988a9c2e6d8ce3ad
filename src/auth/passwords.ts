import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

/**
 * Passwords are hashed with scrypt (memory-hard, in node:crypto) with a random salt per
 * password. N = 2^15, r = 8 takes 32 MiB and about 50–100 ms per check on one core: slow
 * enough to make guessing a stolen hash expensive, fast enough for a sign-in.
 * The parameters are stored with each hash, so they can be raised later without
 * invalidating existing passwords.
 */
const cost = { N: 2 ** 15, r: 8, p: 1 }
const keyLength = 32
const maxmem = 64 * 1024 * 1024

export const minPasswordLength = 12
export const maxPasswordLength = 200

function derive(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, cost.N, cost.r, cost.p)
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !N || !r || !p || !salt || !key) return false
  const expected = Buffer.from(key, 'base64url')
  const actual = await derive(password, Buffer.from(salt, 'base64url'), Number(N), Number(r), Number(p))
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

let dummyHash: Promise<string> | undefined

/**
 * For an e-mail address without an account we still run one full scrypt, so that the
 * answer takes as long as for a real account with a wrong password and cannot be used
 * to find out who has an account.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'))
  await verifyPassword(password, await dummyHash)
  return false
}
