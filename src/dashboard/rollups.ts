import { type Kysely, sql } from 'kysely'
import type { AgeBand, Audience, Database, RollupMeasures, TriedNew } from '../db/types.ts'

/**
 * Keeps the dashboard rollups (migrations/004_rollups.ts) in step with the answers.
 *
 * The capture code calls `applyStepOne` in the transaction that inserts a response and
 * `applyStepTwo` in the one that amends it, so a committed answer is always counted and
 * a rolled-back one never is. `rebuildRollups` recomputes everything from the responses
 * (existing data, repairs) with the same arithmetic (`RollupAccumulator`).
 */

/** What the rollups need to know about one response at one moment. */
export interface RollupState {
  region_id: number
  poster_id: number
  partner_id: number
  location_id: number
  activity_id: number
  created_at: string
  tried_new: TriedNew
  liked?: number | null
  age_band?: AgeBand | null
  step?: number
  /** Every theme attached to the response (chosen, from text or corrected), each once. */
  themeIds?: readonly number[]
}

export const measureNames = ['responses', 'tried_yes', 'tried_a_bit', 'tried_no', 'liked_sum', 'liked_count', 'step2'] as const satisfies readonly (keyof RollupMeasures)[]

const brusselsDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' })
const dayByUtcHour = new Map<string, string>()

/**
 * The local day in Belgium of an ISO UTC timestamp. Daylight-saving changes happen on a
 * whole UTC hour, so the answer depends only on the UTC hour and is kept per hour: the
 * rebuild and the seed call this a million times.
 */
export function brusselsDay(iso: string): string {
  const hour = iso.slice(0, 13)
  let day = dayByUtcHour.get(hour)
  if (day === undefined) {
    day = brusselsDate.format(new Date(`${hour}:00:00Z`))
    if (dayByUtcHour.size > 100_000) dayByUtcHour.clear()
    dayByUtcHour.set(hour, day)
  }
  return day
}

function measuresOf(state: RollupState, sign: number): RollupMeasures {
  const liked = state.liked ?? null
  return {
    responses: sign,
    tried_yes: state.tried_new === 'yes' ? sign : 0,
    tried_a_bit: state.tried_new === 'a_bit' ? sign : 0,
    tried_no: state.tried_new === 'no' ? sign : 0,
    liked_sum: liked === null ? 0 : sign * liked,
    liked_count: liked === null ? 0 : sign,
    step2: (state.step ?? 1) >= 2 ? sign : 0,
  }
}

function addMeasures(into: RollupMeasures, delta: RollupMeasures): void {
  for (const name of measureNames) into[name] += delta[name]
}

function isZero(measures: RollupMeasures): boolean {
  return measureNames.every((name) => measures[name] === 0)
}

interface PosterKey {
  region_id: number
  day: string
  poster_id: number
  age_band: AgeBand | ''
  partner_id: number
  location_id: number
  activity_id: number
}

/** The change one or more responses make to each rollup table, keyed by row. */
export class RollupAccumulator {
  readonly regionDays = new Map<string, { region_id: number; day: string } & RollupMeasures>()
  readonly posterDays = new Map<string, PosterKey & RollupMeasures>()
  readonly regionThemeDays = new Map<string, { region_id: number; day: string; theme_id: number; responses: number }>()
  readonly posterThemeDays = new Map<string, PosterKey & { theme_id: number; responses: number }>()

  add(state: RollupState, sign = 1): void {
    const day = brusselsDay(state.created_at)
    const band = state.age_band ?? ''
    const delta = measuresOf(state, sign)

    const regionKey = `${state.region_id}|${day}`
    let region = this.regionDays.get(regionKey)
    if (!region) this.regionDays.set(regionKey, (region = { region_id: state.region_id, day, ...measuresOf(state, 0) }))
    addMeasures(region, delta)

    const poster: PosterKey = {
      region_id: state.region_id,
      day,
      poster_id: state.poster_id,
      age_band: band,
      partner_id: state.partner_id,
      location_id: state.location_id,
      activity_id: state.activity_id,
    }
    const posterKey = `${regionKey}|${state.poster_id}|${band}`
    let posterRow = this.posterDays.get(posterKey)
    if (!posterRow) this.posterDays.set(posterKey, (posterRow = { ...poster, ...measuresOf(state, 0) }))
    addMeasures(posterRow, delta)

    for (const themeId of new Set(state.themeIds ?? [])) {
      const themeKey = `${regionKey}|${themeId}`
      const theme = this.regionThemeDays.get(themeKey) ?? { region_id: state.region_id, day, theme_id: themeId, responses: 0 }
      theme.responses += sign
      this.regionThemeDays.set(themeKey, theme)
      const posterThemeKey = `${posterKey}|${themeId}`
      const posterTheme = this.posterThemeDays.get(posterThemeKey) ?? { ...poster, theme_id: themeId, responses: 0 }
      posterTheme.responses += sign
      this.posterThemeDays.set(posterThemeKey, posterTheme)
    }
  }

  /** Adds each non-zero change to the rollup tables (one upsert per changed row). */
  async applyTo(db: Kysely<Database>): Promise<void> {
    for (const row of this.regionDays.values()) {
      if (isZero(row)) continue
      await db
        .insertInto('rollup_region_days')
        .values(row)
        .onConflict((oc) => oc.columns(['region_id', 'day']).doUpdateSet(increments('rollup_region_days', measureNames)))
        .execute()
    }
    for (const row of this.posterDays.values()) {
      if (isZero(row)) continue
      await db
        .insertInto('rollup_poster_days')
        .values({ ...row, audience: audienceOf(row.activity_id) })
        .onConflict((oc) => oc.columns(['region_id', 'day', 'poster_id', 'age_band']).doUpdateSet(increments('rollup_poster_days', measureNames)))
        .execute()
    }
    for (const row of this.regionThemeDays.values()) {
      if (row.responses === 0) continue
      await db
        .insertInto('rollup_region_theme_days')
        .values(row)
        .onConflict((oc) => oc.columns(['region_id', 'day', 'theme_id']).doUpdateSet(increments('rollup_region_theme_days', ['responses'])))
        .execute()
    }
    for (const row of this.posterThemeDays.values()) {
      if (row.responses === 0) continue
      await db
        .insertInto('rollup_poster_theme_days')
        .values({ ...row, audience: audienceOf(row.activity_id) })
        .onConflict((oc) =>
          oc.columns(['region_id', 'day', 'poster_id', 'age_band', 'theme_id']).doUpdateSet(increments('rollup_poster_theme_days', ['responses'])),
        )
        .execute()
    }
  }

  /**
   * Writes the accumulated rows as new rows, many per statement (rebuild and seed, on
   * empty rollups). `audiences` maps activity id → audience.
   */
  async insertInto(db: Kysely<Database>, audiences: ReadonlyMap<number, Audience>, chunk = 800): Promise<void> {
    const audience = (activityId: number) => audiences.get(activityId) ?? 'all'
    await insertChunks(db, 'rollup_region_days', [...this.regionDays.values()], chunk)
    await insertChunks(db, 'rollup_poster_days', [...this.posterDays.values()].map((row) => ({ ...row, audience: audience(row.activity_id) })), chunk)
    await insertChunks(db, 'rollup_region_theme_days', [...this.regionThemeDays.values()], chunk)
    await insertChunks(db, 'rollup_poster_theme_days', [...this.posterThemeDays.values()].map((row) => ({ ...row, audience: audience(row.activity_id) })), chunk)
  }
}

type RollupTable = 'rollup_region_days' | 'rollup_poster_days' | 'rollup_region_theme_days' | 'rollup_poster_theme_days'

async function insertChunks(db: Kysely<Database>, table: RollupTable, rows: object[], chunk: number): Promise<void> {
  for (let start = 0; start < rows.length; start += chunk) {
    await db.insertInto(table).values(rows.slice(start, start + chunk) as never).execute()
  }
}

/**
 * `col = table.col + excluded.col` for each counter: the same statement adds a delta
 * (also a negative one) on SQLite and PostgreSQL. The target column is qualified with
 * the table name because PostgreSQL finds a bare name ambiguous here.
 */
function increments(table: RollupTable, columns: readonly string[]) {
  return Object.fromEntries(columns.map((column) => [column, sql`${sql.ref(`${table}.${column}`)} + ${sql.ref(`excluded.${column}`)}`])) as never
}

/** The activity's audience, read inside the same statement so the hot path makes no extra round trip. */
function audienceOf(activityId: number) {
  return sql<Audience>`(select audience from activities where id = ${activityId})`
}

/**
 * Step 1 of an answer: one more response for its region, day and poster. Call it with
 * the values inserted into `responses`, in the same transaction.
 */
export async function applyStepOne(trx: Kysely<Database>, response: RollupState): Promise<void> {
  const change = new RollupAccumulator()
  change.add({ ...response, step: response.step ?? 1, themeIds: response.themeIds ?? [] })
  await change.applyTo(trx)
}

/**
 * Step 2 (or a coordinator's correction): moves the response from what it counted as
 * before to what it counts as now — its age band may have changed the row it lives in,
 * and themes may have come or gone. Only rows whose counts change are written.
 */
export async function applyStepTwo(trx: Kysely<Database>, before: RollupState, after: RollupState): Promise<void> {
  const change = new RollupAccumulator()
  change.add(before, -1)
  change.add(after, 1)
  await change.applyTo(trx)
}

/**
 * The state of a stored response as the rollups see it, read inside the caller's
 * transaction (before and after an amendment). Undefined when there is no such response.
 */
export async function readRollupState(trx: Kysely<Database>, responseId: number): Promise<RollupState | undefined> {
  const response = await trx
    .selectFrom('responses')
    .select(['region_id', 'poster_id', 'partner_id', 'location_id', 'activity_id', 'created_at', 'tried_new', 'liked', 'age_band', 'step'])
    .where('id', '=', responseId)
    .executeTakeFirst()
  if (!response) return undefined
  const themes = await trx.selectFrom('response_themes').select('theme_id').where('response_id', '=', responseId).execute()
  return { ...response, themeIds: themes.map((row) => row.theme_id) }
}

/**
 * Recomputes the rollups of one region (or all) from the stored responses, in one
 * transaction: for existing data when the rollups are introduced, and to repair them.
 * Responses are read in pages by id, so memory holds the rollup rows, not the answers.
 */
export async function rebuildRollups(db: Kysely<Database>, regionId?: number, pageSize = 20_000): Promise<{ responses: number }> {
  return db.transaction().execute(async (trx) => {
    for (const table of ['rollup_region_days', 'rollup_poster_days', 'rollup_region_theme_days', 'rollup_poster_theme_days'] as const) {
      let remove = trx.deleteFrom(table)
      if (regionId !== undefined) remove = remove.where('region_id', '=', regionId)
      await remove.execute()
    }
    let activities = trx.selectFrom('activities').select(['id', 'audience'])
    if (regionId !== undefined) activities = activities.where('region_id', '=', regionId)
    const audiences = new Map((await activities.execute()).map((row) => [row.id, row.audience]))

    const accumulator = new RollupAccumulator()
    let afterId = 0
    let count = 0
    for (;;) {
      let page = trx
        .selectFrom('responses')
        .select(['id', 'region_id', 'poster_id', 'partner_id', 'location_id', 'activity_id', 'created_at', 'tried_new', 'liked', 'age_band', 'step'])
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(pageSize)
      if (regionId !== undefined) page = page.where('region_id', '=', regionId)
      const rows = await page.execute()
      if (rows.length === 0) break
      const lastId = rows[rows.length - 1]!.id
      const themes = await trx
        .selectFrom('response_themes')
        .select(['response_id', 'theme_id'])
        .where('response_id', '>', afterId)
        .where('response_id', '<=', lastId)
        .execute()
      const themesOf = new Map<number, number[]>()
      for (const theme of themes) {
        const list = themesOf.get(theme.response_id)
        if (list) list.push(theme.theme_id)
        else themesOf.set(theme.response_id, [theme.theme_id])
      }
      for (const row of rows) accumulator.add({ ...row, themeIds: themesOf.get(row.id) ?? [] })
      count += rows.length
      afterId = lastId
    }
    await accumulator.insertInto(trx, audiences)
    return { responses: count }
  })
}
