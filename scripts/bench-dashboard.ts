import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { CompiledQuery } from 'kysely'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { createSession } from '../src/auth/sessions.ts'
import { createUser, findUserByEmail } from '../src/auth/users.ts'
import { cookieNames } from '../src/staff/cookies.ts'
import { seedLarge, type SeedShape, seedShapes } from './seed-large.ts'
import { formatPlan, type PlanLine, recordReads } from './bench/plans.ts'
import { dashboardViews } from './bench/views.ts'

/**
 * Bench cases `dashboard_100k` and `dashboard_1m` (issue 17): the whole dashboard page of
 * the largest region (all queries, suppression, charts, template) for a named set of views
 * (scripts/bench/views.ts: each filter alone, two together, 50 random allowed combinations,
 * over the year and the last quarter), on databases of the same size in each data shape of
 * scripts/seed-large.ts. The figure of a shape is its worst view: the p95 of that view's
 * runs. Each shape's database is seeded once into data/bench-dashboard-SIZE-SHAPE.db (in
 * bulk, rollups by the live accumulator) and reused; delete it to seed afresh.
 *
 * Every read the pages made of a table that grows with the answers is explained and written
 * to bench/plans/dashboard_SIZE-SHAPE.txt (SQL without values, explained with the values
 * of its first run; the views and the seed are the same in every run, so the file only
 * changes when a plan or a query does): commit it, and a plan change shows up as a diff.
 *
 * On its own: `tsx scripts/bench-dashboard.ts --responses 100000 [--shape one-week] [--runs 5]`;
 * `npm run bench` runs it in a child process (`--report ipc`).
 */

export interface ViewTiming {
  name: string
  query: string
  p95: number
  p50: number
  /** CPU time per page of this view (this process: queries, template, everything), ms. */
  cpuMs: number
}

export interface DashboardBenchResult {
  name: string
  shape: SeedShape
  /** The worst view's p95, in ms. */
  p95: number
  worstView: string
  /** p95 over every run of every view. */
  overallP95: number
  cpuMsPerPage: number
  /** The view with the most CPU time per page, and that time: on a shared machine the steadier figure. */
  worstCpuView: string
  worstCpuMs: number
  runs: number
  responses: number
  views: ViewTiming[]
  plansFile: string
}

function sizeLabel(responses: number): string {
  return responses >= 1_000_000 ? `${responses / 1_000_000}m` : `${Math.round(responses / 1000)}k`
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

export async function dashboardBenchCase(
  responses: number,
  options: { shape?: SeedShape; runsPerView?: number; randomCombinations?: number; log?: (line: string) => void } = {},
): Promise<DashboardBenchResult> {
  const log = options.log ?? (() => {})
  const shape = options.shape ?? 'no-quotes'
  const label = sizeLabel(responses)
  const path = `data/bench-dashboard-${label}-${shape}.db`
  const marker = `${path}.ready`
  mkdirSync('data', { recursive: true })
  const handle = openDatabase(`sqlite:${path}`)
  try {
    await migrateToLatest(handle.db)
    let regionId: number
    if (existsSync(marker)) {
      regionId = Number(readFileSync(marker, 'utf8'))
    } else {
      log(`seeding ${responses} responses, shape ${shape}, into ${path} (once)`)
      const seeded = await seedLarge(handle, responses, { shape, log })
      log(`seeded in ${seeded.seconds.toFixed(1)} s`)
      regionId = seeded.largestRegionId
      writeFileSync(marker, String(regionId))
    }
    const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: `sqlite:${path}` })
    const reads = await recordReads(handle)
    const app = await buildApp(config, { database: handle })
    await app.ready()
    // The page as an admin opens it: a session of a bench account (no password: it never signs in).
    const email = 'bench-dashboard@example.invalid'
    const adminId = (await findUserByEmail(handle.db, email))?.id ?? (await createUser(handle.db, { email, name: 'Bench', role: 'admin', passwordHash: '!' }))
    const cookie = `${cookieNames(config.publicBaseUrl).session}=${await createSession(handle.db, adminId)}`
    const ids = async (table: 'partners' | 'locations' | 'activities') =>
      (await handle.db.selectFrom(table).select('id').where('region_id', '=', regionId).orderBy('id').execute()).map((row) => row.id)
    const views = dashboardViews(
      { partners: await ids('partners'), locations: await ids('locations'), activities: await ids('activities') },
      { randomCombinations: options.randomCombinations ?? 50 },
    )
    const open = async (query: string) => {
      const started = process.hrtime.bigint()
      const reply = await app.inject({ url: `/admin/dashboard/${regionId}?${query}`, headers: { cookie } })
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      if (reply.statusCode !== 200) throw new Error(`dashboard ?${query} answered ${reply.statusCode}`)
      return ms
    }
    for (let i = 0; i < 3; i++) await open(views[0]!.query)
    const runsPerView = options.runsPerView ?? 5
    const timings: ViewTiming[] = []
    const all: number[] = []
    const cpuStart = process.cpuUsage()
    for (const view of views) {
      await open(view.query) // this view's first run (its statements prepared), not counted
      const times: number[] = []
      const viewCpu = process.cpuUsage()
      for (let i = 0; i < runsPerView; i++) times.push(await open(view.query))
      const used = process.cpuUsage(viewCpu)
      times.sort((a, b) => a - b)
      all.push(...times)
      timings.push({ name: view.name, query: view.query, p95: round1(quantile(times, 0.95)), p50: round1(quantile(times, 0.5)), cpuMs: round1((used.user + used.system) / 1000 / runsPerView) })
    }
    const cpu = process.cpuUsage(cpuStart)
    await app.close()
    reads.stop()

    const plans: string[] = []
    for (const { sql, parameters } of reads.statements().sort((a, b) => a.sql.localeCompare(b.sql))) {
      // With the values of the statement's first run (the views are the same in every run).
      const plan = (await handle.db.executeQuery<PlanLine>(CompiledQuery.raw(`explain query plan ${sql}`, [...parameters]))).rows
      plans.push(`${sql}\n${formatPlan(plan)}\n`)
    }
    const plansFile = `bench/plans/dashboard_${label}-${shape}.txt`
    mkdirSync('bench/plans', { recursive: true })
    writeFileSync(plansFile, `${plans.join('\n')}`)

    all.sort((a, b) => a - b)
    const worst = timings.reduce((a, b) => (b.p95 > a.p95 ? b : a))
    const worstCpu = timings.reduce((a, b) => (b.cpuMs > a.cpuMs ? b : a))
    return {
      name: `dashboard_${label}`,
      shape,
      p95: worst.p95,
      worstView: worst.name,
      overallP95: round1(quantile(all, 0.95)),
      // Wall time suffers when other processes share the cores; CPU time per page does not.
      cpuMsPerPage: round1((cpu.user + cpu.system) / 1000 / (views.length * (runsPerView + 1))),
      worstCpuView: worstCpu.name,
      worstCpuMs: worstCpu.cpuMs,
      runs: all.length,
      responses,
      views: timings,
      plansFile,
    }
  } finally {
    await handle.close()
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      responses: { type: 'string', default: '100000' },
      shape: { type: 'string', default: seedShapes.join(',') },
      runs: { type: 'string', default: '5' },
      random: { type: 'string', default: '50' },
      report: { type: 'string' },
    },
  })
  const shapes = values.shape.split(',').map((name) => name.trim())
  for (const shape of shapes) if (!(seedShapes as readonly string[]).includes(shape)) throw new Error(`--shape takes names from ${seedShapes.join(', ')}`)
  const log = values.report === 'ipc' ? (line: string) => console.log(`    ${line}`) : (line: string) => console.log(line)
  const results: DashboardBenchResult[] = []
  for (const shape of shapes) {
    const result = await dashboardBenchCase(Number(values.responses), { shape: shape as SeedShape, runsPerView: Number(values.runs), randomCombinations: Number(values.random), log })
    log(
      `${result.name} ${shape}: worst view ${result.p95} ms (${result.worstView}), p95 of all ${result.overallP95} ms, ${result.cpuMsPerPage} ms CPU per page, most CPU ${result.worstCpuMs} ms (${result.worstCpuView}); plans in ${result.plansFile}`,
    )
    results.push(result)
  }
  // Started by `npm run bench` (scripts/bench/benchmarks.ts): the results go back over IPC.
  if (values.report === 'ipc' && process.send) {
    process.send(results)
    process.disconnect()
    process.exit(0)
  }
  console.log(JSON.stringify(results.map(({ views: _views, ...rest }) => rest), null, 2))
}
