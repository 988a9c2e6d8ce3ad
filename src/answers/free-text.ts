import { z } from 'zod'
import { maxGraphemeCodePoints, measureText } from '../http/text-size.ts'

/**
 * A person's own words, as they type them: the answer's free text (step 2, the desk's
 * assisted form) and a question added later on their own path. One rule for both, so that
 * what the form tells a person ("at most 280 characters") holds wherever they write.
 */
export const maxFreeTextGraphemes = 280
/**
 * The free text is also bounded in code points and bytes (see http/text-size.ts for why).
 * Four code points per character on average is what step 2's textarea already allows
 * (its maxlength is 4 × 280 UTF-16 units, and a code point is at least one unit), so no
 * text a browser lets through is refused; it leaves room for 280 flags or skin-toned emoji
 * (2 code points each) and for Arabic with shadda and vowel marks (about 2 on average).
 * 1,120 UTF-16 units are at most 3,360 UTF-8 bytes (3 bytes per unit in the BMP, 4 per
 * surrogate pair): that is the byte limit, and what one text can cost in storage.
 */
export const maxFreeTextCodePoints = 4 * maxFreeTextGraphemes
export const maxFreeTextBytes = 3 * maxFreeTextCodePoints

// C0 and C1 control characters other than tab and line breaks: never typed by a person,
// and trouble in every CSV, PDF and log line that shows the text later.
const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/

/**
 * The text in NFC and trimmed ('' when the field is empty or missing), refused with a
 * catalog key when it holds control characters or exceeds a bound.
 */
export const ownWords = z
  .string({ message: 'error.free_text.invalid' })
  .optional()
  .transform((value) => value?.normalize('NFC').trim() ?? '')
  .refine((value) => !controlCharacters.test(value), { message: 'error.free_text.invalid' })
  .superRefine((value, context) => {
    const size = measureText(value)
    if (size.graphemes > maxFreeTextGraphemes) context.addIssue({ code: 'custom', message: 'error.free_text.too_long' })
    else if (size.longestGrapheme > maxGraphemeCodePoints || size.codePoints > maxFreeTextCodePoints || size.bytes > maxFreeTextBytes) {
      context.addIssue({ code: 'custom', message: 'error.free_text.too_complex' })
    }
  })
