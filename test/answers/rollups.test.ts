import t from 'tap'
import { brusselsDay } from '../../src/answers/calendar.ts'
import { rebuildRollups } from '../../src/answers/rollups.ts'
import { testDatabase } from '../helpers.ts'
import { amend, buildWorld, random, rollupSnapshot, storeAnswer } from '../dashboard/world.ts'

t.test('the local day is the Belgian calendar day, across midnight and daylight saving', async (t) => {
  t.equal(brusselsDay('2026-12-31T22:59:59.999Z'), '2026-12-31')
  t.equal(brusselsDay('2026-12-31T23:00:00.000Z'), '2027-01-01', 'winter: UTC+1')
  t.equal(brusselsDay('2026-07-14T21:59:00.000Z'), '2026-07-14')
  t.equal(brusselsDay('2026-07-14T22:00:00.000Z'), '2026-07-15', 'summer: UTC+2')
  t.equal(brusselsDay('2026-03-28T23:30:00.000Z'), '2026-03-29', 'the night clocks go forward')
  t.equal(brusselsDay('2026-10-24T22:30:00.000Z'), '2026-10-25', 'the night clocks go back')
})

t.test('rollups kept in the answer transactions equal a rebuild from the responses', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const world = await buildWorld(db)
  const next = random(7)
  const bands = ['under_12', '12_17', '18_24', '25_44', '45_64', '65_plus', null] as const
  const ids: number[] = []
  for (let i = 0; i < 120; i++) {
    const poster = world.posters[Math.floor(next() * world.posters.length)]!
    const createdAt = new Date(Date.UTC(2026, 9, 20) + Math.floor(next() * 14 * 86_400_000)).toISOString()
    const triedNew = (['yes', 'a_bit', 'no'] as const)[Math.floor(next() * 3)]!
    const step2 =
      next() < 0.6
        ? {
            liked: next() < 0.8 ? 1 + Math.floor(next() * 5) : null,
            ageBand: bands[Math.floor(next() * bands.length)]!,
            themeIds: [...new Set([world.themes[Math.floor(next() * 5)]!.id, world.themes[Math.floor(next() * 5)]!.id])],
          }
        : undefined
    ids.push(await storeAnswer(db, world, { poster, createdAt, triedNew, step2 }))
  }
  // People change their mind on step 2: a new age band and other themes move their count.
  await amend(db, ids[0]!, { liked: 5, ageBand: '65_plus', themeIds: [world.themes[7]!.id] })
  await amend(db, ids[0]!, { liked: 2, ageBand: '18_24', themeIds: [world.themes[7]!.id, world.themes[8]!.id] })
  await amend(db, ids[1]!, { liked: null, ageBand: null, themeIds: [] })

  const live = await rollupSnapshot(db, world.regionId)
  const rebuilt = await rebuildRollups(db, world.regionId, 25)
  t.equal(rebuilt.responses, 120)
  const fresh = await rollupSnapshot(db, world.regionId)
  t.same(live, fresh, 'every rollup row matches the rebuild')

  const regionTotal = await db.selectFrom('rollup_region_days').select((eb) => eb.fn.sum<string>('responses').as('n')).where('region_id', '=', world.regionId).executeTakeFirstOrThrow()
  t.equal(Number(regionTotal.n), 120, 'each response counted once')
  const posterTotal = await db.selectFrom('rollup_poster_days').select((eb) => eb.fn.sum<string>('responses').as('n')).where('region_id', '=', world.regionId).executeTakeFirstOrThrow()
  t.equal(Number(posterTotal.n), 120, 'each response counted once in the poster grain, whatever its age band')
  const theme8 = await db
    .selectFrom('rollup_region_theme_days')
    .select((eb) => eb.fn.sum<string>('responses').as('n'))
    .where('region_id', '=', world.regionId)
    .where('theme_id', '=', world.themes[8]!.id)
    .executeTakeFirstOrThrow()
  t.equal(Number(theme8.n), 1, 'only the latest step-2 choice counts')
})

t.test('a failed answer transaction leaves the rollups untouched', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const world = await buildWorld(db)
  await storeAnswer(db, world, { poster: world.posters[0]!, createdAt: '2026-11-02T10:00:00.000Z', triedNew: 'yes' })
  await t.rejects(
    db.transaction().execute(async (trx) => {
      const { applyStepOne } = await import('../../src/answers/rollups.ts')
      await applyStepOne(trx, {
        poster_id: world.posters[0]!.id,
        region_id: world.regionId,
        partner_id: world.partners.a,
        location_id: world.locations[0]!,
        activity_id: world.activities[0]!.id,
        created_at: '2026-11-02T11:00:00.000Z',
        record_key: 200,
        tried_new: 'no',
      })
      throw new Error('the response insert failed')
    }),
  )
  const row = await db.selectFrom('rollup_region_days').selectAll().where('region_id', '=', world.regionId).executeTakeFirstOrThrow()
  t.match(row, { day: '2026-11-02' })
  t.equal(Number(row.responses), 1)
  t.equal(Number(row.tried_no), 0)
})

t.test('a database that had answers before the rollups existed gets them filled once', async (t) => {
  const { ensureRollups } = await import('../../src/answers/rollups.ts')
  const database = await testDatabase(t)
  const db = database.db
  const world = await buildWorld(db)
  t.equal(await ensureRollups(db), false, 'nothing to do without answers')
  await storeAnswer(db, world, { poster: world.posters[0]!, createdAt: '2026-11-02T10:00:00.000Z', triedNew: 'yes' })
  for (const table of ['rollup_region_days', 'rollup_poster_days', 'rollup_poster_months'] as const) await db.deleteFrom(table).execute()
  t.equal(await ensureRollups(db), true, 'filled from the responses')
  const row = await db.selectFrom('rollup_region_days').selectAll().where('region_id', '=', world.regionId).executeTakeFirstOrThrow()
  t.equal(Number(row.responses), 1)
  t.equal(await ensureRollups(db), false, 'and only once')
})

t.test('the answer writer keeps the rollups, alone and in a batch; the bench-only switch really leaves them out', async (t) => {
  const { ResponseWriter } = await import('../../src/answers/response-writer.ts')
  const database = await testDatabase(t)
  const db = database.db
  const world = await buildWorld(db)
  const poster = world.posters[0]!
  const answer = (createdAt: string) => ({
    poster_id: poster.id,
    region_id: world.regionId,
    partner_id: poster.partnerId,
    location_id: poster.locationId,
    activity_id: poster.activityId,
    created_at: createdAt,
    language: 'nl',
    tried_new: 'yes' as const,
    step: 1,
  })
  const counted = async (day: string) =>
    Number((await db.selectFrom('rollup_region_days').select('responses').where('region_id', '=', world.regionId).where('day', '=', day).executeTakeFirst())?.responses ?? 0)

  const writer = new ResponseWriter(db)
  await writer.write(answer('2026-11-03T10:00:00.000Z'))
  await Promise.all([1, 2, 3].map(() => writer.write(answer('2026-11-03T11:00:00.000Z'))))
  t.equal(await counted('2026-11-03'), 4, 'one alone and three in one batch, all counted')

  const unpriced = new ResponseWriter(db, undefined, false)
  await unpriced.write(answer('2026-11-04T10:00:00.000Z'))
  await Promise.all([1, 2, 3].map(() => unpriced.write(answer('2026-11-04T11:00:00.000Z'))))
  const stored = await db.selectFrom('responses').select((eb) => eb.fn.countAll<number>().as('n')).where('created_at', '>=', '2026-11-04').executeTakeFirstOrThrow()
  t.equal(Number(stored.n), 4, 'the answers are stored')
  t.equal(await counted('2026-11-04'), 0, 'and no rollup moved')
})
