import type { FastifyInstance } from 'fastify'
import { scheduleJob } from '../ops/job-lease.ts'
import { type RetentionCounts, runRetention } from './retention.ts'

export interface RetentionScheduleOptions {
  /** Milliseconds between runs; 0 switches the schedule off (tests, or `npm run retention` from cron). */
  intervalMs: number
  /** The raw SQLite connection, for the WAL checkpoint after a run that erased something. */
  sqlite?: { pragma(source: string): unknown } | undefined
  /** Records a run's counts in the audit log (app.ts passes the audit log's `audit`). */
  audit?(counts: RetentionCounts): void | Promise<void>
  /** This instance's name in the job lease (src/ops/job-lease.ts). */
  holder?: string
}

/**
 * Runs retention inside the server, as a scheduled job (src/ops/job-lease.ts): a first run
 * a minute after start, then every `intervalMs`, on one instance at a time. Each run is
 * idempotent anyway; the lease only saves the other instances the work.
 */
export default async function retentionSchedule(app: FastifyInstance, options: RetentionScheduleOptions) {
  if (options.intervalMs <= 0) return
  scheduleJob(app, {
    name: 'retention',
    everyMs: options.intervalMs,
    firstRunAfterMs: Math.min(60_000, options.intervalMs),
    // A run erases rows in batches; ten minutes is far more than the slowest seen.
    leaseMs: 10 * 60_000,
    ...(options.holder ? { holder: options.holder } : {}),
    run: async () => {
      try {
        const counts = await runRetention(app.db)
        const erased = counts.contactsAfterClose + counts.contactsMaxAge + counts.freeTexts
        if (erased > 0) options.sqlite?.pragma('wal_checkpoint(TRUNCATE)')
        app.log.info({ retention: counts }, 'retention run')
        await options.audit?.(counts)
      } catch (error) {
        app.log.error({ err: error }, 'retention run failed')
      }
    },
  })
}
