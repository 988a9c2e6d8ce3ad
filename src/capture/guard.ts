import { createHmac, timingSafeEqual } from 'node:crypto'
import { hmacKey, pooledRandomBytes } from '../auth/tokens.ts'

/**
 * The citizen form's defences, none of which needs to know who anyone is.
 *
 * A form ticket is printed in each step-1 form: when it was shown, a random nonce, and an
 * HMAC binding both to the poster. The nonce is the idempotency key (a double tap sends
 * the same one), the time gives the minimum fill time, and the MAC stops anyone from
 * minting tickets without loading the form.
 */

/** Faster than this after the form was shown, no person has read the question. */
export const minFillMs = { step1: 800, step2: 1500 }
/** A form left open longer than this asks for a fresh tap. */
export const ticketLifetimeMs = 12 * 60 * 60 * 1000
/** The hidden field that people never see and bots fill in. */
export const honeypotField = 'website'

export interface FormTicket {
  issuedAt: number
  nonce: string
}

export function issueFormTicket(secret: string, scope: string, now = Date.now()): string {
  const payload = `${now.toString(36)}.${pooledRandomBytes(12).toString('base64url')}`
  return `${payload}.${mac(secret, scope, payload)}`
}

export type TicketCheck = { ok: true; ticket: FormTicket } | { ok: false; reason: 'missing' | 'invalid' | 'expired' }

export function checkFormTicket(secret: string, scope: string, value: unknown, now = Date.now()): TicketCheck {
  if (value === undefined || value === '') return { ok: false, reason: 'missing' }
  if (typeof value !== 'string' || value.length > 80) return { ok: false, reason: 'invalid' }
  const match = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})$/.exec(value)
  if (!match) return { ok: false, reason: 'invalid' }
  const [, issued, nonce, signature] = match as unknown as [string, string, string, string]
  const expected = Buffer.from(mac(secret, scope, `${issued}.${nonce}`))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' }
  const issuedAt = parseInt(issued, 36)
  if (now - issuedAt > ticketLifetimeMs || issuedAt - now > 60_000) return { ok: false, reason: 'expired' }
  return { ok: true, ticket: { issuedAt, nonce } }
}

function mac(secret: string, scope: string, payload: string): string {
  return createHmac('sha256', hmacKey(secret)).update(`form:${scope}:${payload}`).digest().subarray(0, 16).toString('base64url')
}

/**
 * One answer per device per poster per day: a cookie on the person's own device lists the
 * posters answered today, signed so it cannot be forged to block others. Nothing about it
 * is stored on the server. Clearing cookies gets round it; that is accepted — it is a
 * brake on enthusiasm and double counting, not an identity check.
 */
export const deviceCookie = 'lv_done'

export function answeredToday(secret: string, cookie: string | undefined, day: string, posterId: number): boolean {
  return readDeviceCookie(secret, cookie, day).includes(posterId)
}

export function readDeviceCookie(secret: string, cookie: string | undefined, day: string): number[] {
  if (!cookie || cookie.length > 2000) return []
  const [cookieDay, list, signature] = cookie.split('~')
  if (cookieDay !== day || list === undefined || signature === undefined) return []
  const expected = Buffer.from(deviceMac(secret, `${cookieDay}~${list}`))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return []
  return list.split('-').map((id) => parseInt(id, 36)).filter(Number.isSafeInteger)
}

export function addToDeviceCookie(secret: string, cookie: string | undefined, day: string, posterId: number): string {
  // At most the 100 most recent posters of the day, so the cookie stays small.
  const ids = [...new Set([...readDeviceCookie(secret, cookie, day), posterId])].slice(-100)
  const payload = `${day}~${ids.map((id) => id.toString(36)).join('-')}`
  return `${payload}~${deviceMac(secret, payload)}`
}

function deviceMac(secret: string, payload: string): string {
  return createHmac('sha256', hmacKey(secret)).update(`device:${payload}`).digest().subarray(0, 12).toString('base64url')
}
