import { CompiledQuery, type Kysely, sql } from 'kysely'
import type { AgeBand, Audience, Database, RollupFaceCounts, RollupKeySums, RollupMeasures, TriedNew } from '../db/types.ts'
import { brusselsDay } from './calendar.ts'

/**
 * Keeps the dashboard rollups (migrations/004_rollups.ts) in step with the answers.
 *
 * The answer writes (responses.ts, response-writer.ts) call `applyStepOne` in the
 * transaction that inserts a response and `applyStepTwo` in the one that amends it (a theme
 * correction does the same), so a committed answer is always counted and a rolled-back one
 * never is. The dashboard only reads these tables. `rebuildRollups` recomputes everything from the responses
 * (existing data, repairs) with the same arithmetic (`RollupAccumulator`).
 *
 * Every count has its key sum next to it (`<count>_key`, migration 018): wherever a count
 * moves by ±1 for an answer, its key sum moves by ±the answer's record key, in the same
 * upsert. So a cell's key (the sum of its rows' key sums modulo 256, `cellKey`) always
 * belongs to exactly the answers the cell counts, after amendments and corrections too.
 */

/** What the rollups need to know about one response at one moment. */
export interface RollupState {
  region_id: number
  poster_id: number
  partner_id: number
  location_id: number
  activity_id: number
  created_at: string
  /** The answer's record key (0…255), set when it was stored. */
  record_key: number
  tried_new: TriedNew
  liked?: number | null
  age_band?: AgeBand | null
  /** 1: recorded by a staff member on the person's behalf (an assisted answer); a key of the poster grain. */
  assisted?: number
  step?: number
  /** Every theme attached to the response (chosen, from text or corrected), each once. */
  themeIds?: readonly number[]
}

/** The counters the dashboard reads today. */
export const measureNames = ['responses', 'tried_yes', 'tried_a_bit', 'tried_no', 'liked_sum', 'liked_count', 'step2'] as const satisfies readonly (keyof RollupMeasures)[]

/** How many answers gave each face (1…5). */
export const faceNames = ['liked_1', 'liked_2', 'liked_3', 'liked_4', 'liked_5'] as const satisfies readonly (keyof RollupFaceCounts)[]

/** The key sum of each count, named `<count>_key`. */
export const keySumNames = [
  'responses_key',
  'tried_yes_key',
  'tried_a_bit_key',
  'tried_no_key',
  'liked_count_key',
  'step2_key',
  'liked_1_key',
  'liked_2_key',
  'liked_3_key',
  'liked_4_key',
  'liked_5_key',
] as const satisfies readonly (keyof RollupKeySums)[]

/** Every counter of the region and poster grains. */
const answerCounters = [...measureNames, ...faceNames, ...keySumNames] as const satisfies readonly (keyof (RollupMeasures & RollupFaceCounts & RollupKeySums))[]

const triedColumns: Record<TriedNew, readonly [count: string, keySum: string]> = {
  yes: ['tried_yes', 'tried_yes_key'],
  a_bit: ['tried_a_bit', 'tried_a_bit_key'],
  no: ['tried_no', 'tried_no_key'],
}
const faceColumns = faceNames.map((face) => [face, `${face}_key`] as const)

/**
 * What one answer adds to (sign 1) or takes from (sign −1) its rows: each count it is in
 * moves by sign and that count's key sum by sign × its record key. Counters it is not in
 * are left out (the answer path runs this for every answer; most counters stay 0).
 */
function changesOf(state: RollupState, sign: number): [string, number][] {
  const key = sign * state.record_key
  const liked = state.liked ?? null
  const [tried, triedKey] = triedColumns[state.tried_new]
  const changes: [string, number][] = [
    ['responses', sign],
    ['responses_key', key],
    [tried, sign],
    [triedKey, key],
  ]
  if (liked !== null) {
    changes.push(['liked_sum', sign * liked], ['liked_count', sign], ['liked_count_key', key])
    const face = faceColumns[liked - 1]
    if (face) changes.push([face[0], sign], [face[1], key])
  }
  if ((state.step ?? 1) >= 2) changes.push(['step2', sign], ['step2_key', key])
  return changes
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
  /**
   * The counters a step-1 answer can move (a new answer has no face, no step 2). Its upsert
   * names only these, so the per-face counts and key sums cost the hot path two bound
   * values per row instead of sixteen; the others keep their default or stored value.
   */
  stepOne: readonly string[]
  /** Carries the poster's partner, location, activity and audience. */
  poster: boolean
}

const posterKeys = ['poster_id', 'age_band', 'assisted'] as const
const themeCounters = ['responses', 'responses_key'] as const
const stepOneCounters = ['responses', 'responses_key', 'tried_yes', 'tried_yes_key', 'tried_a_bit', 'tried_a_bit_key', 'tried_no', 'tried_no_key'] as const
const answers = { counters: answerCounters, stepOne: stepOneCounters }
const themes = { counters: themeCounters, stepOne: themeCounters }
const shapes: Record<RollupTable, TableShape> = {
  rollup_region_days: { keys: ['region_id', 'day'], ...answers, poster: false },
  rollup_poster_days: { keys: ['region_id', 'day', ...posterKeys], ...answers, poster: true },
  rollup_poster_months: { keys: ['region_id', 'month', ...posterKeys], ...answers, poster: true },
  rollup_poster_years: { keys: ['region_id', 'year', ...posterKeys], ...answers, poster: true },
  rollup_region_theme_days: { keys: ['region_id', 'day', 'theme_id'], ...themes, poster: false },
  rollup_region_theme_months: { keys: ['region_id', 'month', 'theme_id'], ...themes, poster: false },
  rollup_poster_theme_days: { keys: ['region_id', 'day', ...posterKeys, 'theme_id'], ...themes, poster: true },
  rollup_poster_theme_months: { keys: ['region_id', 'month', ...posterKeys, 'theme_id'], ...themes, poster: true },
}

/** The counters of each rollup table, key sums included (for tests, repairs and the read side). */
export function countersOf(table: RollupTable): readonly string[] {
  return shapes[table].counters
}

type Row = Record<string, number | string>

/** The change one or more responses make to each rollup table, keyed by row. */
export class RollupAccumulator {
  readonly rows = new Map<RollupTable, Map<string, Row>>(rollupTables.map((table) => [table, new Map()]))

  size(table: RollupTable): number {
    return this.rows.get(table)!.size
  }

  /**
   * `key` names the row within its table (its key columns joined), made by `add` from parts
   * it builds once per answer; `delta` lists only the counters that move (changesOf). This
   * runs eight to sixteen times per amendment, so it makes no intermediate objects.
   */
  private bump(table: RollupTable, key: string, values: Row, themeId: number | undefined, delta: readonly (readonly [string, number])[]): void {
    const shape = shapes[table]
    const rows = this.rows.get(table)!
    let row = rows.get(key)
    if (!row) {
      row = {}
      for (const column of shape.keys) row[column] = column === 'theme_id' ? themeId! : values[column]!
      if (shape.poster) {
        row.partner_id = values.partner_id!
        row.location_id = values.location_id!
        row.activity_id = values.activity_id!
      }
      rows.set(key, row)
    }
    // Counters start absent (read as 0): a fresh row per answer is the common case on the
    // answer path, and most of its 23 counters never move.
    for (const [counter, change] of delta) row[counter] = ((row[counter] as number | undefined) ?? 0) + change
  }

  add(state: RollupState, sign = 1): void {
    const day = brusselsDay(state.created_at)
    const month = day.slice(0, 7)
    const year = day.slice(0, 4)
    const ageBand = state.age_band ?? ''
    const assisted = state.assisted ?? 0
    const values: Row = {
      region_id: state.region_id,
      day,
      month,
      year,
      poster_id: state.poster_id,
      age_band: ageBand,
      assisted,
      partner_id: state.partner_id,
      location_id: state.location_id,
      activity_id: state.activity_id,
    }
    // Each table's row key, in the order of its key columns (shapes).
    const region = `${state.region_id}|`
    const poster = `|${state.poster_id}|${ageBand}|${assisted}`
    const keys = { regionDay: region + day, posterDay: region + day + poster, posterMonth: region + month + poster, posterYear: region + year + poster }
    const delta = changesOf(state, sign)
    this.bump('rollup_region_days', keys.regionDay, values, undefined, delta)
    this.bump('rollup_poster_days', keys.posterDay, values, undefined, delta)
    this.bump('rollup_poster_months', keys.posterMonth, values, undefined, delta)
    this.bump('rollup_poster_years', keys.posterYear, values, undefined, delta)
    const themeIds = state.themeIds ?? []
    if (themeIds.length === 0) return
    const one = [
      ['responses', sign],
      ['responses_key', sign * state.record_key],
    ] as const
    const regionMonth = region + month
    for (const themeId of new Set(themeIds)) {
      const theme = `|${themeId}`
      this.bump('rollup_region_theme_days', keys.regionDay + theme, values, themeId, one)
      this.bump('rollup_region_theme_months', regionMonth + theme, values, themeId, one)
      this.bump('rollup_poster_theme_days', keys.posterDay + theme, values, themeId, one)
      this.bump('rollup_poster_theme_months', keys.posterMonth + theme, values, themeId, one)
    }
  }

  /** Adds each non-zero change to the rollup tables (one upsert per changed row). */
  async applyTo(db: Kysely<Database>): Promise<void> {
    for (const table of rollupTables) {
      const shape = shapes[table]
      for (const row of this.rows.get(table)!.values()) {
        const moved = shape.counters.filter((counter) => (row[counter] ?? 0) !== 0)
        if (moved.length === 0) continue
        const stepOne = moved.every((counter) => shape.stepOne.includes(counter))
        await upsert(db, table, row, stepOne ? shape.stepOne : shape.counters)
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
      const zeros = Object.fromEntries(shape.counters.map((counter) => [counter, 0]))
      const rows = [...this.rows.get(table)!.values()].map((row) =>
        shape.poster ? { ...zeros, ...row, audience: audiences.get(row.activity_id as number) ?? 'all' } : { ...zeros, ...row },
      )
      for (let start = 0; start < rows.length; start += chunk) {
        await db.insertInto(table).values(rows.slice(start, start + chunk) as never).execute()
      }
    }
  }
}

/** A row's values in the order the upsert statement binds them. */
function orderedValues(shape: TableShape, counters: readonly string[], row: Row): unknown[] {
  const values: unknown[] = shape.keys.map((column) => row[column])
  if (shape.poster) values.push(row.partner_id, row.location_id, row.activity_id)
  for (const counter of counters) values.push(row[counter] ?? 0)
  if (shape.poster) values.push(row.activity_id) // the audience subquery's parameter
  return values
}

// Upserts run on the answer path, several per answer: building and compiling the Kysely
// query each time costs more than running it. The statement is the same for every row of
// a table and set of counters (only the bound values differ), so it is compiled once per
// dialect, table and set (all counters, or the step-1 ones).
const compiledUpserts = new Map<string, string>()

async function upsert(db: Kysely<Database>, table: RollupTable, row: Row, counters: readonly string[]): Promise<void> {
  const shape = shapes[table]
  const cacheKey = `${db.getExecutor().adapter.constructor.name}:${table}:${counters === shape.stepOne ? 'step1' : 'all'}`
  const parameters = orderedValues(shape, counters, row)
  const cached = compiledUpserts.get(cacheKey)
  if (cached !== undefined) {
    await db.executeQuery(CompiledQuery.raw(cached, parameters))
    return
  }
  const values: Record<string, unknown> = {}
  for (const column of shape.keys) values[column] = row[column]
  if (shape.poster) Object.assign(values, { partner_id: row.partner_id, location_id: row.location_id, activity_id: row.activity_id })
  for (const counter of counters) values[counter] = row[counter] ?? 0
  if (shape.poster) values.audience = audienceOf(row.activity_id as number)
  const compiled = db
    .insertInto(table)
    .values(values as never)
    .onConflict((oc) => oc.columns(shape.keys as never).doUpdateSet(increments(table, counters)))
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
    .select(['region_id', 'poster_id', 'partner_id', 'location_id', 'activity_id', 'created_at', 'record_key', 'tried_new', 'liked', 'age_band', 'assisted', 'step'])
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
        .select(['id', 'region_id', 'poster_id', 'partner_id', 'location_id', 'activity_id', 'created_at', 'record_key', 'tried_new', 'liked', 'age_band', 'assisted', 'step'])
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
 * empty: fill them once from the responses. Migration 018 (record keys) empties them on
 * purpose, so that this fills the per-face counts and key sums the same way. Cheap to call
 * at every start (two tiny reads).
 */
export async function ensureRollups(db: Kysely<Database>): Promise<boolean> {
  const rollup = await db.selectFrom('rollup_region_days').select('region_id').limit(1).executeTakeFirst()
  if (rollup) return false
  const response = await db.selectFrom('responses').select('id').limit(1).executeTakeFirst()
  if (!response) return false
  await rebuildRollups(db)
  return true
}
