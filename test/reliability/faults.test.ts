import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import t, { type Test } from 'tap'
import {
  freshTicket,
  harnessSecret,
  killServer,
  postAnswer,
  responseIdFromLocation,
  seedDatabase,
  startServer,
  type RunningServer,
} from '../../scripts/reliability/harness.ts'
import { signAnswerToken } from '../../src/capture/answer-token.ts'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/db/types.ts'
import { answerStepOne, buildTestApp, form, formHeaders, seedPoster, testDatabaseUrl } from '../helpers.ts'

/**
 * Faults an operator will meet: the disk fills up, the database becomes read-only. The data
 * directory is a small tmpfs of its own (we run as root in CI), the server the real one in a
 * child process. What a person must see: their answer is refused with a 503 and a page that
 * says so in their language, nothing is half-written, the form still shows, and answers are
 * taken again as soon as the space is back, without a restart.
 */
t.setTimeout(300_000)

function tryMount(dir: string, size: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' })
    return undefined
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error).trim()
  }
}

interface Sandbox {
  dir: string
  url: string
  file: string
  code: string
  posterId: number
  server: RunningServer
  /** The answer taken before the fault (step 2 amends it). */
  warmId: number
}

async function sandbox(t: Test): Promise<Sandbox | undefined> {
  if (testDatabaseUrl) {
    t.comment('# SKIPPED: the disk-full test runs on SQLite (a PostgreSQL server has its own disk; 53100 disk_full maps to the same 503)')
    return undefined
  }
  const dir = mkdtempSync(join(tmpdir(), 'leervraag-fault-'))
  const refused = tryMount(dir, '16m')
  if (refused !== undefined) {
    rmdirSync(dir)
    t.comment(`# SKIPPED: cannot mount a tmpfs here (${refused}); run as root to test a full disk and a read-only database`)
    return undefined
  }
  t.teardown(() => {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
  const file = join(dir, 'leervraag.db')
  const url = `sqlite:${file}`
  const { code, posterId } = await seedDatabase(url)
  const server = await startServer({ DATABASE_URL: url })
  t.teardown(() => killServer(server))
  // Warm up: the first answer of the day also stores the day's rate-limit secret.
  const first = await postAnswer(server.url, code, freshTicket(code))
  t.equal(first.status, 303, 'an answer is taken before the fault')
  const warmId = responseIdFromLocation(first.headers.get('location'))!
  return { dir, url, file, code, posterId, server, warmId }
}

function count(file: string, posterId: number): number {
  const db = new SQLite(file, { readonly: true, fileMustExist: true })
  try {
    return (db.prepare('select count(*) as n from responses where poster_id = ?').get(posterId) as { n: number }).n
  } finally {
    db.close()
  }
}

function integrity(file: string): string {
  const db = new SQLite(file, { readonly: true, fileMustExist: true })
  try {
    return String(db.pragma('integrity_check', { simple: true }))
  } finally {
    db.close()
  }
}

/** Fills the file system to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const path = join(dir, 'filler')
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(16 * 1024, 1)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error
  } finally {
    closeSync(fd)
  }
  // Small writes can still fit in the last partial block: fill that too.
  const tail = openSync(path, 'a')
  try {
    for (;;) writeSync(tail, Buffer.alloc(512, 1))
  } catch {
    // full
  } finally {
    closeSync(tail)
  }
  return path
}

/** Answers until one is refused (the WAL has to grow into the full disk); returns the refusal. */
async function answerUntilRefused(box: Sandbox, acknowledged: number[]) {
  for (let attempt = 0; attempt < 500; attempt++) {
    const res = await postAnswer(box.server.url, box.code, freshTicket(box.code))
    if (res.status === 303) {
      acknowledged.push(responseIdFromLocation(res.headers.get('location'))!)
      continue
    }
    return res
  }
  throw new Error('500 answers were all taken on a full disk')
}

async function checkRefusal(t: Test, box: Sandbox, res: Response, acknowledged: number[]) {
  const body = await res.text()
  t.equal(res.status, 503, 'the answer is refused with 503')
  t.equal(res.headers.get('retry-after'), '60', 'with Retry-After')
  t.match(body, 'Je antwoord is niet bewaard', 'and a page that says so, in Dutch for a Dutch poster')
  t.notMatch(body, /SQLITE|stack|Error:/, 'without technical detail')

  // Several more at once: each one refused, none stored.
  const before = count(box.file, box.posterId)
  const more = await Promise.all(Array.from({ length: 8 }, () => postAnswer(box.server.url, box.code, freshTicket(box.code))))
  t.same(
    more.map((r) => r.status),
    Array(8).fill(503),
    'concurrent answers in one batch are all refused with 503',
  )
  t.equal(count(box.file, box.posterId), before, 'nothing was stored by the refused answers')
  t.equal(integrity(box.file), 'ok', 'nothing half-written: integrity_check is ok')
  const stored = new Set((new SQLite(box.file, { readonly: true }).prepare('select id from responses').all() as { id: number }[]).map((r) => r.id))
  t.same(acknowledged.filter((id) => !stored.has(id)), [], 'every answer acknowledged before the fault is stored')

  const page = await fetch(`${box.server.url}/q/${box.code}`)
  t.equal(page.status, 200, 'the form page still shows')
  t.match(await page.text(), 'name="ticket"')

  // Step 2 of an answer taken before the fault: also refused with 503, nothing changed.
  const token = signAnswerToken(harnessSecret, box.code, box.warmId, Math.floor(Date.now() / 1000) - 60)
  const amend = await fetch(`${box.server.url}/q/${box.code}/2?t=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'FaultPhone/amend' },
    body: new URLSearchParams({ liked: '5', free_text: 'Meer over fietsen herstellen' }).toString(),
    redirect: 'manual',
  })
  await amend.arrayBuffer()
  t.equal(amend.status, 503, `step 2 is refused with 503 too (got ${amend.status} ${amend.headers.get('location') ?? ''})`)
}

t.test('disk full: 503 with a friendly page, nothing half-written, recovery without restart', async (t) => {
  const box = await sandbox(t)
  if (box === undefined) return
  const acknowledged: number[] = []
  const filler = fill(box.dir)
  const refused = await answerUntilRefused(box, acknowledged)
  await checkRefusal(t, box, refused, acknowledged)

  unlinkSync(filler)
  const again = await postAnswer(box.server.url, box.code, freshTicket(box.code))
  await again.arrayBuffer()
  t.equal(again.status, 303, 'once space is back, answers are taken again without a restart')
  t.equal(box.server.child.exitCode, null, 'the server never stopped')
  t.equal(integrity(box.file), 'ok')
})

/**
 * A read-only database. The kernel refuses to remount a file system read-only while the
 * server holds the database open for writing ("mount point is busy"), and as root a chmod
 * changes nothing; SQLite's query_only switch makes every write on the app's own
 * connection fail with SQLITE_READONLY, as a read-only file would, and can be switched back.
 */
t.test('read-only database: 503, nothing stored, the form still shows, recovery when writable again', async (t) => {
  const { app, database } = await buildTestApp(t)
  if (database.sqlite === undefined) {
    t.comment('# SKIPPED: SQLite only (on PostgreSQL, 25006 read_only_sql_transaction maps to the same 503; see errors.test.ts)')
    return
  }
  const fixture = await seedPoster(database)
  const taken = await answerStepOne(app, fixture.code)
  t.equal(taken.res.statusCode, 303, 'an answer is taken before the fault')
  const before = await countResponses(database.db)

  database.sqlite.pragma('query_only = ON')
  const refused = await answerStepOne(app, fixture.code, {}, {})
  t.equal(refused.res.statusCode, 503, 'an answer on a read-only database is refused with 503')
  t.equal(refused.res.headers['retry-after'], '60')
  t.match(refused.res.body, 'Je antwoord is niet bewaard')
  const amend = await app.inject({ method: 'POST', url: `/q/${fixture.code}/2?t=${taken.token}`, headers: formHeaders, payload: form({ liked: '5', free_text: 'fietsen' }) })
  t.equal(amend.statusCode, 503, 'step 2 is refused with 503 too')
  const page = await app.inject({ method: 'GET', url: `/q/${fixture.code}` })
  t.equal(page.statusCode, 200, 'the form page still shows')

  database.sqlite.pragma('query_only = OFF')
  t.equal(await countResponses(database.db), before, 'nothing was stored while read-only')
  const again = await answerStepOne(app, fixture.code)
  t.equal(again.res.statusCode, 303, 'answers are taken again once the database is writable, without a restart')
})

async function countResponses(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}
