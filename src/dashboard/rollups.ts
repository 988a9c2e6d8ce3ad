import { CompiledQuery, type Kysely, sql } from 'kysely'
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

export type RollupTable =
  | 'rollup_region_days'
  | 'rollup_poster_days'
  | 'rollup_poster_months'
  | 'rollup_poster_years'
  | 'rollup_region_theme_days'
  | 'rollup_region_theme_months'
  | 'rollup_poster_theme_days'
  | 'rollup_poster_theme_months'

export const rollupTables: readonly RollupTable[] = [
  'rollup_region_days',
  'rollup_poster_days',
  'rollup_poster_months',
  'rollup_poster_years',
  'rollup_region_theme_days',
  'rollup_region_theme_months',
  'rollup_poster_theme_days',
  'rollup_poster_theme_months',
]

interface TableShape {
  keys: readonly string[]
  counters: readonly string[]
  /** Carries the poster's partner, location, activity and audience. */
  poster: boolean
}

const posterKeys = ['poster_id', 'age_band'] as const
const shapes: Record<RollupTable, TableShape> = {
  rollup_region_days: { keys: ['region_id', 'day'], counters: measureNames, poster: false },
  rollup_poster_days: { keys: ['region_id', 'day', ...posterKeys], counters: measureNames, poster: true },
  rollup_poster_months: { keys: ['region_id', 'month', ...posterKeys], counters: measureNames, poster: true },
  rollup_poster_years: { keys: ['region_id', 'year', ...posterKeys], counters: measureNames, poster: true },
  rollup_region_theme_days: { keys: ['region_id', 'day', 'theme_id'], counters: ['responses'], poster: false },
  rollup_region_theme_months: { keys: ['region_id', 'month', 'theme_id'], counters: ['responses'], poster: false },
  rollup_poster_theme_days: { keys: ['region_id', 'day', ...posterKeys, 'theme_id'], counters: ['responses'], poster: true },
  rollup_poster_theme_months: { keys: ['region_id', 'month', ...posterKeys, 'theme_id'], counters: ['responses'], poster: true },
}

type Row = Record<string, number | string>

/** The change one or more responses make to each rollup table, keyed by row. */
export class RollupAccumulator {
  readonly rows = new Map<RollupTable, Map<string, Row>>(rollupTables.map((table) => [table, new Map()]))

  size(table: RollupTable): number {
    return this.rows.get(table)!.size
  }

  private bump(table: RollupTable, values: Row, delta: Record<string, number>): void {
    const shape = shapes[table]
    const key = shape.keys.map((column) => values[column]).join('|')
    const rows = this.rows.get(table)!
    let row = rows.get(key)
    if (!row) {
      row = {}
      for (const column of shape.keys) row[column] = values[column]!
      if (shape.poster) {
        row.partner_id = values.partner_id!
        row.location_id = values.location_id!
        row.activity_id = values.activity_id!
      }
      for (const counter of shape.counters) row[counter] = 0
      rows.set(key, row)
    }
    for (const counter of shape.counters) (row[counter] as number) += delta[counter] ?? 0
  }

  add(state: RollupState, sign = 1): void {
    const day = brusselsDay(state.created_at)
    const values: Row = {
      region_id: state.region_id,
      day,
      month: day.slice(0, 7),
      year: day.slice(0, 4),
      poster_id: state.poster_id,
      age_band: state.age_band ?? '',
      partner_id: state.partner_id,
      location_id: state.location_id,
      activity_id: state.activity_id,
    }
    const delta = measuresOf(state, sign) as unknown as Record<string, number>
    this.bump('rollup_region_days', values, delta)
    this.bump('rollup_poster_days', values, delta)
    this.bump('rollup_poster_months', values, delta)
    this.bump('rollup_poster_years', values, delta)
    const one = { responses: sign }
    for (const themeId of new Set(state.themeIds ?? [])) {
      const withTheme = { ...values, theme_id: themeId }
      this.bump('rollup_region_theme_days', withTheme, one)
      this.bump('rollup_region_theme_months', withTheme, one)
      this.bump('rollup_poster_theme_days', withTheme, one)
      this.bump('rollup_poster_theme_months', withTheme, one)
    }
  }

  /** Adds each non-zero change to the rollup tables (one upsert per changed row). */
  async applyTo(db: Kysely<Database>): Promise<void> {
    for (const table of rollupTables) {
      const shape = shapes[table]
      for (const row of this.rows.get(table)!.values()) {
        if (shape.counters.every((counter) => row[counter] === 0)) continue
        await upsert(db, table, row)
      }
    }
  }

  /**
   * Writes the accumulated rows as new rows, many per statement (rebuild and seed, on
   * empty rollups). `audiences` maps activity id → audience.
   */
  async insertInto(db: Kysely<Database>, audiences: ReadonlyMap<number, Audience>, chunk = 800): Promise<void> {
    for (const table of rollupTables) {
      const shape = shapes[table]
      const rows = [...this.rows.get(table)!.values()].map((row) =>
        shape.poster ? { ...row, audience: audiences.get(row.activity_id as number) ?? 'all' } : row,
      )
      for (let start = 0; start < rows.length; start += chunk) {
        await db.insertInto(table).values(rows.slice(start, start + chunk) as never).execute()
      }
    }
  }
}

/** A row's values in the order the upsert statement binds them. */
function orderedValues(shape: TableShape, row: Row): unknown[] {
  const values: unknown[] = shape.keys.map((column) => row[column])
  if (shape.poster) values.push(row.partner_id, row.location_id, row.activity_id)
  for (const counter of shape.counters) values.push(row[counter])
  if (shape.poster) values.push(row.activity_id) // the audience subquery's parameter
  return values
}

// Upserts run on the answer path, several per answer: building and compiling the Kysely
// query each time costs more than running it. The statement is the same for every row of
// a table (only the bound values differ), so it is compiled once per dialect and table.
const compiledUpserts = new Map<string, string>()

async function upsert(db: Kysely<Database>, table: RollupTable, row: Row): Promise<void> {
  const shape = shapes[table]
  const cacheKey = `${db.getExecutor().adapter.constructor.name}:${table}`
  const parameters = orderedValues(shape, row)
  const cached = compiledUpserts.get(cacheKey)
  if (cached !== undefined) {
    await db.executeQuery(CompiledQuery.raw(cached, parameters))
    return
  }
  const values: Record<string, unknown> = {}
  for (const column of shape.keys) values[column] = row[column]
  if (shape.poster) Object.assign(values, { partner_id: row.partner_id, location_id: row.location_id, activity_id: row.activity_id })
  for (const counter of shape.counters) values[counter] = row[counter]
  if (shape.poster) values.audience = audienceOf(row.activity_id as number)
  const compiled = db
    .insertInto(table)
    .values(values as never)
    .onConflict((oc) => oc.columns(shape.keys as never).doUpdateSet(increments(table, shape.counters)))
    .compile()
  // Only reuse the text when its parameters are exactly the ones we would bind.
  if (JSON.stringify(compiled.parameters) === JSON.stringify(parameters)) compiledUpserts.set(cacheKey, compiled.sql)
  await db.executeQuery(compiled)
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
 * Step 1 of several answers in one transaction (the answer writer's group commit):
 * answers at the same poster on the same day become one upsert per table.
 */
export async function applyStepOneBatch(trx: Kysely<Database>, responses: readonly RollupState[]): Promise<void> {
  const change = new RollupAccumulator()
  for (const response of responses) change.add({ ...response, step: response.step ?? 1, themeIds: response.themeIds ?? [] })
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
    for (const table of rollupTables) {
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

/**
 * After migration 004 lands on a database that already has answers, its rollups start
 * empty: fill them once from the responses. Cheap to call at every start (two tiny reads).
 */
export async function ensureRollups(db: Kysely<Database>): Promise<boolean> {
  const rollup = await db.selectFrom('rollup_region_days').select('region_id').limit(1).executeTakeFirst()
  if (rollup) return false
  const response = await db.selectFrom('responses').select('id').limit(1).executeTakeFirst()
  if (!response) return false
  await rebuildRollups(db)
  return true
}
