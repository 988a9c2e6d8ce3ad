import type { Kysely } from 'kysely'
import { createActivity, createLocation, createPartner, createRegion } from '../../src/admin/queries.ts'
import type { AgeBand, Audience, Database, TriedNew } from '../../src/db/types.ts'
import { applyStepOne, applyStepTwo, countersOf, newRecordKey, readRollupState, rollupTables } from '../../src/answers/index.ts'
import { createPoster } from '../../src/posters/queries.ts'

/**
 * A small region to test dashboards on: two partners, three locations, three activities,
 * and answers stored the way the citizen form stores them (insert + applyStepOne in one
 * transaction, amend + applyStepTwo in another).
 */

export interface World {
  regionId: number
  partners: { a: number; b: number }
  locations: number[]
  activities: { id: number; partnerId: number; audience: Audience }[]
  posters: { id: number; partnerId: number; locationId: number; activityId: number }[]
  themes: { id: number; slug: string }[]
}

let counter = 0

export async function buildWorld(db: Kysely<Database>, options: { k?: number } = {}): Promise<World> {
  const n = ++counter
  const regionId = await createRegion(db, { slug: `dash-${n}-${Math.random().toString(36).slice(2, 8)}`, name: `Regio Dashboard ${n}` })
  if (options.k !== undefined) await db.updateTable('regions').set({ min_cell_size: options.k }).where('id', '=', regionId).execute()
  const a = await createPartner(db, regionId, 'Bibliotheek Hasselt', 'library')
  const b = await createPartner(db, regionId, 'CVO Limburg', 'adult_education')
  const locations = [
    await createLocation(db, regionId, { name: 'Bib Hasselt' }),
    await createLocation(db, regionId, { name: 'Buurthuis Genk' }),
    await createLocation(db, regionId, { name: 'Campus Tongeren' }),
  ]
  const activities = [
    { id: await createActivity(db, { partnerId: a, title: 'Repair Café', audience: 'all' }), partnerId: a, audience: 'all' as const },
    { id: await createActivity(db, { partnerId: a, title: 'Codeclub', audience: 'children' }), partnerId: a, audience: 'children' as const },
    { id: await createActivity(db, { partnerId: b, title: 'Kookworkshop', audience: 'adults' }), partnerId: b, audience: 'adults' as const },
  ]
  const pairs: [number, number][] = [
    [0, 0],
    [0, 1],
    [1, 0],
    [2, 2],
  ]
  const posters = []
  for (const [activityIndex, locationIndex] of pairs) {
    const activity = activities[activityIndex]!
    const poster = await createPoster(db, { activityId: activity.id, locationId: locations[locationIndex]! })
    posters.push({ id: poster.id, partnerId: activity.partnerId, locationId: locations[locationIndex]!, activityId: activity.id })
  }
  const themes = await db.selectFrom('themes').select(['id', 'slug']).where('region_id', '=', regionId).orderBy('position').execute()
  return { regionId, partners: { a, b }, locations, activities, posters, themes }
}

export interface Answer {
  poster: World['posters'][number]
  createdAt: string
  triedNew: TriedNew
  step2?: { liked?: number | null; ageBand?: AgeBand | null; themeIds?: number[]; freeText?: string | null }
  /** Fixed for a test that needs it; otherwise drawn as the answer writer does. */
  recordKey?: number
}

/** Stores one answer as the capture code does, rollups included. Returns the response id. */
export async function storeAnswer(db: Kysely<Database>, world: World, answer: Answer): Promise<number> {
  const values = {
    poster_id: answer.poster.id,
    region_id: world.regionId,
    partner_id: answer.poster.partnerId,
    location_id: answer.poster.locationId,
    activity_id: answer.poster.activityId,
    created_at: answer.createdAt,
    language: 'nl',
    tried_new: answer.triedNew,
    step: 1,
    record_key: answer.recordKey ?? newRecordKey(),
  }
  const id = await db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('responses').values(values).returning('id').executeTakeFirstOrThrow()
    await applyStepOne(trx, values)
    return row.id
  })
  if (answer.step2) await amend(db, id, answer.step2)
  return id
}

/** Step 2 (or a later change of mind) as the capture code does it. */
export async function amend(db: Kysely<Database>, id: number, step2: NonNullable<Answer['step2']>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = (await readRollupState(trx, id))!
    await trx
      .updateTable('responses')
      .set({ liked: step2.liked ?? null, age_band: step2.ageBand ?? null, free_text: step2.freeText ?? null, step: 2, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
    await trx.deleteFrom('response_themes').where('response_id', '=', id).execute()
    if (step2.themeIds && step2.themeIds.length > 0) {
      await trx
        .insertInto('response_themes')
        .values(step2.themeIds.map((themeId) => ({ response_id: id, theme_id: themeId, source: 'chosen' as const, matched: null })))
        .execute()
    }
    const after = (await readRollupState(trx, id))!
    await applyStepTwo(trx, before, after)
  })
}

/** A deterministic pseudo-random sequence (mulberry32), so data sets are the same on every run. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Every rollup row (counts, per-face counts and key sums), sorted, as plain numbers (PostgreSQL and SQLite alike). */
export async function rollupSnapshot(db: Kysely<Database>, regionId: number) {
  const clean = (rows: Record<string, unknown>[], counters: readonly string[]) =>
    rows
      .map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'string' && !/^(day|month|year|age_band|audience)$/.test(key) ? Number(value) : value])))
      // A row whose every counter went back to 0 is the same as no row.
      .filter((row) => counters.some((key) => Number(row[key]) !== 0))
      .map((row) => JSON.stringify(row))
      .sort()
  const snapshot: Record<string, string[]> = {}
  for (const table of rollupTables) snapshot[table] = clean(await db.selectFrom(table).selectAll().where('region_id', '=', regionId).execute(), countersOf(table))
  return snapshot
}
