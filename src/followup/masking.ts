/**
 * Free text is written by people who sometimes add "bel me: 0474 12 34 56". Before any
 * free text is shown to anyone (queue, moderation, quotes), e-mail addresses and phone
 * numbers in it are replaced by a neutral mark. The stored text is not changed (a
 * moderator may redact it); masking happens on every display.
 */
export const emailMask = '[e-mail]'
export const phoneMask = '[tel.]'

// An address, also written with " at " / "(at)" / "[at]" and " dot " to fool robots.
const email = /[\p{L}\p{N}._%+-]+\s*(?:@|\(at\)|\[at\]|\s+at\s+)\s*[\p{L}\p{N}-]+(?:(?:\.|\s*\(dot\)\s*|\s*\[dot\]\s*|\s+dot\s+)[\p{L}\p{N}-]+)+/giu

// A run that starts like a phone number (+, 00, 0, or a bare mobile 4xx) and continues
// with digits and the separators people use: spaces, dots, slashes, dashes, brackets.
const phoneCandidate = /(?<![\p{L}\p{N}])(?:\+|00)?\(?\d[\d\s./()-]{6,22}\d(?![\p{L}\p{N}])/gu

function looksLikePhone(candidate: string): boolean {
  const compact = candidate.replace(/\(0\)/g, '')
  const digits = compact.replace(/\D/g, '')
  if (compact.startsWith('+') || compact.startsWith('00')) {
    const rest = compact.startsWith('+') ? digits : digits.slice(2)
    return rest.length >= 8 && rest.length <= 15
  }
  // National Belgian numbers: 0 + 8 digits (landline) or 0 + 9 digits (mobile 04xx).
  // A date such as 01/02/2024 has 8 digits and stays readable.
  if (digits.startsWith('0')) return digits.length === 9 || digits.length === 10
  // A mobile number written without its 0: 474 12 34 56.
  return /^4[5-9]\d{7}$/.test(digits)
}

/** `marks`: what replaces each; word statistics (themes/classify.ts) pass blanks so no mark becomes a word. */
export function maskContacts(text: string, marks: { email: string; phone: string } = { email: emailMask, phone: phoneMask }): string {
  return text
    .replace(email, marks.email)
    .replace(phoneCandidate, (candidate) => {
      const trimmed = candidate.replace(/[\s./-]+$/, '')
      return looksLikePhone(trimmed) ? marks.phone + candidate.slice(trimmed.length) : candidate
    })
}

/** True when the text holds something that looks like an e-mail address or a phone number. */
export function hasContactDetails(text: string): boolean {
  return maskContacts(text) !== text
}
