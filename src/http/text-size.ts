/**
 * How long a typed text is. A person sees graphemes ("characters": an emoji with a skin
 * tone, a flag, a letter with its accents is one), so the limits they are told are in
 * graphemes. But one grapheme may carry any number of combining marks — one letter with
 * 2,400 accents is "one character" of 4.8 KB — so a limit in graphemes alone bounds
 * nothing. Texts are therefore also measured in code points and UTF-8 bytes, and the
 * longest grapheme is measured on its own.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/**
 * The most code points one grapheme may hold. Real ones stay far below: a letter with two
 * or three marks (Arabic shadda + vowel, Vietnamese, IPA) is 3–4, a family emoji with skin
 * tones 11, a subdivision flag such as Scotland's 7. Seventeen marks on one letter is
 * "zalgo" text, made to overflow the lines above and below it.
 */
export const maxGraphemeCodePoints = 16

export interface TextSize {
  graphemes: number
  codePoints: number
  bytes: number
  /** Code points of the longest grapheme. */
  longestGrapheme: number
}

export function measureText(text: string): TextSize {
  // Most step-2 answers carry no text: no segmenter is started for them.
  if (text === '') return { graphemes: 0, codePoints: 0, bytes: 0, longestGrapheme: 0 }
  let count = 0
  let longest = 0
  let codePoints = 0
  for (const { segment } of graphemes.segment(text)) {
    count++
    let length = 0
    for (const _ of segment) length++
    codePoints += length
    if (length > longest) longest = length
  }
  return { graphemes: count, codePoints, bytes: Buffer.byteLength(text, 'utf8'), longestGrapheme: longest }
}

