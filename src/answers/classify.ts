import type { Kysely } from 'kysely'
import type { Database, Theme } from '../db/types.ts'

/**
 * Free text → learning themes, explainably: every match names the word that matched
 * ("matched: 'naaien'"), which is stored with the classification.
 *
 * Words come from Intl.Segmenter (which knows where words end in every script), are
 * lower-cased and stripped of accents on both sides, so "Café", "cafe" and "CAFÉ" meet.
 * A keyword ending in `*` matches any word that starts with it: Dutch glues words
 * together, and `fiets*` must find "fietsherstelling". A keyword of several words
 * ("eerste hulp") matches those words in a row.
 *
 * Why this lives with the answers and not in the themes feature: step 2 stores the text
 * themes in the same transaction as the answer and its rollups, and a theme correction,
 * the seeds and the text pages must find the same matches. The classifier is pure (text
 * and keywords in, matches out) and imports nothing; the themes feature owns the keywords
 * and the pages, answers/ owns what a stored text counts as.
 */

const segmenter = new Intl.Segmenter('und', { granularity: 'word' })

/** Lower case without accents: the form both text and keywords are compared in. */
export function fold(word: string): string {
  const lower = word.toLowerCase()
  // Most words are plain ASCII; normalising costs more than the rest of the work.
  if (!/[^\x00-\x7f]/.test(lower)) return lower
  return lower.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC')
}

export interface Token {
  /** The word as written, in lower case (shown to explain a match). */
  word: string
  /** The folded form used for comparisons. */
  folded: string
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  for (const segment of segmenter.segment(text)) {
    if (!segment.isWordLike) continue
    const word = segment.segment.toLowerCase()
    tokens.push({ word, folded: fold(word) })
  }
  return tokens
}

interface Keyword {
  themeId: number
  parts: string[]
  /** The last part is a prefix. */
  prefix: boolean
}

export interface ThemeMatcher {
  /** Keywords by their first (exact) word. */
  byFirstWord: Map<string, Keyword[]>
  /** One-word prefix keywords (`fiets*`), tried against every word. */
  prefixes: Keyword[]
}

/** Prepares the keywords of a region's themes (all languages: people mix them). */
export function compileThemes(themes: readonly Pick<Theme, 'id' | 'keywords'>[]): ThemeMatcher {
  const keywords: Keyword[] = []
  for (const theme of themes) {
    let lists: Record<string, unknown>
    try {
      lists = JSON.parse(theme.keywords) as Record<string, unknown>
    } catch {
      continue
    }
    for (const list of Object.values(lists)) {
      if (!Array.isArray(list)) continue
      for (const raw of list) {
        if (typeof raw !== 'string') continue
        const trimmed = raw.trim()
        const prefix = trimmed.endsWith('*')
        const parts = tokenize(prefix ? trimmed.slice(0, -1) : trimmed).map((token) => token.folded)
        if (parts.length > 0) keywords.push({ themeId: theme.id, parts, prefix })
      }
    }
  }
  const byFirstWord = new Map<string, Keyword[]>()
  const prefixes: Keyword[] = []
  for (const keyword of keywords) {
    if (keyword.prefix && keyword.parts.length === 1) {
      prefixes.push(keyword)
      continue
    }
    const list = byFirstWord.get(keyword.parts[0]!)
    if (list) list.push(keyword)
    else byFirstWord.set(keyword.parts[0]!, [keyword])
  }
  return { byFirstWord, prefixes }
}

export interface ThemeMatch {
  themeId: number
  /** The word (or words) in the text that matched. */
  matched: string
}

/** The themes a text speaks of, each once, with the first words that matched it. */
export function classify(text: string, matcher: ThemeMatcher): ThemeMatch[] {
  const tokens = tokenize(text)
  const found = new Map<number, string>()
  const take = (keyword: Keyword, start: number) => {
    if (found.has(keyword.themeId)) return
    const length = keyword.parts.length
    if (start + length > tokens.length) return
    for (let p = 0; p < length; p++) {
      const folded = tokens[start + p]!.folded
      const part = keyword.parts[p]!
      if (keyword.prefix && p === length - 1 ? !folded.startsWith(part) : folded !== part) return
    }
    found.set(
      keyword.themeId,
      tokens
        .slice(start, start + length)
        .map((token) => token.word)
        .join(' ')
        .slice(0, 100),
    )
  }
  for (let i = 0; i < tokens.length; i++) {
    for (const keyword of matcher.byFirstWord.get(tokens[i]!.folded) ?? []) take(keyword, i)
    for (const keyword of matcher.prefixes) take(keyword, i)
  }
  return [...found].map(([themeId, matched]) => ({ themeId, matched }))
}

/**
 * Stores the text classification of a response (source 'text'). A theme the person chose
 * themselves, or a coordinator set, stays as it is; earlier text matches are replaced.
 */
export async function storeTextThemes(db: Kysely<Database>, responseId: number, matches: readonly ThemeMatch[]): Promise<void> {
  await db.deleteFrom('response_themes').where('response_id', '=', responseId).where('source', '=', 'text').execute()
  if (matches.length === 0) return
  await db
    .insertInto('response_themes')
    .values(matches.map((match) => ({ response_id: responseId, theme_id: match.themeId, source: 'text' as const, matched: match.matched })))
    .onConflict((oc) => oc.columns(['response_id', 'theme_id']).doNothing())
    .execute()
}
