import { createHash, randomBytes } from 'node:crypto'
import type { NewContactRequest } from '../db/types.ts'
import { maxGraphemeCodePoints, measureText } from '../http/text-size.ts'
import { isLanguage, type Language, languages, type MessageKey, translator } from '../i18n/i18n.ts'
import { parseContactValue } from './contact-value.ts'

/**
 * The opt-in on step 2 of the adult form: "Wil je dat iemand je helpt om verder te leren?"
 * It is part of the step-2 form (one submit), so it is parsed here from the same body and
 * stored in the same transaction as the amended answer.
 */

export const goodMoments = ['any', 'morning', 'afternoon', 'evening'] as const
export type GoodMoment = (typeof goodMoments)[number]
const maxNameLength = 100

export interface ConsentContext {
  regionName: string
  maxAgeDays: number
}

/** The consent sentence exactly as shown to the person, in their language. */
export function consentText(lang: Language, context: ConsentContext): string {
  return translator(lang)('contact.consent', { region: context.regionName, days: context.maxAgeDays })
}

/**
 * The sentence a staff member reads aloud at a walk-in point (assisted capture), in the
 * language of their page: the same consent, without "I get a link of my own", because the
 * link is never shown on a screen that is the staff member's. Its own words, so its own
 * consent version.
 */
export function assistedConsentText(lang: Language, context: ConsentContext): string {
  return translator(lang)('followup.assisted.consent', { region: context.regionName, days: context.maxAgeDays })
}

/** The version of the consent a request was given under: the hash of the sentence shown. */
export function consentVersion(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

export interface ContactInput {
  name: string
  channel: 'phone' | 'email'
  value: string
  preferredLanguage: Language
  goodMoment: GoodMoment
}

export type ContactParse =
  | { kind: 'none' }
  | { kind: 'invalid'; errors: Record<string, MessageKey> }
  | { kind: 'request'; input: ContactInput }

function text(value: unknown): string {
  return typeof value === 'string' ? value.normalize('NFC').trim() : ''
}

// Control characters are never typed by a person (same rule as the free text).
const controlCharacters = /[\u0000-\u001F\u007F-\u009F]/

/**
 * No name and no contact value: the person did not ask (whatever else was left at its
 * default). Otherwise everything must be right, and the consent box must be ticked:
 * without it nothing is stored and the form says so.
 */
export function parseContactForm(body: Record<string, unknown>, lang: Language): ContactParse {
  const name = text(body.contact_name)
  const rawValue = text(body.contact_value)
  const consent = body.contact_consent === 'yes'
  if (name === '' && rawValue === '' && !consent) return { kind: 'none' }

  const errors: Record<string, MessageKey> = {}
  if (name === '') errors.contact_name = 'error.contact.name'
  else if ([...name].length > maxNameLength || controlCharacters.test(name) || measureText(name).longestGrapheme > maxGraphemeCodePoints) errors.contact_name = 'error.contact.name_invalid'
  const parsed = rawValue.length > 254 ? undefined : parseContactValue(rawValue)
  if (parsed === undefined) errors.contact_value = 'error.contact.value'
  if (!consent) errors.contact_consent = 'error.contact.consent'
  const preferred = languageFromName(body.contact_language) ?? lang
  const moment = goodMoments.find((m) => m === body.contact_moment) ?? 'any'
  if (Object.keys(errors).length > 0 || parsed === undefined) return { kind: 'invalid', errors }
  return { kind: 'request', input: { name, channel: parsed.channel, value: parsed.value, preferredLanguage: preferred, goodMoment: moment } }
}

/**
 * The preferred-language menu sends each language's own name (the options carry no value
 * attribute: nine fewer attributes keep step 2 within the first round trip). A code is
 * accepted too.
 */
export function languageFromName(value: unknown): Language | undefined {
  if (isLanguage(value)) return value
  if (typeof value !== 'string') return undefined
  return (Object.keys(languages) as Language[]).find((code) => languages[code].name === value)
}

/**
 * A fresh private link token (shown once, on the thank-you page) and the hash we keep: 256
 * random bits, the person's only key to their own path page and its erase button.
 */
export function newWithdrawalToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashWithdrawalToken(token) }
}

export function hashWithdrawalToken(token: string): string {
  return createHash('sha256').update(`withdraw:${token}`, 'utf8').digest('hex')
}

/** 43 characters (256 bits); 32 (192 bits) for the links given before the path page existed. */
export const withdrawalTokenPattern = /^(?:[A-Za-z0-9_-]{43}|[A-Za-z0-9_-]{32})$/

/** The row to store, without the response id (the caller's transaction adds it). */
export function contactRequestRow(
  input: ContactInput,
  context: { regionId: number; lang: Language; consent: string; withdrawalHash: string; now: string },
): Omit<NewContactRequest, 'response_id'> {
  return {
    region_id: context.regionId,
    name: input.name,
    channel: input.channel,
    contact_value: input.value,
    preferred_language: input.preferredLanguage,
    good_moment: input.goodMoment,
    consent_version: consentVersion(context.consent),
    language: context.lang,
    created_at: context.now,
    status: 'new',
    withdrawal_token_hash: context.withdrawalHash,
  }
}
