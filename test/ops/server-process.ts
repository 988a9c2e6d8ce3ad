import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Kysely } from 'kysely'
import { issueFormTicket } from '../../src/capture/guard.ts'
import type { Database } from '../../src/db/types.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))

export interface ServerProcess {
  child: ChildProcess
  /** http://127.0.0.1:PORT once it listens. */
  url: string
  stdout: () => string
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * Environment for a child: the parent's, without tap's loader options and without its
 * coverage directory (a child runs tsx's transpilation, whose coverage would be merged
 * into the report against the wrong source maps), plus ours.
 */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env }
  delete base.NODE_OPTIONS
  delete base.NODE_V8_COVERAGE
  for (const key of Object.keys(base)) if (key.startsWith('TAP') || key === 'TEST_DATABASE_URL') delete base[key]
  // tap's process tracker also wraps child processes; '0' turns its coverage off in this one.
  base._TAPJS_PROCESSINFO_COVERAGE_ = '0'
  return { ...base, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env }
}

/** Runs `src/server.ts` the way `npm start` does (through tsx) and waits for it to exit. */
export function runServer(t: Teardown, env: Record<string, string>) {
  let out = ''
  let err = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', (chunk) => (out += String(chunk)))
  child.stderr.on('data', (chunk) => (err += String(chunk)))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return { child, stdout: () => out, stderr: () => err, exited }
}

/** Starts a server on a free port and resolves when it listens (or rejects with its output). */
export async function startServer(t: Teardown, env: Record<string, string>, timeoutMs = 120_000): Promise<ServerProcess> {
  // One trusted proxy hop: postAnswer's phones each answer from an address of their own.
  const server = runServer(t, { TRUST_PROXY: '1', ...env })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${server.stderr()}${server.stdout()}`)), timeoutMs)
    const look = () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stdout())
      if (match) {
        clearTimeout(timer)
        server.child.stdout!.off('data', look)
        resolve(match[1]!)
      }
    }
    server.child.stdout!.on('data', look)
    void server.exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`server exited before listening: ${server.stderr()}${server.stdout()}`))
    })
  })
  return { ...server, url }
}

/** The response id carried by the step-2 answer token in a 303's Location. */
export function responseIdFromLocation(location: string | null): number | undefined {
  const match = /[?&]t=([0-9a-z]+)\./.exec(location ?? '')
  return match ? parseInt(match[1]!, 36) : undefined
}

/**
 * A step-1 answer as a phone sends it to a server in another process: with a form ticket
 * shown a few seconds ago (minted with the server's own secret, read from the shared
 * database) and a user agent of its own, so that the per-client rate limit sees many
 * phones rather than one script.
 */
export async function postAnswer(
  db: Kysely<Database>,
  url: string,
  code: string,
  phone: number,
  fields: Record<string, string> = { tried_new: 'yes' },
): Promise<Response> {
  const { value } = await db.selectFrom('app_secrets').select('value').where('name', '=', 'answer-token').executeTakeFirstOrThrow()
  const ticket = issueFormTicket(value, code, Date.now() - 5000)
  return fetch(`${url}/q/${code}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': `TestPhone/${phone}`, 'x-forwarded-for': `10.${(phone >> 16) & 255}.${(phone >> 8) & 255}.${phone & 255}` },
    body: new URLSearchParams({ ...fields, ticket }).toString(),
    redirect: 'manual',
  })
}
