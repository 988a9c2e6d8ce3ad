import { z } from 'zod'
import { ageBands, childAgeBands, ownWords } from '../answers/index.ts'
import type { MessageKey } from '../i18n/i18n.ts'

/**
 * The contract of the citizen forms. Error messages are catalog keys, translated when
 * the form is shown again; each issue's path names the field it belongs to.
 */

export { maxFreeTextBytes, maxFreeTextCodePoints, maxFreeTextGraphemes } from '../answers/index.ts'
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
  free_text: ownWords.transform((value) => (value === '' ? null : value)),
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
