import type { Insertable, Kysely } from 'kysely'
import { PreparedQuery } from '../db/prepared.ts'
import type { AgeBand, ChildAgeBand, Database, NewResponse, ResponseTable, ThemeSource, TriedNew } from '../db/types.ts'
import { childBandRollup } from './age-bands.ts'
import { newRecordKey } from './cell-key.ts'
import { classify, type ThemeMatcher } from './classify.ts'
import { applyStepOne, applyStepTwo, type RollupState } from './rollups.ts'

/** An answer as a feature hands it over: the write model gives it its record key. */
export type NewAnswer = Omit<NewResponse, 'record_key'>

/**
 * The answer with a fresh record key (cell-key.ts), made in JS so that the key goes into the
 * row's insert and the rollups' upserts without a round trip to read it back.
 */
export function withRecordKey(answer: NewAnswer): NewResponse {
  return { ...answer, record_key: newRecordKey() }
}

/**
 * Every column an answer can be inserted with, each bound by the prepared insert (the ones a
 * caller leaves out are bound as null, step as 1): the table's insert type, id aside, so a
 * new column of `responses` cannot be forgotten here.
 */
type AnswerRow = Required<Omit<Insertable<ResponseTable>, 'id'>>

// The hot path's statements, compiled once per database (db/prepared.ts): one answer per
// step-1 request, and the reads and writes of one step-2 amendment.
const insertAnswer = new PreparedQuery<AnswerRow, { id: number }>((db, arg) =>
  db
    .insertInto('responses')
    .values({
      poster_id: arg('poster_id'),
      region_id: arg('region_id'),
      partner_id: arg('partner_id'),
      location_id: arg('location_id'),
      activity_id: arg('activity_id'),
      created_at: arg('created_at'),
      updated_at: arg('updated_at'),
      language: arg('language'),
      tried_new: arg('tried_new'),
      liked: arg('liked'),
      age_band: arg('age_band'),
      free_text: arg('free_text'),
      step: arg('step'),
      idempotency_key: arg('idempotency_key'),
      record_key: arg('record_key'),
      assisted: arg('assisted'),
      child_age_band: arg('child_age_band'),
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id'),
)

/**
 * Inserts one response row and returns its id. A form submitted twice (double tap,
 * reload) carries the same idempotency key: the second insert does nothing and the id of
 * the first is returned (`inserted: false`), so both requests lead to the same response
 * and the dashboards count it once.
 */
export async function insertResponseRow(db: Kysely<Database>, values: NewResponse): Promise<{ id: number; inserted: boolean }> {
  if (values.id !== undefined) return insertWithId(db, values)
  const { rows } = await insertAnswer.execute(db, {
    poster_id: values.poster_id,
    region_id: values.region_id,
    partner_id: values.partner_id,
    location_id: values.location_id,
    activity_id: values.activity_id,
    created_at: values.created_at,
    updated_at: values.updated_at ?? null,
    language: values.language,
    tried_new: values.tried_new,
    liked: values.liked ?? null,
    age_band: values.age_band ?? null,
    free_text: values.free_text ?? null,
    step: values.step ?? 1,
    idempotency_key: values.idempotency_key ?? null,
    record_key: values.record_key,
    assisted: values.assisted ?? 0,
    child_age_band: values.child_age_band ?? null,
  })
  if (rows[0] !== undefined) return { id: rows[0].id, inserted: true }
  return existingAnswer(db, values)
}

/** A row with a given id (imports, tests): rare, so built per call. */
async function insertWithId(db: Kysely<Database>, values: NewResponse): Promise<{ id: number; inserted: boolean }> {
  const row = await db.insertInto('responses').values(values).onConflict((oc) => oc.column('idempotency_key').doNothing()).returning('id').executeTakeFirst()
  return row !== undefined ? { id: row.id, inserted: true } : existingAnswer(db, values)
}

async function existingAnswer(db: Kysely<Database>, values: NewResponse): Promise<{ id: number; inserted: false }> {
  const existing = await db
    .selectFrom('responses')
    .select('id')
    .where('idempotency_key', '=', values.idempotency_key ?? null)
    .where('poster_id', '=', values.poster_id)
    .executeTakeFirst()
  if (existing === undefined) throw new Error('idempotency key used on another poster')
  return { id: existing.id, inserted: false }
}

/**
 * One response and its place in the dashboard rollups; call it inside a transaction. The
 * rollups take the record key of `values`: when a double submit finds the first row instead,
 * nothing is counted, so the first row's key is the one its cells carry.
 */
export async function insertResponse(trx: Kysely<Database>, values: NewResponse): Promise<number> {
  const { id, inserted } = await insertResponseRow(trx, values)
  if (inserted) await applyStepOne(trx, values)
  return id
}

export interface Amendment {
  liked: number | null
  ageBand: AgeBand | null
  /** A child's band (children's posters): when given, the answer's `age_band` is the band it rolls up into, whatever `ageBand` says. */
  childAgeBand?: ChildAgeBand | null
  freeText: string | null
  themeIds: number[]
  /** The region's theme keywords, to classify the free text (the match is kept to explain it). */
  matcher?: ThemeMatcher
}

/**
 * The same amendment inside a transaction the caller holds (the step-2 group commit).
 *
 * A contact request made on step 2 is not written here: it is the followup feature's row,
 * with its own consent, withdrawal and erasure rules, and the write model must not import a
 * feature. The capture route writes it with followup's own query in the same transaction,
 * right after this returns true, so the opt-in commits exactly when the answer does.
 */
export async function amendResponseIn(trx: Kysely<Database>, responseId: number, posterId: number, amendment: Amendment): Promise<boolean> {
  const before = await amendedAnswer(trx, responseId, posterId)
  if (before === undefined) return false
  const childAgeBand = amendment.childAgeBand ?? null
  const ageBand = childAgeBand !== null ? childBandRollup : amendment.ageBand
  const updated = await updateAnswer.execute(trx, {
    liked: amendment.liked,
    age_band: ageBand,
    child_age_band: childAgeBand,
    free_text: amendment.freeText,
    updated_at: new Date().toISOString(),
    id: responseId,
    poster_id: posterId,
  })
  if (Number(updated.numAffectedRows ?? 0) !== 1) return false
  // The person's choice replaces their earlier one, and the text's themes are worked out
  // afresh: both kinds go, in one statement, and come back below. A theme a coordinator
  // corrected stays (a chosen theme takes it over, as it always did); a text match never
  // overrides a chosen or corrected theme (do nothing on conflict).
  const matches = amendment.matcher && amendment.freeText ? classify(amendment.freeText, amendment.matcher) : []
  if (amendment.matcher) await deleteChosenAndTextThemes.execute(trx, { response_id: responseId })
  else await deleteChosenThemes.execute(trx, { response_id: responseId })
  for (const themeId of amendment.themeIds) await insertChosenTheme.execute(trx, { response_id: responseId, theme_id: themeId })
  for (const match of matches) await insertTextTheme.execute(trx, { response_id: responseId, theme_id: match.themeId, matched: match.matched })
  // What the rollups count the answer as now, worked out from what was read and written in
  // this transaction rather than read back: the kept themes, the chosen ones, the text's.
  const themeIds = new Set<number>()
  for (const theme of before.themes) {
    if (theme.source === 'chosen') continue
    if (theme.source === 'text' && amendment.matcher) continue
    themeIds.add(theme.theme_id)
  }
  for (const themeId of amendment.themeIds) themeIds.add(themeId)
  for (const match of matches) themeIds.add(match.themeId)
  const after: RollupState = { ...before.state, liked: amendment.liked, age_band: ageBand, step: 2, themeIds: [...themeIds] }
  // The dashboards' counts move with the answer, in the same transaction.
  await applyStepTwo(trx, before.state, after)
  return true
}

/**
 * An answer recorded whole in one form (an assisted answer: the step-1 tap and the step-2
 * fields together), through the same two writes as a person's two taps on a poster, in the
 * caller's transaction: the row and its step-1 counts, then the amendment and its move in
 * the rollups. So there is one way an answer is stored and counted, whoever types it.
 */
export async function insertWholeAnswer(trx: Kysely<Database>, answer: NewAnswer, amendment: Amendment): Promise<number> {
  const id = await insertResponse(trx, withRecordKey(answer))
  if (!(await amendResponseIn(trx, id, answer.poster_id, amendment))) throw new Error('an answer inserted in this transaction could not be amended')
  return id
}

const selectAnswer = new PreparedQuery<{ id: number; poster_id: number }, Omit<RollupState, 'themeIds'>>((db, arg) =>
  db
    .selectFrom('responses')
    .select(['region_id', 'poster_id', 'partner_id', 'location_id', 'activity_id', 'created_at', 'record_key', 'tried_new', 'liked', 'age_band', 'assisted', 'step'])
    .where('id', '=', arg('id'))
    .where('poster_id', '=', arg('poster_id')),
)
const selectThemes = new PreparedQuery<{ response_id: number }, { theme_id: number; source: ThemeSource }>((db, arg) =>
  db.selectFrom('response_themes').select(['theme_id', 'source']).where('response_id', '=', arg('response_id')),
)
const updateAnswer = new PreparedQuery<{
  liked: number | null
  age_band: AgeBand | null
  child_age_band: ChildAgeBand | null
  free_text: string | null
  updated_at: string
  id: number
  poster_id: number
}>((db, arg) =>
  db
    .updateTable('responses')
    .set({ liked: arg('liked'), age_band: arg('age_band'), child_age_band: arg('child_age_band'), free_text: arg('free_text'), step: 2, updated_at: arg('updated_at') })
    .where('id', '=', arg('id'))
    .where('poster_id', '=', arg('poster_id')),
)
const deleteChosenThemes = new PreparedQuery<{ response_id: number }>((db, arg) =>
  db.deleteFrom('response_themes').where('response_id', '=', arg('response_id')).where('source', '=', 'chosen'),
)
const deleteChosenAndTextThemes = new PreparedQuery<{ response_id: number }>((db, arg) =>
  db.deleteFrom('response_themes').where('response_id', '=', arg('response_id')).where('source', 'in', ['chosen', 'text']),
)
const insertChosenTheme = new PreparedQuery<{ response_id: number; theme_id: number }>((db, arg) =>
  db
    .insertInto('response_themes')
    .values({ response_id: arg('response_id'), theme_id: arg('theme_id'), source: 'chosen', matched: null })
    // A coordinator's correction of the same theme becomes the person's own choice.
    .onConflict((oc) => oc.columns(['response_id', 'theme_id']).doUpdateSet({ source: 'chosen', matched: null })),
)
const insertTextTheme = new PreparedQuery<{ response_id: number; theme_id: number; matched: string }>((db, arg) =>
  db
    .insertInto('response_themes')
    .values({ response_id: arg('response_id'), theme_id: arg('theme_id'), source: 'text', matched: arg('matched') })
    .onConflict((oc) => oc.columns(['response_id', 'theme_id']).doNothing()),
)

/** The answer as the rollups count it before the amendment, and its themes with their source; undefined when it is not this poster's. */
async function amendedAnswer(trx: Kysely<Database>, responseId: number, posterId: number) {
  const { rows } = await selectAnswer.execute(trx, { id: responseId, poster_id: posterId })
  const row = rows[0]
  if (row === undefined) return undefined
  const themes = (await selectThemes.execute(trx, { response_id: responseId })).rows
  return { state: { ...row, themeIds: themes.map((theme) => theme.theme_id) } satisfies RollupState, themes }
}

/**
 * Retention: erases the free text of a region's answers given at or before `before` (ISO).
 * The answer itself (the tap, the faces, the themes) stays, so no rollup moves. Returns how
 * many texts were erased. A moderator's redacted copy is followup's row: the caller erases
 * it in the same transaction.
 */
export async function eraseFreeTexts(trx: Kysely<Database>, regionId: number, before: string): Promise<number> {
  const erased = await trx
    .updateTable('responses')
    .set({ free_text: null })
    .where('region_id', '=', regionId)
    .where('free_text', 'is not', null)
    .where('created_at', '<=', before)
    .executeTakeFirst()
  return Number(erased.numUpdatedRows)
}
