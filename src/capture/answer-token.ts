import { createHmac, timingSafeEqual } from 'node:crypto'
import { hmacKey } from '../auth/tokens.ts'

/**
 * The token that lets the browser that answered step 1 amend that response in step 2,
 * without a login and without storing anything about the browser: an HMAC over the
 * response id and an expiry time. Anyone without the token cannot touch the response.
 */
export const answerTokenLifetimeSeconds = 2 * 60 * 60

export interface AnswerToken {
  responseId: number
  expiresAt: number
}

/** `scope` binds the token to one poster (its code), so it cannot be replayed on another. */
export function signAnswerToken(secret: string, scope: string, responseId: number, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const payload = `${responseId.toString(36)}.${(nowSeconds + answerTokenLifetimeSeconds).toString(36)}`
  return `${payload}.${mac(secret, scope, payload)}`
}

/** The token's content when its signature is right and it has not expired; otherwise undefined. */
export function verifyAnswerToken(secret: string, scope: string, token: unknown, nowSeconds = Math.floor(Date.now() / 1000)): AnswerToken | undefined {
  if (typeof token !== 'string' || token.length > 64) return undefined
  const match = /^([0-9a-z]{1,11})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{22})$/.exec(token)
  if (!match) return undefined
  const [, id, expiry, signature] = match as unknown as [string, string, string, string]
  const expected = Buffer.from(mac(secret, scope, `${id}.${expiry}`))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined
  const responseId = parseInt(id, 36)
  const expiresAt = parseInt(expiry, 36)
  if (!Number.isSafeInteger(responseId) || expiresAt < nowSeconds) return undefined
  return { responseId, expiresAt }
}

function mac(secret: string, scope: string, payload: string): string {
  // 128 bits of the HMAC are plenty for a token that lives two hours.
  return createHmac('sha256', hmacKey(secret)).update(`answer:${scope}:${payload}`).digest().subarray(0, 16).toString('base64url')
}
