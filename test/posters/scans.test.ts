import t from 'tap'
import { createLocation } from '../../src/admin/queries.ts'
import { activityFunnels, countFunnels, last30DaysFrom, posterFunnels } from '../../src/posters/funnel.ts'
import { createPoster, printablePosters, setPosterStatus } from '../../src/posters/queries.ts'
import { countScan, ScanCounter, scanDay } from '../../src/posters/scans.ts'
import type { NewResponse } from '../../src/db/types.ts'
import { seedPoster, testDatabase } from '../helpers.ts'

t.test('countScan adds to the poster’s counter for the day, creating it on the first scan', async (t) => {
  const database = await testDatabase(t)
  const fixture = await seedPoster(database)
  await countScan(database.db, fixture.posterId, '2026-11-27')
  await countScan(database.db, fixture.posterId, '2026-11-28')
  await countScan(database.db, fixture.posterId, '2026-11-28')
  await countScan(database.db, fixture.posterId, '2026-11-28', 5)
  const rows = await database.db.selectFrom('poster_scans').selectAll().orderBy('day').execute()
  t.same(rows, [
    { poster_id: fixture.posterId, day: '2026-11-27', scans: 1 },
    { poster_id: fixture.posterId, day: '2026-11-28', scans: 7 },
  ])
})

t.test('the counter table stores a poster, a day and a number: nothing about the person', async (t) => {
  const database = await testDatabase(t)
  const fixture = await seedPoster(database)
  await countScan(database.db, fixture.posterId, '2026-11-28')
  const row = await database.db.selectFrom('poster_scans').selectAll().executeTakeFirstOrThrow()
  t.same(Object.keys(row).sort(), ['day', 'poster_id', 'scans'])
})

t.test('ScanCounter keeps scans in memory and writes them in one go', async (t) => {
  const database = await testDatabase(t)
  const a = await seedPoster(database)
  const b = await seedPoster(database)
  // Scans are counted per Brussels day: midnight there is 23:00 UTC in November.
  let now = new Date('2026-11-28T22:59:59.000Z')
  const counter = new ScanCounter(database.db, { flushAfterMs: 60_000, now: () => now })
  counter.record(a.posterId)
  counter.record(a.posterId)
  counter.record(b.posterId)
  now = new Date('2026-11-28T23:00:01.000Z')
  counter.record(a.posterId)
  t.equal(counter.pending, 4)
  t.equal((await database.db.selectFrom('poster_scans').selectAll().execute()).length, 0, 'nothing written before the flush')
  await counter.flush()
  t.equal(counter.pending, 0)
  const rows = await database.db.selectFrom('poster_scans').selectAll().orderBy('poster_id').orderBy('day').execute()
  t.same(rows, [
    { poster_id: a.posterId, day: '2026-11-28', scans: 2 },
    { poster_id: a.posterId, day: '2026-11-29', scans: 1 },
    { poster_id: b.posterId, day: '2026-11-28', scans: 1 },
  ])
  counter.record(a.posterId)
  await counter.flush()
  const after = await database.db.selectFrom('poster_scans').select('scans').where('poster_id', '=', a.posterId).where('day', '=', '2026-11-29').executeTakeFirstOrThrow()
  t.equal(after.scans, 2, 'a second flush adds to the same row')
})

t.test('ScanCounter flushes by itself after the delay', async (t) => {
  const database = await testDatabase(t)
  const fixture = await seedPoster(database)
  const counter = new ScanCounter(database.db, { flushAfterMs: 20 })
  counter.record(fixture.posterId)
  await new Promise((resolve) => setTimeout(resolve, 200))
  const row = await database.db.selectFrom('poster_scans').select('scans').executeTakeFirst()
  t.equal(row?.scans, 1)
})

t.test('a failed write keeps the counts for the next try', async (t) => {
  const database = await testDatabase(t)
  const errors: unknown[] = []
  const counter = new ScanCounter(database.db, { flushAfterMs: 60_000, onError: (error) => errors.push(error) })
  counter.record(999_999) // no such poster: the foreign key refuses the row
  await counter.flush()
  t.equal(errors.length, 1)
  t.equal(counter.pending, 1, 'the scan is still waiting, not dropped')
})

async function answer(database: Awaited<ReturnType<typeof testDatabase>>, fixture: Awaited<ReturnType<typeof seedPoster>>, createdAt: string, step: number) {
  const values: NewResponse = {
    poster_id: fixture.posterId,
    region_id: fixture.regionId,
    partner_id: fixture.partnerId,
    location_id: fixture.locationId,
    activity_id: fixture.activityId,
    created_at: createdAt,
    language: 'nl',
    tried_new: 'yes',
    step,
    record_key: 17,
  }
  await database.db.insertInto('responses').values(values).execute()
}

t.test('the funnel shows scans → step 1 → step 2 per poster and per activity, last 30 days and all time', async (t) => {
  const database = await testDatabase(t)
  const first = await seedPoster(database)
  // A second location for the same activity, and an activity of another partner in the same region.
  const secondLocation = await createLocation(database.db, first.regionId, { name: 'Zaal De Kring' })
  const second = (await createPoster(database.db, { activityId: first.activityId, locationId: secondLocation })).id
  const other = await seedPoster(database, { regionId: first.regionId })

  // The funnel counts complete days: on the 29th, up to the end of the 28th.
  const today = '2026-11-29'
  t.equal(last30DaysFrom(today), '2026-10-30')
  await countScan(database.db, first.posterId, '2026-11-28', 10)
  await countScan(database.db, first.posterId, '2026-10-30', 3)
  await countScan(database.db, first.posterId, '2026-10-29', 4) // a day too old for the last 30 days
  await countScan(database.db, second, '2026-11-01', 2)
  await countScan(database.db, other.posterId, '2026-11-28', 50)
  await answer(database, first, '2026-11-28T10:00:00.000Z', 2)
  await answer(database, first, '2026-11-28T10:05:00.000Z', 1)
  await answer(database, first, '2026-11-02T09:00:00.000Z', 1)
  await answer(database, first, '2026-10-29T23:00:00.000Z', 2)
  await answer(database, { ...first, posterId: second, locationId: secondLocation }, '2026-11-01T12:00:00.000Z', 1)

  await countScan(database.db, first.posterId, today, 7) // today: not counted yet
  await answer(database, first, '2026-11-29T08:00:00.000Z', 2)
  const posters = await countFunnels(database.db, { partnerIds: [first.partnerId] }, today)
  t.equal(posters.length, 2, 'only the partner’s own posters')
  const one = posters.find((row) => row.posterId === first.posterId)!
  // 2026-10-29T23:00Z is 30 October in Brussels: inside the last 30 days.
  t.same(one.last30Days, { scans: 13, step1: 4, step2: 2 })
  t.same(one.allTime, { scans: 17, step1: 4, step2: 2 })
  const two = posters.find((row) => row.posterId === second)!
  t.same(two.allTime, { scans: 2, step1: 1, step2: 0 })
  t.equal(two.locationName, 'Zaal De Kring')

  const [activity] = activityFunnels(posters)
  t.equal(activity!.activityId, first.activityId)
  t.equal(activity!.posters, 2)
  t.same(activity!.last30Days, { scans: 15, step1: 5, step2: 2 })
  t.same(activity!.allTime, { scans: 19, step1: 5, step2: 2 })

  const region = await countFunnels(database.db, { regionIds: [first.regionId] }, today)
  t.equal(region.length, 3, 'a region scope sees every partner')
  t.same(region.find((row) => row.posterId === other.posterId)!.last30Days, { scans: 50, step1: 0, step2: 0 })
  t.same(await countFunnels(database.db, { regionIds: [] }, today), [], 'no regions: nothing')
  t.equal((await countFunnels(database.db, {}, today)).length, 3, 'an admin sees all')
  t.equal((await countFunnels(database.db, { partnerIds: [first.partnerId], regionIds: [first.regionId + 1000] }, today)).length, 0, 'both limits hold')
  // Published: every count through the cell-key table, the same on every call.
  const shown = await posterFunnels(database.db, { partnerIds: [first.partnerId] }, { secret: 'test-secret', today })
  t.same(await posterFunnels(database.db, { partnerIds: [first.partnerId] }, { secret: 'test-secret', today }), shown, 'the same numbers on every view')
  for (const row of shown) for (const n of [...Object.values(row.last30Days), ...Object.values(row.allTime)]) t.ok(n === 0 || n >= 5, `never 1 … 4 (${n})`)
  t.ok((await posterFunnels(database.db, { partnerIds: [first.partnerId] }, { secret: 'test-secret' })).length === 2, 'today by default')
  t.match(scanDay(), /^\d{4}-\d{2}-\d{2}$/)
})

t.test('a batch covers the active and paused posters of its scope, never retired ones', async (t) => {
  const database = await testDatabase(t)
  const first = await seedPoster(database)
  const secondLocation = await createLocation(database.db, first.regionId, { name: 'Zaal De Kring' })
  const second = (await createPoster(database.db, { activityId: first.activityId, locationId: secondLocation })).id
  const thirdLocation = await createLocation(database.db, first.regionId, { name: 'Atelier' })
  const third = (await createPoster(database.db, { activityId: first.activityId, locationId: thirdLocation })).id
  await setPosterStatus(database.db, second, 'paused')
  await setPosterStatus(database.db, third, 'retired')
  const posters = await printablePosters(database.db, { scope: { activityId: first.activityId } })
  t.same(
    posters.map((poster) => [poster.id, poster.status]),
    [
      [first.posterId, 'active'],
      [second, 'paused'],
    ],
    'the retired poster at "Atelier" is left out; the rest in location order',
  )
  t.same(await printablePosters(database.db, { scope: { regionIds: [] } }), [])
})
