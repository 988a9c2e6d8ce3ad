/**
 * Free text is written by people who sometimes add "bel me: 0474 12 34 56". Before any
 * free text is shown to anyone (queue, moderation, quotes), e-mail addresses and phone
 * numbers in it are replaced by a neutral mark. The stored text is not changed (a
 * moderator may redact it); masking happens on every display.
 *
 * Matching runs on a folded copy of the text, so that a disguise does not help: NFKC
 * (fullwidth ０-９, ＠, ＋ and （at） become their ASCII forms), zero-width, bidi and
 * other invisible characters and combining marks removed, and every decimal digit of any
 * script (Arabic-Indic ٠-٩, Persian ۰-۹, Devanagari …) read as 0-9 — the form is offered
 * in Arabic. What is replaced is the matching stretch of the original text: the rest is
 * shown exactly as written.
 */
export const emailMask = '[e-mail]'
export const phoneMask = '[tel.]'

// A separator people write inside an address to fool robots: "(at)", "[at]", " at ".
const wordAt = String.raw`\s*[(\[]\s*(?:at|@)\s*[)\]]\s*|\s+(?:at|apenstaartje)\s+`
const wordDot = String.raw`\s*[(\[]\s*(?:dot|punt)\s*[)\]]\s*|\s+(?:dot|punt)\s+`
const local = String.raw`[\p{L}\p{N}._%+-]+`
const label = String.raw`[\p{L}\p{N}-]+`
// With a real "@" the dots may be spaced as well ("jan @ voorbeeld . be"); with a spelled
// "at" they may not, or "good at cooking. Also" would read as an address.
const email = new RegExp(
  String.raw`${local}\s*@\s*${label}(?:(?:\.|\s+\.\s*|${wordDot})${label})+|${local}(?:${wordAt})${label}(?:(?:\.|${wordDot})${label})+`,
  'giu',
)

// A run that starts like a phone number (+, 00, 0, or a bare mobile 4xx) and continues
// with digits and the separators people use: spaces, dots, slashes, underscores,
// dashes of every width, brackets.
const phoneCandidate = /(?<![\p{L}\p{N}])(?:\+|00)?\(?\d[\d\s./()_\u2010-\u2015\u2212-]{6,30}\d(?![\p{L}\p{N}])/gu

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

// Invisible in print: format characters (zero-width space and joiners, bidi controls, soft
// hyphen, word joiner), combining marks, and variation selectors (which are marks).
const invisible = /^[\p{Cf}\p{Mn}\p{Me}]$/u
const decimalDigit = /^\p{Nd}$/u
const folded = new Map<string, string>()

/** Unicode encodes every script's digits 0-9 as one run of ten: its value is the distance to the run's start. */
function digitValue(codePoint: number): number {
  let start = codePoint
  while (start > 0 && decimalDigit.test(String.fromCodePoint(start - 1))) start--
  return (codePoint - start) % 10
}

function foldCharacter(char: string): string {
  let result = folded.get(char)
  if (result === undefined) {
    result = ''
    for (const part of char.normalize('NFKC')) {
      if (invisible.test(part)) continue
      result += decimalDigit.test(part) ? String(digitValue(part.codePointAt(0)!)) : part
    }
    folded.set(char, result)
  }
  return result
}

/**
 * The folded text, and for each of its UTF-16 units the span [start, end) of the original
 * character it came from.
 */
function fold(text: string): { text: string; starts: number[]; ends: number[] } {
  let out = ''
  const starts: number[] = []
  const ends: number[] = []
  let index = 0
  for (const char of text) {
    // Printable ASCII folds to itself: the common case costs nothing.
    const piece = char.length === 1 && char.charCodeAt(0) < 0x7f ? char : foldCharacter(char)
    out += piece
    for (let i = 0; i < piece.length; i++) {
      starts.push(index)
      ends.push(index + char.length)
    }
    index += char.length
  }
  return { text: out, starts, ends }
}

/** `marks`: what replaces each; word statistics (themes/classify.ts) pass blanks so no mark becomes a word. */
export function maskContacts(text: string, marks: { email: string; phone: string } = { email: emailMask, phone: phoneMask }): string {
  const view = fold(text)
  const spans: { from: number; to: number; mark: string }[] = []
  for (const match of view.text.matchAll(email)) spans.push({ from: match.index, to: match.index + match[0].length, mark: marks.email })
  // Phone numbers are looked for in what is left once the addresses are out (a digit in
  // an address is not a phone number).
  const withoutEmails = spans.reduceRight((rest, span) => rest.slice(0, span.from) + ' '.repeat(span.to - span.from) + rest.slice(span.to), view.text)
  for (const match of withoutEmails.matchAll(phoneCandidate)) {
    const trimmed = match[0].replace(/[\s./_\u2010-\u2015\u2212-]+$/, '')
    if (looksLikePhone(trimmed)) spans.push({ from: match.index, to: match.index + trimmed.length, mark: marks.phone })
  }
  if (spans.length === 0) return text
  spans.sort((a, b) => a.from - b.from)
  let result = ''
  let at = 0
  for (const span of spans) {
    const from = view.starts[span.from]!
    if (from < at) continue
    result += text.slice(at, from) + span.mark
    at = view.ends[span.to - 1]!
  }
  return result + text.slice(at)
}

/** True when the text holds something that looks like an e-mail address or a phone number. */
export function hasContactDetails(text: string): boolean {
  return maskContacts(text) !== text
}
