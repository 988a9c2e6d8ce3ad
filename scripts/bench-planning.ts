import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { createSession } from '../src/auth/sessions.ts'
import { createUser, findUserByEmail } from '../src/auth/users.ts'
import { cookieNames } from '../src/staff/cookies.ts'
import { seedLarge } from './seed-large.ts'

/**
 * Bench cases `planning_1m` and `planning_100k` (issue 18): p95 in ms of the planning page
 * of the largest region for the last complete quarter (every query, the cell-key table, the
 * template), with 1,000,000 or 100,000 answers and 2,000 offers and activities with themes.
 * Uses the dashboard bench's data set (data/bench-dashboard-N.db, seeded once) and adds the
 * supply to it once (data/bench-dashboard-N.db.supply).
 *
 * `tsx scripts/bench-planning.ts --responses 100000 [--runs 60]`; `npm run bench` runs it in
 * a child process (`--report ipc`).
 */

export interface PlanningBenchResult {
  name: string
  p95: number
  p50: number
  cpuMsPerPage: number
  runs: number
  responses: number
}

export async function planningBenchCase(responses: number, options: { runs?: number; log?: (line: string) => void } = {}): Promise<PlanningBenchResult> {
  const log = options.log ?? (() => {})
  const label = responses >= 1_000_000 ? `${responses / 1_000_000}m` : `${Math.round(responses / 1000)}k`
  const path = `data/bench-dashboard-${label}.db`
  const marker = `${path}.ready`
  mkdirSync('data', { recursive: true })
  const handle = openDatabase(`sqlite:${path}`)
  try {
    await migrateToLatest(handle.db)
    const db = handle.db
    let regionId: number
    if (existsSync(marker)) {
      regionId = Number(readFileSync(marker, 'utf8'))
    } else {
      log(`seeding ${responses} responses into ${path} (once)`)
      const seeded = await seedLarge(handle, responses, { log })
      regionId = seeded.largestRegionId
      writeFileSync(marker, String(regionId))
    }
    if (!existsSync(`${path}.supply`)) {
      // 1,000 offers and 1,000 activities, each with one to three of the region's themes.
      const themes = (await db.selectFrom('themes').select('id').where('region_id', '=', regionId).execute()).map((row) => row.id)
      const partners = (await db.selectFrom('partners').select('id').where('region_id', '=', regionId).execute()).map((row) => row.id)
      const now = new Date().toISOString()
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < 1000; i++) {
          const { id } = await trx
            .insertInto('offers')
            .values({ region_id: regionId, title: `Aanbod ${i}`, provider: `Aanbieder ${i % 40}`, languages: 'nl', text_language: 'nl', audience: 'all', archived: i % 10 === 0 ? 1 : 0, created_at: now, updated_at: now })
            .returning('id')
            .executeTakeFirstOrThrow()
          const picked = [...new Set([themes[i % themes.length]!, themes[(i * 7) % themes.length]!, themes[(i * 11) % themes.length]!].slice(0, 1 + (i % 3)))]
          await trx.insertInto('offer_themes').values(picked.map((theme_id) => ({ offer_id: id, theme_id }))).execute()
          const month = String(1 + (i % 12)).padStart(2, '0')
          const activity = await trx
            .insertInto('activities')
            .values({ region_id: regionId, partner_id: partners[i % partners.length]!, title: `Activiteit ${i}`, audience: 'all', starts_on: `2026-${month}-01`, ends_on: `2026-${month}-20`, created_at: now })
            .returning('id')
            .executeTakeFirstOrThrow()
          await trx.insertInto('activity_themes').values(picked.map((theme_id) => ({ activity_id: activity.id, theme_id }))).execute()
        }
      })
      writeFileSync(`${path}.supply`, '2000')
    }
    const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: `sqlite:${path}` })
    const app = await buildApp(config, { database: handle })
    await app.ready()
    const email = 'bench-dashboard@example.invalid'
    const adminId = (await findUserByEmail(db, email))?.id ?? (await createUser(db, { email, name: 'Bench', role: 'admin', passwordHash: '!' }))
    const cookie = `${cookieNames(config.publicBaseUrl).session}=${await createSession(db, adminId)}`
    const url = `/admin/regions/${regionId}/planning`
    const inject = () => app.inject({ url, headers: { cookie } })
    // The page is some 200 KB of HTML at 2,000 offers and activities: its template and
    // queries take about fifteen loads to be compiled by V8 (30–75 ms each until then,
    // 9–30 ms after, measured 2026-12-04), which a running server has long done. Thirty loads
    // first, so that the p95 is that of a warm server, as the dashboard bench's is (it loads
    // each of its 82 views six times).
    for (let i = 0; i < 30; i++) {
      const warm = await inject()
      if (warm.statusCode !== 200) throw new Error(`planning answered ${warm.statusCode}`)
    }
    const runs = options.runs ?? 60
    const times: number[] = []
    const cpuStart = process.cpuUsage()
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint()
      const reply = await inject()
      times.push(Number(process.hrtime.bigint() - started) / 1e6)
      if (reply.statusCode !== 200) throw new Error(`planning answered ${reply.statusCode}`)
    }
    const cpu = process.cpuUsage(cpuStart)
    await app.close()
    times.sort((a, b) => a - b)
    const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!
    return {
      name: `planning_${label}`,
      p95: Math.round(at(0.95) * 10) / 10,
      p50: Math.round(at(0.5) * 10) / 10,
      cpuMsPerPage: Math.round(((cpu.user + cpu.system) / 1000 / runs) * 10) / 10,
      runs,
      responses,
    }
  } finally {
    await handle.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { responses: { type: 'string', default: '100000' }, runs: { type: 'string', default: '60' }, report: { type: 'string' } } })
  const result = await planningBenchCase(Number(values.responses), { runs: Number(values.runs), log: (line) => console.log(line) })
  if (values.report === 'ipc' && process.send) {
    process.send(result)
    process.disconnect()
    process.exit(0)
  }
  console.log(JSON.stringify(result))
}
