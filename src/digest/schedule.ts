import type { FastifyInstance } from 'fastify'
import { scheduleJob } from '../ops/job-lease.ts'
import { type MailingSettings, runDigestMailing } from './mailing.ts'

/**
 * The monthly digest mailing as a scheduled job (src/ops/job-lease.ts), only when SMTP_URL
 * is set. It wakes every `intervalMs` (an hour by default) rather than once a month: a run
 * finds nothing to do unless a month has just ended, a subscriber is new, or a retry is due,
 * and a server that was down on the first of the month still sends on the second. The
 * outbox, not the timer, makes it once a month.
 */
export default async function digestMailingSchedule(app: FastifyInstance, options: { settings: MailingSettings; intervalMs: number; firstRunAfterMs?: number; holder?: string }) {
  if (options.intervalMs <= 0) return
  scheduleJob(app, {
    name: 'digest-mailing',
    everyMs: options.intervalMs,
    firstRunAfterMs: options.firstRunAfterMs ?? Math.min(60_000, options.intervalMs),
    // Renewed before each message (runDigestMailing), so it needs to outlast one message only.
    leaseMs: 10 * 60_000,
    ...(options.holder ? { holder: options.holder } : {}),
    run: async (_app, lease) => {
      try {
        const report = await runDigestMailing(app.db, options.settings, lease)
        app.log.info({ digestMailing: report }, 'digest mailing')
      } catch (error) {
        app.log.error({ err: error }, 'digest mailing failed')
      }
    },
  })
}
