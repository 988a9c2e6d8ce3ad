import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { CompiledQuery } from 'kysely'
import pg from 'pg'
import { createApiToken } from '../src/api/tokens.ts'
import { buildApp } from '../src/app.ts'
import { createSession } from '../src/auth/sessions.ts'
import { createUser } from '../src/auth/users.ts'
import { loadConfig } from '../src/config.ts'
import { createShareLink } from '../src/dashboard/share-links.ts'
import { openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { moderate } from '../src/followup/moderation.ts'
import { cookieNames } from '../src/staff/cookies.ts'
import { formatPlan, type PlanLine, recordReads } from './bench/plans.ts'
import { dashboardViews } from './bench/views.ts'
import { seedLarge, type SeedShape } from './seed-large.ts'

/**
 * `tsx scripts/explain-dashboard.ts --db postgres://… [--responses 100000] [--shape no-quotes] [--out file]`
 *
 * Seeds a fresh schema (PostgreSQL) or file (SQLite), runs the dashboard's named views,
 * its CSV, a share page and the API, and explains every read of a table that grows with
 * the answers: `explain analyze` with the values of its first run on PostgreSQL (after
 * `analyze`), `explain query plan` on SQLite. The schema is dropped afterwards.
 */

const { values } = parseArgs({
  options: { db: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' }, responses: { type: 'string', default: '100000' }, shape: { type: 'string', default: 'no-quotes' }, out: { type: 'string' } },
})
const postgres = values.db.startsWith('postgres')
const schema = `explain_${randomBytes(4).toString('hex')}`
const url = postgres ? values.db : `sqlite:/tmp/${schema}.db`
if (postgres) {
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
}
const handle = openDatabase(url, postgres ? { searchPath: schema } : {})
try {
  await migrateToLatest(handle.db)
  const seeded = await seedLarge(handle, Number(values.responses), { shape: values.shape as SeedShape, log: (line) => console.error(line) })
  const regionId = seeded.largestRegionId
  const db = handle.db
  const adminId = await createUser(db, { email: 'explain@example.invalid', name: 'Explain', role: 'admin', passwordHash: '!' })
  const texts = await db.selectFrom('responses').select('id').where('region_id', '=', regionId).where('free_text', 'is not', null).orderBy('id', 'desc').limit(8).execute()
  for (const row of texts) await moderate(db, regionId, row.id, adminId, { action: 'approve' })
  await db.executeQuery(CompiledQuery.raw('analyze'))

  const reads = await recordReads(handle)
  const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: url })
  const app = await buildApp(config, { database: handle })
  const cookie = `${cookieNames(config.publicBaseUrl).session}=${await createSession(db, adminId)}`
  const ids = async (table: 'partners' | 'locations' | 'activities') => (await db.selectFrom(table).select('id').where('region_id', '=', regionId).execute()).map((row) => row.id)
  const views = dashboardViews({ partners: await ids('partners'), locations: await ids('locations'), activities: await ids('activities') }, { randomCombinations: 10 })
  for (const view of views) {
    const res = await app.inject({ url: `/admin/dashboard/${regionId}?${view.query}`, headers: { cookie } })
    if (res.statusCode !== 200) throw new Error(`${view.name}: ${res.statusCode}`)
  }
  await app.inject({ url: `/admin/dashboard/${regionId}/export.csv?period=year`, headers: { cookie } })
  await app.inject({ url: `/r/${(await createShareLink(db, regionId, adminId)).token}` })
  const api = await createApiToken(db, { regionId, name: 'explain', userId: adminId })
  for (const path of ['summary', 'weekly', 'themes', 'breakdowns']) await app.inject({ url: `/api/v1/regions/${regionId}/${path}?period=year`, headers: { authorization: `Bearer ${api.token}` } })
  reads.stop()
  await app.close()

  const out: string[] = []
  for (const { sql, parameters } of reads.statements().sort((a, b) => a.sql.localeCompare(b.sql))) {
    if (postgres) {
      const rows = (await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain (analyze, buffers off) ${sql}`, [...parameters]))).rows
      out.push(`${sql}\n${rows.map((row) => `  ${row['QUERY PLAN']}`).join('\n')}\n`)
    } else {
      const plan = (await db.executeQuery<PlanLine>(CompiledQuery.raw(`explain query plan ${sql}`, [...parameters]))).rows
      out.push(`${sql}\n${formatPlan(plan)}\n`)
    }
  }
  const text = out.join('\n')
  if (values.out) writeFileSync(values.out, text)
  else console.log(text)
} finally {
  await handle.close()
  if (postgres) {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`drop schema ${schema} cascade`)
    await admin.end()
  }
}
