import t, { type Test } from 'tap'
import type { Kysely } from 'kysely'
import { brusselsDay } from '../../src/answers/calendar.ts'
import { cellKey, KEY_RANGE } from '../../src/answers/cell-key.ts'
import { countersOf, ensureRollups, eraseFreeTexts, rebuildRollups, ResponseWriter, rollupTables, type RollupTable } from '../../src/answers/index.ts'
import { migrateToLatest, migrator } from '../../src/db/migrate.ts'
import type { Database } from '../../src/db/types.ts'
import { correctThemes } from '../../src/themes/corrections.ts'
import { makeUser } from '../auth/browser.ts'
import { amend, buildWorld, random, rollupSnapshot, storeAnswer, type World } from '../dashboard/world.ts'
import { testDatabase } from '../helpers.ts'

/**
 * Record keys and key sums (migration 018, src/answers/rollups.ts): every count in the
 * rollups has the sum of its answers' record keys next to it, and the two move together
 * through step 1, step 2, theme corrections, erasures and the migration itself. The
 * expected rows are recomputed here from the responses, independently of the rollup code.
 */

const counted = ['responses', 'tried_yes', 'tried_a_bit', 'tried_no', 'liked_count', 'step2', 'liked_1', 'liked_2', 'liked_3', 'liked_4', 'liked_5'] as const

/** The row a cell lives in, the same string for an expected and a stored row. */
function cellOf(row: Record<string, unknown>): string {
  return [row.region_id, row.day ?? row.month ?? row.year, row.poster_id ?? '', row.age_band ?? '', row.theme_id ?? ''].map(String).join('|')
}

type Expected = Record<RollupTable, Map<string, Record<string, number>>>

/** Every rollup row's counts and key sums, from the responses alone. */
async function recomputed(db: Kysely<Database>, regionId: number): Promise<Expected> {
  const responses = await db
    .selectFrom('responses')
    .select(['id', 'region_id', 'poster_id', 'created_at', 'record_key', 'tried_new', 'liked', 'age_band', 'step'])
    .where('region_id', '=', regionId)
    .execute()
  const links = await db
    .selectFrom('response_themes')
    .innerJoin('responses', 'responses.id', 'response_themes.response_id')
    .select(['response_themes.response_id', 'response_themes.theme_id'])
    .where('responses.region_id', '=', regionId)
    .execute()
  const expected = Object.fromEntries(rollupTables.map((table) => [table, new Map()])) as Expected
  const add = (table: RollupTable, cell: Record<string, unknown>, values: Record<string, number>) => {
    const rows = expected[table]
    const row = rows.get(cellOf(cell)) ?? Object.fromEntries(Object.keys(values).map((name) => [name, 0]))
    for (const [name, value] of Object.entries(values)) row[name]! += value
    rows.set(cellOf(cell), row)
  }
  for (const response of responses) {
    const day = brusselsDay(response.created_at)
    const liked = response.liked
    const isIn: Record<(typeof counted)[number], boolean> = {
      responses: true,
      tried_yes: response.tried_new === 'yes',
      tried_a_bit: response.tried_new === 'a_bit',
      tried_no: response.tried_new === 'no',
      liked_count: liked !== null,
      step2: response.step >= 2,
      liked_1: liked === 1,
      liked_2: liked === 2,
      liked_3: liked === 3,
      liked_4: liked === 4,
      liked_5: liked === 5,
    }
    const values: Record<string, number> = {}
    for (const name of counted) {
      values[name] = isIn[name] ? 1 : 0
      values[`${name}_key`] = isIn[name] ? response.record_key : 0
    }
    const region = { region_id: response.region_id }
    const poster = { ...region, poster_id: response.poster_id, age_band: response.age_band ?? '' }
    add('rollup_region_days', { ...region, day }, values)
    add('rollup_poster_days', { ...poster, day }, values)
    add('rollup_poster_months', { ...poster, month: day.slice(0, 7) }, values)
    add('rollup_poster_years', { ...poster, year: day.slice(0, 4) }, values)
    const one = { responses: 1, responses_key: response.record_key }
    for (const link of links.filter((l) => l.response_id === response.id)) {
      add('rollup_region_theme_days', { ...region, day, theme_id: link.theme_id }, one)
      add('rollup_region_theme_months', { ...region, month: day.slice(0, 7), theme_id: link.theme_id }, one)
      add('rollup_poster_theme_days', { ...poster, day, theme_id: link.theme_id }, one)
      add('rollup_poster_theme_months', { ...poster, month: day.slice(0, 7), theme_id: link.theme_id }, one)
    }
  }
  return expected
}

/** Stored rows in the same form: only the counted columns and their key sums, as numbers. */
async function stored(db: Kysely<Database>, regionId: number): Promise<Expected> {
  const actual = Object.fromEntries(rollupTables.map((table) => [table, new Map()])) as Expected
  for (const table of rollupTables) {
    const columns = countersOf(table).filter((name) => name !== 'liked_sum')
    for (const row of (await db.selectFrom(table).selectAll().where('region_id', '=', regionId).execute()) as Record<string, unknown>[]) {
      const values = Object.fromEntries(columns.map((name) => [name, Number(row[name])]))
      if (Object.values(values).some((value) => value !== 0)) actual[table].set(cellOf(row), values)
    }
  }
  return actual
}

async function assertConsistent(t: Test, db: Kysely<Database>, regionId: number, label: string) {
  const expected = await recomputed(db, regionId)
  const actual = await stored(db, regionId)
  for (const table of rollupTables) {
    const sort = (rows: Map<string, Record<string, number>>) => [...rows.entries()].sort(([a], [b]) => a.localeCompare(b))
    t.same(sort(actual[table]), sort(expected[table]), `${label}: ${table} holds the counts and key sums of its answers`)
  }
}

async function someAnswers(db: Kysely<Database>, world: World, count: number, seed: number): Promise<number[]> {
  const next = random(seed)
  const bands = ['under_12', '12_17', '18_24', '25_44', '45_64', '65_plus', null] as const
  const ids: number[] = []
  for (let i = 0; i < count; i++) {
    const poster = world.posters[Math.floor(next() * world.posters.length)]!
    const createdAt = new Date(Date.UTC(2026, 9, 20) + Math.floor(next() * 14 * 86_400_000)).toISOString()
    const triedNew = (['yes', 'a_bit', 'no'] as const)[Math.floor(next() * 3)]!
    const step2 =
      next() < 0.6
        ? {
            liked: next() < 0.8 ? 1 + Math.floor(next() * 5) : null,
            ageBand: bands[Math.floor(next() * bands.length)]!,
            themeIds: [...new Set([world.themes[Math.floor(next() * 5)]!.id, world.themes[Math.floor(next() * 5)]!.id])],
            freeText: next() < 0.5 ? `Ik wil leren ${i}` : null,
          }
        : undefined
    ids.push(await storeAnswer(db, world, { poster, createdAt, triedNew, step2 }))
  }
  return ids
}

t.test('key sums move with their counts through step 1, step 2, theme corrections and erasures', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const world = await buildWorld(db)
  const ids = await someAnswers(db, world, 120, 11)
  await assertConsistent(t, db, world.regionId, 'after step 1 and 2')

  // Changes of mind: another face, another age band (another poster row), other themes.
  await amend(db, ids[0]!, { liked: 5, ageBand: '65_plus', themeIds: [world.themes[7]!.id], freeText: 'Lassen' })
  await amend(db, ids[0]!, { liked: 2, ageBand: '18_24', themeIds: [world.themes[7]!.id, world.themes[8]!.id], freeText: 'Lassen' })
  await amend(db, ids[1]!, { liked: null, ageBand: null, themeIds: [] })
  // A coordinator's corrections on texts: themes added, replaced and removed.
  const coordinator = await makeUser(db, 'coordinator', `keys-${world.regionId}@example.org`, { regionIds: [world.regionId] })
  const withText = await db.selectFrom('responses').select('id').where('region_id', '=', world.regionId).where('free_text', 'is not', null).orderBy('id').execute()
  t.ok(withText.length >= 6, 'enough texts to correct')
  for (const [index, row] of withText.slice(0, 6).entries()) {
    const themeIds = index % 3 === 0 ? [] : [world.themes[5 + (index % 3)]!.id, world.themes[9]!.id]
    t.match(await correctThemes(db, { regionId: world.regionId, responseId: row.id, themeIds, userId: coordinator }), { ok: true })
  }
  await correctThemes(db, { regionId: world.regionId, responseId: withText[1]!.id, themeIds: [world.themes[4]!.id], userId: coordinator })
  await assertConsistent(t, db, world.regionId, 'after amendments and corrections')

  // Retention erases the texts; the answers (and so their counts and keys) stay.
  const before = await rollupSnapshot(db, world.regionId)
  const erased = await db.transaction().execute((trx) => eraseFreeTexts(trx, world.regionId, '2026-10-27T00:00:00.000Z'))
  t.ok(erased > 0, 'some texts erased')
  t.same(await rollupSnapshot(db, world.regionId), before, 'an erasure moves no rollup')
  await assertConsistent(t, db, world.regionId, 'after erasures')

  // And the rebuild agrees with the rows kept in the answers' transactions, key sums included.
  await rebuildRollups(db, world.regionId, 25)
  t.same(await rollupSnapshot(db, world.regionId), before, 'a rebuild gives the same rows')

  // A published cell's key is its key sums modulo 256, e.g. a region-month-theme cell.
  const theme = world.themes[9]!.id
  const cell = await db
    .selectFrom('rollup_region_theme_days')
    .select((eb) => [eb.fn.sum<string>('responses').as('n'), eb.fn.sum<string | number>('responses_key').as('keys')])
    .where('region_id', '=', world.regionId)
    .where('theme_id', '=', theme)
    .executeTakeFirstOrThrow()
  const members = await db
    .selectFrom('responses')
    .innerJoin('response_themes', 'response_themes.response_id', 'responses.id')
    .select('responses.record_key')
    .where('responses.region_id', '=', world.regionId)
    .where('response_themes.theme_id', '=', theme)
    .execute()
  t.ok(members.length > 0)
  t.equal(Number(cell.n), members.length)
  t.equal(cellKey(cell.keys), members.reduce((sum, row) => sum + row.record_key, 0) % KEY_RANGE, 'the cell key of a theme over a period')
})

t.test('the answer writer gives every answer its own random record key, in the same statements', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const world = await buildWorld(db)
  const writer = new ResponseWriter(db)
  const answer = (i: number) => {
    const poster = world.posters[i % world.posters.length]!
    return {
      poster_id: poster.id,
      region_id: world.regionId,
      partner_id: poster.partnerId,
      location_id: poster.locationId,
      activity_id: poster.activityId,
      created_at: `2026-11-0${1 + (i % 3)}T10:00:00.000Z`,
      language: 'nl',
      tried_new: (['yes', 'a_bit', 'no'] as const)[i % 3]!,
      step: 1,
      idempotency_key: `keys-${i}`,
    }
  }
  await writer.write(answer(0)) // alone
  for (let start = 1; start < 512; start += 64) await Promise.all(Array.from({ length: Math.min(64, 512 - start) }, (_, j) => writer.write(answer(start + j)))) // batches
  const first = await db.selectFrom('responses').select(['id', 'record_key']).where('idempotency_key', '=', 'keys-5').executeTakeFirstOrThrow()
  t.equal(await writer.write(answer(5)), first.id, 'a double submit finds the first row')
  const keys = (await db.selectFrom('responses').select(['id', 'record_key']).where('region_id', '=', world.regionId).execute()).map((row) => row.record_key)
  t.equal(keys.length, 512, 'and stores nothing, so its fresh key counts nowhere')
  t.ok(keys.every((key) => Number.isInteger(key) && key >= 0 && key < 256), 'every key in 0…255')
  // 512 draws from 256 values: about 221 distinct ones are expected; a constant or a counter would not spread like this.
  t.ok(new Set(keys).size > 150, `keys spread (${new Set(keys).size} distinct)`)
  t.ok(keys.filter((key) => key < 128).length > 180 && keys.filter((key) => key >= 128).length > 180, 'both halves used')
  await assertConsistent(t, db, world.regionId, 'answer writer')
})

t.test('the database refuses an answer without a record key or with one out of range', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const world = await buildWorld(db)
  const poster = world.posters[0]!
  const row = {
    poster_id: poster.id,
    region_id: world.regionId,
    partner_id: poster.partnerId,
    location_id: poster.locationId,
    activity_id: poster.activityId,
    created_at: '2026-11-02T10:00:00.000Z',
    language: 'nl',
    tried_new: 'yes' as const,
    step: 1,
  }
  await t.rejects((db as Kysely<any>).insertInto('responses').values(row).execute(), 'no key')
  await t.rejects(db.insertInto('responses').values({ ...row, record_key: 256 }).execute(), '256')
  await t.rejects(db.insertInto('responses').values({ ...row, record_key: -1 }).execute(), '-1')
  await db.insertInto('responses').values({ ...row, record_key: 255 }).execute()
  await db.insertInto('responses').values({ ...row, record_key: 0 }).execute()
  t.pass('0 and 255 are keys')
})

t.test('migration 018 gives stored answers record keys and the rollups consistent key sums', async (t) => {
  const database = await testDatabase(t, { migrate: false })
  const db = database.db
  const steps = await migrator(db)
  const earlier = (await steps.getMigrations()).map((m) => m.name).filter((name) => name < '018').sort()
  const { error } = await steps.migrateTo(earlier[earlier.length - 1]!)
  t.error(error, `migrated up to ${earlier[earlier.length - 1]}`)

  // Answers as the code before 018 stored them: no record key, rollups without key sums.
  // The region is made by today's code, which seeds both theme lists with their audience
  // (migration 045): the column is there while it does, and the themes go back to 014's shape after.
  // The same for the locations' municipality code (migration 050).
  await db.schema.alterTable('themes').addColumn('audience', 'varchar(10)', (col) => col.notNull().defaultTo('general')).execute()
  await db.schema.alterTable('locations').addColumn('municipality_nis', 'varchar(5)').execute()
  const world = await buildWorld(db)
  await (db as Kysely<any>).deleteFrom('themes').where('audience', '=', 'children').execute()
  await db.schema.alterTable('themes').dropColumn('audience').execute()
  await db.schema.alterTable('locations').dropColumn('municipality_nis').execute()
  const next = random(3)
  const old = db as Kysely<any>
  for (let i = 0; i < 300; i++) {
    const poster = world.posters[i % world.posters.length]!
    const liked = next() < 0.7 ? 1 + Math.floor(next() * 5) : null
    const { id } = await old
      .insertInto('responses')
      .values({
        poster_id: poster.id,
        region_id: world.regionId,
        partner_id: poster.partnerId,
        location_id: poster.locationId,
        activity_id: poster.activityId,
        created_at: new Date(Date.UTC(2026, 2, 20) + Math.floor(next() * 20 * 86_400_000)).toISOString(),
        language: 'nl',
        tried_new: (['yes', 'a_bit', 'no'] as const)[i % 3],
        liked,
        age_band: liked === null ? null : '25_44',
        step: liked === null ? 1 : 2,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    if (i % 4 === 0) await old.insertInto('response_themes').values({ response_id: id, theme_id: world.themes[i % 6]!.id, source: 'chosen', matched: null }).execute()
  }
  await old.insertInto('rollup_region_days').values({ region_id: world.regionId, day: '2026-03-20', responses: 300 }).execute()

  await migrateToLatest(db)
  const keys = (await db.selectFrom('responses').select('record_key').execute()).map((row) => row.record_key)
  t.ok(keys.every((key) => Number.isInteger(key) && key >= 0 && key < 256), 'every stored answer has a key in 0…255')
  t.ok(new Set(keys).size > 120, `and the keys spread (${new Set(keys).size} distinct of 300)`)
  for (const table of rollupTables) {
    t.equal((await db.selectFrom(table).select('region_id').execute()).length, 0, `${table} emptied for the refill`)
  }
  t.equal(await ensureRollups(db), true, 'start-up refills them')
  await assertConsistent(t, db, world.regionId, 'after migration 018')
  const total = await db.selectFrom('rollup_region_days').select((eb) => eb.fn.sum<string>('responses').as('n')).executeTakeFirstOrThrow()
  t.equal(Number(total.n), 300, 'every answer counted once')
})
