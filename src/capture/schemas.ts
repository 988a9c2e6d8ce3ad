import { z } from 'zod'
import { ageBands, childAgeBands } from '../answers/index.ts'
import { maxGraphemeCodePoints, measureText } from '../http/text-size.ts'
import type { MessageKey } from '../i18n/i18n.ts'

/**
 * The contract of the citizen forms. Error messages are catalog keys, translated when
 * the form is shown again; each issue's path names the field it belongs to.
 */

export const maxFreeTextGraphemes = 280
/**
 * The free text is also bounded in code points and bytes (see http/text-size.ts for why).
 * Four code points per character on average is what step 2's textarea already allows
 * (its maxlength is 4 × 280 UTF-16 units, and a code point is at least one unit), so no
 * text a browser lets through is refused; it leaves room for 280 flags or skin-toned emoji
 * (2 code points each) and for Arabic with shadda and vowel marks (about 2 on average).
 * 1,120 UTF-16 units are at most 3,360 UTF-8 bytes (3 bytes per unit in the BMP, 4 per
 * surrogate pair): that is the byte limit, and what one answer can cost in storage.
 */
export const maxFreeTextCodePoints = 4 * maxFreeTextGraphemes
export const maxFreeTextBytes = 3 * maxFreeTextCodePoints
export const maxThemes = 3
export { ageBands }

export const codeParams = z.object({ code: z.string().max(64) })
export const tokenQuery = z.object({ t: z.string().max(64).optional(), lang: z.string().max(16).optional() })
export const langQuery = z.object({ lang: z.string().max(16).optional() })
/** The thank-you page: the answer token (which themes were chosen) and a withdrawal token after a contact request. */
export const thanksQuery = z.object({ lang: z.string().max(16).optional(), t: z.string().max(64).optional(), w: z.string().max(64).optional() })
export const entryQuery = z.object({ code: z.string().max(64).optional(), lang: z.string().max(16).optional() })

const message = (key: MessageKey) => ({ message: key })

export const stepOneBody = z.object({
  tried_new: z.enum(['yes', 'a_bit', 'no'], message('error.tried_new.invalid')),
  /** A hidden field; anything but a known language is ignored (the route falls back), never an error. */
  lang: z.unknown().optional(),
  /** The form ticket (see guard.ts): idempotency key and fill time. Checked in the route. */
  ticket: z.unknown().optional(),
  /** The honeypot: a person leaves it empty. */
  website: z.unknown().optional(),
})

// C0 and C1 control characters other than tab and line breaks: never typed by a person,
// and trouble in every CSV, PDF and log line that shows the text later.
const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/

const oneOrMany = z.union([z.string(), z.array(z.string())]).transform((value) => (Array.isArray(value) ? value : [value]))

export const stepTwoBody = z.object({
  lang: z.unknown().optional(),
  liked: z
    .union([z.literal(''), z.string().regex(/^[1-5]$/, message('error.liked.invalid'))], message('error.liked.invalid'))
    .optional()
    .transform((value) => (value ? Number(value) : null)),
  themes: oneOrMany
    .optional()
    .transform((value) => value ?? [])
    .pipe(
      z
        .array(z.string().regex(/^\d{1,9}$/, message('error.themes.unknown')).transform(Number), message('error.themes.unknown'))
        .max(maxThemes, message('error.themes.too_many'))
        .transform((ids) => [...new Set(ids)]),
    ),
  free_text: z
    .string(message('error.free_text.invalid'))
    .optional()
    .transform((value) => value?.normalize('NFC').trim() ?? '')
    .refine((value) => !controlCharacters.test(value), message('error.free_text.invalid'))
    .superRefine((value, context) => {
      const size = measureText(value)
      if (size.graphemes > maxFreeTextGraphemes) context.addIssue({ code: 'custom', message: 'error.free_text.too_long' })
      else if (size.longestGrapheme > maxGraphemeCodePoints || size.codePoints > maxFreeTextCodePoints || size.bytes > maxFreeTextBytes) {
        context.addIssue({ code: 'custom', message: 'error.free_text.too_complex' })
      }
    })
    .transform((value) => (value === '' ? null : value)),
  // Any known band, adult or child: whether this poster's form offers it is checked in the route.
  age_band: z
    .union([z.literal(''), z.enum([...ageBands, ...childAgeBands], message('error.age_band.invalid'))], message('error.age_band.invalid'))
    .optional()
    .transform((value) => (value ? value : null)),
})

export type StepTwo = z.infer<typeof stepTwoBody>

/** Field → catalog key of the first problem with that field. */
export function fieldErrors(error: z.ZodError): Record<string, MessageKey> {
  const errors: Record<string, MessageKey> = {}
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form')
    errors[field] ??= issue.message as MessageKey
  }
  return errors
}
