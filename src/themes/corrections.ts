import { type Kysely, PostgresAdapter } from 'kysely'
import type { Database, ThemeAudience, ThemeSource } from '../db/types.ts'
import { applyStepTwo, classify, maskContacts, readRollupState, type ThemeMatch, type ThemeMatcher } from '../answers/index.ts'
import { themeAudienceOf } from './queries.ts'
import { textTerms } from './text-terms.ts'

/**
 * Free text → themes, corrected by a person. The classifier (classify.ts) is only as good
 * as the region's keywords, so coordinators see the texts it could not place, set their
 * themes by hand, and add the missing words as keywords.
 *
 * What a correction touches: the themes the classifier found in the text ('text') and any
 * earlier correction ('corrected') are replaced by the coordinator's choice. The themes the
 * person ticked on the form ('chosen') stay as they are: they are that person's own answer
 * to "what do you want to learn next?", not an interpretation of their words, and the
 * dashboard counts them as what people asked for.
 */

/** The most themes a coordinator sets on one text, as on the citizen form. */
export const maxCorrectedThemes = 3

export interface TextTheme {
  themeId: number
  source: ThemeSource
  /** The word that matched (kept on a correction that confirms a match). */
  matched: string | null
}

export interface TextRow {
  responseId: number
  createdAt: string
  activity: string
  /** Masked; the moderator's redacted copy when there is one. */
  text: string
  redacted: boolean
  themes: TextTheme[]
  /** What the region's keywords find in the text today (they may have changed since it came in). */
  matches: ThemeMatch[]
  reviewedAt: string | null
  /** The theme list of the poster the answer came from (children's or general). */
  themeAudience: ThemeAudience
}

export interface TextListOptions {
  /** ISO timestamps: inclusive start, exclusive end. */
  from: string
  to: string
  /**
   * Only the texts the keywords do not place: no theme from the text, not reviewed by a
   * coordinator, and nothing the region's keywords match today. (A match on a theme the
   * person also ticked is stored as their choice, so the stored rows alone cannot tell.)
   */
  unclassified: boolean
  /** The region's keywords as they are now, per list: a child's text is read with the children's keywords, as at step 2. */
  matchers: Record<ThemeAudience, ThemeMatcher>
  limit?: number
}

/** How many candidate texts an unclassified list reads and classifies (newest first). */
const unclassifiedScan = 2000

/**
 * The region's free texts in a time window, newest first, as staff may see them: hidden
 * texts (moderation) are left out, a redacted text shows its redacted copy, phone numbers
 * and e-mail addresses are masked, and erased texts (retention, data subject requests)
 * are gone with their `free_text`.
 */
export async function listTexts(db: Kysely<Database>, regionId: number, options: TextListOptions): Promise<{ rows: TextRow[]; total: number }> {
  const limit = options.limit ?? 50
  let base = db
    .selectFrom('responses')
    .innerJoin('activities', 'activities.id', 'responses.activity_id')
    .leftJoin('response_moderation', 'response_moderation.response_id', 'responses.id')
    .leftJoin('response_theme_reviews', 'response_theme_reviews.response_id', 'responses.id')
    .where('responses.region_id', '=', regionId)
    .where('responses.free_text', 'is not', null)
    .where('responses.created_at', '>=', options.from)
    .where('responses.created_at', '<', options.to)
    .where((eb) => eb.or([eb('response_moderation.status', 'is', null), eb('response_moderation.status', '!=', 'hidden')]))
  if (options.unclassified) {
    base = base
      .where('response_theme_reviews.response_id', 'is', null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('response_themes')
              .select('response_themes.response_id')
              .whereRef('response_themes.response_id', '=', 'responses.id')
              .where('response_themes.source', 'in', ['text', 'corrected']),
          ),
        ),
      )
  }
  const read = base
    .select([
      'responses.id as responseId',
      'responses.created_at as createdAt',
      'responses.free_text',
      'activities.title as activity',
      'activities.audience',
      'response_moderation.redacted_text',
      'response_theme_reviews.reviewed_at as reviewedAt',
    ])
    .orderBy('responses.created_at', 'desc')
    .orderBy('responses.id', 'desc')
  let rows: Awaited<ReturnType<typeof read.execute>>
  let total: number
  // The keywords run on the text as written (as at step 2), never on a masked copy.
  const matchesOf = new Map<number, ThemeMatch[]>()
  if (options.unclassified) {
    const candidates = await read.limit(unclassifiedScan).execute()
    const unplaced = candidates.filter((row) => {
      const found = classify(row.free_text ?? '', options.matchers[themeAudienceOf(row.audience)])
      matchesOf.set(row.responseId, found)
      return found.length === 0
    })
    total = unplaced.length
    rows = unplaced.slice(0, limit)
  } else {
    const [page, count] = await Promise.all([read.limit(limit).execute(), base.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()])
    rows = page
    total = Number(count.n)
  }
  const themes = await themesOf(
    db,
    rows.map((row) => row.responseId),
  )
  return {
    rows: rows.map((row) => ({
      responseId: row.responseId,
      createdAt: row.createdAt,
      activity: row.activity,
      text: maskContacts(row.redacted_text ?? row.free_text ?? ''),
      redacted: row.redacted_text !== null,
      themes: themes.get(row.responseId) ?? [],
      matches: matchesOf.get(row.responseId) ?? classify(row.free_text ?? '', options.matchers[themeAudienceOf(row.audience)]),
      themeAudience: themeAudienceOf(row.audience),
      reviewedAt: row.reviewedAt,
    })),
    total,
  }
}

/** The themes attached to each response, chosen first, then corrected, then from the text. */
async function themesOf(db: Kysely<Database>, responseIds: readonly number[]): Promise<Map<number, TextTheme[]>> {
  const byResponse = new Map<number, TextTheme[]>()
  if (responseIds.length === 0) return byResponse
  const rows = await db
    .selectFrom('response_themes')
    .select(['response_id', 'theme_id', 'source', 'matched'])
    .where('response_id', 'in', [...responseIds])
    .execute()
  const order: Record<ThemeSource, number> = { chosen: 0, corrected: 1, text: 2 }
  rows.sort((a, b) => order[a.source] - order[b.source] || a.theme_id - b.theme_id)
  for (const row of rows) {
    const theme = { themeId: row.theme_id, source: row.source, matched: row.matched }
    const list = byResponse.get(row.response_id)
    if (list) list.push(theme)
    else byResponse.set(row.response_id, [theme])
  }
  return byResponse
}

function textsPerWord(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const text of texts) {
    for (const word of new Set(textTerms(text).words)) counts.set(word, (counts.get(word) ?? 0) + 1)
  }
  return counts
}

/**
 * Words that keep coming back in texts the keywords do not place: candidates for new
 * keywords. The same word rules as the dashboard's word lists (no stopwords, nothing with a
 * digit or an @), counted once per text so that one long text cannot dominate. Words that
 * are just as common in the texts the keywords did place ("zaterdag", "leuk") say nothing
 * about a missing theme and are left out: a word must be at least twice as frequent here.
 */
export function keywordSuggestions(texts: readonly string[], placed: readonly string[] = [], limit = 12): { word: string; count: number }[] {
  const counts = textsPerWord(texts)
  const elsewhere = textsPerWord(placed)
  const rate = (count: number, of: number) => (of === 0 ? 0 : count / of)
  return [...counts]
    .filter(([word, count]) => count >= 2 && rate(count, texts.length) > 2 * rate(elsewhere.get(word) ?? 0, placed.length))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([word, count]) => ({ word, count }))
}

export type CorrectionResult =
  | { ok: true; before: number[]; after: number[] }
  | { ok: false; reason: 'not_found' | 'too_many' | 'unknown_theme' }

export interface Correction {
  regionId: number
  responseId: number
  /** The themes the coordinator ticked (the person's own choices need not be repeated). */
  themeIds: readonly number[]
  userId: number
  now?: string
}

/**
 * Sets the coordinator's themes on one response, in one transaction with the dashboard
 * rollups (the response moves out of the theme rows it leaves and into the ones it joins,
 * exactly as a step-2 amendment does) and the review mark. Nothing changes when the
 * response is not a visible free text of this region or a theme is not the region's.
 */
export function correctThemes(db: Kysely<Database>, correction: Correction): Promise<CorrectionResult> {
  const wanted = [...new Set(correction.themeIds)]
  if (wanted.length > maxCorrectedThemes) return Promise.resolve({ ok: false, reason: 'too_many' })
  return db.transaction().execute(async (trx): Promise<CorrectionResult> => {
    let find = trx
      .selectFrom('responses')
      .leftJoin('response_moderation', 'response_moderation.response_id', 'responses.id')
      .select(['responses.id', 'response_moderation.status'])
      .where('responses.id', '=', correction.responseId)
      .where('responses.region_id', '=', correction.regionId)
      .where('responses.free_text', 'is not', null)
    // Two corrections of the same answer at once (or a correction racing a late step 2)
    // must not both read the same "before": PostgreSQL locks the row; SQLite has one writer.
    if (trx.getExecutor().adapter instanceof PostgresAdapter) find = find.forUpdate('responses')
    const response = await find.executeTakeFirst()
    if (!response || response.status === 'hidden') return { ok: false, reason: 'not_found' }

    const current = await trx.selectFrom('response_themes').select(['theme_id', 'source', 'matched']).where('response_id', '=', response.id).execute()
    const attached = new Set(current.map((row) => row.theme_id))
    if (wanted.length > 0) {
      const themes = await trx.selectFrom('themes').select(['id', 'hidden']).where('region_id', '=', correction.regionId).where('id', 'in', wanted).execute()
      // A hidden theme is not offered any more, but one already on this answer may stay.
      const usable = new Set(themes.filter((theme) => theme.hidden === 0 || attached.has(theme.id)).map((theme) => theme.id))
      if (wanted.some((id) => !usable.has(id))) return { ok: false, reason: 'unknown_theme' }
    }

    const before = (await readRollupState(trx, response.id))!
    const chosen = new Set(current.filter((row) => row.source === 'chosen').map((row) => row.theme_id))
    const matchedWord = new Map(current.filter((row) => row.source === 'text').map((row) => [row.theme_id, row.matched]))
    await trx.deleteFrom('response_themes').where('response_id', '=', response.id).where('source', 'in', ['text', 'corrected']).execute()
    const added = wanted.filter((id) => !chosen.has(id))
    if (added.length > 0) {
      await trx
        .insertInto('response_themes')
        // A match the coordinator confirms keeps its word, so the page can still say why.
        .values(added.map((themeId) => ({ response_id: response.id, theme_id: themeId, source: 'corrected' as const, matched: matchedWord.get(themeId) ?? null })))
        .execute()
    }
    const at = correction.now ?? new Date().toISOString()
    await trx
      .insertInto('response_theme_reviews')
      .values({ response_id: response.id, reviewed_by: correction.userId, reviewed_at: at })
      .onConflict((oc) => oc.column('response_id').doUpdateSet({ reviewed_by: correction.userId, reviewed_at: at }))
      .execute()
    const after = (await readRollupState(trx, response.id))!
    await applyStepTwo(trx, before, after)
    return { ok: true, before: [...new Set(before.themeIds)].sort((a, b) => a - b), after: [...new Set(after.themeIds)].sort((a, b) => a - b) }
  })
}
