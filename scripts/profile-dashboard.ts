import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { parseArgs } from 'node:util'
import { buildApp } from '../src/app.ts'
import { createSession } from '../src/auth/sessions.ts'
import { createUser, findUserByEmail } from '../src/auth/users.ts'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { cookieNames } from '../src/staff/cookies.ts'
import { selfTimes } from './bench/profile-top.ts'
import { dashboardViews } from './bench/views.ts'

/**
 * `tsx scripts/profile-dashboard.ts --db data/bench-dashboard-100k-wide-region.db [--views 'year no filter,quarter location'] [--runs 20] [--profile file]`
 *
 * Where one dashboard page's time goes, on a database seeded by scripts/bench-dashboard.ts:
 * for each view (by name from scripts/bench/views.ts; all of them without --views), the
 * wall time per page, the time inside SQLite per statement (summed over the page's runs of
 * that SQL), and what is left (JavaScript: publishing, regrouping, the template). With
 * --profile, a V8 CPU profile of all runs is written and its top self times listed.
 */

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    views: { type: 'string' },
    runs: { type: 'string', default: '20' },
    profile: { type: 'string' },
    top: { type: 'string', default: '25' },
  },
})
if (!values.db || !existsSync(values.db)) throw new Error('--db takes a database seeded by scripts/bench-dashboard.ts')
const marker = `${values.db}.ready`
const regionId = Number(readFileSync(marker, 'utf8'))
const handle = openDatabase(`sqlite:${values.db}`)
await migrateToLatest(handle.db)
const sqlite = handle.sqlite!

// Time spent inside better-sqlite3, per SQL text.
const spent = new Map<string, { ms: number; calls: number; rows: number }>()
let measuring = false
const prepare = sqlite.prepare.bind(sqlite)
sqlite.prepare = ((source: string) => {
  const statement = prepare(source) as unknown as Record<string, (...args: unknown[]) => unknown>
  for (const method of ['all', 'get', 'run', 'iterate']) {
    const original = statement[method]!
    statement[method] = function (this: unknown, ...args: unknown[]) {
      // CPU time, not wall time: on a shared machine the wall clock counts other processes too.
      const started = measuring ? process.cpuUsage() : undefined
      const result = original.apply(this, args)
      if (started) {
        const used = process.cpuUsage(started)
        const entry = spent.get(source) ?? { ms: 0, calls: 0, rows: 0 }
        entry.ms += (used.user + used.system) / 1000
        entry.calls++
        entry.rows += Array.isArray(result) ? result.length : 1
        spent.set(source, entry)
      }
      return result
    }
  }
  return statement
}) as unknown as typeof sqlite.prepare

const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: `sqlite:${values.db}` })
const app = await buildApp(config, { database: handle })
await app.ready()
const email = 'bench-dashboard@example.invalid'
const adminId = (await findUserByEmail(handle.db, email))?.id ?? (await createUser(handle.db, { email, name: 'Bench', role: 'admin', passwordHash: '!' }))
const cookie = `${cookieNames(config.publicBaseUrl).session}=${await createSession(handle.db, adminId)}`
const ids = async (table: 'partners' | 'locations' | 'activities') =>
  (await handle.db.selectFrom(table).select('id').where('region_id', '=', regionId).orderBy('id').execute()).map((row) => row.id)
const all = dashboardViews({ partners: await ids('partners'), locations: await ids('locations'), activities: await ids('activities') })
const wanted = values.views?.split(',').map((name) => name.trim())
const views = wanted ? all.filter((view) => wanted.includes(view.name)) : all
if (views.length === 0) throw new Error(`no such view; views: ${all.map((view) => view.name).join(', ')}`)

const open = async (query: string) => {
  const reply = await app.inject({ url: `/admin/dashboard/${regionId}?${query}`, headers: { cookie } })
  if (reply.statusCode !== 200) throw new Error(`?${query} answered ${reply.statusCode}`)
}
for (const view of views) for (let i = 0; i < 3; i++) await open(view.query)

const session = new Session()
if (values.profile) {
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  await session.post('Profiler.start')
}
const runs = Number(values.runs)
const short = (sql: string) => sql.replace(/select "day", "responses".*? from/, 'select day, <measures> from').replace(/sum\("\w+"\) as "\w+"(, )?/g, '').replace(/"(\w+)" \* -?1 as "\w+"(, )?/g, '').slice(0, 200)
for (const view of views) {
  spent.clear()
  measuring = true
  const cpu = process.cpuUsage()
  const started = process.hrtime.bigint()
  const perRun: number[] = []
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage()
    await open(view.query)
    const after = process.cpuUsage(before)
    perRun.push((after.user + after.system) / 1000)
  }
  perRun.sort((a, b) => a - b)
  const wall = Number(process.hrtime.bigint() - started) / 1e6 / runs
  const used = process.cpuUsage(cpu)
  measuring = false
  const sqlMs = [...spent.values()].reduce((sum, entry) => sum + entry.ms, 0) / runs
  const cpuMs = (used.user + used.system) / 1000 / runs
  console.log(`\n${view.name} (?${view.query}): CPU ${cpuMs.toFixed(1)} ms per page (least ${perRun[0]!.toFixed(1)}, median ${perRun[Math.floor(runs / 2)]!.toFixed(1)}; wall ${wall.toFixed(1)} ms), in SQLite ${sqlMs.toFixed(1)} ms, the rest ${(cpuMs - sqlMs).toFixed(1)} ms`)
  for (const [sql, entry] of [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
    console.log(`  ${(entry.ms / runs).toFixed(2).padStart(7)} ms  ${(entry.calls / runs).toFixed(1).padStart(4)}×  ${String(Math.round(entry.rows / runs)).padStart(6)} rows  ${short(sql)}`)
  }
}
if (values.profile) {
  const { profile } = await session.post('Profiler.stop')
  writeFileSync(values.profile, JSON.stringify(profile))
  console.log(`\nprofile in ${values.profile}; top self times:`)
  for (const row of selfTimes(profile as never).slice(0, Number(values.top))) console.log(`${(row.share * 100).toFixed(1).padStart(5)} %  ${(row.micros / 1000).toFixed(0).padStart(6)} ms  ${row.name}`)
  session.disconnect()
}
await app.close()
