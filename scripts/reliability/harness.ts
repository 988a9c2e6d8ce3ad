import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createActivity, createLocation, createPartner, createRegion } from '../../src/admin/queries.ts'
import { issueFormTicket } from '../../src/capture/guard.ts'
import { openDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { createPoster } from '../../src/posters/queries.ts'

/**
 * The real server in a child process, driven over HTTP the way phones drive it: shared by
 * the crash test, the soak and the fault tests, which must see what a person would see
 * (a kill -9 or a full disk cannot be simulated inside one process).
 */

const root = fileURLToPath(new URL('../../', import.meta.url))

export interface RunningServer {
  child: ChildProcess
  url: string
  pid: number
  /** Everything the server wrote to stderr (stdout is drained: request logs would fill memory). */
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** A server secret fixed by the harness, so that it can mint form tickets as the form page would. */
export const harnessSecret = randomBytes(24).toString('base64url')

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env }
  delete base.NODE_OPTIONS
  delete base.NODE_V8_COVERAGE
  for (const key of Object.keys(base)) if (key.startsWith('TAP') || key === 'TEST_DATABASE_URL') delete base[key]
  // TRUST_PROXY=1: the harness's phones each answer from an address of their own (X-Forwarded-For).
  // tap's process tracker also wraps child processes; '0' turns its coverage off in this one.
  base._TAPJS_PROCESSINFO_COVERAGE_ = '0'
  return { ...base, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SECRET: harnessSecret, TRUST_PROXY: '1', ...env }
}

/** Starts `src/server.ts` as `npm start` does and resolves once it listens. */
export function startServer(env: Record<string, string>, options: Pick<SpawnOptions, 'uid' | 'gid'> = {}, timeoutMs = 180_000): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  })
  let err = ''
  let head = ''
  child.stderr!.on('data', (chunk) => (err = (err + String(chunk)).slice(-20_000)))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start in ${timeoutMs} ms: ${err}${head}`))
    }, timeoutMs)
    child.stdout!.on('data', (chunk) => {
      if (head === undefined) return
      head = (head + String(chunk)).slice(-20_000)
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(head)
      if (match) {
        clearTimeout(timer)
        head = undefined as unknown as string
        resolve({ child, url: match[1]!, pid: child.pid!, stderr: () => err, exited })
      }
    })
    void exited.then((exit) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${JSON.stringify(exit)}) before listening: ${err}${head ?? ''}`))
    })
  })
}

/** Stops a server for good (SIGKILL, as a crash would) and waits until it is gone. */
export async function killServer(server: RunningServer): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL')
  await server.exited
}

/** A migrated SQLite database at `path` with one active poster; returns its code and id. */
export async function seedDatabase(url: string): Promise<{ code: string; posterId: number }> {
  const handle = openDatabase(url)
  try {
    await migrateToLatest(handle.db)
    const regionId = await createRegion(handle.db, { slug: 'regio-test', name: 'Regio Test', contactLine: 'Bel 012 34 56 78' })
    const partnerId = await createPartner(handle.db, regionId, 'Bibliotheek Test', 'library')
    const locationId = await createLocation(handle.db, regionId, { name: 'Bib Test', municipality: 'Tongeren' })
    const activityId = await createActivity(handle.db, { partnerId, title: 'Repair Café', audience: 'all' })
    const poster = await createPoster(handle.db, { activityId, locationId })
    return { code: poster.code, posterId: poster.id }
  } finally {
    await handle.close()
  }
}

/** A form ticket as the step-1 page would have printed it five seconds ago (past the minimum fill time). */
export function freshTicket(code: string): string {
  return issueFormTicket(harnessSecret, code, Date.now() - 5000)
}

/** The idempotency key in a ticket: its nonce. */
export function ticketNonce(ticket: string): string {
  return ticket.split('.')[1]!
}

let phones = 0

function phoneAddress(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
}

/**
 * One step-1 answer as a phone sends it. Every request comes from an address of its own
 * (through the server's one trusted proxy hop), so that the per-network rate limit sees
 * many phones rather than one script.
 */
export async function postAnswer(url: string, code: string, ticket: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/q/${code}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': `HarnessPhone/${process.pid}.${phones}`, 'x-forwarded-for': phoneAddress(phones++) },
    body: new URLSearchParams({ tried_new: 'yes', ticket }).toString(),
    redirect: 'manual',
    signal,
  })
}

/** The response id carried by the step-2 answer token in a 303's Location. */
export function responseIdFromLocation(location: string | null): number | undefined {
  const match = /[?&]t=([0-9a-z]+)\./.exec(location ?? '')
  return match ? parseInt(match[1]!, 36) : undefined
}

/** Resident memory of a process in bytes (Linux), from /proc/PID/status. */
export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match) throw new Error(`no VmRSS for process ${pid}`)
  return Number(match[1]) * 1024
}

/** The p-th percentile (0..100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
