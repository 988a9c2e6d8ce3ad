import type { FastifyInstance } from 'fastify'
import { type RetentionCounts, runRetention } from './retention.ts'

export interface RetentionScheduleOptions {
  /** Milliseconds between runs; 0 switches the schedule off (tests, or `npm run retention` from cron). */
  intervalMs: number
  /** The raw SQLite connection, for the WAL checkpoint after a run that erased something. */
  sqlite?: { pragma(source: string): unknown } | undefined
  /** Records a run's counts in the audit log (app.ts passes the audit log's `audit`). */
  audit?(counts: RetentionCounts): void | Promise<void>
}

/**
 * Runs retention inside the server: a first run a minute after start, then every
 * `intervalMs`. Each run is idempotent, so several instances on one database may all run
 * it. The timers do not keep the process alive and are cleared when the app closes.
 */
export default async function retentionSchedule(app: FastifyInstance, options: RetentionScheduleOptions) {
  if (options.intervalMs <= 0) return
  let current: Promise<void> | undefined
  let closed = false
  const run = () => {
    if (current !== undefined || closed) return
    current = runOnce().finally(() => {
      current = undefined
    })
  }
  const runOnce = async () => {
    try {
      const counts = await runRetention(app.db)
      const erased = counts.contactsAfterClose + counts.contactsMaxAge + counts.freeTexts
      if (erased > 0) options.sqlite?.pragma('wal_checkpoint(TRUNCATE)')
      app.log.info({ retention: counts }, 'retention run')
      await options.audit?.(counts)
    } catch (error) {
      app.log.error({ err: error }, 'retention run failed')
    }
  }
  const first = setTimeout(run, Math.min(60_000, options.intervalMs)).unref()
  const every = setInterval(run, options.intervalMs).unref()
  // A run in progress finishes before the database is closed; none starts after.
  app.addHook('onClose', async () => {
    closed = true
    clearTimeout(first)
    clearInterval(every)
    await current
  })
}
