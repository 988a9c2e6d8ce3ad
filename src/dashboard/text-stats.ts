import { cellKey, publish } from '../answers/cell-key.ts'
import { textTerms } from '../themes/index.ts'
import { twoProportionZ, zCritical } from '../answers/emerging.ts'
import type { KeyedText } from './queries.ts'

/**
 * Word statistics of free texts: the words and two-word phrases people use, and the words
 * that are new or growing compared with the period before.
 *
 * Why a bounded window rather than a per-day word rollup: the words of a year of a large
 * region are a long tail of some 100,000 (word, day) rows, which a dashboard would have to
 * group on every view, and a per-word rollup could not follow the partner, location,
 * activity and age filters without multiplying it further. The most recent texts of the
 * slice (at most `textWindow` per period, read through a partial index on texts) describe
 * what people say *now* just as well, cost the same whatever the total, need no extra
 * write on the answer path, and follow every filter and scope because they are the
 * answers themselves. Cutting text into words (Intl.Segmenter) is the expensive part, so
 * the words of each distinct text are kept in memory once cut.
 *
 * A word counts once per answer, and its count is published like every other count: the
 * number of answers that use it through the cell key of their record keys (answers/cell-key.ts).
 * Only words whose published count is at least k are shown, so a rare word (a name, a
 * street) never surfaces, and the rising test uses published counts only.
 */

export const textWindow = 1000

const termCache = new Map<string, { words: string[]; phrases: string[] }>()

function termsOf(text: string) {
  let terms = termCache.get(text)
  if (terms === undefined) {
    terms = textTerms(text)
    if (termCache.size >= 50_000) termCache.clear()
    termCache.set(text, terms)
  }
  return terms
}

/** Published number of answers per term. */
function documentFrequency(texts: readonly KeyedText[]) {
  const add = (into: Map<string, [number, number]>, term: string, key: number) => {
    const found = into.get(term) ?? [0, 0]
    into.set(term, [found[0] + 1, found[1] + key])
  }
  const words = new Map<string, [number, number]>()
  const phrases = new Map<string, [number, number]>()
  for (const { text, key } of texts) {
    const terms = termsOf(text)
    for (const word of new Set(terms.words)) add(words, word, key)
    for (const phrase of new Set(terms.phrases)) add(phrases, phrase, key)
  }
  const published = (counts: Map<string, [number, number]>) => new Map([...counts].map(([term, [n, keys]]) => [term, publish(n, cellKey(keys))]))
  return { words: published(words), phrases: published(phrases) }
}

/** The published number of texts in a window. */
function publishedTexts(texts: readonly KeyedText[]): number {
  return publish(texts.length, cellKey(texts.reduce((sum, text) => sum + text.key, 0)))
}

export interface TermCount {
  term: string
  count: number
}

export interface RisingTerm {
  term: string
  current: number
  previous: number
  isNew: boolean
}

export interface TextStatistics {
  /** How many texts the figures are based on (the window). */
  currentTexts: number
  previousTexts: number
  /** True when the window cut off older texts of the period. */
  truncated: boolean
  words: TermCount[]
  phrases: TermCount[]
  rising: RisingTerm[]
}

function top(counts: Map<string, number>, k: number, limit: number): TermCount[] {
  return [...counts]
    .filter(([, count]) => count >= k)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([term, count]) => ({ term, count }))
}

export function textStatistics(current: readonly KeyedText[], previous: readonly KeyedText[], k: number, limit = 15): TextStatistics {
  const now = documentFrequency(current)
  const before = documentFrequency(previous)
  const currentTexts = publishedTexts(current)
  const previousTexts = publishedTexts(previous)
  const rising: RisingTerm[] = []
  if (previousTexts > 0) {
    for (const [term, count] of now.words) {
      if (count < k) continue
      const earlier = before.words.get(term) ?? 0
      const z = twoProportionZ(Math.min(count, currentTexts), currentTexts, Math.min(earlier, previousTexts), previousTexts)
      if (z !== null && z >= zCritical) rising.push({ term, current: count, previous: earlier, isNew: earlier === 0 })
    }
  }
  rising.sort((a, b) => b.current - a.current || a.term.localeCompare(b.term))
  return {
    currentTexts,
    previousTexts,
    truncated: current.length >= textWindow,
    words: top(now.words, k, limit),
    phrases: top(now.phrases, k, 10),
    rising: rising.slice(0, 10),
  }
}
