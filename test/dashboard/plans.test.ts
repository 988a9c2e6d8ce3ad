import t from 'tap'
import { CompiledQuery } from 'kysely'
import { createApiToken } from '../../src/api/tokens.ts'
import { createSession } from '../../src/auth/sessions.ts'
import { createUser } from '../../src/auth/users.ts'
import { createShareLink } from '../../src/dashboard/share-links.ts'
import { moderate } from '../../src/followup/moderation.ts'
import { buildApp } from '../../src/app.ts'
import { cookieNames } from '../../src/staff/cookies.ts'
import { seedLarge } from '../../scripts/seed-large.ts'
import { testConfig, testDatabase, testDatabaseUrl } from '../helpers.ts'
import { planViolations, type PlanLine, recordReads } from '../../scripts/bench/plans.ts'

/**
 * Every query the dashboard, its CSV, the share page and the API run is driven by an index
 * (issue 17): on a seeded SQLite database, each statement they prepare is explained, and
 * none may scan a table that grows with the answers (responses, their themes, moderation,
 * the rollups), and every rollup read must search by region (or partner) and time — the
 * rollups' primary keys (region_id, day|month|year, …) and the partner indexes of
 * migrations 004 and 011. A query that loses its index fails here, whoever rewrote it: the
 * statements are collected from the routes themselves, not from a list kept beside them.
 */

t.test('dashboard, CSV, share page and API: every statement searches an index', { skip: testDatabaseUrl ? 'the plans are SQLite’s (PostgreSQL: docs/performance.md)' : false }, async (t) => {
  const database = await testDatabase(t)
  const seeded = await seedLarge(database, 30_000)
  const regionId = seeded.largestRegionId
  const db = database.db
  const adminId = await createUser(db, { email: 'plans@example.be', name: 'Plans', role: 'admin', passwordHash: '!' })
  const texts = await db.selectFrom('responses').select('id').where('region_id', '=', regionId).where('free_text', 'is not', null).orderBy('id', 'desc').limit(8).execute()
  for (const row of texts) await moderate(db, regionId, row.id, adminId, { action: 'approve' })
  await db.executeQuery(CompiledQuery.raw('analyze'))

  // Every read of a growing table the app runs from here on, with its first run's values.
  const sqlite = database.sqlite!
  const recorder = await recordReads(database)

  const config = testConfig()
  const app = await buildApp(config, { database })
  t.teardown(() => app.close())
  const cookie = `${cookieNames(config.publicBaseUrl).session}=${await createSession(db, adminId)}`
  const partner = await db.selectFrom('partners').select('id').where('region_id', '=', regionId).executeTakeFirstOrThrow()
  const poster = await db.selectFrom('posters').select(['location_id', 'activity_id']).where('region_id', '=', regionId).executeTakeFirstOrThrow()
  const views = [
    '?period=year',
    '?period=quarter',
    `?period=year&partner=${partner.id}`,
    `?period=year&location=${poster.location_id}`,
    `?period=year&activity=${poster.activity_id}`,
    '?period=year&audience=adults',
    '?period=year&age=25_44',
    `?period=quarter&partner=${partner.id}&age=45_64`,
  ]
  const base = `/admin/dashboard/${regionId}`
  for (const view of views) {
    const page = await app.inject({ url: base + view, headers: { cookie } })
    t.equal(page.statusCode, 200, `dashboard ${view}`)
  }
  t.equal((await app.inject({ url: `${base}/export.csv?period=year`, headers: { cookie } })).statusCode, 200, 'CSV')
  const share = await createShareLink(db, regionId, adminId)
  t.equal((await app.inject({ url: `/r/${share.token}` })).statusCode, 200, 'share page')
  const api = await createApiToken(db, { regionId, name: 'plans', userId: adminId })
  for (const path of ['summary', 'weekly', 'themes', 'breakdowns']) {
    const res = await app.inject({ url: `/api/v1/regions/${regionId}/${path}?period=year`, headers: { authorization: `Bearer ${api.token}` } })
    t.equal(res.statusCode, 200, `API ${path}`)
  }

  recorder.stop()
  const reads = recorder.statements()
  t.ok(reads.some(({ sql }) => /rollup_poster_(day|month|year)s/.test(sql)), 'the poster-grain rollups were read')
  t.ok(reads.some(({ sql }) => /rollup_region_days/.test(sql)), 'the region-day rollup was read')
  t.ok(reads.some(({ sql }) => /response_moderation/.test(sql)), 'the approved quotes were read')
  const byLocation = reads.find(({ sql }) => /from "responses"/.test(sql) && /"location_id" = \?/.test(sql) && /"free_text" is not null/.test(sql))
  t.ok(byLocation, 'the texts of one location were read')
  t.ok(reads.some(({ sql }) => /from "responses"/.test(sql) && /"age_band" = \?/.test(sql) && /"free_text" is not null/.test(sql)), 'the texts of one age band were read')
  for (const { sql: source, parameters } of reads) {
    const plan = sqlite.prepare(`explain query plan ${source}`).all(...parameters) as PlanLine[]
    if (source === byLocation?.sql) t.match(plan.map((line) => line.detail).join('\n'), /responses_location_text \(location_id=\?/, 'by the location’s own text index (028)')
    // The word statistics' texts and their record keys come from the text index alone (043),
    // whichever filters are tested: no lookup in the table per text.
    if (/from "responses"/.test(source) && /"free_text" is not null/.test(source)) {
      t.match(plan.map((line) => line.detail).join('\n'), /SEARCH responses USING COVERING INDEX responses_\w+_text /, `texts from a covering text index: ${source.slice(0, 160)}`)
    }
    const problems = planViolations(plan)
    t.same(problems, [], `${source.slice(0, 160)}\n${plan.map((line) => line.detail).join('\n')}`)
  }
})
