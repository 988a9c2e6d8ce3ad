import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon, { type Request } from 'autocannon'
import SQLite from 'better-sqlite3'
import { issueFormTicket } from '../../src/capture/guard.ts'
import { benchPosterA4, benchPosterBatch } from '../bench-posters.ts'
import type { DashboardBenchResult } from '../bench-dashboard.ts'
import { describeStatuses, type Measurement, type Unit } from './report.ts'
import type { CpuMessage, ReadyMessage, StatsMessage, TargetKind } from './target-server.ts'

export interface RunOptions {
  /** Seconds of measurement per benchmark (after `warmup` seconds that are not counted). */
  duration: number
  warmup: number
  connections: number
  db: 'sqlite' | 'postgres'
  /** The dashboard's data shapes to measure (all when absent). */
  shapes?: string[] | undefined
  /** A folder: each HTTP benchmark's measured run is CPU-profiled in its server, into FOLDER/NAME.cpuprofile. */
  profile?: string | undefined
}

export interface RunningTarget {
  url: string
  code?: string
  themeId?: number
  /** The app's SECRET, to mint form tickets as the form page would. */
  secret?: string
  /** Responses stored so far, and how many of them reached step 2 (app only). */
  stats(): Promise<{ responses: number; stepTwo: number }>
  /** The server process's CPU time so far (user + system, µs). */
  cpu(): Promise<number>
  /** Starts a CPU profile (no file), or stops it and writes it to `file`. */
  profile(file?: string): Promise<void>
}

/** What a benchmark gets: the options, and servers started on first use and shared. */
export interface BenchContext extends RunOptions {
  target(kind: TargetKind): Promise<RunningTarget>
}

export interface Benchmark {
  name: string
  unit: Unit
  description: string
  /** One measurement, or one per case (the dashboard: one per data shape). */
  run(context: BenchContext): Promise<Measurement | Measurement[]>
}

interface HttpLoad {
  name: string
  url: string
  /** The server under load: its CPU time over the measured run, per response, is reported. */
  server?: RunningTarget
  /** The status a correct answer has; anything else counts as an error. */
  expect: number
  method?: 'GET' | 'POST'
  body?: string
  headers?: Record<string, string>
  /** Called before each request, e.g. to give it its own form ticket or answer token; `context` follows the request to `check`. */
  setup?: (request: Request, context: Record<string, unknown>) => void
  /** Called for every response with the expected status (warm-up too): false when it is wrong all the same (a decoy redirect). */
  check?: (headers: Record<string, string | string[]>, context: Record<string, unknown>) => boolean
}

/** Drives one URL with autocannon and keeps only correct responses as throughput. */
async function load(options: RunOptions, spec: HttpLoad): Promise<Measurement> {
  const request: Request = { method: spec.method ?? 'GET', ...(spec.body !== undefined ? { body: spec.body } : {}) }
  if (spec.setup) {
    const setup = spec.setup
    request.setupRequest = (req, context) => {
      setup(req, context)
      return req
    }
  }
  let wrong = 0
  let counting = false
  if (spec.check) {
    const check = spec.check
    request.onResponse = (status, _body, context, headers) => {
      if (status === spec.expect && !check(headers, context) && counting) wrong++
    }
  }
  const runOptions = {
    url: spec.url,
    connections: options.connections,
    headers: spec.headers ?? {},
    requests: [request],
  }
  if (options.warmup > 0) await autocannon({ ...runOptions, duration: options.warmup })
  counting = true
  const profiling = spec.server !== undefined && options.profile !== undefined
  if (profiling) await spec.server!.profile()
  const cpuBefore = spec.server ? await spec.server.cpu() : 0
  const result = await autocannon({ ...runOptions, duration: options.duration })
  const cpuMicros = spec.server ? (await spec.server.cpu()) - cpuBefore : 0
  if (profiling) await spec.server!.profile(join(options.profile!, `${spec.name}.cpuprofile`))
  const counts = Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, stat]) => [status, Number(stat.count)]))
  const responses = Object.values(counts).reduce((sum, count) => sum + count, 0)
  const good = (counts[String(spec.expect)] ?? 0) - wrong
  const failed = responses - good + result.errors
  const detail = [
    describeStatuses(counts, spec.expect),
    wrong > 0 ? `${spec.expect} to the wrong place×${wrong}` : '',
    result.errors > 0 ? `connection errors×${result.errors} (timeouts ${result.timeouts})` : '',
  ]
    .filter(Boolean)
    .join(', ')
  return {
    name: spec.name,
    unit: 'req/s',
    value: good / result.duration,
    p99Ms: result.latency.p99,
    errors: failed,
    total: responses + result.errors,
    // Every response cost the server CPU, the refused ones too: divide by all of them.
    ...(spec.server && responses > 0 ? { cpuUsPerRequest: cpuMicros / responses } : {}),
    ...(detail ? { errorDetail: detail } : {}),
  }
}

/** Counts answers that were acknowledged but not found in the database as errors. */
function unstored(measurement: Measurement, missing: number, what: string, duration: number): Measurement {
  if (missing <= 0) return measurement
  const detail = [measurement.errorDetail, `${what}×${missing}`].filter(Boolean).join(', ')
  return { ...measurement, value: Math.max(0, measurement.value - missing / duration), errors: measurement.errors + missing, errorDetail: detail }
}

const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' }

/**
 * The address a phone in the load test answers from, through the target's trusted proxy
 * hop (TRUST_PROXY=1): the per-network rate limit (120 answers per poster per 10 minutes)
 * would otherwise stop a load test from one address within the first second, and a new
 * user agent no longer gets round it. Thousands of distinct clients is what 3000 answers
 * per second look like.
 */
function phoneHeaders(sequence: number): Record<string, string> {
  return { 'user-agent': `leervraag-bench/${sequence}`, 'x-forwarded-for': `10.${(sequence >> 16) & 255}.${(sequence >> 8) & 255}.${sequence & 255}` }
}

/**
 * A real person's step-1 post: a form ticket minted as the form would have been shown two
 * seconds ago (the minimum fill time has passed), from an address of its own.
 */
function stepOne(target: RunningTarget, sequence: number): { body: string; headers: Record<string, string> } {
  const ticket = issueFormTicket(target.secret!, target.code!, Date.now() - 2000)
  return { body: `tried_new=yes&ticket=${ticket}`, headers: { ...formHeaders, ...phoneHeaders(sequence) } }
}

let clients = 0

/** Answer tokens from real step-1 posts, so that each step-2 request amends its own response. */
async function answerTokens(target: RunningTarget, count: number, concurrency: number): Promise<string[]> {
  const tokens: string[] = []
  let started = 0
  async function worker() {
    while (started < count) {
      started++
      const { body, headers } = stepOne(target, ++clients)
      const response = await fetch(`${target.url}/q/${target.code}`, { method: 'POST', headers, body, redirect: 'manual' })
      await response.arrayBuffer()
      const location = response.headers.get('location')
      if (response.status !== 303 || !location?.includes('/2?t=')) throw new Error(`step 1 answered ${response.status} ${location ?? ''} while collecting answer tokens`)
      const url = new URL(location, target.url)
      tokens.push(`${url.pathname}?t=${url.searchParams.get('t')}`)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return tokens
}

/**
 * The physical limit under the step-1 route: raw better-sqlite3 inserts into a table
 * shaped like `responses` (same columns and indexes, as of migration 018), WAL with synchronous=FULL, one
 * transaction per group of `connections` rows — what the app's ResponseWriter commits
 * per event-loop turn when 50 clients post at once. p99 is the latency of one commit.
 */
function sqliteInsert(options: RunOptions): Measurement {
  const dir = mkdtempSync(join(tmpdir(), 'leervraag-bench-sqlite-'))
  const sqlite = new SQLite(join(dir, 'insert.db'))
  try {
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = FULL')
    sqlite.exec(`create table responses (
      id integer primary key autoincrement, poster_id integer not null, region_id integer not null,
      partner_id integer not null, location_id integer not null, activity_id integer not null,
      created_at varchar(30) not null, updated_at varchar(30), language varchar(8) not null,
      tried_new varchar(6) not null check (tried_new in ('yes', 'a_bit', 'no')),
      liked integer check (liked between 1 and 5), age_band varchar(10), free_text varchar(2000),
      step integer not null default 1, idempotency_key varchar(32),
      record_key integer not null check (record_key between 0 and 255));
      create index responses_region_created on responses (region_id, created_at);
      create index responses_poster on responses (poster_id);
      create unique index responses_idempotency_key on responses (idempotency_key);`)
    const insert = sqlite.prepare(
      `insert into responses (poster_id, region_id, partner_id, location_id, activity_id, created_at, language, tried_new, step, idempotency_key, record_key)
       values (1, 1, 1, 1, 1, ?, 'nl', 'yes', 1, ?, ?) returning id`,
    )
    // Keys as random as the form tickets' nonces, so the unique index sees realistic inserts.
    const keyPrefix = randomBytes(8).toString('base64url')
    let sequence = 0
    const group = sqlite.transaction((size: number) => {
      const at = new Date().toISOString()
      for (let i = 0; i < size; i++) insert.get(at, `${(++sequence * 2654435761 % 4294967296).toString(36)}${keyPrefix}`, sequence & 255)
    })
    const batch = options.connections
    const commitMs: number[] = []
    const warmUntil = performance.now() + options.warmup * 1000
    while (performance.now() < warmUntil) group(batch)
    const start = performance.now()
    const end = start + options.duration * 1000
    let rows = 0
    while (performance.now() < end) {
      const before = performance.now()
      group(batch)
      commitMs.push(performance.now() - before)
      rows += batch
    }
    const elapsed = (performance.now() - start) / 1000
    commitMs.sort((a, b) => a - b)
    return {
      name: 'sqlite_insert',
      unit: 'rows/s',
      value: rows / elapsed,
      p99Ms: commitMs[Math.min(commitMs.length - 1, Math.floor(commitMs.length * 0.99))] ?? 0,
      errors: 0,
      total: rows,
    }
  } finally {
    sqlite.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A benchmark measured in this process (CPU and memory, no server), in the report's shape. */
function inProcess(name: string, unit: Unit, description: string, measure: () => Promise<{ value: number; p99Ms: number; errors: number; total: number }>): Benchmark {
  return {
    name,
    unit,
    description,
    run: async () => ({ name, unit, ...(await measure()) }),
  }
}

/**
 * The dashboard over every data shape (scripts/bench-dashboard.ts): one measurement per
 * shape, named `dashboard_100k/one-week`, whose value is the p95 of its worst view. Its
 * databases (data/bench-dashboard-*.db) are seeded once and reused. Measured in a process
 * of its own: after minutes of autocannon this process's heap is large, and its garbage
 * collection would land in the dashboard's p95.
 */
function dashboard(responses: number, name: string): (context: BenchContext) => Promise<Measurement[]> {
  return async (context) => {
    const args = ['--responses', String(responses), '--report', 'ipc', ...(context.shapes ? ['--shape', context.shapes.join(',')] : [])]
    const child = fork(fileURLToPath(new URL('../bench-dashboard.ts', import.meta.url)), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const results = await new Promise<DashboardBenchResult[]>((resolve, reject) => {
      child.once('message', (message) => resolve(message as DashboardBenchResult[]))
      child.once('exit', (code) => reject(new Error(`the dashboard bench exited (code ${code}) without a result`)))
    })
    return results.map((result) => ({
      name: `${name}/${result.shape}`,
      unit: 'ms' as const,
      value: result.p95,
      p99Ms: result.p95,
      errors: 0,
      total: result.runs,
      detail: `worst view ${result.worstView}; CPU per page ${result.cpuMsPerPage} ms on average, ${result.worstCpuMs} ms at most (${result.worstCpuView}); plans ${result.plansFile}`,
    }))
  }
}

/** The planning page's p95 in ms (issue 18), on the dashboard bench's data set plus 2,000 offers and activities. */
function planning(responses: number): () => Promise<{ value: number; p99Ms: number; errors: number; total: number }> {
  return async () => {
    const child = fork(fileURLToPath(new URL('../bench-planning.ts', import.meta.url)), ['--responses', String(responses), '--report', 'ipc'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const result = await new Promise<{ p95: number; runs: number }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as { p95: number; runs: number }))
      child.once('exit', (code) => reject(new Error(`the planning bench exited (code ${code}) without a result`)))
    })
    return { value: result.p95, p99Ms: result.p95, errors: 0, total: result.runs }
  }
}

/** Durable step-1 answers under load; every 303 must have left a stored row. */
async function answerPost(context: BenchContext, name: string, kind: 'app' | 'app-no-rollups'): Promise<Measurement> {
  const app = await context.target(kind)
  const before = await app.stats()
  const measurement = await load(context, {
    name,
    server: app,
    url: `${app.url}/q/${app.code}`,
    method: 'POST',
    headers: formHeaders,
    expect: 303,
    setup: (request) => Object.assign(request, stepOne(app, ++clients)),
    // A decoy (honeypot, too fast) also answers 303, but to the thank-you page.
    check: (headers) => String(headers.location ?? '').includes('/2?t='),
  })
  const stored = (await app.stats()).responses - before.responses
  const acknowledged = measurement.total - measurement.errors
  return unstored(measurement, acknowledged - stored, 'acknowledged but not stored', context.duration)
}

/** The registry: run in this order; `--only` picks a subset by name. Later issues add entries. */
export const benchmarks: Benchmark[] = [
  {
    name: 'hello_world',
    unit: 'req/s',
    description: 'a bare Fastify app answering {"hello":"world"}: the ceiling for this machine',
    run: async (context) => {
      const hello = await context.target('hello')
      return load(context, { name: 'hello_world', server: hello, url: `${hello.url}/`, expect: 200 })
    },
  },
  {
    name: 'form_get',
    unit: 'req/s',
    description: 'GET /q/:code, the step-1 page',
    run: async (context) => {
      const app = await context.target('app')
      return load(context, { name: 'form_get', server: app, url: `${app.url}/q/${app.code}`, expect: 200 })
    },
  },
  {
    name: 'answer_post',
    unit: 'req/s',
    description: 'POST /q/:code tried_new=yes: a durable step-1 answer (303 to step 2)',
    run: (context) => answerPost(context, 'answer_post', 'app'),
  },
  {
    name: 'answer_post_no_rollups',
    unit: 'req/s',
    description: 'answer_post with the dashboard rollups switched off: what keeping them in the answer\'s transaction costs',
    run: (context) => answerPost(context, 'answer_post_no_rollups', 'app-no-rollups'),
  },
  {
    name: 'amend_post',
    unit: 'req/s',
    description: 'POST /q/:code/2?t=… liked=4 and one theme: step 2 amends a response (303 to thanks)',
    run: async (context) => {
      const app = await context.target('app')
      const tokens = await answerTokens(app, 2000, context.connections)
      // Step 2 has a minimum fill time too, counted from step 1.
      await new Promise((resolve) => setTimeout(resolve, 1600))
      const before = await app.stats()
      let next = 0
      const amended = new Set<number>()
      const measurement = await load(context, {
        name: 'amend_post',
        server: app,
        url: `${app.url}${tokens[0]!}`,
        method: 'POST',
        body: `liked=4&themes=${app.themeId}`,
        expect: 303,
        setup: (request, requestContext) => {
          const index = next++ % tokens.length
          requestContext.token = index
          request.path = tokens[index]!
          // An address per request: tokens are reused when the run outlasts them, and
          // each reuse would count against the per-client limit of the token's client.
          request.headers = { ...formHeaders, ...phoneHeaders(++clients) }
        },
        check: (_headers, requestContext) => {
          amended.add(requestContext.token as number)
          return true
        },
      })
      // A decoy also redirects to the thank-you page: every answer that got a 303 must now be at step 2.
      const after = await app.stats()
      return unstored(measurement, amended.size - (after.stepTwo - before.stepTwo), 'step 2 not stored', context.duration)
    },
  },
  {
    name: 'qr_svg',
    unit: 'req/s',
    description: 'GET /q/:code/qr.svg',
    run: async (context) => {
      const app = await context.target('app')
      return load(context, { name: 'qr_svg', server: app, url: `${app.url}/q/${app.code}/qr.svg`, expect: 200 })
    },
  },
  {
    name: 'sqlite_insert',
    unit: 'rows/s',
    description: 'raw better-sqlite3 inserts, WAL + synchronous=FULL, one commit per group of --connections rows',
    run: async (context) => sqliteInsert(context),
  },
  inProcess('poster_a4_pdf', 'ms', 'one bilingual A4 poster PDF with the embedded font (median ms)', benchPosterA4),
  inProcess('posters_batch_200', 's', 'one streamed PDF of 200 A4 posters in the worker thread (s)', () => benchPosterBatch(200)),
  {
    name: 'dashboard_100k',
    unit: 'ms',
    description: 'the region dashboard at 100,000 answers, per data shape: p95 of the worst of 70 views (seeds each shape once)',
    run: dashboard(100_000, 'dashboard_100k'),
  },
  {
    name: 'dashboard_1m',
    unit: 'ms',
    description: 'the same at 1,000,000 answers (only with --size 1m or --only; seeding each shape takes minutes)',
    run: dashboard(1_000_000, 'dashboard_1m'),
  },
  inProcess('planning_100k', 'ms', 'the planning page, last complete quarter, 100,000 answers and 2,000 offers/activities (p95 ms)', planning(100_000)),
  inProcess('planning_1m', 'ms', 'the planning page, last complete quarter, 1,000,000 answers and 2,000 offers/activities (p95 ms; seeds once, minutes)', planning(1_000_000)),
]

/** One question to a target server over IPC; the answer is the next message of that type. */
function ask<T extends { type: string }>(child: ChildProcess, type: T['type'], message: unknown = type): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: { type?: string }) => {
      if (message?.type !== type) return
      child.off('message', listener)
      resolve(message as T)
    }
    child.on('message', listener)
    child.send(message as string)
  })
}

const targetServer = fileURLToPath(new URL('./target-server.ts', import.meta.url))
const primeSeconds = 4

/** Servers in child processes, started on first use; `stopAll` ends them and removes their databases. */
export function targetPool(options: RunOptions) {
  const running = new Map<TargetKind, Promise<{ child: ChildProcess; target: RunningTarget }>>()

  const secret = randomBytes(32).toString('hex')

  function start(kind: TargetKind) {
    return new Promise<{ child: ChildProcess; target: RunningTarget }>((resolve, reject) => {
      // The child inherits this process's tsx loader through execArgv.
      const child = fork(targetServer, [kind, options.db], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env: { ...process.env, BENCH_SECRET: secret },
      })
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`the ${kind} server exited (code ${code}) before it was ready`)))
      child.once('message', (message: ReadyMessage) => {
        const target: RunningTarget = {
          url: `http://127.0.0.1:${message.port}`,
          secret,
          stats: () => ask<StatsMessage>(child, 'stats'),
          cpu: async () => (await ask<CpuMessage>(child, 'cpu')).micros,
          profile: async (file) => {
            await ask(child, 'profiled', { profile: file === undefined ? 'start' : 'stop', file })
          },
        }
        if (message.code) target.code = message.code
        if (message.themeId) target.themeId = message.themeId
        resolve({ child, target })
      })
    })
  }

  /**
   * A fresh server needs seconds of load before V8 has compiled its hot paths (measured
   * here: the step-1 page at 1.2k req/s in its first two seconds, 5k and 7.6k in the next
   * two-second runs). Priming each server once with its cheapest GET keeps that out of
   * whichever benchmark happens to run first, hello_world included.
   */
  async function prime(target: RunningTarget, kind: TargetKind) {
    if (options.warmup <= 0) return
    const path = kind === 'hello' ? '/' : `/q/${target.code}`
    await autocannon({ url: `${target.url}${path}`, connections: options.connections, duration: primeSeconds })
  }

  return {
    async target(kind: TargetKind): Promise<RunningTarget> {
      let started = running.get(kind)
      if (started === undefined) {
        started = start(kind).then(async (server) => {
          await prime(server.target, kind)
          return server
        })
        running.set(kind, started)
      }
      return (await started).target
    },
    async stopAll(): Promise<void> {
      await Promise.all(
        [...running.values()].map(async (started) => {
          const { child } = await started.catch(() => ({ child: undefined }))
          if (!child || child.exitCode !== null) return
          const exited = new Promise((resolve) => child.once('exit', resolve))
          child.send('stop')
          await exited
        }),
      )
      running.clear()
    },
  }
}
