import { eng, fra, nld } from 'stopword'
import { fold, maskContacts, tokenize } from '../answers/index.ts'

// Dutch, French and English stopwords from the maintained `stopword` lists (not
// stopwords-iso's English list, which drops words such as "computer" and "work"), folded
// like the text. Texts mix languages, so one set serves all.
const stopwords = new Set([...nld, ...fra, ...eng].map(fold))
for (const extra of ['graag', 'wil', 'willen', 'leren', 'iets', 'meer', 'ja', 'nee', 'learn', 'want', 'would', 'like', 'apprendre', 'veux', 'voudrais']) {
  stopwords.add(extra)
}

const isContent = (word: string) => word.length >= 2 && !stopwords.has(word) && !/[\d@]/.test(word)

/**
 * The words of a text that say something, for word statistics, and the two-word phrases
 * of such words standing side by side. No stopwords, no single letters, and nothing with
 * a digit or an @ (phone numbers and e-mail addresses that slipped past masking must
 * never surface as "words people use").
 */
export function textTerms(text: string): { words: string[]; phrases: string[] } {
  const folded = tokenize(maskContacts(text, { email: ' ', phone: ' ' })).map((token) => token.folded)
  const words: string[] = []
  const phrases: string[] = []
  for (let i = 0; i < folded.length; i++) {
    if (!isContent(folded[i]!)) continue
    words.push(folded[i]!)
    if (i + 1 < folded.length && isContent(folded[i + 1]!)) phrases.push(`${folded[i]} ${folded[i + 1]}`)
  }
  return { words, phrases }
}
