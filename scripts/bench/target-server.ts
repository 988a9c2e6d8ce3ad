import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import pg from 'pg'
import { createActivity, createLocation, createPartner, createRegion } from '../../src/admin/queries.ts'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { type DatabaseHandle, openDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { createPoster } from '../../src/posters/queries.ts'
import { listVisibleThemes } from '../../src/themes/queries.ts'

/**
 * A server under test, run in its own process by scripts/bench.ts: the load generator
 * (autocannon) then gets one core and the server the other, and neither slows the
 * other's event loop. Started as `target-server.ts hello|app`; reports over IPC
 * `{ port, ... }` once listening and shuts down (removing its database) on 'stop'.
 */

/** `app-no-rollups`: the same app with the dashboard rollups switched off, to price them. */
export type TargetKind = 'hello' | 'app' | 'app-no-rollups'

export interface StatsMessage {
  type: 'stats'
  responses: number
  stepTwo: number
}

/** The server process's own CPU time so far (user + system, µs): the bench takes deltas. */
export interface CpuMessage {
  type: 'cpu'
  micros: number
}

export interface ReadyMessage {
  type: 'ready'
  port: number
  /** app only: an active poster and one of its region's theme ids. */
  code?: string
  themeId?: number
}

const defaultPostgresUrl = 'postgres://postgres@127.0.0.1:5432/test'

interface Target {
  app: FastifyInstance
  cleanup(): Promise<void>
  /** app only: what is stored, so the bench can check that a 303 really meant a stored answer. */
  stats?(): Promise<StatsMessage>
}

async function helloWorld(): Promise<Target> {
  const app = Fastify({ logger: false })
  app.get('/', async () => ({ hello: 'world' }))
  return { app, cleanup: async () => {} }
}

/** A fresh database of the wanted kind, gone again after the run. */
async function benchDatabase(kind: string): Promise<{ database: DatabaseHandle; url: string; remove(): Promise<void> }> {
  if (kind === 'postgres') {
    const url = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : defaultPostgresUrl
    const schema = `bench_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`create schema ${schema}`)
    await admin.end()
    const database = openDatabase(url, { searchPath: schema, poolSize: 10 })
    return {
      database,
      url,
      async remove() {
        const cleanup = new pg.Client({ connectionString: url })
        await cleanup.connect()
        await cleanup.query(`drop schema ${schema} cascade`)
        await cleanup.end()
      },
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'leervraag-bench-'))
  const url = `sqlite:${join(dir, 'bench.db')}`
  return { database: openDatabase(url), url, remove: async () => rmSync(dir, { recursive: true, force: true }) }
}

async function leervraag(dbKind: string, withoutAnswerRollups = false): Promise<Target & { code: string; themeId: number }> {
  const { database, url, remove } = await benchDatabase(dbKind)
  await migrateToLatest(database.db)
  const regionId = await createRegion(database.db, { slug: 'bench', name: 'Benchmark' })
  const partnerId = await createPartner(database.db, regionId, 'Bibliotheek Tongeren', 'library')
  const locationId = await createLocation(database.db, regionId, { name: 'Bibliotheek Tongeren', municipality: 'Tongeren' })
  const activityId = await createActivity(database.db, { partnerId, title: 'Repair Café', audience: 'all' })
  const poster = await createPoster(database.db, { activityId, locationId })
  const [theme] = await listVisibleThemes(database.db, regionId)
  // The bench knows the secret so that it can mint form tickets (see capture/guard.ts)
  // for each request instead of loading the form first.
  // One trusted proxy hop: the load generator's X-Forwarded-For gives each phone its own address.
  const config = loadConfig({ LOG_LEVEL: 'warn', DATABASE_URL: url, PUBLIC_BASE_URL: 'https://leervraag.example.be', SECRET: process.env.BENCH_SECRET, TRUST_PROXY: '1' })
  const app = await buildApp(config, { database, withoutAnswerRollups })
  return {
    app,
    code: poster.code,
    themeId: theme!.id,
    async stats() {
      const row = await database.db
        .selectFrom('responses')
        .select((eb) => [eb.fn.countAll().as('responses'), eb.fn.sum<number>(eb.case().when('step', '=', 2).then(1).else(0).end()).as('stepTwo')])
        .executeTakeFirstOrThrow()
      return { type: 'stats', responses: Number(row.responses), stepTwo: Number(row.stepTwo ?? 0) }
    },
    async cleanup() {
      await database.close()
      await remove()
    },
  }
}

/** `{ profile: 'start' }`, then `{ profile: 'stop', file }`: a V8 CPU profile of the measured run only (not start-up, not warm-up). */
export interface ProfileMessage {
  profile: 'start' | 'stop'
  file?: string
}

let inspector: Session | undefined

async function profile(message: ProfileMessage) {
  if (message.profile === 'start') {
    inspector = new Session()
    inspector.connect()
    await inspector.post('Profiler.enable')
    // 100 µs between samples: a request costs tens of µs, so the default 1 ms sees too little.
    await inspector.post('Profiler.setSamplingInterval', { interval: 100 })
    await inspector.post('Profiler.start')
    return
  }
  if (!inspector) return
  const { profile: result } = await inspector.post('Profiler.stop')
  inspector.disconnect()
  inspector = undefined
  if (message.file) {
    mkdirSync(dirname(message.file), { recursive: true })
    writeFileSync(message.file, JSON.stringify(result))
  }
}

async function main() {
  const kind = process.argv[2] as TargetKind
  const dbKind = process.argv[3] ?? 'sqlite'
  if (!process.send) throw new Error('target-server.ts is started by scripts/bench.ts over IPC')
  const target: Target & { code?: string; themeId?: number } = kind === 'hello' ? await helloWorld() : await leervraag(dbKind, kind === 'app-no-rollups')
  await target.app.listen({ host: '127.0.0.1', port: 0 })
  const address = target.app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const message: ReadyMessage = { type: 'ready', port }
  if (target.code !== undefined) Object.assign(message, { code: target.code, themeId: target.themeId })
  process.send(message)

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await target.app.close()
    await target.cleanup()
    process.exit(0)
  }
  process.on('message', (m) => {
    if (m === 'stop') void stop()
    if (m === 'stats' && target.stats) void target.stats().then((stats) => process.send!(stats))
    if (m === 'cpu') {
      const usage = process.cpuUsage()
      process.send!({ type: 'cpu', micros: usage.user + usage.system } satisfies CpuMessage)
    }
    if (typeof m === 'object' && m !== null && 'profile' in m) void profile(m as ProfileMessage).then(() => process.send!({ type: 'profiled' }))
  })
  // If the parent dies, do not linger holding a port and a temp database.
  process.on('disconnect', () => void stop())
}

main().catch((error: unknown) => {
  console.error('bench target failed:', error)
  process.exit(1)
})
