import type { Kysely } from 'kysely'
import type { AgeBand, Audience, Database, NewContactRequest, NewResponse, PosterStatus } from '../db/types.ts'
import { applyStepOne, applyStepTwo, readRollupState } from '../dashboard/rollups.ts'
import { upsertContactRequest } from '../followup/queries.ts'
import { classify, storeTextThemes, type ThemeMatcher } from '../themes/classify.ts'

/** Everything the citizen form needs to know about a poster, in one indexed read. */
export interface PosterForm {
  id: number
  code: string
  status: PosterStatus
  language: string | null
  regionId: number
  partnerId: number
  locationId: number
  activityId: number
  activityTitle: string
  audience: Audience
  locationName: string
  contactLine: string | null
  oneAnswerPerDevice: number
  /** For the consent sentence of the contact opt-in: who sees the details, and for how long. */
  regionName: string
  contactMaxAgeDays: number
}

export async function findPosterForm(db: Kysely<Database>, code: string): Promise<PosterForm | undefined> {
  const row = await db
    .selectFrom('posters')
    .innerJoin('activities', 'activities.id', 'posters.activity_id')
    .innerJoin('locations', 'locations.id', 'posters.location_id')
    .innerJoin('regions', 'regions.id', 'posters.region_id')
    .select([
      'posters.id',
      'posters.code',
      'posters.status',
      'posters.language',
      'posters.region_id as regionId',
      'posters.partner_id as partnerId',
      'posters.location_id as locationId',
      'posters.activity_id as activityId',
      'activities.title as activityTitle',
      'activities.audience',
      'locations.name as locationName',
      'regions.contact_line as contactLine',
      'posters.one_answer_per_device as oneAnswerPerDevice',
      'regions.name as regionName',
      'regions.contact_max_age_days as contactMaxAgeDays',
    ])
    .where('posters.code', '=', code)
    .executeTakeFirst()
  return row
}

/**
 * Inserts one response row and returns its id. A form submitted twice (double tap,
 * reload) carries the same idempotency key: the second insert does nothing and the id of
 * the first is returned (`inserted: false`), so both requests lead to the same response
 * and the dashboards count it once.
 */
export async function insertResponseRow(db: Kysely<Database>, values: NewResponse): Promise<{ id: number; inserted: boolean }> {
  const row = await db
    .insertInto('responses')
    .values(values)
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst()
  if (row !== undefined) return { id: row.id, inserted: true }
  const existing = await db
    .selectFrom('responses')
    .select('id')
    .where('idempotency_key', '=', values.idempotency_key ?? null)
    .where('poster_id', '=', values.poster_id)
    .executeTakeFirst()
  if (existing === undefined) throw new Error('idempotency key used on another poster')
  return { id: existing.id, inserted: false }
}

/** One response and its place in the dashboard rollups; call it inside a transaction. */
export async function insertResponse(trx: Kysely<Database>, values: NewResponse): Promise<number> {
  const { id, inserted } = await insertResponseRow(trx, values)
  if (inserted) await applyStepOne(trx, values)
  return id
}

export interface Amendment {
  liked: number | null
  ageBand: AgeBand | null
  freeText: string | null
  themeIds: number[]
  /** The region's theme keywords, to classify the free text (the match is kept to explain it). */
  matcher?: ThemeMatcher
  /** The opt-in "help me learn further", stored in its own table in the same transaction. */
  contactRequest?: Omit<NewContactRequest, 'response_id'> | undefined
}

/**
 * Step 2: amends the response made in step 1, in one transaction. The themes the person
 * chose replace any chosen before (they may go back and change their mind); themes a
 * coordinator or the classifier attached are left alone. Returns false when the response
 * does not belong to this poster (nothing is changed then).
 */
export function amendResponse(db: Kysely<Database>, responseId: number, posterId: number, amendment: Amendment): Promise<boolean> {
  return db.transaction().execute((trx) => amendResponseIn(trx, responseId, posterId, amendment))
}

/** The same amendment inside a transaction the caller holds (the step-2 group commit). */
export async function amendResponseIn(trx: Kysely<Database>, responseId: number, posterId: number, amendment: Amendment): Promise<boolean> {
  {
    const before = await readRollupState(trx, responseId)
    const updated = await trx
      .updateTable('responses')
      .set({
        liked: amendment.liked,
        age_band: amendment.ageBand,
        free_text: amendment.freeText,
        step: 2,
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', responseId)
      .where('poster_id', '=', posterId)
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) !== 1 || before === undefined) return false
    await trx.deleteFrom('response_themes').where('response_id', '=', responseId).where('source', '=', 'chosen').execute()
    if (amendment.themeIds.length > 0) {
      await trx
        .insertInto('response_themes')
        .values(amendment.themeIds.map((themeId) => ({ response_id: responseId, theme_id: themeId, source: 'chosen' as const, matched: null })))
        // The classifier may already have attached the same theme from the free text.
        .onConflict((oc) => oc.columns(['response_id', 'theme_id']).doUpdateSet({ source: 'chosen', matched: null }))
        .execute()
    }
    if (amendment.matcher) await storeTextThemes(trx, responseId, amendment.freeText ? classify(amendment.freeText, amendment.matcher) : [])
    // The dashboards' counts move with the answer, in the same transaction.
    await applyStepTwo(trx, before, (await readRollupState(trx, responseId))!)
    if (amendment.contactRequest !== undefined) await upsertContactRequest(trx, { ...amendment.contactRequest, response_id: responseId })
    return true
  }
}
