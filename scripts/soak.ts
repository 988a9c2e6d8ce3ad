import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadavg } from 'node:os'
import SQLite from 'better-sqlite3'
import {
  freshTicket,
  killServer,
  percentile,
  postAnswer,
  residentBytes,
  responseIdFromLocation,
  seedDatabase,
  startServer,
  ticketNonce,
} from './reliability/harness.ts'

/**
 * `npm run soak`: many people answering for a while, on the real server.
 * 200 concurrent answerers (--concurrency) for 60 s (--seconds) after a warm-up
 * (--warmup, 10 s): zero 5xx, zero acknowledged answers lost, and the server's resident
 * memory at the end within 20 % (--rss-tolerance) of what it was after the warm-up.
 * Prints answers per second and the p99 latency.
 */
const { values: args } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    'rss-tolerance': { type: 'string', default: '0.2' },
  },
})
const concurrency = Number(args.concurrency)
const seconds = Number(args.seconds)
const warmupSeconds = Number(args.warmup)
const tolerance = Number(args['rss-tolerance'])

const dir = mkdtempSync(join(tmpdir(), 'leervraag-soak-'))
const file = join(dir, 'soak.db')
const url = `sqlite:${file}`

async function main() {
  const { code, posterId } = await seedDatabase(url)
  const server = await startServer({ DATABASE_URL: url })
  console.log(`soak: ${concurrency} concurrent answerers, ${warmupSeconds} s warm-up then ${seconds} s; load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}`)

  const acknowledged = new Map<string, number>()
  const statuses = new Map<number, number>()
  let networkErrors = 0
  let measuring = false
  let measured = 0
  const latencies: number[] = []
  let stopAt = Date.now() + warmupSeconds * 1000

  async function phone() {
    while (Date.now() < stopAt) {
      const ticket = freshTicket(code)
      const started = performance.now()
      try {
        const res = await postAnswer(server.url, code, ticket)
        await res.arrayBuffer()
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        if (res.status === 303) acknowledged.set(ticketNonce(ticket), responseIdFromLocation(res.headers.get('location')) ?? -1)
      } catch {
        networkErrors++
      }
      if (measuring) {
        latencies.push(performance.now() - started)
        measured++
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, phone))
  const rssAfterWarmup = residentBytes(server.pid)
  measuring = true
  const began = performance.now()
  stopAt = Date.now() + seconds * 1000
  await Promise.all(Array.from({ length: concurrency }, phone))
  const elapsed = (performance.now() - began) / 1000
  const rssAtEnd = residentBytes(server.pid)
  await killServer(server)

  const db = new SQLite(file, { readonly: true })
  const stored = new Map((db.prepare('select idempotency_key as key, id from responses where poster_id = ?').all(posterId) as { key: string; id: number }[]).map((row) => [row.key, row.id]))
  db.close()
  const lost = [...acknowledged].filter(([key, id]) => stored.get(key) !== id).length
  const serverErrors = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0)
  const growth = rssAtEnd / rssAfterWarmup - 1
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

  console.log(`answers                 ${measured} in ${elapsed.toFixed(1)} s = ${(measured / elapsed).toFixed(0)} req/s`)
  console.log(`latency                 p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`)
  console.log(`statuses                ${JSON.stringify(Object.fromEntries(statuses))}; network errors ${networkErrors}`)
  console.log(`5xx                     ${serverErrors}`)
  console.log(`acknowledged / lost     ${acknowledged.size} / ${lost}`)
  console.log(`RSS                     ${mb(rssAfterWarmup)} after warm-up, ${mb(rssAtEnd)} at the end (${(growth * 100).toFixed(1)} %, limit ${(tolerance * 100).toFixed(0)} %)`)
  console.log(`load average            ${loadavg().map((n) => n.toFixed(1)).join(' ')}`)
  const failed = serverErrors > 0 || networkErrors > 0 || lost > 0 || growth > tolerance || acknowledged.size === 0
  console.log(failed ? 'FAIL' : 'PASS')
  return failed ? 1 : 0
}

main()
  .then((status) => {
    rmSync(dir, { recursive: true, force: true })
    process.exit(status)
  })
  .catch((error) => {
    console.error(error)
    process.exit(2)
  })
