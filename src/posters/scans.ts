import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { localDay } from '../answers/index.ts'

declare module 'fastify' {
  interface FastifyInstance {
    scanCounter: ScanCounter
  }
}

/**
 * Today as the scan counter stores it: the Brussels day, `YYYY-MM-DD`, as answers are
 * counted (answers/calendar.ts). The funnel counts complete days only; with UTC days the
 * counter of "yesterday" would still move during the first hours of a Belgian morning.
 */
export function scanDay(now: Date = new Date()): string {
  // localDay keeps the day for the current minute: every scan (GET /q/:code, the hot path)
  // asks, and no ISO string need be made for it.
  return localDay(now.getTime())
}

/**
 * Adds `count` scans to a poster's counter for one day, creating the row on the first
 * scan. One upsert statement (`on conflict … do update`), the same SQL on SQLite ≥ 3.24
 * and PostgreSQL, so two instances counting at once never lose a scan.
 */
export async function countScan(db: Kysely<Database>, posterId: number, day: string, count = 1): Promise<void> {
  await countScans(db, [{ posterId, day, count }])
}

async function countScans(db: Kysely<Database>, counts: Array<{ posterId: number; day: string; count: number }>): Promise<void> {
  if (counts.length === 0) return
  await db
    .insertInto('poster_scans')
    .values(counts.map(({ posterId, day, count }) => ({ poster_id: posterId, day, scans: count })))
    .onConflict((conflict) =>
      conflict.columns(['poster_id', 'day']).doUpdateSet((eb) => ({ scans: eb('poster_scans.scans', '+', eb.ref('excluded.scans')) })),
    )
    .execute()
}

export interface ScanCounterOptions {
  /** How long counts wait in memory before one write; 5 s by default. */
  flushAfterMs?: number
  /** Called when a write fails (the counts are kept and tried again). */
  onError?: (error: unknown) => void
  now?: () => Date
}

/**
 * Counts scans in memory and writes them every few seconds in one statement.
 *
 * Why not write on every scan: `GET /q/:code` is the hot path, and an upsert per GET
 * would turn every read into a write transaction (on SQLite, one more fsync competing
 * with the answers being saved). The trade-off: a crash loses at most the last few
 * seconds of scan counts — a statistic — and never an answer, which is written by its
 * own request before the reply. On a clean shutdown the app flushes what is left.
 */
export class ScanCounter {
  readonly #db: Kysely<Database>
  readonly #flushAfterMs: number
  readonly #onError: (error: unknown) => void
  readonly #now: () => Date
  #pending = new Map<string, { posterId: number; day: string; count: number }>()
  #timer: NodeJS.Timeout | undefined
  #flushing: Promise<void> = Promise.resolve()

  constructor(db: Kysely<Database>, options: ScanCounterOptions = {}) {
    this.#db = db
    this.#flushAfterMs = options.flushAfterMs ?? 5000
    this.#onError = options.onError ?? (() => {})
    this.#now = options.now ?? (() => new Date())
  }

  /** One scan of a poster, now. Costs a map update; the write happens later. */
  record(posterId: number): void {
    const day = scanDay(this.#now())
    const key = `${posterId}:${day}`
    const entry = this.#pending.get(key)
    if (entry) entry.count++
    else this.#pending.set(key, { posterId, day, count: 1 })
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.flush(), this.#flushAfterMs)
      // A pending flush must not keep a finished process (a script, a test) alive.
      this.#timer.unref()
    }
  }

  /** Scans counted but not yet written. */
  get pending(): number {
    let total = 0
    for (const entry of this.#pending.values()) total += entry.count
    return total
  }

  /** Writes what has been counted. Flushes run one after another, never two at once. */
  flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#flushing = this.#flushing.then(() => this.#write())
    return this.#flushing
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return
    const batch = [...this.#pending.values()]
    this.#pending = new Map()
    try {
      await countScans(this.#db, batch)
    } catch (error) {
      // Keep the counts for the next try rather than drop them.
      for (const entry of batch) {
        const key = `${entry.posterId}:${entry.day}`
        const waiting = this.#pending.get(key)
        if (waiting) waiting.count += entry.count
        else this.#pending.set(key, entry)
      }
      this.#onError(error)
      if (this.#timer === undefined) {
        this.#timer = setTimeout(() => void this.flush(), this.#flushAfterMs)
        this.#timer.unref()
      }
    }
  }
}

/**
 * `app.scanCounter`, flushed when the app closes. Needs the `db` plugin. The citizen
 * form calls `app.scanCounter.record(poster.id)` when a poster's page is opened.
 */
export default fp<{ flushAfterMs?: number }>(
  async function scanCounterPlugin(app: FastifyInstance, options) {
    const counter = new ScanCounter(app.db, {
      flushAfterMs: options.flushAfterMs,
      onError: (error) => app.log.warn({ err: error }, 'scan counts not written yet; will try again'),
    })
    app.decorate('scanCounter', counter)
    app.addHook('onClose', () => counter.flush())
  },
  { name: 'scan-counter', dependencies: ['db'] },
)
