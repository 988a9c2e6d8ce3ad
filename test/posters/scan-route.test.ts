import t from 'tap'
import { scanDay } from '../../src/posters/scans.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'

t.test('the app counts scans and writes what is left when it closes', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  app.scanCounter.record(fixture.posterId)
  app.scanCounter.record(fixture.posterId)
  await app.close()
  const row = await database.db.selectFrom('poster_scans').selectAll().executeTakeFirst()
  t.same(row, { poster_id: fixture.posterId, day: scanDay(), scans: 2 })
})

t.test('opening a poster’s page counts one scan, and stores nothing else', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  const headers = { 'user-agent': 'Mozilla/5.0 (Test)', 'x-forwarded-for': '203.0.113.9' }
  for (const url of [`/Q/${fixture.code}`, `/q/${fixture.code.toLowerCase()}`]) t.equal((await app.inject({ method: 'GET', url, headers })).statusCode, 200)
  // Switching the language is the same person on the same page: not a new scan.
  await app.inject({ method: 'GET', url: `/q/${fixture.code}?lang=fr`, headers })
  // A kiosk tablet showing the form is not a scan either.
  await app.inject({ method: 'GET', url: `/k/${fixture.code}`, headers })
  await app.scanCounter.flush()
  const rows = await database.db.selectFrom('poster_scans').selectAll().execute()
  t.same(rows, [{ poster_id: fixture.posterId, day: scanDay(), scans: 2 }])
  const stored = JSON.stringify(rows)
  t.notMatch(stored, '203.0.113.9')
  t.notMatch(stored, 'Mozilla')
})
