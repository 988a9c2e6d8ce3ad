import type { ContactChannel } from '../db/types.ts'

/**
 * How a person wants to be reached: one field that takes a phone number or an e-mail
 * address, as people write them. Stored normalised (e-mail in lower case, phone in E.164
 * `+32…`), so that a data subject request finds every request whatever way it was typed.
 */
export interface ContactValue {
  channel: ContactChannel
  value: string
}

// Deliberately plain: one @, no spaces, a dot in the domain. Stricter checks refuse real
// addresses; the bridge figure finds out soon enough whether a mail arrives.
const emailPattern = /^[^\s@<>()[\]\\,;:"]{1,64}@[^\s@<>()[\]\\,;:"_]+\.[^\s@<>()[\]\\,;:"_.]{2,}$/

/** A Belgian number after the country code: 8 digits (landline) or 9 starting with 4 (mobile). */
function belgianNational(digits: string): boolean {
  return /^[1-9]\d{7}$/.test(digits) || /^4[5-9]\d{7}$/.test(digits)
}

function parsePhone(input: string): string | undefined {
  const trimmed = input.trim()
  // Spaces, dots, slashes, dashes and brackets are how people group digits; anything else is not a phone number.
  if (!/^\+?[\d\s./()-]+$/.test(trimmed)) return undefined
  let digits = trimmed.replace(/\(0\)/g, '').replace(/[\s./()-]/g, '')
  let international = false
  if (digits.startsWith('+')) {
    digits = digits.slice(1)
    international = true
  } else if (digits.startsWith('00')) {
    digits = digits.slice(2)
    international = true
  }
  if (international) {
    if (digits.startsWith('32')) return belgianNational(digits.slice(2)) ? `+${digits}` : undefined
    // Someone from abroad may keep their own number: country code and 7 to 13 more digits (E.164 allows 15).
    return /^[1-9]\d{7,14}$/.test(digits) ? `+${digits}` : undefined
  }
  if (digits.startsWith('0') && belgianNational(digits.slice(1))) return `+32${digits.slice(1)}`
  return undefined
}

function parseEmail(input: string): string | undefined {
  const trimmed = input.trim()
  if (trimmed.length > 254 || !emailPattern.test(trimmed)) return undefined
  return trimmed.toLowerCase()
}

/** A phone number or an e-mail address, normalised; undefined when it is neither. */
export function parseContactValue(input: string): ContactValue | undefined {
  if (input.includes('@')) {
    const email = parseEmail(input)
    return email === undefined ? undefined : { channel: 'email', value: email }
  }
  const phone = parsePhone(input)
  return phone === undefined ? undefined : { channel: 'phone', value: phone }
}

/** `+32474123456` → `0474 12 34 56`, the way a Belgian reads and dials it. */
export function formatPhone(value: string): string {
  if (!value.startsWith('+32')) return value
  const national = `0${value.slice(3)}`
  if (national.length === 10) return `${national.slice(0, 4)} ${national.slice(4, 6)} ${national.slice(6, 8)} ${national.slice(8)}`
  // Landlines: Brussels, Antwerp, Liège, Ghent have one-digit zones; most have two.
  const short = /^0[2349]/.test(national)
  const zone = short ? 2 : 3
  const rest = national.slice(zone)
  return `${national.slice(0, zone)} ${rest.slice(0, short ? 3 : 2)} ${rest.slice(short ? 3 : 2, short ? 5 : 4)} ${rest.slice(short ? 5 : 4)}`
}
