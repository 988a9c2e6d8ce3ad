import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import SQLite from 'better-sqlite3'
import {
  freshTicket,
  killServer,
  postAnswer,
  responseIdFromLocation,
  type RunningServer,
  seedDatabase,
  startServer,
  ticketNonce,
} from './reliability/harness.ts'

/**
 * `npm run test:crash`: an answer acknowledged is an answer kept, even through kill -9.
 *
 * Each run drives concurrent step-1 answers (each with its own form ticket, whose nonce is
 * the idempotency key) at the real server, records every answer acknowledged with a 303,
 * kills the server with SIGKILL at a random moment, checks the SQLite file
 * (`PRAGMA integrity_check`), restarts the server on the same file and checks that every
 * acknowledged answer is stored exactly once, under the id it was acknowledged with. Then
 * it sends some acknowledged tickets again: the restarted server must answer with the
 * same ids and store nothing new.
 *
 * Options: --runs N (20), --concurrency N (32), --min-ms / --max-ms (the window after the
 * load starts in which the kill falls; 300–3000), --resend N (10 tickets per run).
 */
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '32' },
    'min-ms': { type: 'string', default: '300' },
    'max-ms': { type: 'string', default: '3000' },
    resend: { type: 'string', default: '10' },
    keep: { type: 'boolean', default: false },
  },
})
const runs = Number(args.runs)
const concurrency = Number(args.concurrency)
const minMs = Number(args['min-ms'])
const maxMs = Number(args['max-ms'])
const resendCount = Number(args.resend)

const dir = mkdtempSync(join(tmpdir(), 'leervraag-crash-'))
const file = join(dir, 'crash.db')
const url = `sqlite:${file}`
const env = { DATABASE_URL: url }

/** Every answer the server acknowledged: idempotency key → response id (and its ticket, to resend). */
const acknowledged = new Map<string, { id: number; ticket: string }>()
/** Keys sent whose outcome we never saw (in flight at the kill): they may or may not be stored. */
const unanswered = new Set<string>()
const totals = { sent: 0, acknowledged: 0, serverErrors: 0, otherStatuses: 0, resent: 0, resendMismatches: 0, integrityFailures: 0 }

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Answers as fast as `concurrency` phones can until the server goes away. */
async function load(server: RunningServer, code: string, stop: { killed: boolean }) {
  async function phone() {
    while (!stop.killed) {
      const ticket = freshTicket(code)
      const key = ticketNonce(ticket)
      unanswered.add(key)
      totals.sent++
      let res: Response
      try {
        res = await postAnswer(server.url, code, ticket)
        await res.arrayBuffer()
      } catch {
        return // the connection died with the server: this answer was never acknowledged
      }
      unanswered.delete(key)
      if (res.status === 303) {
        const id = responseIdFromLocation(res.headers.get('location'))
        if (id === undefined) throw new Error(`303 without an answer token: ${res.headers.get('location')}`)
        acknowledged.set(key, { id, ticket })
        totals.acknowledged++
      } else if (res.status >= 500) totals.serverErrors++
      else totals.otherStatuses++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, phone))
}

function integrity(): string {
  const db = new SQLite(file)
  try {
    return String(db.pragma('integrity_check', { simple: true }))
  } finally {
    db.close()
  }
}

function storedRows(posterId: number): { id: number; key: string | null }[] {
  const db = new SQLite(file, { readonly: true })
  try {
    return db.prepare('select id, idempotency_key as key from responses where poster_id = ?').all(posterId) as { id: number; key: string | null }[]
  } finally {
    db.close()
  }
}

/** Sends tickets that were acknowledged before the crash again: same id back, nothing new stored. */
async function resend(server: RunningServer, code: string, posterId: number) {
  const sample = [...acknowledged.values()].sort(() => Math.random() - 0.5).slice(0, resendCount)
  const before = storedRows(posterId).length
  for (const { id, ticket } of sample) {
    totals.resent++
    const res = await postAnswer(server.url, code, ticket)
    await res.arrayBuffer()
    if (res.status !== 303 || responseIdFromLocation(res.headers.get('location')) !== id) {
      totals.resendMismatches++
      console.error(`  resent ticket for answer ${id}: got ${res.status} ${res.headers.get('location')}`)
    }
  }
  const after = storedRows(posterId).length
  if (after !== before) {
    totals.resendMismatches++
    console.error(`  resending ${sample.length} acknowledged tickets stored ${after - before} new rows`)
  }
}

async function main() {
  const { code, posterId } = await seedDatabase(url)
  console.log(`crash test: ${runs} runs, ${concurrency} concurrent answerers, SIGKILL ${minMs}–${maxMs} ms into each run; database ${file}`)
  let server = await startServer(env)
  for (let run = 1; run <= runs; run++) {
    const stop = { killed: false }
    const before = totals.acknowledged
    const driving = load(server, code, stop)
    const delay = minMs + Math.random() * (maxMs - minMs)
    await sleep(delay)
    stop.killed = true
    await killServer(server)
    await driving

    const check = integrity()
    if (check !== 'ok') {
      totals.integrityFailures++
      console.error(`  run ${run}: integrity_check says ${check}`)
    }
    // The restart recovers the WAL and runs the migrations, as after a real crash.
    server = await startServer(env)
    await resend(server, code, posterId)
    const rows = storedRows(posterId)
    const lost = [...acknowledged.values()].filter(({ id }) => !rows.some((row) => row.id === id)).length
    console.log(
      `run ${String(run).padStart(2)}: killed after ${Math.round(delay)} ms, ${totals.acknowledged - before} acknowledged, ${rows.length} stored in total, lost so far ${lost}, integrity ${check}`,
    )
  }
  await killServer(server)

  // Exactly once: each acknowledged key is stored in one row, with the id it was acknowledged with.
  const rows = storedRows(posterId)
  const byKey = new Map<string, number[]>()
  for (const row of rows) if (row.key !== null) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row.id])
  let lost = 0
  let duplicated = 0
  let wrongId = 0
  for (const [key, { id }] of acknowledged) {
    const ids = byKey.get(key) ?? []
    if (ids.length === 0) lost++
    else if (ids.length > 1) duplicated++
    else if (ids[0] !== id) wrongId++
  }
  const neverAcknowledged = rows.filter((row) => row.key === null || !acknowledged.has(row.key))
  const inFlight = neverAcknowledged.filter((row) => row.key !== null && unanswered.has(row.key)).length
  const finalIntegrity = integrity()

  console.log('')
  console.log(`runs                               ${runs}`)
  console.log(`answers sent                       ${totals.sent}`)
  console.log(`acknowledged (303)                 ${acknowledged.size}`)
  console.log(`stored                             ${rows.length}`)
  console.log(`lost (acknowledged, not stored)    ${lost}`)
  console.log(`stored more than once              ${duplicated}`)
  console.log(`stored under another id            ${wrongId}`)
  console.log(`stored but never acknowledged      ${neverAcknowledged.length} (of which ${inFlight} were in flight at a kill)`)
  console.log(`5xx answers                        ${totals.serverErrors}; other non-303 ${totals.otherStatuses}`)
  console.log(`resent after restart               ${totals.resent}, mismatches ${totals.resendMismatches}`)
  console.log(`integrity_check failures           ${totals.integrityFailures}; final ${finalIntegrity}`)

  const failed =
    lost > 0 ||
    duplicated > 0 ||
    wrongId > 0 ||
    neverAcknowledged.length !== inFlight ||
    totals.serverErrors > 0 ||
    totals.resendMismatches > 0 ||
    totals.integrityFailures > 0 ||
    finalIntegrity !== 'ok' ||
    acknowledged.size === 0
  console.log(failed ? 'FAIL' : 'PASS')
  return failed ? 1 : 0
}

main()
  .then((status) => {
    if (!args.keep) rmSync(dir, { recursive: true, force: true })
    process.exit(status)
  })
  .catch((error) => {
    console.error(error)
    process.exit(2)
  })
