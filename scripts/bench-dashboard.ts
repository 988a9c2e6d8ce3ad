import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import dashboardRoutes from '../src/dashboard/routes.ts'
import { seedLarge } from './seed-large.ts'

/**
 * Bench cases `dashboard_1m` and `dashboard_100k`: p95 in ms of rendering the whole
 * dashboard page (all queries, suppression, charts, template) of the largest region for
 * the last year, with 1,000,000 or 100,000 responses in the database. The data set is
 * seeded once into data/bench-dashboard-N.db and reused by later runs.
 *
 * For scripts/bench.ts: `await dashboardBenchCase(1_000_000)` → p95 in ms.
 * On its own: `tsx scripts/bench-dashboard.ts --responses 100000 [--runs 60]`; `npm run bench`
 * runs it in a child process (`--report ipc`).
 */

export interface DashboardBenchResult {
  name: string
  p95: number
  p50: number
  cpuMsPerPage: number
  runs: number
  responses: number
}

export async function dashboardBenchCase(responses: number, options: { runs?: number; log?: (line: string) => void } = {}): Promise<DashboardBenchResult> {
  const log = options.log ?? (() => {})
  const label = responses >= 1_000_000 ? `${responses / 1_000_000}m` : `${Math.round(responses / 1000)}k`
  const path = `data/bench-dashboard-${label}.db`
  const marker = `${path}.ready`
  mkdirSync('data', { recursive: true })
  const handle = openDatabase(`sqlite:${path}`)
  try {
    await migrateToLatest(handle.db)
    let regionId: number
    if (existsSync(marker)) {
      regionId = Number(readFileSync(marker, 'utf8'))
    } else {
      log(`seeding ${responses} responses into ${path} (once)`)
      const seeded = await seedLarge(handle, responses, { log })
      log(`seeded in ${seeded.seconds.toFixed(1)} s`)
      regionId = seeded.largestRegionId
      writeFileSync(marker, String(regionId))
    }
    const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: `sqlite:${path}` }), { database: handle })
    await app.register(dashboardRoutes, { prefix: '/plugin', access: () => ({ regionIds: 'all' }) })
    await app.ready()
    const url = `/plugin/dashboard/${regionId}?period=year`
    for (let i = 0; i < 5; i++) {
      const warm = await app.inject({ url })
      if (warm.statusCode !== 200) throw new Error(`dashboard answered ${warm.statusCode}`)
    }
    const runs = options.runs ?? 60
    const times: number[] = []
    const cpuStart = process.cpuUsage()
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint()
      const reply = await app.inject({ url })
      times.push(Number(process.hrtime.bigint() - started) / 1e6)
      if (reply.statusCode !== 200) throw new Error(`dashboard answered ${reply.statusCode}`)
    }
    const cpu = process.cpuUsage(cpuStart)
    await app.close()
    times.sort((a, b) => a - b)
    const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!
    return {
      name: `dashboard_${label}`,
      p95: Math.round(at(0.95) * 10) / 10,
      p50: Math.round(at(0.5) * 10) / 10,
      // Wall time suffers when other processes share the cores; CPU time per page does not.
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
  const result = await dashboardBenchCase(Number(values.responses), { runs: Number(values.runs), log: (line) => console.log(line) })
  // Started by `npm run bench` (scripts/bench/benchmarks.ts): the result goes back over IPC.
  if (values.report === 'ipc' && process.send) {
    process.send(result)
    process.disconnect()
    process.exit(0)
  }
  console.log(JSON.stringify(result))
  mkdirSync('bench', { recursive: true })
  const file = 'bench/results.json'
  const results = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {}
  results[result.name] = result.p95
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
}
